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
#include "wire.h"

int main(int argc, char **argv)
{
	unsigned port = 7777, mangle = 0, timeout = 60;
	uint64_t n = 0, deadline;
	int fd, zero = 0, rcv = 8 << 20;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--mangle"))
			mangle = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = (unsigned)atoi(argv[i + 1]);
		else {
			fprintf(stderr, "lg-echo: unknown option %s\n", argv[i]);
			return 2;
		}
	}
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
		uint64_t t;

		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (len < (ssize_t)BPFNIC_REQ_LEN)
			continue;
		t = bpfnic_mono_ns();
		bpfnic_req_stamp(buf, t, t + 1000);
		n++;
		if (mangle && n % mangle == 0) {
			switch ((n / mangle) % 5) {
			case 0: len = 10; break;                                      /* truncated */
			case 1: if (len > (ssize_t)BPFNIC_REQ_LEN) buf[BPFNIC_OFF_EXT_MAGIC] ^= 0xff;
				else len = BPFNIC_REQ_LEN + 3;                        /* foreign */
				break;
			case 2: buf[BPFNIC_OFF_CLASS] = 7; break;                     /* unknown class */
			case 3: bpfnic_le64_put(buf + BPFNIC_OFF_ARRIVAL, 0); break;  /* unstamped */
			case 4: sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl); break; /* dup */
			}
		}
		sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl);
	}
	close(fd);
	return 0;
}
