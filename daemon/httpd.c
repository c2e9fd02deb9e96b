/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The metrics endpoint's HTTP server: see httpd.h. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "daemon/httpd.h"
#include "daemon/log.h"

/* Below the control socket and the tick: a busy endpoint never delays them. */
#define HTTPD_PRIORITY (SD_EVENT_PRIORITY_NORMAL + 10)

struct bpfnicd_httpd {
	struct MHD_Daemon *mhd;
	sd_event_source *io, *timer;
	const char *content_type;
	bpfnicd_httpd_render_fn render;
	void *userdata;
};

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>bpfnicd</title></head><body>\n"
	"<h1>bpfnicd</h1>\n<p><a href=\"/metrics\">Metrics</a> (Prometheus text format)</p>\n"
	"</body></html>\n";

/* ---- the listening socket ------------------------------------------------------------------ */

int bpfnicd_httpd_listen(const struct bpfnic_listen *l)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} a = { 0 };
	socklen_t len;
	int fd, one = 1;

	if (l->family == AF_INET) {
		a.in.sin_family = AF_INET;
		a.in.sin_port = htons(l->port);
		memcpy(&a.in.sin_addr, l->addr, sizeof(a.in.sin_addr));
		len = sizeof(a.in);
	} else if (l->family == AF_INET6) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(l->port);
		memcpy(&a.in6.sin6_addr, l->addr, sizeof(a.in6.sin6_addr));
		len = sizeof(a.in6);
	} else {
		return -EAFNOSUPPORT;
	}
	fd = socket(l->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A restarted daemon binds again while the old connections sit in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, &a.sa, len) < 0 || listen(fd, BPFNICD_HTTPD_BACKLOG) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int bpfnicd_httpd_systemd_fd(void)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), fd = 0;

	for (int i = 0; i < n; i++) {
		if (!fd && names && !strcmp(names[i], BPFNICD_HTTPD_FD_NAME))
			fd = SD_LISTEN_FDS_START + i;
		free(names ? names[i] : NULL);
	}
	free(names);
	if (fd > 0 && sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
		return -ENOTSOCK;
	if (fd > 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return n < 0 ? n : fd;
}

/* ---- requests ---------------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result r;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO; /* MHD closes the connection */
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) != MHD_YES ||
	    (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, MHD_HTTP_METHOD_GET) != MHD_YES)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result text_reply(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (void *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct bpfnicd_httpd *h = cls;
	bool metrics = !strcmp(url, "/metrics");
	char *body = NULL;
	size_t len = 0;
	int r;

	(void)version, (void)upload_data, (void)upload_data_size, (void)req_cls;
	if (!metrics && strcmp(url, "/"))
		return text_reply(c, MHD_HTTP_NOT_FOUND, "404 not found: try /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET))
		return text_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 method not allowed: GET only\n");
	if (!metrics)
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)index_page,
			     sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
	r = h->render(h->userdata, &body, &len);
	if (r < 0) {
		log_warning_errno(r, "metrics endpoint: cannot render the metrics");
		return text_reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "500 cannot render the metrics\n");
	}
	return reply(c, MHD_HTTP_OK, h->content_type, body, len, MHD_RESPMEM_MUST_FREE);
}

/* MHD's own messages (refused connections, malformed requests): debug only, a client
 * sending garbage must not flood the journal. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strcspn(msg, "\n");
	msg[n] = '\0';
	log_debug("metrics endpoint: %s", msg);
}

/* ---- the event loop -------------------------------------------------------------------------- */

/* After every MHD_run: wake up again when MHD's next time-out (or pending work) is due. */
static void rearm(struct bpfnicd_httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES) {
		sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(h->timer, bpfnic_mono_usec() + (uint64_t)ms * 1000);
	sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct bpfnicd_httpd *h = userdata;

	(void)s, (void)fd, (void)revents;
	MHD_run(h->mhd);
	rearm(h);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)usec;
	return on_io(s, -1, 0, userdata);
}

