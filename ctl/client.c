// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ctl/client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int ctl_connect(struct bpfnic_vl_client *c, const char *path, unsigned timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	int fd, r;

	*c = (struct bpfnic_vl_client){ .fd = -1 };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * A blocking AF_UNIX connect waits for room in the listener's backlog for at most
	 * the send timeout; the same timeout bounds every later send.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		goto fail;
	do
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS)
			errno = ETIMEDOUT;
		goto fail;
	}
	c->fd = fd;
	return 0;
fail:
	r = -errno;
	close(fd);
	return r;
}

static int take_reply(struct json_object **reply_msg, struct bpfnic_vl_reply *reply)
{
	const char *why;
	int r = bpfnic_vl_reply_from_json(*reply_msg, reply, &why);

	if (r < 0) {
		json_object_put(*reply_msg);
		*reply_msg = NULL;
	}
	return r;
}

int ctl_call(struct bpfnic_vl_client *c, const char *method, struct json_object *params,
	     bool more, unsigned timeout_ms, struct json_object **reply_msg,
	     struct bpfnic_vl_reply *reply)
{
	struct json_object *call = bpfnic_vl_call_new(method, params, more);
	int r;

	*reply_msg = NULL;
	if (!call)
		return -ENOMEM;
	r = bpfnic_vl_client_send(c, call);
	json_object_put(call);
	if (r == -EAGAIN || r == -EWOULDBLOCK)
		r = -ETIMEDOUT;
	if (r < 0)
		return r;
	return ctl_next(c, timeout_ms, reply_msg, reply);
}

int ctl_next(struct bpfnic_vl_client *c, unsigned timeout_ms, struct json_object **reply_msg,
	     struct bpfnic_vl_reply *reply)
{
	int r = bpfnic_vl_client_recv(c, (int)timeout_ms, reply_msg);

	if (r < 0)
		return r;
	return take_reply(reply_msg, reply);
}
