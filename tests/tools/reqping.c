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
#include "tests/support/toolopt.h"
#include "tests/support/udpclient.h"

#define MAX_COUNT   1000000u
#define MAX_BURST   1024u
#define MAX_TIMEOUT 10000u /* ms */

struct opts {
	const char *host;
	uint64_t port;
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
	int fd, r;

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
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	udp_client_rcvbuf(fd, 4 << 20); /* room for a whole burst of replies between drains */
	r = bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
	if (r < 0)
		close(fd);
	else
		c->fd = fd;
	return r;
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

static int parse_args(int argc, char **argv, struct opts *o)
{
	uint64_t count = 100, class = 0, service_us = 0, burst = 1, timeout_ms = 1000;
	unsigned format = BPFNIC_FORMAT_PAPER;
	struct topt opts[] = {
		TOPT_STR("host", &o->host, "ADDR", "the server's numeric address"),
		TOPT_NUM("port", &o->port, 1, 65535, "its UDP port (default 7777)"),
		TOPT_NUM("count", &count, 1, MAX_COUNT, "requests to send (default 100)"),
		TOPT_ONE_OF("format", &format, bpfnic_format_names, 2, "request format (default paper)"),
		TOPT_NUM("class", &class, 0, 255, "class byte, any value on purpose (default 0)"),
		TOPT_NUM("service-us", &service_us, 0, BPFNIC_MAX_SERVICE_NS / 1000,
			 "ext: requested service time (default 0: the server's)"),
		TOPT_NUM("burst", &burst, 1, MAX_BURST, "requests in flight at once (default 1)"),
		TOPT_NUM("timeout-ms", &timeout_ms, 1, MAX_TIMEOUT, "wait per burst (default 1000)"),
		TOPT_STR("capture", &o->capture, "IFNAME", "check reply frames on this interface too"),
		TOPT_BOOL("ip-options", &o->ip_options, "IPv4 requests with 4 bytes of IP options"),
		TOPT_END,
	};
	const struct topt_cmd cmd = { "reqping", "--host ADDR [options]", opts };
	int r;

	*o = (struct opts){ .port = 7777 };
	r = topt_parse(&cmd, argc, argv, 1);
	if (r != TOPT_RUN)
		return r;
	if (!o->host) {
		fprintf(stderr, "reqping: --host is needed (see --help)\n");
		return -EINVAL;
	}
	o->count = (unsigned)count;
	o->class = (uint8_t)class;
	o->service_ns = service_us * 1000;
	o->burst = (unsigned)burst;
	o->timeout_ms = (unsigned)timeout_ms;
	o->format = (enum bpfnic_format)format;
	return TOPT_RUN;
}

/* IPv4 options and the capture on the socket fd, as asked; 0 or -1 (said). */
static int setup(const struct opts *o, int fd, struct capture *cap)
{
	/* Three NOPs and an end-of-list: ihl 6 on every request. */
	static const uint8_t ip_options[4] = { 1, 1, 1, 0 };
	int r;

	if (o->ip_options && setsockopt(fd, IPPROTO_IP, IP_OPTIONS, ip_options,
					sizeof(ip_options)) < 0) {
		fprintf(stderr, "reqping: IP_OPTIONS: %s\n", strerror(errno));
		return -1;
	}
	if (o->capture) {
		r = capture_open(cap, o->capture, fd, (uint16_t)o->port);
		if (r < 0) {
			fprintf(stderr, "reqping: capture on %s: %s\n", o->capture, strerror(-r));
			return -1;
		}
	}
	return 0;
}

/* The key=value summary the tests read. */
static void print_summary(const struct opts *o, struct summary *s)
{
	printf("format=%s\nsent=%llu\nreceived=%llu\nvalid=%llu\ninvalid=%llu\ntimeouts=%llu\n"
	       "late=%llu\nsend_errors=%llu\n", bpfnic_format_names[o->format],
	       (unsigned long long)s->sent, (unsigned long long)s->received,
	       (unsigned long long)s->valid, (unsigned long long)s->invalid,
	       (unsigned long long)s->timeouts, (unsigned long long)s->late,
	       (unsigned long long)s->send_err);
	if (o->capture)
		printf("captured=%llu\ncapture_bad_csum=%llu\ncapture_ihl_max=%llu\n",
		       (unsigned long long)s->captured, (unsigned long long)s->capture_bad_csum,
		       (unsigned long long)s->capture_ihl_max);
	print_mm("rtt", &s->rtt);
	print_mm("qdelay", &s->qdelay);
	if (o->format == BPFNIC_FORMAT_EXT) {
		print_mm("service", &s->service);
		printf("cpus=");
		for (unsigned c = 0, first = 1; c < BPFNIC_MAX_CPUS; c++)
			if (s->per_cpu[c]) {
				printf("%s%u:%llu", first ? "" : ",", c, (unsigned long long)s->per_cpu[c]);
				first = 0;
			}
		printf("\n");
	}
	if (s->first_error[0])
		printf("first_error=%s\n", s->first_error);
}

int main(int argc, char **argv)
{
	static struct summary s;
	struct capture cap = { .fd = -1 };
	struct opts o;
	int fd, r;

	r = parse_args(argc, argv, &o);
	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	fd = udp_client_connect(o.host, (uint16_t)o.port, 0);
	if (fd < 0) {
		fprintf(stderr, "reqping: %s:%llu: %s\n", o.host, (unsigned long long)o.port,
			fd == -EINVAL ? "not a numeric address" : strerror(-fd));
		return fd == -EINVAL ? 2 : 3;
	}
	if (setup(&o, fd, &cap) < 0) {
		close(fd);
		return 3;
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
	if (r < 0)
		fprintf(stderr, "reqping: %s\n", strerror(-r));
	else
		print_summary(&o, &s);
	free(s.rtt.all);
	free(s.qdelay.all);
	free(s.service.all);
	if (r < 0)
		return 3;
	if (o.capture && (s.capture_bad_csum || s.captured < s.valid))
		return 1;
	return s.valid == o.count && s.invalid == 0 && s.late == 0 ? 0 : 1;
}
