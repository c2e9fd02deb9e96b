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
	__type(value, struct bpfnic_group_cpus);
	__uint(max_entries, BPFNIC_NR_GROUPS);
} bpfnic_group_cpus SEC(".maps");

/* Round-robin cursor per group, per scheduler CPU: no shared cache line per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, BPFNIC_NR_GROUPS);
} bpfnic_rr SEC(".maps");

/* p2c's random bits, per scheduler CPU: xorshift64, seeded by bpf_get_prandom_u32()
 * at the first pick (the helper itself costs a quarter of a whole reference pick). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} bpfnic_rng SEC(".maps");

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
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct bpfnic_addr);
	__type(value, __u8);
	__uint(max_entries, BPFNIC_MAX_ADDRS);
} bpfnic_addrs SEC(".maps");

/* Set by the loader when bpfnic_addrs holds the only addresses requests go to: with
 * it 0 (any address), the verifier drops the lookup from the scheduler. */
const volatile __u8 addr_filter = 0;

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

/* Load bookkeeping (bpfnic.h), one entry. Mmapable, so that the value starts on a page
 * and each CPU's 128-byte slot sits on cache lines of its own. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct bpfnic_loads);
	__uint(max_entries, 1);
} bpfnic_cpu_load SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct bpfnic_load_acc);
	__uint(max_entries, 1);
} bpfnic_load_acc SEC(".maps");

/* The entry of a map of one entry (of a per-CPU one: this CPU's), or NULL. The key is
 * read-only data: loading its address costs less than storing a zero on the stack. */
static const __u32 single_key = 0;
#define single_entry(map) bpf_map_lookup_elem(&(map), &single_key)

/* ---------------------------------------------------------------------------------
 * Parsing
 */
enum parse_result {
	PARSE_NOT_OURS = 0, /* pass untouched */
	PARSE_OTHER_ADDR,   /* UDP to our port, for an address not in Address=: pass, count */
	PARSE_SHORT,        /* UDP to our port, but not a whole request: pass, count */
	PARSE_TOO_LONG,     /* UDP to our port, longer than BPFNIC_MAX_DGRAM_LEN: pass, count */
	PARSE_REQUEST,
};

struct request {
	struct ethhdr *eth;
	void *l3;
	struct udphdr *udp;
	__u8 *payload;
	__u32 udp_len; /* the datagram's length (UDP header included), all in the frame */
	bool ipv6;
	bool ext; /* the extension follows the 25 bytes */
};

#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

/* An 802.1Q or 802.1ad tag: its TCI and the EtherType of what follows. */
struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* Whether the destination address is one requests are taken for (bpfnic_addrs). */
static __always_inline bool for_our_address(const struct request *r)
{
	struct bpfnic_addr key = {};

	if (r->ipv6) {
		__builtin_memcpy(key.bytes, &((struct ipv6hdr *)r->l3)->daddr, 16);
	} else {
		key.bytes[10] = 0xff;
		key.bytes[11] = 0xff;
		__builtin_memcpy(key.bytes + 12, &((struct iphdr *)r->l3)->daddr, 4);
	}
	return bpf_map_lookup_elem(&bpfnic_addrs, &key) != NULL;
}

/*
 * check_addr: the scheduler's parse, which also holds the destination address
 * against Address=; the worker's parse skips that (only requests reach it).
 */
static __always_inline enum parse_result parse_request(struct xdp_md *ctx, __u16 port,
						       bool check_addr, struct request *r)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u32 l3_payload; /* the IP payload's length, as the IP header says */
	__u16 udp_len;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_OURS;
	r->eth = eth;
	r->l3 = eth + 1;
	proto = eth->h_proto;
	/* VLAN tags stay in place: the reply keeps them, only the addresses move. */
