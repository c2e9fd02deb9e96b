/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The metrics endpoint's HTTP server: libmicrohttpd, driven from bpfnicd's sd-event
 * loop rather than a thread of its own. MHD runs in its external-epoll mode: its
 * epoll fd is one I/O source of the loop, and a timer source follows MHD_get_timeout()
 * (connection time-outs). Every MHD call returns without blocking (non-blocking
 * sockets, no waits), so the control socket and the tick share the loop with it, at
 * a higher priority; and the page is rendered on the loop's own thread, from the
 * statistics in place, with no copy to hand over and no lock.
 *
 * Read-only and bounded: GET / (a page linking to the metrics) and GET /metrics, any
 * other path 404, any other method on them 405 with "Allow: GET"; at most
 * BPFNICD_HTTPD_MAX_CONNECTIONS connections (BPFNICD_HTTPD_MAX_PER_IP from one address),
 * BPFNICD_HTTPD_MEMORY bytes of request per connection (a longer request line or
 * header gets 414/431 and the connection is closed), BPFNICD_HTTPD_TIMEOUT_S seconds
 * of idleness before a connection is closed.
 */
#ifndef BPFNICD_HTTPD_H
#define BPFNICD_HTTPD_H

#include <stddef.h>

#include <systemd/sd-event.h>

#include "params.h"

#define BPFNICD_HTTPD_MAX_CONNECTIONS 32
#define BPFNICD_HTTPD_MAX_PER_IP      8
#define BPFNICD_HTTPD_MEMORY          (16 * 1024)
#define BPFNICD_HTTPD_TIMEOUT_S       10
#define BPFNICD_HTTPD_BACKLOG         16

/* The name systemd's socket unit gives the metrics socket (FileDescriptorName=). */
#define BPFNICD_HTTPD_FD_NAME "metrics"

/* The page of GET /metrics: *body (malloc'd, the server frees it), *len bytes. 0 or -errno. */
typedef int (*bpfnicd_httpd_render_fn)(void *userdata, char **body, size_t *len);

struct bpfnicd_httpd;

/* A listening TCP socket on l (close-on-exec, non-blocking). fd, or -errno. */
int bpfnicd_httpd_listen(const struct bpfnic_listen *l);

/*
 * The listening socket systemd passed under BPFNICD_HTTPD_FD_NAME, if any: fd, 0 when
 * there is none, -errno when it is not a listening stream socket. Takes the passed
 * sockets out of the environment (call it once).
 */
int bpfnicd_httpd_systemd_fd(void);

/*
 * Serve on listen_fd (taken over: closed by bpfnicd_httpd_free, or here on failure)
 * from loop e; content_type is the page's Content-Type. 0 or -errno.
 */
int bpfnicd_httpd_new(sd_event *e, int listen_fd, const char *content_type,
		      bpfnicd_httpd_render_fn render, void *userdata, struct bpfnicd_httpd **out);
void bpfnicd_httpd_free(struct bpfnicd_httpd *h);

/*
 * The endpoint as configured: on the socket systemd passed (it wins over Listen=), or
 * on listen, or none when listen is off. A failure is logged and leaves *out NULL:
 * bpfnicd serves its data path without metrics rather than not at all.
 */
void bpfnicd_httpd_start(sd_event *e, const struct bpfnic_listen *listen, const char *content_type,
			 bpfnicd_httpd_render_fn render, void *userdata, struct bpfnicd_httpd **out);

#endif
