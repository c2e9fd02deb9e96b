// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The control socket's client: see vlclient.h. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "vlclient.h"

int bpfnic_vl_client_connect(struct bpfnic_vl_client *c, const char *path, unsigned timeout_ms)
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

void bpfnic_vl_client_close(struct bpfnic_vl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	bpfnic_vl_input_free(&c->in);
}

int bpfnic_vl_client_send(struct bpfnic_vl_client *c, struct json_object *msg)
{
	char *buf;
	size_t len, off = 0;
	int r = bpfnic_vl_serialize(msg, &buf, &len);

	if (r < 0)
		return r;
	while (off < len) {
		ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			break;
		}
		off += (size_t)n;
	}
	free(buf);
	return r;
}

/* Wait until fd is readable or the deadline passes: 0, -ETIMEDOUT or -errno. */
static int wait_readable(int fd, uint64_t deadline_ms)
{
	for (;;) {
		uint64_t now = bpfnic_mono_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(deadline_ms - now > INT32_MAX ? INT32_MAX : deadline_ms - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int bpfnic_vl_client_recv(struct bpfnic_vl_client *c, unsigned timeout_ms, struct json_object **out)
{
	uint64_t deadline = bpfnic_mono_ms() + timeout_ms;

	*out = NULL;
	for (;;) {
		const char *msg;
		size_t len;
		char buf[8192];
		ssize_t n;
		int r = bpfnic_vl_input_next(&c->in, &msg, &len);

		if (r < 0)
			return r;
		if (r > 0)
			return bpfnic_vl_parse(msg, len, out);
		r = wait_readable(c->fd, deadline);
		if (r < 0)
			return r;
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		r = bpfnic_vl_input_feed(&c->in, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

int bpfnic_vl_client_next(struct bpfnic_vl_client *c, unsigned timeout_ms,
			  struct json_object **reply_msg, struct bpfnic_vl_reply *reply)
{
	const char *why;
	int r = bpfnic_vl_client_recv(c, timeout_ms, reply_msg);

	if (r < 0)
		return r;
	r = bpfnic_vl_reply_from_json(*reply_msg, reply, &why);
	if (r < 0) {
		json_object_put(*reply_msg);
		*reply_msg = NULL;
	}
	return r;
}

int bpfnic_vl_client_call(struct bpfnic_vl_client *c, const char *method,
			  struct json_object *params, bool more, unsigned timeout_ms,
			  struct json_object **reply_msg, struct bpfnic_vl_reply *reply)
{
	struct json_object *call = bpfnic_vl_call_new(method, params, more);
	int r;

	*reply_msg = NULL;
	if (!call)
		return -ENOMEM;
	r = bpfnic_vl_client_send(c, call);
	json_object_put(call);
	if (r < 0)
		return r;
	return bpfnic_vl_client_next(c, timeout_ms, reply_msg, reply);
}
