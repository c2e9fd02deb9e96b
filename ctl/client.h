/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicctl's side of the control socket: connect with a deadline (a daemon whose
 * listen backlog is full must not hang the CLI), then the framing of lib/varlink.h.
 */
#ifndef BPFNIC_CTL_CLIENT_H
#define BPFNIC_CTL_CLIENT_H

#include "varlink.h"

/*
 * Connect to the Unix socket at path within timeout_ms. Sends are bounded by the
 * same timeout (SO_SNDTIMEO). Returns 0 or -errno (-ETIMEDOUT, -ENOENT, ...).
 */
int ctl_connect(struct bpfnic_vl_client *c, const char *path, unsigned timeout_ms);

/*
 * Send a call and wait for its first reply: *reply_msg owns the whole message, and
 * *reply borrows from it. A daemon error is a successful return with reply->error
 * set. -ETIMEDOUT, -ECONNRESET, -EBADMSG (reply is not a varlink reply), ...
 */
int ctl_call(struct bpfnic_vl_client *c, const char *method, struct json_object *params,
	     bool more, unsigned timeout_ms, struct json_object **reply_msg,
	     struct bpfnic_vl_reply *reply);

/* The next reply of a streaming ("more") call. */
int ctl_next(struct bpfnic_vl_client *c, unsigned timeout_ms, struct json_object **reply_msg,
	     struct bpfnic_vl_reply *reply);

#endif
