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
#include <errno.h>
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
#include "tests/support/toolopt.h"
#include "tests/support/udpclient.h"

#define MAX_COUNT 10000000ull
#define MAX_CPU_REPORT 64u

struct opts {
	const char *dst;
	uint64_t port, count, rate, class, service_us, drain_ms;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	struct topt opts[] = {
		TOPT_STR("dst", &o->dst, "ADDR", "the server's numeric address"),
		TOPT_NUM("port", &o->port, 1, 65535, "its UDP port (default 7777)"),
		TOPT_NUM("count", &o->count, 1, MAX_COUNT, "requests to send"),
		TOPT_NUM("rate", &o->rate, 1, 10000000, "requests per second, constant"),
		TOPT_NUM("class", &o->class, 0, 255, "class byte, any value (default 0)"),
		TOPT_NUM("service-us", &o->service_us, 0, BPFNIC_MAX_SERVICE_NS / 1000,
			 "requested service time (default 0: the server's)"),
		TOPT_NUM("drain-ms", &o->drain_ms, 0, 60000,
			 "wait for replies after the last send (default 2000)"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "ctl-udpsend", "--dst ADDR --count N --rate RPS [options]",
				      opts };
	int r;

	*o = (struct opts){ .port = 7777, .class = BPFNIC_CLASS_SHORT, .drain_ms = 2000 };
	r = topt_parse(&cmd, argc, argv, 1);
	if (r == TOPT_RUN && (!o->dst || !o->count || !o->rate)) {
		fprintf(stderr, "ctl-udpsend: --dst, --count and --rate are needed (see --help)\n");
		return -EINVAL;
	}
	return r;
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

/* Sends o->count requests at o->rate on an absolute schedule, reading replies meanwhile. */
static void send_all(int fd, const struct opts *o, struct result *res)
{
	uint64_t interval_ns = 1000000000ull / o->rate, start = bpfnic_mono_ns();

	for (uint64_t i = 0; i < o->count; i++) {
		uint64_t due = start + i * interval_ns, t;
		uint8_t req[BPFNIC_REQ_EXT_LEN];

		bpfnic_req_encode(req, sizeof(req), BPFNIC_FORMAT_EXT, 0, (uint8_t)o->class, i,
				  o->service_us * 1000);
		/* Wait for the slot, collecting replies meanwhile. */
		while ((t = bpfnic_mono_ns()) < due) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			uint64_t left_ms = (due - t) / 1000000;

			if (poll(&pfd, 1, (int)left_ms) > 0)
				drain(fd, res, o->count);
			else if (!left_ms)
				break; /* under a millisecond: send now, the schedule absorbs it */
		}
		bpfnic_req_set_send_ns(req, bpfnic_mono_ns());
		if (send(fd, req, sizeof(req), 0) == (ssize_t)sizeof(req))
			res->sent++;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
			break;
		if ((i & 63) == 0)
			drain(fd, res, o->count);
	}
}

/* Reads replies until every request has one or o->drain_ms have passed. */
static void wait_replies(int fd, const struct opts *o, struct result *res)
{
	uint64_t last_send = bpfnic_mono_ns();

	while (res->received < res->sent &&
	       bpfnic_mono_ns() - last_send < o->drain_ms * 1000000ull) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 50) > 0)
			drain(fd, res, o->count);
	}
	drain(fd, res, o->count);
}

static void print_result(const struct result *res)
{
	printf("sent=%llu received=%llu lost=%llu dup=%llu bad=%llu",
	       (unsigned long long)res->sent, (unsigned long long)res->received,
	       (unsigned long long)(res->sent - res->received), (unsigned long long)res->dup,
	       (unsigned long long)res->bad);
	for (unsigned c = 0; c < MAX_CPU_REPORT; c++)
		if (res->per_cpu[c])
			printf(" cpu%u=%llu", c, (unsigned long long)res->per_cpu[c]);
	printf(" rtt_avg_us=%.1f rtt_max_us=%.1f\n",
	       res->received ? (double)res->rtt_sum_ns / (double)res->received / 1e3 : 0.0,
	       (double)res->rtt_max_ns / 1e3);
}

int main(int argc, char **argv)
{
	struct result res = { 0 };
	struct opts o;
	int fd, r;

	r = parse_args(argc, argv, &o);
	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	/* Room for a burst of replies while we are sending. */
	fd = udp_client_connect(o.dst, (uint16_t)o.port, 4 << 20);
	if (fd < 0) {
		fprintf(stderr, "ctl-udpsend: %s: %s\n", o.dst,
			fd == -EINVAL ? "not a numeric address" : strerror(-fd));
		return fd == -EINVAL ? 2 : 1;
	}
	res.seen = calloc(o.count, 1);
	if (!res.seen) {
		perror("ctl-udpsend");
		close(fd);
		return 1;
	}
	send_all(fd, &o, &res);
	wait_replies(fd, &o, &res);
	print_result(&res);
	free(res.seen);
	close(fd);
	return 0;
}
