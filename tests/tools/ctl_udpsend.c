// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl-udpsend: a small, bounded request sender for bpfnicd's integration tests and
 * `make demo`. Sends --count extended requests (bpf/bpfnic.h: sequence number,
 * optional requested service time) at a constant --rate on an absolute schedule,
 * collects the replies, and prints exact counts:
 *
 *   sent=N received=N lost=N dup=N bad=N cpu0=N cpu1=N ... rtt_avg_us=X rtt_max_us=X
 *
 * Not a load generator (that is bpfnic-loadgen): one thread, one socket, no
 * histograms; just enough to tell whether a request was lost and which CPU served it.
 * Bounded: at most 10 M requests, and it stops --drain-ms after the last send.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bpfnic.h"
#include "wire.h"
#include "clock.h"

#define MAX_COUNT 10000000ull
#define MAX_CPU_REPORT 64u

static void usage(FILE *f)
{
	fprintf(f, "usage: ctl-udpsend --dst ADDR [--port N] --count N --rate RPS [--class 0|1]\n"
		   "                   [--service-us N] [--drain-ms MS]\n");
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

struct result {
	uint64_t sent, received, dup, bad, rtt_sum_ns, rtt_max_ns;
	uint64_t per_cpu[MAX_CPU_REPORT];
	uint8_t *seen; /* one byte per sequence number */
};

static void take_reply(struct result *res, const uint8_t *buf, ssize_t n, uint64_t count)
{
	struct bpfnic_msg m;
	uint64_t seq, rtt;
	int err = bpfnic_reply_decode(buf, (size_t)n, BPFNIC_FORMAT_EXT, &m);

	/* Only a reply we cannot attribute is bad: counting is the job, so an odd class
	 * byte (--class accepts any) or missing stamps still count as received. */
	if (err == BPFNIC_DECODE_LENGTH || err == BPFNIC_DECODE_MAGIC) {
		res->bad++;
		return;
	}
	seq = m.seq;
	if (seq >= count) {
		res->bad++;
		return;
	}
	if (res->seen[seq]) {
		res->dup++;
		return;
	}
	res->seen[seq] = 1;
	res->received++;
	rtt = bpfnic_mono_ns() - m.client_send_ns; /* client clock only */
	res->rtt_sum_ns += rtt;
	if (rtt > res->rtt_max_ns)
		res->rtt_max_ns = rtt;
	if (m.worker_cpu < MAX_CPU_REPORT)
		res->per_cpu[m.worker_cpu]++;
}

static void drain(int fd, struct result *res, uint64_t count)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0)
		take_reply(res, buf, n, count);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dst", required_argument, NULL, 'd' },     { "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },   { "rate", required_argument, NULL, 'r' },
		{ "class", required_argument, NULL, 'c' },   { "service-us", required_argument, NULL, 's' },
		{ "drain-ms", required_argument, NULL, 'w' }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dst = NULL;
	uint64_t port = 7777, count = 0, rate = 0, class = BPFNIC_CLASS_SHORT, service_us = 0,
		 drain_ms = 2000, start, last_send, interval_ns;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
	struct result res = { 0 };
	char portstr[16];
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int bad = 0;

		switch (opt) {
		case 'd': dst = optarg; break;
		case 'p': bad = parse_u64(optarg, 65535, &port); break;
		case 'n': bad = parse_u64(optarg, MAX_COUNT, &count); break;
		case 'r': bad = parse_u64(optarg, 10000000, &rate); break;
		case 'c': bad = parse_u64(optarg, 255, &class); break;
		case 's': bad = parse_u64(optarg, BPFNIC_MAX_SERVICE_NS / 1000, &service_us); break;
		case 'w': bad = parse_u64(optarg, 60000, &drain_ms); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "ctl-udpsend: bad value '%s'\n", optarg);
			return 2;
		}
	}
	if (!dst || !count || !rate || optind != argc) {
		usage(stderr);
		return 2;
	}
	snprintf(portstr, sizeof(portstr), "%llu", (unsigned long long)port);
	if (getaddrinfo(dst, portstr, &hints, &ai)) {
		fprintf(stderr, "ctl-udpsend: bad address '%s'\n", dst);
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("ctl-udpsend: socket");
		return 1;
	}
	freeaddrinfo(ai);
	{
		int sz = 4 << 20; /* room for a burst of replies while we are sending */

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	res.seen = calloc(count, 1);
	if (!res.seen) {
		perror("ctl-udpsend");
		return 1;
	}

	interval_ns = 1000000000ull / rate;
	start = bpfnic_mono_ns();
	for (uint64_t i = 0; i < count; i++) {
		uint64_t due = start + i * interval_ns, t;
		uint8_t req[BPFNIC_REQ_EXT_LEN];

		bpfnic_req_encode(req, sizeof(req), BPFNIC_FORMAT_EXT, 0, (uint8_t)class, i,
				  service_us * 1000);

		/* Wait for the slot, collecting replies meanwhile. */
		while ((t = bpfnic_mono_ns()) < due) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			uint64_t left_ms = (due - t) / 1000000;

			if (poll(&pfd, 1, (int)left_ms) > 0)
				drain(fd, &res, count);
			else if (!left_ms)
				break; /* under a millisecond: send now, the schedule absorbs it */
		}
		bpfnic_req_set_send_ns(req, bpfnic_mono_ns());
		if (send(fd, req, sizeof(req), 0) == (ssize_t)sizeof(req))
			res.sent++;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
			break;
		if ((i & 63) == 0)
			drain(fd, &res, count);
	}
	last_send = bpfnic_mono_ns();
	while (res.received < res.sent && bpfnic_mono_ns() - last_send < drain_ms * 1000000ull) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 50) > 0)
			drain(fd, &res, count);
	}
	drain(fd, &res, count);

	printf("sent=%llu received=%llu lost=%llu dup=%llu bad=%llu",
	       (unsigned long long)res.sent, (unsigned long long)res.received,
	       (unsigned long long)(res.sent - res.received), (unsigned long long)res.dup,
	       (unsigned long long)res.bad);
	for (unsigned c = 0; c < MAX_CPU_REPORT; c++)
		if (res.per_cpu[c])
			printf(" cpu%u=%llu", c, (unsigned long long)res.per_cpu[c]);
	printf(" rtt_avg_us=%.1f rtt_max_us=%.1f\n",
	       res.received ? (double)res.rtt_sum_ns / (double)res.received / 1e3 : 0.0,
	       (double)res.rtt_max_ns / 1e3);
	free(res.seen);
	close(fd);
	return 0;
}
