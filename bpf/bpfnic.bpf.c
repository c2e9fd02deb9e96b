// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnic data path.
 *
 *   bpfnic_sched   XDP on the NIC: recognise a request, stamp its arrival, pick a
 *                  worker CPU by the active policy, redirect into the cpumap.
 *   bpfnic_worker  cpumap program on the worker CPU: stamp pick-up, record queuing
 *                  delay, spin for the service time, turn the frame into a reply and
 *                  redirect it out through the devmap.
 *
 * Everything that is not a UDP request to the configured port leaves with XDP_PASS,
 * untouched, so the host keeps working. Test and benchmark twins of these programs
 * sit at the end; they share every line of logic through the inline functions.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "bpfnic.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct bpfnic_settings);
	__uint(max_entries, 1);
} bpfnic_settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, BPFNIC_NR_GROUPS);
} bpfnic_group_size SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, BPFNIC_NR_GROUPS * BPFNIC_MAX_CPUS);
} bpfnic_group_cpus SEC(".maps");

/* Round-robin cursor per group, per scheduler CPU: no shared cache line per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, BPFNIC_NR_GROUPS);
} bpfnic_rr SEC(".maps");

/* Sized to the possible CPUs by the loader (the kernel refuses more than NR_CPUS). */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(max_entries, 1);
} bpfnic_cpumap SEC(".maps");

/* Key 0: the interface replies leave through. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, 1);
} bpfnic_devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct bpfnic_sched_stats);
	__uint(max_entries, 1);
} bpfnic_sched_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, BPFNIC_MAX_CPUS);
} bpfnic_sched_target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, BPFNIC_MAX_CPUS);
} bpfnic_queue_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct bpfnic_worker_stats);
	__uint(max_entries, 1);
} bpfnic_worker_stats SEC(".maps");

/* ---------------------------------------------------------------------------------
 * Parsing
 */
enum parse_result {
	PARSE_NOT_OURS = 0, /* pass untouched */
	PARSE_SHORT,        /* UDP to our port, but too short to be a request: pass, count */
	PARSE_REQUEST,
};

struct request {
	struct ethhdr *eth;
	void *l3;
	struct udphdr *udp;
	__u8 *payload;
	bool ipv6;
	bool ext; /* the extension follows the 25 bytes */
};

#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

static __always_inline enum parse_result parse_request(struct xdp_md *ctx, __u16 port,
						       struct request *r)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u16 udp_len;

	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_OURS;
	r->eth = eth;
	r->l3 = eth + 1;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = r->l3;
		__u32 ihl_bytes;

		if ((void *)(iph + 1) > data_end)
			return PARSE_NOT_OURS;
		if (iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_UDP)
			return PARSE_NOT_OURS;
		/* Fragments are the stack's to reassemble. */
		if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
			return PARSE_NOT_OURS;
		ihl_bytes = iph->ihl * 4; /* options are skipped, never assumed absent */
		udp = r->l3 + ihl_bytes;
		r->ipv6 = false;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = r->l3;

		if ((void *)(ip6 + 1) > data_end)
			return PARSE_NOT_OURS;
		/* Extension headers are not followed: such frames go to the stack. */
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP)
			return PARSE_NOT_OURS;
		udp = (void *)(ip6 + 1);
		r->ipv6 = true;
	} else {
		return PARSE_NOT_OURS;
	}

	if ((void *)(udp + 1) > data_end)
		return PARSE_NOT_OURS;
	if (udp->dest != bpf_htons(port))
		return PARSE_NOT_OURS;
	r->udp = udp;
	r->payload = (void *)(udp + 1);

	udp_len = bpf_ntohs(udp->len);
	if (udp_len < sizeof(*udp) + BPFNIC_REQ_LEN ||
	    (void *)(r->payload + BPFNIC_REQ_LEN) > data_end)
		return PARSE_SHORT;

	r->ext = false;
	if (udp_len >= sizeof(*udp) + BPFNIC_REQ_EXT_LEN &&
	    (void *)(r->payload + BPFNIC_REQ_EXT_LEN) <= data_end &&
	    r->payload[BPFNIC_OFF_EXT_VERSION] == BPFNIC_EXT_VERSION &&
	    bpfnic_le32_to_cpu(*(__u32 *)(r->payload + BPFNIC_OFF_EXT_MAGIC)) == BPFNIC_EXT_MAGIC)
		r->ext = true;
	return PARSE_REQUEST;
}