#pragma unroll
	for (__u32 i = 0; i < BPFNIC_MAX_VLAN_TAGS; i++) {
		struct vlan_tag *tag = r->l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > data_end)
			return PARSE_NOT_OURS;
		proto = tag->proto;
		r->l3 = tag + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = r->l3;
		__u32 ihl_bytes, ip_len;

		if ((void *)(iph + 1) > data_end)
			return PARSE_NOT_OURS;
		if (iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_UDP)
			return PARSE_NOT_OURS;
		/* Fragments are the stack's to reassemble. */
		if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
			return PARSE_NOT_OURS;
		ihl_bytes = iph->ihl * 4; /* options are skipped, never assumed absent */
		udp = r->l3 + ihl_bytes;
		ip_len = bpf_ntohs(iph->tot_len);
		l3_payload = ip_len > ihl_bytes ? ip_len - ihl_bytes : 0;
		r->ipv6 = false;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = r->l3;

		if ((void *)(ip6 + 1) > data_end)
			return PARSE_NOT_OURS;
		/* Extension headers are not followed: such frames go to the stack. */
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP)
			return PARSE_NOT_OURS;
		udp = (void *)(ip6 + 1);
		l3_payload = bpf_ntohs(ip6->payload_len);
		r->ipv6 = true;
	} else {
		return PARSE_NOT_OURS;
	}

	if ((void *)(udp + 1) > data_end)
		return PARSE_NOT_OURS;
	if (udp->dest != bpf_htons(port))
		return PARSE_NOT_OURS;
	/* Another service's address: not ours, whatever the datagram holds. */
	if (check_addr && addr_filter && !for_our_address(r))
		return PARSE_OTHER_ADDR;
	r->udp = udp;
	r->payload = (void *)(udp + 1);

	udp_len = bpf_ntohs(udp->len);
	if (udp_len > BPFNIC_MAX_DGRAM_LEN)
		return PARSE_TOO_LONG;
	/* The reply's checksum covers the whole datagram: it must all be in the frame, and
	 * in the IP packet (a datagram longer than its IP length is one the stack drops;
	 * the reply would carry the same lie). */
	if (udp_len < sizeof(*udp) + BPFNIC_REQ_LEN || (void *)udp + udp_len > data_end ||
	    (void *)(r->payload + BPFNIC_REQ_LEN) > data_end || udp_len > l3_payload)
		return PARSE_SHORT;
	r->udp_len = udp_len;

	r->ext = false;
	if (udp_len >= sizeof(*udp) + BPFNIC_REQ_EXT_LEN &&
	    (void *)(r->payload + BPFNIC_REQ_EXT_LEN) <= data_end &&
	    r->payload[BPFNIC_OFF_EXT_VERSION] == BPFNIC_EXT_VERSION &&
	    bpfnic_le32_to_cpu(*(__u32 *)(r->payload + BPFNIC_OFF_EXT_MAGIC)) == BPFNIC_EXT_MAGIC)
		r->ext = true;
	return PARSE_REQUEST;
}

/* ---------------------------------------------------------------------------------
 * Request fields, little-endian on the wire (bpfnic.h).
 */
static __always_inline __u64 read_le64(const struct request *r, __u32 off)
{
	return bpfnic_le64_to_cpu(*(__u64 *)(r->payload + off));
}

static __always_inline void write_le64(struct request *r, __u32 off, __u64 v)
{
	*(__u64 *)(r->payload + off) = bpfnic_cpu_to_le64(v);
}

static __always_inline void write_le16(struct request *r, __u32 off, __u16 v)
{
	*(__u16 *)(r->payload + off) = bpfnic_cpu_to_le16(v);
}

/* ---------------------------------------------------------------------------------
 * The reply's UDP checksum, computed over the whole datagram (pseudo-header, UDP
 * header, payload), never updated from the request's: on a veth or in a container
 * (TX checksum offload, the default) a request arrives with a partial checksum that
 * covers only the pseudo-header, and an update would keep it partial. Whatever the
 * request carried (full, partial, or IPv4's 0 = "none"), the reply carries a computed
 * checksum: one path for every request, and the client can always verify it.
 *
 * The Internet checksum is byte-order neutral when the words are taken as they lie in
 * memory and the result is stored the same way (RFC 1071 §2(B)): 8-byte words are
 * summed as two 32-bit halves into a 64-bit accumulator (no carry is lost: at most
 * BPFNIC_MAX_DGRAM_LEN / 4 + 12 terms below 2^32), then folded to 16 bits.
 */
#define CSUM_BLOCK      32u
#define CSUM_MAX_BLOCKS (BPFNIC_MAX_DGRAM_LEN / CSUM_BLOCK)
#define CSUM_LEN_MASK  0x7ffu
_Static_assert(BPFNIC_MAX_DGRAM_LEN <= CSUM_LEN_MASK, "the mask keeps every length served");

