// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vlanping: send bpfnic requests in 802.1Q-tagged (or QinQ) frames from an interface
 * with a packet socket, and check that every reply comes back on the same VLAN:
 * the lab's kernel has no VLAN devices, so tagged frames are crafted and read raw.
 *
 *   vlanping --iface IF --dst-mac MAC --src ADDR --dst ADDR [--vid N] [--qinq]
 *            [--port 7777] [--count 20] [--timeout-ms 2000]
 *
 * Requests are the extended format (sequence numbers), built by tests/support/pkt.c.
 * A reply is counted valid when it is from the port to ours, carries a request's
 * sequence number and client stamp, the worker's stamps in order, right IPv4 header
 * and UDP checksums, and the request's tags: the receiving kernel takes the outer tag
 * off into metadata before packet sockets see the frame (PACKET_AUXDATA gives it
 * back: its VID and TPID), an inner tag (QinQ) stays in the frame.
 * Prints key=value lines: sent, valid, wrong_tag, bad_csum, invalid, timeouts.
 * Exit status: 0 when every request got one valid reply on its VLAN, 1 otherwise,
 * 2 on a usage error, 3 when the socket could not be set up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "bpfnic.h"
#include "clock.h"
#include "wire.h"
#include "tests/support/pkt.h"
#include "tests/support/toolopt.h"

#define MAX_COUNT 1000u

struct opts {
	const char *iface, *dst_mac, *src, *dst;
	uint64_t vid, port, count, timeout_ms;
	bool qinq;
};

struct result {
	unsigned sent, valid, wrong_tag, bad_csum, invalid;
	bool answered[MAX_COUNT];
	uint64_t send_ns[MAX_COUNT];
	char first_error[160];
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	struct topt opts[] = {
		TOPT_STR("iface", &o->iface, "IF", "the interface to send from and read on"),
		TOPT_STR("dst-mac", &o->dst_mac, "MAC", "the server interface's MAC address"),
		TOPT_STR("src", &o->src, "ADDR", "this side's IPv4 or IPv6 address"),
		TOPT_STR("dst", &o->dst, "ADDR", "the server's address, same family"),
		TOPT_NUM("vid", &o->vid, 1, 4094, "the 802.1Q tag's VLAN id (default 42)"),
		TOPT_BOOL("qinq", &o->qinq, "an 802.1ad tag (VLAN 100) outside the 802.1Q one"),
		TOPT_NUM("port", &o->port, 1, 65535, "the server's UDP port (default 7777)"),
		TOPT_NUM("count", &o->count, 1, MAX_COUNT, "requests to send (default 20)"),
		TOPT_NUM("timeout-ms", &o->timeout_ms, 1, 10000, "wait for replies (default 2000)"),
		TOPT_END,
	};
	const struct topt_cmd cmd = {
		"vlanping", "--iface IF --dst-mac MAC --src ADDR --dst ADDR [options]", opts };
	int r;

	*o = (struct opts){ .vid = PKT_VLAN_VID, .port = 7777, .count = 20, .timeout_ms = 2000 };
	r = topt_parse(&cmd, argc, argv, 1);
	if (r == TOPT_RUN && (!o->iface || !o->dst_mac || !o->src || !o->dst)) {
		fprintf(stderr, "vlanping: --iface, --dst-mac, --src and --dst are needed\n");
		return -EINVAL;
	}
	return r;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* --src and --dst: both IPv4 or both IPv6. Returns the family, or -EINVAL. */
static int parse_addrs(const struct opts *o, uint8_t src[16], uint8_t dst[16])
{
	if (inet_pton(AF_INET, o->src, src) == 1 && inet_pton(AF_INET, o->dst, dst) == 1)
		return 4;
	if (inet_pton(AF_INET6, o->src, src) == 1 && inet_pton(AF_INET6, o->dst, dst) == 1)
		return 6;
	return -EINVAL;
}

static int open_socket(const char *iface, uint8_t mac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr = { 0 };
	int one = 1, fd, r = 0;

	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (!sll.sll_ifindex)
		return -errno;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return fd;
}

static void invalid(struct result *res, const char *what, unsigned long long v)
{
	res->invalid++;
	if (!res->first_error[0])
		snprintf(res->first_error, sizeof(res->first_error), "%s %llu", what, v);
}

/* The tags a reply came with: the outer one from the socket's metadata. */
static bool tags_right(const struct opts *o, const struct tpacket_auxdata *aux,
		       const uint8_t *frame, size_t len)
{
	uint16_t outer_tpid = o->qinq ? PKT_ETH_P_8021AD : PKT_ETH_P_8021Q;
	uint16_t outer_vid = o->qinq ? PKT_QINQ_VID : (uint16_t)o->vid;

	if (!aux || !(aux->tp_status & TP_STATUS_VLAN_VALID) || (aux->tp_vlan_tci & 0xfff) != outer_vid)
		return false;
	if ((aux->tp_status & TP_STATUS_VLAN_TPID_VALID) && aux->tp_vlan_tpid != outer_tpid)
		return false;
	if (!o->qinq)
		return pkt_get_be16(frame + 12) != PKT_ETH_P_8021Q; /* no second tag */
	return len >= 18 && pkt_get_be16(frame + 12) == PKT_ETH_P_8021Q &&
	       (pkt_get_be16(frame + 14) & 0xfff) == o->vid;
}

/* One frame read off the interface: a reply of ours, checked. */
static void check_frame(const struct opts *o, uint16_t sport, const uint8_t *frame, size_t len,
			const struct tpacket_auxdata *aux, struct result *res)
{
	struct pkt_layout lo;
	struct bpfnic_msg m;
	uint8_t proto;

	if (pkt_parse(frame, len, &lo) < 0)
		return;
	proto = lo.family == 4 ? frame[lo.l3 + 9] : frame[lo.l3 + 6];
	if (proto != IPPROTO_UDP || pkt_get_be16(frame + lo.l4) != o->port ||
	    pkt_get_be16(frame + lo.l4 + 2) != sport)
		return;
	if (!tags_right(o, aux, frame, len)) {
		res->wrong_tag++;
		return;
	}
	if ((lo.family == 4 && !pkt_ipv4_csum_ok(frame + lo.l3)) ||
	    lo.l4 + pkt_get_be16(frame + lo.l4 + 4) > len || !pkt_udp_csum_ok(frame, &lo)) {
		res->bad_csum++;
		return;
	}
	if (bpfnic_reply_decode(frame + lo.payload, len - lo.payload, BPFNIC_FORMAT_EXT, &m) != 0)
		return invalid(res, "undecodable reply of length", len);
	if (m.seq >= o->count || res->answered[m.seq])
		return invalid(res, "unexpected or repeated seq", m.seq);
	if (m.client_send_ns != res->send_ns[m.seq] || !m.sched_arrival_ns ||
	    m.worker_pickup_ns < m.sched_arrival_ns || m.worker_finish_ns < m.worker_pickup_ns)
		return invalid(res, "wrong stamps in the reply to seq", m.seq);
	res->answered[m.seq] = true;
	res->valid++;
}

static void receive(int fd, const struct opts *o, uint16_t sport, uint64_t deadline_ns,
		    struct result *res)
{
	uint8_t frame[2048];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;