/* ---------------------------------------------------------------------------------
 * UDP checksum, updated incrementally (RFC 1624) for the payload bytes we write.
 * Words are taken as they lie in memory on both sides, so byte order cancels out.
 * Every field we write starts at an even offset from the UDP header.
 */
static __always_inline __u32 csum_add64(__u32 sum, __u64 v)
{
	return sum + (__u32)(v & 0xffff) + (__u32)((v >> 16) & 0xffff) +
	       (__u32)((v >> 32) & 0xffff) + (__u32)(v >> 48);
}

static __always_inline void udp_csum_replace(struct request *r, __u64 old, __u64 new_val)
{
	__u32 sum;
	__u16 check = r->udp->check;

	/* IPv4 lets a sender omit the checksum (0): the reply then has none either. */
	if (check == 0 && !r->ipv6)
		return;
	sum = (__u16)~check;
	sum = csum_add64(sum, ~old);
	sum = csum_add64(sum, new_val);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	check = (__u16)~sum;
	/* A computed 0 is sent as 0xffff: 0 means "no checksum" in UDP. */
	r->udp->check = check ? check : 0xffff;
}

/* Write a payload field little-endian (bpfnic.h), keeping the UDP checksum right. */
static __always_inline void write_le64(struct request *r, __u32 off, __u64 v)
{
	__u64 *field = (__u64 *)(r->payload + off);
	__u64 old = *field;

	v = bpfnic_cpu_to_le64(v);
	*field = v;
	udp_csum_replace(r, old, v);
}

static __always_inline void write_le16(struct request *r, __u32 off, __u16 v)
{
	__u16 *field = (__u16 *)(r->payload + off);
	__u16 old = *field;

	v = bpfnic_cpu_to_le16(v);
	*field = v;
	/* The two bytes alone, as the low word of a 64-bit value with zeros above. */
	udp_csum_replace(r, (__u64)old | 0xffffffffffff0000ull, (__u64)v);
}

static __always_inline __u64 read_le64(const struct request *r, __u32 off)
{
	return bpfnic_le64_to_cpu(*(__u64 *)(r->payload + off));
}

/* ---------------------------------------------------------------------------------
 * Scheduler
 */
static __always_inline int sched_pick_and_redirect(struct bpfnic_sched_stats *st,
						   const struct bpfnic_settings *cfg, __u8 class)
{
	__u32 group = (cfg->policy == BPFNIC_POLICY_SPLIT && class == BPFNIC_CLASS_LONG) ?
			      BPFNIC_GROUP_LONG : BPFNIC_GROUP_MAIN;
	__u32 *size, *cursor, *cpu, slot, idx;
	__u64 *handed;
	long ret;

	size = bpf_map_lookup_elem(&bpfnic_group_size, &group);
	cursor = bpf_map_lookup_elem(&bpfnic_rr, &group);
	if (!size || !cursor)
		return XDP_ABORTED;
	if (*size == 0) {
		st->no_cpu++;
		return XDP_DROP;
	}
	idx = *cursor;
	/* The group may have shrunk since the last packet. */
	if (idx >= *size)
		idx = 0;
	*cursor = idx + 1;

	slot = BPFNIC_GROUP_SLOT(group, idx);
	cpu = bpf_map_lookup_elem(&bpfnic_group_cpus, &slot);
	if (!cpu)
		return XDP_ABORTED;

	ret = bpf_redirect_map(&bpfnic_cpumap, *cpu, 0);
	if (ret != XDP_REDIRECT) {
		st->redirect_err++;
		return XDP_DROP;
	}
	st->redirected++;
	handed = bpf_map_lookup_elem(&bpfnic_sched_target, cpu);
	if (handed)
		(*handed)++;
	return XDP_REDIRECT;
}