/* Sum of the pseudo-header, IPv4 or IPv6; the addresses' order does not matter. */
static __always_inline __u64 pseudo_header_sum(const struct request *r)
{
	__u64 sum = (__u64)bpf_htons(IPPROTO_UDP) + r->udp->len;

	if (r->ipv6) {
		const __u32 *a = (const __u32 *)&((struct ipv6hdr *)r->l3)->saddr;

		/* saddr and daddr: 8 words, adjacent. IPv6's 32-bit length and next header
		 * sum to the same as IPv4's 16-bit ones. */
#pragma unroll
		for (int i = 0; i < 8; i++)
			sum += a[i];
	} else {
		const struct iphdr *iph = r->l3;

		sum += (__u64)iph->saddr + iph->daddr;
	}
	return sum;
}

/* Two 32-bit halves of the 8 bytes at p: terms below 2^32, no carry to keep. */
static __always_inline __u64 sum_u64(const __u8 *p)
{
	__u64 v = *(const __u64 *)p;

	return (v & 0xffffffff) + (v >> 32);
}

/*
 * Sum of the datagram [udp, udp + udp_len): the bytes after the last whole 32-byte
 * block first, then the blocks (one loop iteration each, bounded by the longest
 * datagram served). A trailing odd byte is the high byte of a word padded with zero.
 * Returns -1 if a bound check fails (parse_request rules that out).
 */
static __always_inline int datagram_sum(const struct request *r, void *data_end, __u64 *sum)
{
	const __u8 *udp = (const __u8 *)r->udp, *tail;
	__u32 len = r->udp_len, blocks;
	__u64 s = *sum;

	if (len > BPFNIC_MAX_DGRAM_LEN)
		return -1;
	/* parse_request bounded len, but the compiler checks one copy and uses another,
	 * which the verifier does not know is bounded: a mask it must keep (a no-op here). */
	barrier_var(len);
	len &= CSUM_LEN_MASK;
	blocks = len / CSUM_BLOCK;
	tail = udp + (len & ~(CSUM_BLOCK - 1));
	if (len & 16) {
		if ((void *)(tail + 16) > data_end)
			return -1;
		s += sum_u64(tail) + sum_u64(tail + 8);
		tail += 16;
	}
	if (len & 8) {
		if ((void *)(tail + 8) > data_end)
			return -1;
		s += sum_u64(tail);
		tail += 8;
	}
	if (len & 4) {
		if ((void *)(tail + 4) > data_end)
			return -1;
		s += *(const __u32 *)tail;
		tail += 4;
	}
	if (len & 2) {
		if ((void *)(tail + 2) > data_end)
			return -1;
		s += *(const __u16 *)tail;
		tail += 2;
	}
	if (len & 1) {
		if ((void *)(tail + 1) > data_end)
			return -1;
		s += bpf_htons((__u16)(*tail << 8));
	}
	for (__u32 i = 0; i < CSUM_MAX_BLOCKS; i++) {
		const __u8 *b = udp + i * CSUM_BLOCK;

		if (i >= blocks)
			break;
		if ((void *)(b + CSUM_BLOCK) > data_end)
			return -1;
		s += sum_u64(b) + sum_u64(b + 8) + sum_u64(b + 16) + sum_u64(b + 24);
	}
	*sum = s;
	return 0;
}

/* Write the datagram's UDP checksum; call after the last byte of the reply is final. */
static __always_inline int udp_csum_write(struct request *r, void *data_end)
{
	__u64 sum = pseudo_header_sum(r);
	__u16 check;

	r->udp->check = 0;
	if (datagram_sum(r, data_end, &sum) < 0)
		return -1;
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	check = (__u16)~sum;
	/* A computed 0 is sent as 0xffff: 0 means "no checksum" in UDP, and IPv6 has none. */
	r->udp->check = check ? check : 0xffff;
	return 0;
}

/* ---------------------------------------------------------------------------------
 * Scheduler
 */

/* A CPU's load slot. */
static __always_inline struct bpfnic_cpu_load *cpu_load(struct bpfnic_loads *loads, __u32 cpu)
{
	return &loads->cpu[cpu & (BPFNIC_MAX_CPUS - 1)];
}

/* lwl, jsq: one chunk of the walk (bpfnic_walk_chunk) per bpf_loop() step. */
static long walk_step(__u64 c, void *data)
{
	return bpfnic_walk_chunk(data, (__u32)c);
}

