// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl-raw: talk to bpfnicd's control socket with arbitrary bytes, for the
 * malformed-request integration tests (bpfnicctl only ever sends well-formed calls).
 *
 *   ctl-raw SOCKET [--timeout-ms MS] [--shut-wr]
 *                                             send stdin verbatim (then hang up our
 *                                             sending side), print the reply
 *   ctl-raw SOCKET --idle [--timeout-ms MS]   connect, say nothing, wait to be closed
 *   ctl-raw SOCKET --hold N [--timeout-ms MS] open N silent connections at once and
 *                                             count those the daemon refuses
 *
 * Exit status: 0 a reply (or, --idle, the daemon closed us), 4 the daemon closed the
 * connection without a reply, 5 nothing happened within the timeout, 1 local error.
 * The reply is printed without its NUL, followed by a newline. --hold prints
 * "open=N refused=N" (refused: closed or answered with an error).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "tests/support/toolopt.h"

#define MAX_INPUT (4u << 20)

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Read until a NUL, EOF or the deadline. Returns 0 with a reply in buf (printed),
 * 4 closed without one, 5 timeout.
 */
static int read_reply(int fd, long long deadline, int print)
{
	static char buf[1 << 17];
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - (long long)bpfnic_mono_ms();
		ssize_t n;
		char *nul;

		int ready;

		/* Past the deadline, still look once (timeout 0): --hold checks many fds. */
		ready = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			if (left <= 0)
				return 5;
			continue;
		}
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (print && len) {
				buf[len] = '\0';
				printf("%s\n", buf); /* a partial reply, for the log */
			}
			return 4;
		}
		len += (size_t)n;
		buf[len] = '\0';
		nul = memchr(buf, '\0', len);
		if (nul || len == sizeof(buf) - 1) {
			if (print)
				printf("%s\n", buf);
			return 0;
		}
	}
}

static int shut_wr;

static int send_stdin(const char *path, int timeout_ms)
{
	char *in = malloc(MAX_INPUT);
	size_t len = 0, off = 0;
	ssize_t n;
	int fd, r;

	if (!in)
		return 1;
	while (len < MAX_INPUT && (n = read(STDIN_FILENO, in + len, MAX_INPUT - len)) > 0)
		len += (size_t)n;
	fd = connect_to(path);
	if (fd < 0) {
		perror("ctl-raw: connect");
		free(in);
		return 1;
	}
	/* Write what the daemon accepts; it may answer and close before it has all. */
	while (off < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		n = send(fd, in + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(in);
	if (shut_wr)
		shutdown(fd, SHUT_WR); /* hang up our side: the daemon reads EOF */
	r = read_reply(fd, (long long)bpfnic_mono_ms() + timeout_ms, 1);
	close(fd);
	return r;
}

static int idle(const char *path, int timeout_ms)
{
	int fd = connect_to(path), r;

	if (fd < 0) {
		perror("ctl-raw: connect");
		return 1;
	}
	r = read_reply(fd, (long long)bpfnic_mono_ms() + timeout_ms, 1);
	close(fd);
	return r == 4 ? 0 : r; /* closed by the daemon: what we wanted */
}

static int hold(const char *path, int n, int timeout_ms)
{
	int *fds = calloc((size_t)n, sizeof(int)), open_n = 0, refused = 0;
	long long deadline;

	if (!fds)
		return 1;
	for (int i = 0; i < n; i++) {
		fds[i] = connect_to(path);
		if (fds[i] < 0)
			refused++; /* the backlog itself refused us */
	}
	/*
	 * Give the daemon the timeout to answer the connections it will not serve; the
	 * ones it keeps stay silent (the timeout must be below its idle limit).
	 */
	deadline = (long long)bpfnic_mono_ms() + timeout_ms;
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		if (read_reply(fds[i], deadline, 0) == 5)
			open_n++;
		else
			refused++;
	}
	printf("open=%d refused=%d\n", open_n, refused);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t timeout_ms = 5000, hold_n = 0;
	bool is_idle = false, half_close = false;
	struct topt opts[] = {
		TOPT_NUM("timeout-ms", &timeout_ms, 1, 600000, "wait at most this long (default 5000)"),
		TOPT_BOOL("shut-wr", &half_close, "hang up our sending side after stdin"),
		TOPT_BOOL("idle", &is_idle, "connect, say nothing, wait to be closed"),
		TOPT_NUM("hold", &hold_n, 1, 4096, "open N silent connections, count the refused"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "ctl-raw", "SOCKET [--idle | --hold N] [--shut-wr] "
				      "[--timeout-ms MS]", opts };
	bool named = argc > 1 && argv[1][0] != '-';
	int r = topt_parse(&cmd, argc, argv, named ? 2 : 1);

	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	if (!named) {
		fprintf(stderr, "ctl-raw: the control socket's path comes first (see --help)\n");
		return 2;
	}
	shut_wr = half_close;
	if (hold_n)
		return hold(argv[1], (int)hold_n, (int)timeout_ms);
	if (is_idle)
		return idle(argv[1], (int)timeout_ms);
	return send_stdin(argv[1], (int)timeout_ms);
}