SEC("xdp")
int bpfnic_sched(struct xdp_md *ctx)
{
	struct bpfnic_sched_stats *st;
	struct bpfnic_settings *cfg;
	struct request r;
	__u32 zero = 0;
	__u8 class;

	st = bpf_map_lookup_elem(&bpfnic_sched_stats, &zero);
	cfg = bpf_map_lookup_elem(&bpfnic_settings, &zero);
	if (!st || !cfg)
		return XDP_PASS;
	st->rx++;

	switch (parse_request(ctx, cfg->port, &r)) {
	case PARSE_REQUEST:
		break;
	case PARSE_SHORT:
		st->short_payload++;
		return XDP_PASS;
	default:
		st->passed++;
		return XDP_PASS;
	}

	write_le64(&r, BPFNIC_OFF_ARRIVAL, bpf_ktime_get_ns());
	class = r.payload[BPFNIC_OFF_CLASS];
	st->requests[class <= BPFNIC_CLASS_LONG ? class : BPFNIC_CLASS_UNKNOWN]++;
	return sched_pick_and_redirect(st, cfg, class);
}

/* ---------------------------------------------------------------------------------
 * Worker
 */
struct spin_ctx {
	__u64 deadline;
	__u64 last; /* the latest clock read: the workload's finish time */
};

/* One clock read per iteration; the workload lasts at least the time asked for. */
static long spin_until_deadline(__u64 index, void *data)
{
	struct spin_ctx *s = data;

	(void)index;
	s->last = bpf_ktime_get_ns();
	return s->last >= s->deadline; /* 1 stops the loop */
}

static __always_inline void swap_bytes(__u8 *a, __u8 *b, __u32 n)
{
#pragma unroll
	for (__u32 i = 0; i < 16; i++) {
		if (i < n) {
			__u8 t = a[i];

			a[i] = b[i];
			b[i] = t;
		}
	}
}

/* Turn a request into its reply; sums over swapped fields are unchanged. */
static __always_inline void make_reply(struct request *r)
{
	__u16 port;

	swap_bytes(r->eth->h_dest, r->eth->h_source, ETH_ALEN);
	if (r->ipv6) {
		struct ipv6hdr *ip6 = r->l3;

		swap_bytes((__u8 *)&ip6->saddr, (__u8 *)&ip6->daddr, 16);
	} else {
		struct iphdr *iph = r->l3;
		__u32 addr = iph->saddr;

		iph->saddr = iph->daddr;
		iph->daddr = addr;
	}
	port = r->udp->source;
	r->udp->source = r->udp->dest;
	r->udp->dest = port;
}

/*
 * The worker's whole job; "reply" = false leaves addresses as they came (benchmarks
 * with recycled live frames). Returns an XDP action.
 */