/*
 * The whole walk, as a global function: the verifier checks it once, on its own,
 * rather than once for every path of the scheduler that reaches it. BPF functions take
 * five arguments: spec packs the measure, the group's size and the start slot
 * (WALK_SPEC). Returns the slot in the low 8 bits and its load above them.
 */
#define WALK_SPEC(measure, size, start) ((__u32)(measure) << 20 | (__u32)(size) << 10 | (start))

__noinline __u64 walk_group(const struct bpfnic_group_cpus *g, const struct bpfnic_loads *loads,
			    __u64 now, __u32 spec)
{
	__u32 size = spec >> 10 & 0x3ff, start = spec & 0x3ff;
	struct bpfnic_walk w;

	if (!g || !loads || size == 0 || size > BPFNIC_MAX_CPUS || start >= size)
		return 0;
	bpfnic_walk_init(&w, (enum bpfnic_measure)(spec >> 20), g, size, start, loads, now);
	if (size <= BPFNIC_WALK_CHUNK)
		bpfnic_walk_chunk(&w, 0); /* one chunk: without bpf_loop's calls */
	else
		bpf_loop(bpfnic_walk_chunks(size), walk_step, &w, 0);
	return bpfnic_walk_load(&w) << 8 | (w.slot & 0xff);
}

/* p2c's random bits (bpfnic_rng). */
static __always_inline __u64 random_bits(void)
{
	__u64 *state = single_entry(bpfnic_rng);

	if (!state)
		return bpf_get_prandom_u32();
	if (*state == 0)
		*state = (__u64)bpf_get_prandom_u32() << 32 | bpf_get_prandom_u32() | 1;
	return bpfnic_xorshift64(state);
}

/* hash: the flow's symmetric hash (bpfnic_flow_hash). */
static __always_inline __u32 request_flow_hash(const struct request *r)
{
	__u32 a, b;

	if (r->ipv6) {
		const __u32 *s = (const __u32 *)&((struct ipv6hdr *)r->l3)->saddr;
		const __u32 *d = (const __u32 *)&((struct ipv6hdr *)r->l3)->daddr;

		a = s[0] ^ s[1] ^ s[2] ^ s[3];
		b = d[0] ^ d[1] ^ d[2] ^ d[3];
	} else {
		a = ((struct iphdr *)r->l3)->saddr;
		b = ((struct iphdr *)r->l3)->daddr;
	}
	return bpfnic_flow_hash(a, b, r->udp->source, r->udp->dest);
}

/*
 * Pick the CPU and redirect. Every request handed out goes into its CPU's load
 * (bpfnic_load_hand, or the twin's virtual finish time); a pick that read the load
 * lends an extended request's finish field to tell the worker its estimate.
 */
static __always_inline int sched_pick_and_redirect(struct bpfnic_sched_stats *st,
						   const struct bpfnic_settings *cfg,
						   struct request *r, __u8 class, __u64 now,
						   bool vft)
{
	__u8 policy = cfg->policy;
	__u32 group = bpfnic_pick_group(policy, class), slot, cpu;
	struct bpfnic_group_cpus *g;
	struct bpfnic_loads *loads;
	struct bpfnic_cpu_load *l;
	__u64 *handed, est = 0, work, pw;
	__u32 *size, *cursor;
	long ret;

	size = bpf_map_lookup_elem(&bpfnic_group_size, &group);
	cursor = bpf_map_lookup_elem(&bpfnic_rr, &group);
	g = bpf_map_lookup_elem(&bpfnic_group_cpus, &group);
	loads = single_entry(bpfnic_cpu_load);
	if (!size || !cursor || !g || !loads)
		return XDP_ABORTED;
	if (*size == 0) {
		st->no_cpu++;
		return XDP_DROP;
	}
	switch (policy) {
	case BPFNIC_POLICY_LWL:
	case BPFNIC_POLICY_JSQ:
		pw = walk_group(g, loads, now,
				WALK_SPEC(policy == BPFNIC_POLICY_JSQ ? BPFNIC_MEASURE_INFLIGHT :
					  vft ? BPFNIC_MEASURE_VFT : BPFNIC_MEASURE_WORK,
					  *size, bpfnic_pick_rr(*size, cursor)));
		slot = pw & 0xff;
		est = policy == BPFNIC_POLICY_JSQ ? 0 : pw >> 8; /* jsq's is a count */
		break;
	case BPFNIC_POLICY_P2C:
		slot = bpfnic_pick_p2c(g, *size, cfg->choices, random_bits(), loads, now, &est);
		break;
	case BPFNIC_POLICY_HASH:
		slot = bpfnic_pick_hash(request_flow_hash(r), *size);
		break;
	default:
		slot = bpfnic_pick_rr(*size, cursor);
		break;
	}
	cpu = g->cpu[slot & (BPFNIC_MAX_CPUS - 1)];

	ret = bpf_redirect_map(&bpfnic_cpumap, cpu, 0);
	if (ret != XDP_REDIRECT) {
		st->redirect_err++;
		return XDP_DROP;
	}
	st->redirected++;
	handed = bpf_map_lookup_elem(&bpfnic_sched_target, &cpu);
	if (handed)
		(*handed)++;

	/* What the worker will spin: it computes the same from the same request. */
	work = bpfnic_service_ns(cfg, class, r->ext ? read_le64(r, BPFNIC_OFF_EXT_SERVICE) : 0);
	l = cpu_load(loads, cpu);
	if (r->ext && bpfnic_policy_estimates_work(policy))
		write_le64(r, BPFNIC_OFF_EXT_FINISH,
			   bpfnic_est_pack(est, vft, vft ? bpfnic_vft_wait(l, now) : 0));
	if (vft)
		bpfnic_vft_hand(l, work, now);
	else
		bpfnic_load_hand(l, work);
	return XDP_REDIRECT;
}

