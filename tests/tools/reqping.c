// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * reqping: send bpfnic requests to HOST:PORT, wait for every reply, validate each one
 * and print a key=value summary that tests assert on. Requests go in bursts of
 * --burst (1 = strict ping-pong); each burst waits at most --timeout-ms for its
 * replies, so the whole run is bounded by count/burst * timeout.
 *
 *   reqping --host 198.18.0.1 [--port 7777] [--count 100] [--format paper|ext]
 *           [--class N] [--service-us N] [--burst N] [--timeout-ms N]
 *           [--capture IFNAME] [--ip-options]
 *
 * --capture IFNAME also reads every reply frame off the client's interface with a
 * packet socket and checks its IPv4 header and UDP checksums with the tests' own
 * implementation (tests/support/pkt.c): on a veth the receiving stack may trust a
 * checksum it never verifies, so the socket alone would not notice a wrong one.
 * --ip-options sends IPv4 requests with 4 bytes of IP options (ihl 6).
 *
 * Exit status: 0 when every request got exactly one valid reply, 1 otherwise,
 * 2 on a usage error, 3 when the socket could not be set up.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "bpfnic.h"
#include "tests/support/pkt.h"
#include "wire.h"
#include "clock.h"

#define MAX_COUNT   1000000u
#define MAX_BURST   1024u
#define MAX_TIMEOUT 10000u /* ms */

struct opts {
	const char *host;
	const char *port;
	unsigned count, burst, timeout_ms;
	enum bpfnic_format format;
	uint8_t class;
	uint64_t service_ns;
	const char *capture;
	bool ip_options;
};

struct minmax {
	uint64_t n, min, max;
	long double sum;
	uint64_t *all; /* every value, for percentiles (room for --count values) */
};

struct summary {
	uint64_t sent, received, valid, invalid, timeouts, late, send_err;
	struct minmax rtt, qdelay, service;
	uint64_t per_cpu[BPFNIC_MAX_CPUS];
	char first_error[160];
	uint64_t captured, capture_bad_csum, capture_ihl_max;
};

/* Replies seen on the wire: from the server's port to ours, checksums recomputed. */
struct capture {
	int fd;              /* -1: not capturing */
	uint16_t local_port, server_port;
};

static void capture_drain(struct capture *c, struct summary *s)
{
	uint8_t frame[2048];

	if (c->fd < 0)
		return;
	for (int i = 0; i < 100000; i++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		struct pkt_layout lo;
		ssize_t n = recvfrom(c->fd, frame, sizeof(frame), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING || pkt_parse(frame, (size_t)n, &lo) < 0)
			continue;
		if ((lo.family == 4 ? frame[lo.l3 + 9] : frame[lo.l3 + 6]) != IPPROTO_UDP)
			continue;
		if (pkt_get_be16(frame + lo.l4) != c->server_port ||
		    pkt_get_be16(frame + lo.l4 + 2) != c->local_port)
			continue;
		s->captured++;
		if (lo.family == 4) {
			unsigned ihl = frame[lo.l3] & 0xf;

			if (ihl > s->capture_ihl_max)
				s->capture_ihl_max = ihl;
			if (!pkt_ipv4_csum_ok(frame + lo.l3)) {
				s->capture_bad_csum++;
				continue;
			}
		}
		if (pkt_get_be16(frame + lo.l4 + 4) + lo.l4 > (size_t)n || !pkt_udp_csum_ok(frame, &lo))
			s->capture_bad_csum++;
	}
}

static int capture_open(struct capture *c, const char *ifname, int udp_fd, uint16_t server_port)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	int size = 4 << 20;

	c->fd = -1;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		return -errno;
	if (getsockname(udp_fd, (struct sockaddr *)&local, &ll) < 0)
		return -errno;
	c->local_port = ntohs(local.ss_family == AF_INET ?
				      ((struct sockaddr_in *)&local)->sin_port :
				      ((struct sockaddr_in6 *)&local)->sin6_port);
	c->server_port = server_port;
	c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (c->fd < 0)
		return -errno;
	/* Room for a whole burst of replies between drains. */
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = -errno;

		close(c->fd);
		c->fd = -1;
		return e;
	}
	return 0;
}

