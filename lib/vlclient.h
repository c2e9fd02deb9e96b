/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one client of the control socket (bpfnicctl and the test tools use it): connect
 * with a deadline (a daemon whose listen backlog is full must not hang the caller),
 * then calls and replies in the framing of lib/varlink.h, each bounded by a timeout.
 * Blocking I/O; never logs; functions return 0 or -errno.
 */
#ifndef BPFNIC_VLCLIENT_H
#define BPFNIC_VLCLIENT_H

#include <stdbool.h>
#include "varlink.h"

struct bpfnic_vl_client {
	int fd;
	struct bpfnic_vl_input in;
};

/*
 * Connect to the Unix socket at path within timeout_ms. Sends are bounded by the
 * same timeout (SO_SNDTIMEO). Returns 0 or -errno (-ETIMEDOUT, -ENOENT, ...).
 */
int bpfnic_vl_client_connect(struct bpfnic_vl_client *c, const char *path, unsigned timeout_ms);
void bpfnic_vl_client_close(struct bpfnic_vl_client *c);

/* Send one message (serialised with its NUL); -ETIMEDOUT when the daemon takes nothing. */
int bpfnic_vl_client_send(struct bpfnic_vl_client *c, struct json_object *msg);

/*
 * Receive the next message, waiting at most timeout_ms. *out owned by the caller.
 * -ETIMEDOUT, -ECONNRESET when the daemon closed the connection, or a
 * bpfnic_vl_parse() error.
 */
int bpfnic_vl_client_recv(struct bpfnic_vl_client *c, unsigned timeout_ms, struct json_object **out);

/*
 * Send a call (takes params; "more": true when more) and wait for its first reply:
 * *reply_msg owns the whole message, and *reply borrows from it. A daemon error is a
 * successful return with reply->error set. -ETIMEDOUT, -ECONNRESET, -EBADMSG (not a
 * varlink reply), ...
 */
int bpfnic_vl_client_call(struct bpfnic_vl_client *c, const char *method,
			  struct json_object *params, bool more, unsigned timeout_ms,
			  struct json_object **reply_msg, struct bpfnic_vl_reply *reply);

/* The next reply of a streaming ("more") call. */
int bpfnic_vl_client_next(struct bpfnic_vl_client *c, unsigned timeout_ms,
			  struct json_object **reply_msg, struct bpfnic_vl_reply *reply);

#endif
