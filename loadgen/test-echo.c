/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lg-echo: a user-space stand-in for the bpfnic data path, for loadgen tests only.
 * Answers each request on UDP PORT (IPv4 and IPv6) like the worker would: stamps
 * arrival and pick-up (CLOCK_MONOTONIC, the clock bpf_ktime_get_ns reads) and sends
 * it back. With --mangle N every N-th reply is replaced by a broken one (cycling:
 * truncated, bad magic, unknown class, unstamped, duplicate), so the loadgen's
 * invalid-reply accounting can be tested. Exits after --timeout seconds.
 *
 *   lg-echo --port 7777 [--mangle N] [--timeout S]      prints "ready" when bound
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "bpfnic.h"
#include "clock.h"
#include "tests/support/standin.h"
#include "tests/support/toolopt.h"

int main(int argc, char **argv)
{
	uint64_t port = 7777, mangle = 0, timeout = 60, n = 0, deadline;
	int fd, zero = 0, rcv = 8 << 20;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct topt opts[] = {
		TOPT_NUM("port", &port, 1, 65535, "UDP port, IPv4 and IPv6 (default 7777)"),
		TOPT_NUM("mangle", &mangle, 0, 1000000, "break every N-th reply (default 0: none)"),
		TOPT_NUM("timeout", &timeout, 1, 3600, "exit after S seconds (default 60)"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "lg-echo", "[--port N] [--mangle N] [--timeout S]", opts };
	int r = topt_parse(&cmd, argc, argv, 1);

	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("lg-echo: socket");
		return 1;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	sa.sin6_port = htons((uint16_t)port);
	sa.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("lg-echo: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	deadline = bpfnic_mono_ns() + (uint64_t)timeout * 1000000000ull;
	while (bpfnic_mono_ns() < deadline) {
		uint8_t buf[2048];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t len;
		int copies;

		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (len < (ssize_t)BPFNIC_REQ_LEN)
			continue;
		len = standin_reply(buf, len, ++n, mangle, &copies);
		while (copies-- > 0)
			sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl);
	}
	close(fd);
	return 0;
}