static void mm_add(struct minmax *m, uint64_t v)
{
	if (!m->n || v < m->min)
		m->min = v;
	if (!m->n || v > m->max)
		m->max = v;
	if (m->all)
		m->all[m->n] = v;
	m->n++;
	m->sum += v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank q-quantile of the values seen; sorts them in place. */
static uint64_t mm_quantile(struct minmax *m, double q)
{
	uint64_t rank;

	if (!m->all || !m->n)
		return 0;
	qsort(m->all, m->n, sizeof(*m->all), cmp_u64);
	rank = (uint64_t)(q * (double)m->n + 0.999999);
	return m->all[(rank ? rank : 1) - 1];
}

static void invalid(struct summary *s, const char *fmt, unsigned long long a,
		    unsigned long long b)
{
	s->invalid++;
	if (!s->first_error[0])
		snprintf(s->first_error, sizeof(s->first_error), fmt, a, b);
}

/* One request we are waiting for. */
struct pending {
	uint64_t send_ns;
	uint64_t seq;
	bool answered;
};

/* Check one reply against what we sent; returns the pending slot it answers or -1. */
static int check_reply(const uint8_t *buf, ssize_t n, uint64_t recv_ns, const struct opts *o,
		       struct pending *p, unsigned np, struct summary *s)
{
	struct bpfnic_msg m;
	int err = bpfnic_reply_decode(buf, (size_t)n, o->format, &m);
	int slot = -1;

	if (err == BPFNIC_DECODE_LENGTH) {
		invalid(s, "reply of %llu bytes, expected %llu", (unsigned long long)n,
			bpfnic_format_len(o->format));
		return -1;
	}
	for (unsigned i = 0; i < np; i++)
		if (!p[i].answered && p[i].send_ns == m.client_send_ns)
			slot = (int)i;
	if (slot < 0) {
		s->late++; /* a reply to an earlier burst that timed out, or a duplicate */
		return -1;
	}
	p[slot].answered = true;
	s->received++;

	/* Odd class bytes (neither short nor long) are sent on purpose: the decoder's
	 * BPFNIC_DECODE_CLASS is fine as long as the byte came back unchanged. */
	if (m.class_byte != o->class) {
		invalid(s, "class %llu echoed as %llu", o->class, m.class_byte);
		return slot;
	}
	if (err == BPFNIC_DECODE_MAGIC) {
		invalid(s, "extension header lost: version or magic wrong", 0, 0);
		return slot;
	}
	/* The decoder does not check the stamps after a class error: check them here. */
	if (!m.sched_arrival_ns || !m.worker_pickup_ns) {
		invalid(s, "timestamps missing: arrival %llu pick-up %llu", m.sched_arrival_ns,
			m.worker_pickup_ns);
		return slot;
	}
	if (m.worker_pickup_ns < m.sched_arrival_ns) {
		invalid(s, "pick-up %llu before arrival %llu", m.worker_pickup_ns, m.sched_arrival_ns);
		return slot;
	}
	if (recv_ns <= m.client_send_ns) {
		invalid(s, "received %llu not after sent %llu", recv_ns, m.client_send_ns);
		return slot;
	}
	if (m.has_ext) {
		if (m.seq != p[slot].seq) {
			invalid(s, "seq %llu echoed as %llu", p[slot].seq, m.seq);
			return slot;
		}
		if (m.service_ns != o->service_ns) {
			invalid(s, "requested service %llu echoed as %llu", o->service_ns, m.service_ns);
			return slot;
		}
		if (m.worker_finish_ns < m.worker_pickup_ns) {
			invalid(s, "finish %llu before pick-up %llu", m.worker_finish_ns,
				m.worker_pickup_ns);
			return slot;
		}
		if (m.worker_cpu >= BPFNIC_MAX_CPUS) {
			invalid(s, "worker cpu %llu out of range (%llu)", m.worker_cpu, BPFNIC_MAX_CPUS);
			return slot;
		}
		s->per_cpu[m.worker_cpu]++;
		mm_add(&s->service, m.worker_finish_ns - m.worker_pickup_ns);
	}
	mm_add(&s->qdelay, m.worker_pickup_ns - m.sched_arrival_ns);
	mm_add(&s->rtt, recv_ns - m.client_send_ns);
	s->valid++;
	return slot;
}

static int run(int fd, const struct opts *o, struct summary *s, struct capture *cap)
{
	static struct pending pend[MAX_BURST];
	uint8_t buf[2048];
	uint64_t seq = 1, last_send = 0;

	for (unsigned done = 0; done < o->count;) {
		unsigned nb = o->count - done < o->burst ? o->count - done : o->burst, left = nb;
		uint64_t deadline;

		for (unsigned i = 0; i < nb; i++) {
			uint64_t t = bpfnic_mono_ns();

			if (t <= last_send) /* every request's send time is its identity */
				t = last_send + 1;
			last_send = t;
			pend[i] = (struct pending){ .send_ns = t, .seq = seq++ };
			int len = bpfnic_req_encode(buf, sizeof(buf), o->format, t, o->class,
						    pend[i].seq, o->service_ns);
			if (len < 0 || send(fd, buf, (size_t)len, 0) != len) {
				s->send_err++;
				pend[i].answered = true; /* nothing to wait for */
				left--;
				continue;
			}
			s->sent++;
		}
		deadline = bpfnic_mono_ns() + (uint64_t)o->timeout_ms * 1000000ull;
		while (left) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			uint64_t t = bpfnic_mono_ns();
			int r;

			if (t >= deadline)
				break;
			r = poll(&pfd, 1, (int)((deadline - t) / 1000000ull) + 1);
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r <= 0)
				continue;
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			uint64_t recv_ns = bpfnic_mono_ns();

			if (n < 0) {
				/* ECONNREFUSED: an ICMP port unreachable, i.e. the stack answered
				 * and nothing served the request. The request is lost. */
				if (errno == EAGAIN || errno == EINTR)
					continue;
				if (errno == ECONNREFUSED) {
					s->send_err++;
					continue;
				}
				return -errno;
			}
			if (check_reply(buf, n, recv_ns, o, pend, nb, s) >= 0)
				left--;
		}
		s->timeouts += left;
		capture_drain(cap, s);
		done += nb;
	}
	return 0;
}