/* The scheduler; vft: the virtual-finish-time twin's bookkeeping for lwl. */
static __always_inline int sched_run(struct xdp_md *ctx, bool vft)
{
	struct bpfnic_sched_stats *st = single_entry(bpfnic_sched_stats);
	struct bpfnic_settings *cfg = single_entry(bpfnic_settings);
	struct request r;
	__u64 now;
	__u8 class;

	if (!st || !cfg)
		return XDP_PASS;
	st->rx++;

	switch (parse_request(ctx, cfg->port, true, &r)) {
	case PARSE_REQUEST:
		break;
	case PARSE_OTHER_ADDR:
		st->other_addr++;
		return XDP_PASS;
	case PARSE_SHORT:
		st->short_payload++;
		return XDP_PASS;
	case PARSE_TOO_LONG:
		st->too_long++;
		return XDP_PASS;
	default:
		st->passed++;
		return XDP_PASS;
	}

	/* The UDP checksum is left as it is: the worker computes the reply's whole. A
	 * request goes on only to the cpumap (or is dropped), never to the stack. */
	now = bpf_ktime_get_ns();
	write_le64(&r, BPFNIC_OFF_ARRIVAL, now);
	class = r.payload[BPFNIC_OFF_CLASS];
	st->requests[bpfnic_stats_class(class)]++;
	return sched_pick_and_redirect(st, cfg, &r, class, now, vft);
}