	while (res->valid + res->wrong_tag + res->bad_csum + res->invalid < res->sent) {
		uint64_t now = bpfnic_mono_ns();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		struct iovec iov = { frame, sizeof(frame) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
		const struct tpacket_auxdata *aux = NULL;
		ssize_t n;

		if (now >= deadline_ns || poll(&p, 1, (int)((deadline_ns - now) / 1000000 + 1)) <= 0)
			return;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA)
				aux = (const struct tpacket_auxdata *)CMSG_DATA(c);
		check_frame(o, sport, frame, (size_t)n, aux, res);
	}
}

int main(int argc, char **argv)
{
	static struct result res;
	uint8_t payload[BPFNIC_REQ_EXT_LEN], frame[PKT_MAX], src_ip[16], dst_ip[16], src_mac[6],
		dst_mac[6];
	uint16_t sport = (uint16_t)(40000 + getpid() % 20000);
	struct opts o;
	int r, family, fd;

	r = parse_args(argc, argv, &o);
	if (r != TOPT_RUN)
		return r == TOPT_HELP ? 0 : 2;
	family = parse_addrs(&o, src_ip, dst_ip);
	if (family < 0 || parse_mac(o.dst_mac, dst_mac) < 0) {
		fprintf(stderr, "vlanping: --src/--dst must be two addresses of one family, "
			"--dst-mac a MAC address\n");
		return 2;
	}
	fd = open_socket(o.iface, src_mac);
	if (fd < 0) {
		fprintf(stderr, "vlanping: packet socket on %s: %s\n", o.iface, strerror(-fd));
		return 3;
	}
	for (unsigned seq = 0; seq < o.count; seq++) {
		struct pkt_spec s = { .family = family, .vlan = true, .qinq = o.qinq,
				      .vlan_id = (uint16_t)o.vid, .src_mac = src_mac, .dst_mac = dst_mac,
				      .src_ip = src_ip, .dst_ip = dst_ip, .sport = sport,
				      .dport = (uint16_t)o.port, .payload = payload,
				      .payload_len = sizeof(payload) };
		size_t len;

		res.send_ns[seq] = bpfnic_mono_ns();
		pkt_fill_request(payload, true, BPFNIC_CLASS_SHORT, res.send_ns[seq], seq, 0);
		len = pkt_build(frame, sizeof(frame), &s);
		if (send(fd, frame, len, 0) == (ssize_t)len)
			res.sent++;
	}
	receive(fd, &o, sport, bpfnic_mono_ns() + o.timeout_ms * 1000000, &res);
	close(fd);
	printf("sent=%u\nvalid=%u\nwrong_tag=%u\nbad_csum=%u\ninvalid=%u\ntimeouts=%u\n", res.sent,
	       res.valid, res.wrong_tag, res.bad_csum, res.invalid,
	       res.sent - res.valid - res.wrong_tag - res.bad_csum - res.invalid);
	if (res.first_error[0])
		printf("first_error=%s\n", res.first_error);
	return res.sent == o.count && res.valid == res.sent ? 0 : 1;
}