static void print_mm(const char *name, struct minmax *m)
{
	printf("%s_min_ns=%llu\n%s_avg_ns=%.0Lf\n%s_max_ns=%llu\n", name,
	       (unsigned long long)m->min, name, m->n ? m->sum / m->n : 0.0L, name,
	       (unsigned long long)m->max);
	printf("%s_p50_ns=%llu\n%s_p99_ns=%llu\n", name,
	       (unsigned long long)mm_quantile(m, 0.5), name,
	       (unsigned long long)mm_quantile(m, 0.99));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: reqping --host ADDR [--port N] [--count N] [--format paper|ext]\n"
		   "               [--class N] [--service-us N] [--burst N] [--timeout-ms N]\n"
		   "               [--capture IFNAME] [--ip-options]\n");
}

static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' || *out > max ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "class", required_argument, NULL, 'c' },
		{ "service-us", required_argument, NULL, 's' },
		{ "burst", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "capture", required_argument, NULL, 'C' },
		{ "ip-options", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .port = "7777", .count = 100, .burst = 1, .timeout_ms = 1000 };
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	static struct summary s;
	unsigned long long v;
	int opt, fd, r;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H': o.host = optarg; break;
		case 'C': o.capture = optarg; break;
		case 'O': o.ip_options = true; break;
		case 'p': o.port = optarg; break;
		case 'f':
			if (!strcmp(optarg, "ext")) o.format = BPFNIC_FORMAT_EXT;
			else if (!strcmp(optarg, "paper")) o.format = BPFNIC_FORMAT_PAPER;
			else { usage(stderr); return 2; }
			break;
		case 'n': case 'c': case 's': case 'b': case 't': {
			unsigned long long max = opt == 'n' ? MAX_COUNT : opt == 'c' ? 255 :
						 opt == 's' ? BPFNIC_MAX_SERVICE_NS / 1000 :
						 opt == 'b' ? MAX_BURST : MAX_TIMEOUT;
			if (parse_num(optarg, max, &v) < 0 || (v == 0 && (opt == 'n' || opt == 'b' || opt == 't'))) {
				fprintf(stderr, "reqping: bad value '%s' (1..%llu)\n", optarg, max);
				return 2;
			}
			if (opt == 'n') o.count = (unsigned)v;
			else if (opt == 'c') o.class = (uint8_t)v;
			else if (opt == 's') o.service_ns = v * 1000;
			else if (opt == 'b') o.burst = (unsigned)v;
			else o.timeout_ms = (unsigned)v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!o.host || optind != argc) {
		usage(stderr);
		return 2;
	}
	r = getaddrinfo(o.host, o.port, &hints, &ai);
	if (r) {
		fprintf(stderr, "reqping: %s:%s: %s\n", o.host, o.port, gai_strerror(r));
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "reqping: %s:%s: %s\n", o.host, o.port, strerror(errno));
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		return 3;
	}
	freeaddrinfo(ai);

	struct capture cap = { .fd = -1 };
	if (o.ip_options) {
		/* Three NOPs and an end-of-list: ihl 6 on every request. */
		static const uint8_t opts[4] = { 1, 1, 1, 0 };

		if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opts, sizeof(opts)) < 0) {
			fprintf(stderr, "reqping: IP_OPTIONS: %s\n", strerror(errno));
			close(fd);
			return 3;
		}
	}
	if (o.capture) {
		r = capture_open(&cap, o.capture, fd, (uint16_t)atoi(o.port));
		if (r < 0) {
			fprintf(stderr, "reqping: capture on %s: %s\n", o.capture, strerror(-r));
			close(fd);
			return 3;
		}
	}
	s.rtt.all = calloc(o.count, sizeof(uint64_t));
	s.qdelay.all = calloc(o.count, sizeof(uint64_t));
	s.service.all = calloc(o.count, sizeof(uint64_t));
	r = run(fd, &o, &s, &cap);
	if (cap.fd >= 0) {
		usleep(50000); /* late frames of the last burst */
		capture_drain(&cap, &s);
		close(cap.fd);
	}
	close(fd);
	if (r < 0) {
		fprintf(stderr, "reqping: %s\n", strerror(-r));
		return 3;
	}

	printf("format=%s\nsent=%llu\nreceived=%llu\nvalid=%llu\ninvalid=%llu\ntimeouts=%llu\n"
	       "late=%llu\nsend_errors=%llu\n",
	       o.format == BPFNIC_FORMAT_EXT ? "ext" : "paper", (unsigned long long)s.sent, (unsigned long long)s.received,
	       (unsigned long long)s.valid, (unsigned long long)s.invalid,
	       (unsigned long long)s.timeouts, (unsigned long long)s.late,
	       (unsigned long long)s.send_err);
	if (o.capture)
		printf("captured=%llu\ncapture_bad_csum=%llu\ncapture_ihl_max=%llu\n",
		       (unsigned long long)s.captured, (unsigned long long)s.capture_bad_csum,
		       (unsigned long long)s.capture_ihl_max);
	print_mm("rtt", &s.rtt);
	print_mm("qdelay", &s.qdelay);
	if (o.format == BPFNIC_FORMAT_EXT) {
		print_mm("service", &s.service);
		printf("cpus=");
		for (unsigned c = 0, first = 1; c < BPFNIC_MAX_CPUS; c++)
			if (s.per_cpu[c]) {
				printf("%s%u:%llu", first ? "" : ",", c, (unsigned long long)s.per_cpu[c]);
				first = 0;
			}
		printf("\n");
	}
	if (s.first_error[0])
		printf("first_error=%s\n", s.first_error);
	free(s.rtt.all);
	free(s.qdelay.all);
	free(s.service.all);
	if (o.capture && (s.capture_bad_csum || s.captured < s.valid))
		return 1;
	return s.valid == o.count && s.invalid == 0 && s.late == 0 ? 0 : 1;
}