SEC("xdp")
int bpfnic_sched(struct xdp_md *ctx)
{
	return sched_run(ctx, false);
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

/* Turn a request into its reply. Swapping fields leaves the IPv4 header checksum
 * right, whatever the header's length: options are neither read nor changed. */
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

/* A scheduler's estimate in an extended request (bpfnic_est_pack), at pick-up: the
 * estimate's accuracy, and the twin's correction. */
static __always_inline void record_estimate(const struct request *r, struct bpfnic_cpu_load *l,
					    __u64 qdelay)
{
	struct bpfnic_load_acc *acc;
	__u64 e;

	if (!r->ext)
		return;
	e = read_le64(r, BPFNIC_OFF_EXT_FINISH);
	if (!(e & BPFNIC_EST_MARK))
		return;
	if (e & BPFNIC_EST_VFT)
		bpfnic_vft_pickup(l, qdelay, e & 0xffffffffull);
	acc = single_entry(bpfnic_load_acc);
	if (acc)
		bpfnic_load_acc_record(acc, e >> 32 & BPFNIC_EST_MAX, qdelay);
}

/*
 * The worker's whole job from its pick-up time; "reply" = false leaves addresses as
 * they came (benchmarks with recycled live frames). Returns an XDP action.
 */
static __always_inline int worker_serve(struct xdp_md *ctx, bool reply, __u64 pickup,
					struct bpfnic_cpu_load *l)
{
	struct bpfnic_worker_stats *st = single_entry(bpfnic_worker_stats);
	struct bpfnic_settings *cfg = single_entry(bpfnic_settings);
	struct spin_ctx spin;
	struct request r;
	__u64 arrival, qdelay, service, finish;
	__u8 class;
	long ret;

	if (!st || !cfg)
		return XDP_PASS;
	if (parse_request(ctx, cfg->port, false, &r) != PARSE_REQUEST) {
		st->malformed++;
		return XDP_PASS;
	}

	write_le64(&r, BPFNIC_OFF_PICKUP, pickup);
	arrival = read_le64(&r, BPFNIC_OFF_ARRIVAL);
	class = r.payload[BPFNIC_OFF_CLASS];

	/* Queuing delay, on the server clock only. */
	qdelay = pickup >= arrival ? pickup - arrival : 0;
	bpfnic_worker_record_qdelay(st, qdelay);
	record_estimate(&r, l, qdelay);

	/* The workload: the class's time, or the client's request, capped; the scheduler
	 * added the same to this CPU's load. */
	service = bpfnic_service_ns(cfg, class, r.ext ? read_le64(&r, BPFNIC_OFF_EXT_SERVICE) : 0);
	bpfnic_load_pickup(l, service, pickup);
	if (service) {
		spin.deadline = pickup + service;
		spin.last = pickup;
		bpf_loop(1 << 23, spin_until_deadline, &spin, 0);
		finish = spin.last; /* the spin's last clock read ended the workload */
	} else {
		finish = bpf_ktime_get_ns();
	}
	bpfnic_worker_record_done(st, class, finish - pickup);

	if (r.ext) {
		write_le16(&r, BPFNIC_OFF_EXT_CPU, (__u16)bpf_get_smp_processor_id());
		write_le64(&r, BPFNIC_OFF_EXT_FINISH, finish);
	}
	if (reply)
		make_reply(&r);
	if (udp_csum_write(&r, (void *)(long)ctx->data_end) < 0) {
		st->malformed++; /* parse_request rules it out; the verifier wants the check */
		return XDP_DROP;
	}

	ret = bpf_redirect_map(&bpfnic_devmap, 0, 0);
	if (ret != XDP_REDIRECT) {
		st->tx_err++;
		return XDP_DROP;
	}
	st->tx++;
	return XDP_REDIRECT;
}

/* The worker, and its CPU's load: every frame on this cpumap is a request a scheduler
 * counted in (bpfnic_load_hand), so each one leaves the in-flight count, whatever the
 * serving made of it. */
static __always_inline int worker_run(struct xdp_md *ctx, bool reply)
{
	__u64 pickup = bpf_ktime_get_ns();
	struct bpfnic_loads *loads;
	struct bpfnic_cpu_load *l;
	int ret;

	loads = single_entry(bpfnic_cpu_load);
	if (!loads)
		return XDP_PASS;
	l = cpu_load(loads, bpf_get_smp_processor_id());
	ret = worker_serve(ctx, reply, pickup, l);
	bpfnic_load_done(l);
	return ret;
}

SEC("xdp/cpumap")
int bpfnic_worker(struct xdp_md *ctx)
{
	return worker_run(ctx, true);
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
	struct bpfnic_loads *loads;
	__u64 *count;

	if (!drops || (__u32)map_id != bpfnic_cpumap_id)
		return 0;
	count = bpf_map_lookup_elem(&bpfnic_queue_drops, &cpu);
	if (count)
		*count += drops;
	/* Dropped requests never reach their worker: take back their count (their work
	 * stays until the CPU drains, bpfnic_load_done). */
	loads = single_entry(bpfnic_cpu_load);
	if (loads)
		bpfnic_load_forget(cpu_load(loads, cpu), drops);
	return 0;
}

/* ---------------------------------------------------------------------------------
 * Transmit drops: a reply the devmap took (bpf_redirect_map said XDP_REDIRECT, counted
 * in tx) can still be lost on its way out, and the kernel says so in two places:
 *
 *   xdp_redirect_err  the enqueue refused it (the interface does not transmit frames
 *                     redirected to it: its ndo-xmit feature is off); ours when the
 *                     map is our devmap, whose id the loader writes here;
 *   xdp_devmap_xmit   per flush of a CPU's devmap bulk queue, how many frames the
 *                     driver did not take (ndo_xdp_xmit failed or took fewer). No map
 *                     id: the worker's replies are the only frames an XDP program on
 *                     our interface redirects to our interface, so a flush from it to
 *                     it is ours; an interface is its ifindex and its network
 *                     namespace (ifindexes repeat across namespaces).
 *
 * Both run where the worker ran (the flush at the end of its batch): the drops land
 * in that CPU's worker statistics.
 */
__u32 bpfnic_devmap_id = 0;

SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(bpfnic_count_tx_refused, const void *dev, const void *xdp, const void *tgt, int err,
	     enum bpf_map_type map_type, __u32 map_id, __u32 index)
{
	struct bpfnic_worker_stats *st;

	(void)dev, (void)xdp, (void)tgt, (void)err, (void)map_type, (void)index;
	if (!bpfnic_devmap_id || map_id != bpfnic_devmap_id)
		return 0;
	st = single_entry(bpfnic_worker_stats);
	if (st)
		st->tx_dropped++;
	return 0;
}

__u32 bpfnic_ifindex = 0;
__u32 bpfnic_netns_ino = 0;

/* Just what the tracer reads of the kernel's types, relocated by CO-RE. */
struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct net {
	struct ns_common ns;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} __attribute__((preserve_access_index)) possible_net_t;

struct net_device {
	int ifindex;
	possible_net_t nd_net;
} __attribute__((preserve_access_index));

static __always_inline bool is_our_interface(const struct net_device *dev)
{
	return dev && (__u32)dev->ifindex == bpfnic_ifindex &&
	       dev->nd_net.net->ns.inum == bpfnic_netns_ino;
}

SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(bpfnic_count_tx_drops, const struct net_device *from_dev,
	     const struct net_device *to_dev, int sent, int drops, int err)
{
	struct bpfnic_worker_stats *st;

	(void)sent, (void)err;
	if (drops <= 0 || !bpfnic_ifindex || !is_our_interface(to_dev) ||
	    !is_our_interface(from_dev))
		return 0;
	st = single_entry(bpfnic_worker_stats);
	if (st)
		st->tx_dropped += (__u64)drops;
	return 0;
}

/* ---------------------------------------------------------------------------------
 * Why the kernel refused an XDP attach: a bpf_link attach returns only an errno, and
 * the kernel's own message goes to this tracepoint (Linux 6.5). Only the loader's own
 * attach counts (its thread group in its PID namespace, which the loader writes here);
 * the loader clears the message before it attaches.
 */
__u64 bpfnic_loader_pidns_dev = 0;
__u64 bpfnic_loader_pidns_ino = 0;
__u32 bpfnic_loader_tgid = 0;
char bpfnic_attach_msg[128] = {};

SEC("tp_btf/bpf_xdp_link_attach_failed")
int BPF_PROG(bpfnic_note_attach_failure, const char *msg)
{
	struct bpf_pidns_info ns = {};

	if (!bpfnic_loader_tgid ||
	    bpf_get_ns_current_pid_tgid(bpfnic_loader_pidns_dev, bpfnic_loader_pidns_ino, &ns,
					sizeof(ns)) ||
	    ns.tgid != bpfnic_loader_tgid)
		return 0;
	bpf_probe_read_kernel_str(bpfnic_attach_msg, sizeof(bpfnic_attach_msg), msg);
	return 0;
}

/* ---------------------------------------------------------------------------------
 * Test and benchmark twins (loaded only when the loader is asked for them).
 */

/* The worker as a plain XDP program: BPF_PROG_TEST_RUN refuses cpumap programs. */
SEC("xdp")
int bpfnic_worker_xdp(struct xdp_md *ctx)
{
	return worker_run(ctx, true);
}

/* Worker that leaves the frame a request: live-frames capacity benchmarks. */
SEC("xdp/cpumap")
int bpfnic_worker_keep(struct xdp_md *ctx)
{
	return worker_run(ctx, false);
}

/* The scheduler with lwl's other bookkeeping, a virtual finish time per CPU that only
 * the schedulers push and the workers correct (bpfnic_vft_*): benchmarks compare its
 * cost and accuracy with the counters the real one keeps. */
SEC("xdp")
int bpfnic_sched_vft(struct xdp_md *ctx)
{
	return sched_run(ctx, true);
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

	cfg = single_entry(bpfnic_settings);
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