int bpfnicd_httpd_new(sd_event *e, int listen_fd, const char *content_type,
		      bpfnicd_httpd_render_fn render, void *userdata, struct bpfnicd_httpd **out)
{
	struct bpfnicd_httpd *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	int mhd_fd, r;

	*out = NULL;
	if (!h) {
		close(listen_fd);
		return -ENOMEM;
	}
	h->content_type = content_type;
	h->render = render;
	h->userdata = userdata;
	/* MHD closes the socket it is given on some of its failure paths, not all: it gets
	 * a copy, and a copy still open after a failure is closed here. */
	mhd_fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 3);
	close(listen_fd);
	if (mhd_fd < 0) {
		free(h);
		return -errno;
	}
	/* The logger first: MHD reports the options after it through it. */
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				  MHD_OPTION_LISTEN_SOCKET, mhd_fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)BPFNICD_HTTPD_MAX_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)BPFNICD_HTTPD_MAX_PER_IP,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)BPFNICD_HTTPD_MEMORY,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)BPFNICD_HTTPD_TIMEOUT_S,
				  MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
				  MHD_OPTION_END);
	if (!h->mhd) {
		if (fcntl(mhd_fd, F_GETFD) >= 0)
			close(mhd_fd);
		free(h);
		return -EINVAL; /* MHD says why only through its logger: logged at debug */
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	r = info ? sd_event_add_io(e, &h->io, info->epoll_fd, EPOLLIN, on_io, h) : -EINVAL;
	if (r >= 0)
		r = sd_event_add_time(e, &h->timer, CLOCK_MONOTONIC, UINT64_MAX, 0, on_timer, h);
	if (r >= 0)
		r = sd_event_source_set_priority(h->io, HTTPD_PRIORITY);
	if (r >= 0)
		r = sd_event_source_set_priority(h->timer, HTTPD_PRIORITY);
	if (r < 0) {
		bpfnicd_httpd_free(h);
		return r;
	}
	rearm(h);
	*out = h;
	return 0;
}

void bpfnicd_httpd_free(struct bpfnicd_httpd *h)
{
	if (!h)
		return;
	sd_event_source_disable_unref(h->io);
	sd_event_source_disable_unref(h->timer);
	if (h->mhd)
		MHD_stop_daemon(h->mhd); /* closes its connections and the listening socket */
	free(h);
}

void bpfnicd_httpd_start(sd_event *e, const struct bpfnic_listen *listen, const char *content_type,
			 bpfnicd_httpd_render_fn render, void *userdata, struct bpfnicd_httpd **out)
{
	char where[80], addr[64];
	int fd = bpfnicd_httpd_systemd_fd(), r;

	*out = NULL;
	bpfnic_listen_format(listen, addr, sizeof(addr));
	if (fd < 0) {
		log_error_errno(fd, "metrics endpoint: the socket systemd passed as '%s' is no listening "
				"stream socket: serving no metrics", BPFNICD_HTTPD_FD_NAME);
		return;
	}
	if (fd > 0) {
		snprintf(where, sizeof(where), "the socket systemd passed (%s)", BPFNICD_HTTPD_FD_NAME);
		if (listen->family)
			log_notice("metrics endpoint: Listen=%s left unused: systemd passed a socket", addr);
	} else if (!listen->family) {
		return;
	} else {
		snprintf(where, sizeof(where), "%s", addr);
		fd = bpfnicd_httpd_listen(listen);
		if (fd < 0) {
			log_error_errno(fd, "metrics endpoint: cannot listen on %s: serving no metrics", addr);
			return;
		}
	}
	r = bpfnicd_httpd_new(e, fd, content_type, render, userdata, out);
	if (r < 0)
		log_error_errno(r, "metrics endpoint: cannot serve on %s: serving no metrics", where);
	else
		log_info("metrics endpoint: serving /metrics on %s", where);
}