static __always_inline int worker_serve(struct xdp_md *ctx, bool reply)
{
	struct bpfnic_worker_stats *st;
	struct bpfnic_settings *cfg;
	struct spin_ctx spin;
	struct request r;
	__u64 pickup, arrival, qdelay, service, finish;
	__u32 zero = 0, bucket;
	__u8 class;
	long ret;

	pickup = bpf_ktime_get_ns();
	st = bpf_map_lookup_elem(&bpfnic_worker_stats, &zero);
	cfg = bpf_map_lookup_elem(&bpfnic_settings, &zero);
	if (!st || !cfg)
		return XDP_PASS;
	if (parse_request(ctx, cfg->port, &r) != PARSE_REQUEST) {
		st->malformed++;
		return XDP_PASS;
	}

	write_le64(&r, BPFNIC_OFF_PICKUP, pickup);
	arrival = read_le64(&r, BPFNIC_OFF_ARRIVAL);
	class = r.payload[BPFNIC_OFF_CLASS];

	/* Queuing delay, on the server clock only. */
	qdelay = pickup >= arrival ? pickup - arrival : 0;
	st->qdelay_sum_ns += qdelay;
	if (qdelay > st->qdelay_max_ns)
		st->qdelay_max_ns = qdelay;
	bucket = bpfnic_log_bucket(qdelay, BPFNIC_HIST_SUB_BITS);
	if (bucket > BPFNIC_HIST_BUCKETS - 1)
		bucket = BPFNIC_HIST_BUCKETS - 1;
	st->qdelay_hist[bucket]++;

	/* The workload: the class's time, or the client's request, capped. */
	service = cfg->service_ns[class == BPFNIC_CLASS_LONG ? 1 : 0];
	if (r.ext) {
		__u64 requested = read_le64(&r, BPFNIC_OFF_EXT_SERVICE);

		if (requested)
			service = requested;
	}
	if (service > cfg->max_service_ns)
		service = cfg->max_service_ns;
	if (service > BPFNIC_MAX_SERVICE_NS)
		service = BPFNIC_MAX_SERVICE_NS;
	if (service) {
		spin.deadline = pickup + service;
		spin.last = pickup;
		bpf_loop(1 << 23, spin_until_deadline, &spin, 0);
		finish = spin.last; /* the spin's last clock read ended the workload */
	} else {
		finish = bpf_ktime_get_ns();
	}
	st->service_sum_ns += finish - pickup;
	st->processed[class <= BPFNIC_CLASS_LONG ? class : BPFNIC_CLASS_UNKNOWN]++;

	if (r.ext) {
		write_le16(&r, BPFNIC_OFF_EXT_CPU, (__u16)bpf_get_smp_processor_id());
		write_le64(&r, BPFNIC_OFF_EXT_FINISH, finish);
	}
	if (reply)
		make_reply(&r);

	ret = bpf_redirect_map(&bpfnic_devmap, 0, 0);
	if (ret != XDP_REDIRECT) {
		st->tx_err++;
		return XDP_DROP;
	}
	st->tx++;
	return XDP_REDIRECT;
}

SEC("xdp/cpumap")
int bpfnic_worker(struct xdp_md *ctx)
{
	return worker_serve(ctx, true);
}

/* ---------------------------------------------------------------------------------
 * Queue drops: the kernel reports, per flush of a scheduler CPU's bulk queue, how
 * many frames did not fit in the target CPU's cpumap queue. Only our cpumap counts;
 * the loader writes its id here after loading.
 */
__u32 bpfnic_cpumap_id = 0;

SEC("tp_btf/xdp_cpumap_enqueue")
int BPF_PROG(bpfnic_count_queue_drops, int map_id, unsigned int processed, unsigned int drops,
	     int to_cpu)
{
	__u32 cpu = (__u32)to_cpu;
	__u64 *count;

	if (!drops || (__u32)map_id != bpfnic_cpumap_id)
		return 0;
	count = bpf_map_lookup_elem(&bpfnic_queue_drops, &cpu);
	if (count)
		*count += drops;
	return 0;
}

/* ---------------------------------------------------------------------------------
 * Test and benchmark twins (loaded only when the loader is asked for them).
 */

/* The worker as a plain XDP program: BPF_PROG_TEST_RUN refuses cpumap programs. */
SEC("xdp")
int bpfnic_worker_xdp(struct xdp_md *ctx)
{
	return worker_serve(ctx, true);
}

/* Worker that leaves the frame a request: live-frames capacity benchmarks. */
SEC("xdp/cpumap")
int bpfnic_worker_keep(struct xdp_md *ctx)
{
	return worker_serve(ctx, false);
}

/*
 * The reference scheduler: only the work no scheduler can avoid (parse
 * Ethernet/IPv4/UDP, match the port, stamp the arrival, redirect to one cpumap
 * entry). Benchmarks report the real scheduler's cost relative to it.
 */
const volatile __u32 ref_target_cpu = 0;

SEC("xdp")
int bpfnic_ref_sched(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpfnic_settings *cfg;
	struct iphdr *iph;
	struct udphdr *udp;
	__u8 *payload;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&bpfnic_settings, &zero);
	if (!cfg)
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)iph + iph->ihl * 4;
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(cfg->port))
		return XDP_PASS;
	payload = (void *)(udp + 1);
	if ((void *)(payload + BPFNIC_REQ_LEN) > data_end)
		return XDP_PASS;
	*(__u64 *)(payload + BPFNIC_OFF_ARRIVAL) = bpfnic_cpu_to_le64(bpf_ktime_get_ns());
	return bpf_redirect_map(&bpfnic_cpumap, ref_target_cpu, 0);
}
