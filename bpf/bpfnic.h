/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic: the one definition of everything the BPF programs and user space share:
 * the request wire format, the map value layouts, policy ids, statistics and the
 * log-scale histogram bucketing. Included by the BPF programs (compiled with clang
 * -target bpf) and by every user-space component; keep it free of libc.
 */
#ifndef BPFNIC_H
#define BPFNIC_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* ---------------------------------------------------------------------------------
 * Byte order. Every multi-byte field of the request is little-endian on the wire,
 * whatever the host (the paper's client and server were both x86). These are the one
 * conversion between host order and the wire's: the identity on a little-endian host,
 * a byte swap on a big-endian one. gcc and clang (-target bpf compiles for the host's
 * byte order) both predefine __BYTE_ORDER__, so BPF and user space use the same macros.
 * A swap is its own inverse: le*_to_cpu and cpu_to_le* are the same operation, named
 * for the direction they are used in.
 *
 * Where it is enforced: the BPF programs (bpfnic.bpf.c) read the arrival stamp, the
 * ext magic and the requested service time, and write the arrival, pick-up and finish
 * stamps and the worker CPU, only through these; the sequence number and the client's
 * stamp they never read (the checksum sums them as bytes). User space encodes and
 * decodes requests through lib/wire.c. The tests read bytes by hand, on purpose
 * (tests/support/pkt.c): tests/bpf/ check the bytes the programs write (the arrival
 * stamp, the pick-up and finish stamps, the CPU; a byte-reversed magic is no
 * extension), tests/unit/test_wire.c the bytes lib/wire encodes.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define bpfnic_cpu_to_le16(x) ((__u16)(x))
#define bpfnic_cpu_to_le32(x) ((__u32)(x))
#define bpfnic_cpu_to_le64(x) ((__u64)(x))
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define bpfnic_cpu_to_le16(x) __builtin_bswap16((__u16)(x))
#define bpfnic_cpu_to_le32(x) __builtin_bswap32((__u32)(x))
#define bpfnic_cpu_to_le64(x) __builtin_bswap64((__u64)(x))
#else
#error "bpfnic.h: the compiler does not say the host's byte order (__BYTE_ORDER__)"
#endif
#define bpfnic_le16_to_cpu(x) bpfnic_cpu_to_le16(x)
#define bpfnic_le32_to_cpu(x) bpfnic_cpu_to_le32(x)
#define bpfnic_le64_to_cpu(x) bpfnic_cpu_to_le64(x)

/* ---------------------------------------------------------------------------------
 * Wire format, little-endian (above).
 *
 * The paper's request: exactly 25 bytes of UDP payload.
 */
struct bpfnic_req {
	__u64 client_send_ns;   /* client clock, written by the load generator */
	__u64 sched_arrival_ns; /* server clock, written by the XDP scheduler */
	__u64 worker_pickup_ns; /* server clock, written by the cpumap worker */
	__u8 class;             /* enum bpfnic_class; anything else is served as short */
} __attribute__((packed));

/*
 * Optional extension, immediately after the 25 paper bytes. The version byte comes
 * first so that every later field sits at an even offset from the UDP header.
 * A request may carry bytes after either format (padding); they are echoed untouched.
 */
struct bpfnic_req_ext {
	__u8 version;           /* BPFNIC_EXT_VERSION */
	__u32 magic;            /* BPFNIC_EXT_MAGIC */
	__u16 worker_cpu;       /* written by the worker: the CPU that served it */
	__u64 seq;              /* client sequence number, echoed untouched */
	__u64 service_ns;       /* requested service time; 0 = the class's configured time */
	__u64 worker_finish_ns; /* server clock, written by the worker after the workload */
} __attribute__((packed));

struct bpfnic_req_full {
	struct bpfnic_req req;
	struct bpfnic_req_ext ext;
} __attribute__((packed));

#define BPFNIC_REQ_LEN     25u /* sizeof(struct bpfnic_req) */
#define BPFNIC_REQ_EXT_LEN 56u /* sizeof(struct bpfnic_req_full) */
#define BPFNIC_EXT_MAGIC   0x54584e42u /* "BNXT" in little-endian byte order */
#define BPFNIC_EXT_VERSION 1u

/*
 * Longest UDP datagram (header + payload) the worker serves: it computes every reply's
 * UDP checksum over the whole datagram in a loop bounded by this (verifier-friendly).
 * 1480 bytes is a full datagram at the common 1500-byte MTU over IPv4 (IPv6: 1460).
 * A longer one (jumbo frames) is no request: the scheduler passes it to the stack
 * untouched and counts it in bpfnic_sched_stats.too_long.
 */
#define BPFNIC_MAX_DGRAM_LEN 1480u

/*
 * 802.1Q (0x8100) and 802.1ad (0x88a8) tags the scheduler looks through, outer first:
 * two cover a customer tag inside a service tag (QinQ). Tags stay where they are, so
 * a reply leaves with the request's. A NIC that strips the tag into metadata (VLAN RX
 * offload) hands XDP an untagged frame, and the reply then leaves untagged.
 */
#define BPFNIC_MAX_VLAN_TAGS 2u

/* Byte offsets into the UDP payload; the BPF side writes through these. */
#define BPFNIC_OFF_CLIENT_SEND   0u
#define BPFNIC_OFF_ARRIVAL       8u
#define BPFNIC_OFF_PICKUP        16u
#define BPFNIC_OFF_CLASS         24u
#define BPFNIC_OFF_EXT_VERSION   25u
#define BPFNIC_OFF_EXT_MAGIC     26u
#define BPFNIC_OFF_EXT_CPU       30u
#define BPFNIC_OFF_EXT_SEQ       32u
#define BPFNIC_OFF_EXT_SERVICE   40u
#define BPFNIC_OFF_EXT_FINISH    48u

_Static_assert(sizeof(struct bpfnic_req) == BPFNIC_REQ_LEN, "paper request is 25 bytes");
_Static_assert(sizeof(struct bpfnic_req_full) == BPFNIC_REQ_EXT_LEN, "extended request");
_Static_assert(__builtin_offsetof(struct bpfnic_req_full, ext.worker_finish_ns) ==
		       BPFNIC_OFF_EXT_FINISH, "offsets match the struct");
_Static_assert(__builtin_offsetof(struct bpfnic_req_full, ext.service_ns) ==
		       BPFNIC_OFF_EXT_SERVICE, "offsets match the struct");
_Static_assert(__builtin_offsetof(struct bpfnic_req_full, ext.worker_cpu) ==
		       BPFNIC_OFF_EXT_CPU, "offsets match the struct");

enum bpfnic_class {
	BPFNIC_CLASS_SHORT = 0,
	BPFNIC_CLASS_LONG = 1,
	BPFNIC_CLASS_UNKNOWN = 2, /* statistics slot for class bytes that are neither */
	BPFNIC_NR_CLASSES = 3,
};

/* ---------------------------------------------------------------------------------
 * Policies and core groups.
 */
enum bpfnic_policy {
	BPFNIC_POLICY_RR = 0,      /* round-robin over group 0 */
	BPFNIC_POLICY_SPLIT = 1,   /* class long -> group 1, everything else -> group 0 */
	BPFNIC_POLICY_DYNAMIC = 2, /* round-robin over group 0, whose size the daemon steers */
	BPFNIC_NR_POLICIES = 3,
};

enum bpfnic_group {
	BPFNIC_GROUP_MAIN = 0, /* rr, dynamic, and split's short group */
	BPFNIC_GROUP_LONG = 1, /* split's long group */
	BPFNIC_NR_GROUPS = 2,
};

/* Upper bound on candidate worker CPUs (cpumap size, group slots). */
#define BPFNIC_MAX_CPUS 256u

/* ---------------------------------------------------------------------------------
 * Pick functions: every policy's choice of worker CPU, pure, so that the scheduler,
 * the BPF tests and the queuing model (model/sim.c) run the same code. They look
 * nothing up: the caller passes the state they read and write (BPF: map values; the
 * model: plain structs), so a decision costs only its arithmetic. A pick is
 *
 *   group = bpfnic_pick_group(policy, class);     which group serves the request
 *   size  = that group's size;                     0: drop it, counted no_cpu
 *   slot  = bpfnic_pick_rr(size, &cursor);         a slot in [0, size)
 *   cpu   = that group's CPU in that slot;
 *
 * where cursor is the scheduler CPU's own for that group (one per RX CPU and group,
 * so no cache line is shared per packet). Load-aware policies keep this shape and
 * only choose the slot differently, from a random u32 or a flow hash the caller
 * passes in (BPF: bpf_get_prandom_u32(); the model: its seeded generator) and from
 * per-CPU load the caller reads (outstanding work the scheduler adds to and the
 * workers subtract from, requests in flight): walk candidate slots, starting at
 * bpfnic_pick_rr()'s so that ties go round-robin, offering each one's load to
 * bpfnic_pick_least_offer(), which keeps the first least loaded.
 */
static __always_inline __u32 bpfnic_pick_group(__u8 policy, __u8 class)
{
	return policy == BPFNIC_POLICY_SPLIT && class == BPFNIC_CLASS_LONG ? BPFNIC_GROUP_LONG :
									     BPFNIC_GROUP_MAIN;
}

/* The next slot of a group of size > 0 after *cursor; a cursor at or past the end (the
 * end of a round, or the group shrank since this CPU's last pick) restarts at slot 0. */
static __always_inline __u32 bpfnic_pick_rr(__u32 size, __u32 *cursor)
{
	__u32 slot = *cursor;

	if (slot >= size)
		slot = 0;
	*cursor = slot + 1;
	return slot;
}

/* The i-th slot of a walk over a group of size slots that starts at slot start. */
static __always_inline __u32 bpfnic_pick_walk_slot(__u32 start, __u32 i, __u32 size)
{
	__u32 slot = start + i;

	return slot >= size ? slot - size : slot;
}

/* The least loaded slot among those offered; the first offered wins a tie. */
struct bpfnic_pick_least {
	__u32 slot;
	__u64 load;
};

static __always_inline void bpfnic_pick_least_init(struct bpfnic_pick_least *b)
{
	b->slot = 0;
	b->load = ~0ull;
}

static __always_inline void bpfnic_pick_least_offer(struct bpfnic_pick_least *b, __u32 slot,
						    __u64 load)
{
	if (load < b->load) {
		b->load = load;
		b->slot = slot;
	}
}

/*
 * Map "bpfnic_settings", one entry. Written by user space as a whole; the data path
 * reads it per packet.
 */
struct bpfnic_settings {
	__u16 port;       /* UDP destination port, host order; 0 = touch nothing */
	__u8 policy;      /* enum bpfnic_policy */
	__u8 reserved[5];
	__u64 service_ns[2]; /* workload per class: [SHORT], [LONG] */
	__u64 max_service_ns; /* cap on any workload, including a requested one */
};

/*
 * Map "bpfnic_group_size": key = enum bpfnic_group, value = __u32 number of active slots.
 * Map "bpfnic_group_cpus": key = group * BPFNIC_MAX_CPUS + slot, value = __u32 CPU id.
 * Two maps so that user space orders its writes: growing writes the slot, then the
 * size; shrinking lowers the size first.
 */
#define BPFNIC_GROUP_SLOT(group, slot) ((__u32)(group) * BPFNIC_MAX_CPUS + (__u32)(slot))

/* Longest workload the worker spins (one bpf_loop of at most 1<<23 clock reads). */
#define BPFNIC_MAX_SERVICE_NS 10000000ull /* 10 ms */

/*
 * Map "bpfnic_addrs" (hash): the destination addresses requests are taken for
 * (Address=). Key: the address in network byte order, IPv6 as it is, IPv4 mapped
 * (::ffff:a.b.c.d); value: __u8, unused. Consulted only when the loader set the
 * scheduler's addr_filter (a non-empty list): UDP to the port for any other address
 * passes untouched (counted in bpfnic_sched_stats.other_addr). The loader fills it
 * once; it never changes while attached.
 */
struct bpfnic_addr {
	__u8 bytes[16];
};
#define BPFNIC_MAX_ADDRS 64u

/* ---------------------------------------------------------------------------------
 * Log-scale histogram bucketing, shared by the BPF statistics (sub_bits = 3, ~6 %
 * error at the bucket midpoint) and user space. Values below 2^sub_bits get a bucket
 * each; above, each power of two is split into 2^sub_bits linear sub-buckets.
 */
static __always_inline __u32 bpfnic_fls64(__u64 v)
{
	/* Position of the highest set bit, 1-based; 0 for 0. Branch-light, loop-free. */
	__u32 n = 0;

	if (v >> 32) { n += 32; v >>= 32; }
	if (v >> 16) { n += 16; v >>= 16; }
	if (v >> 8) { n += 8; v >>= 8; }
	if (v >> 4) { n += 4; v >>= 4; }
	if (v >> 2) { n += 2; v >>= 2; }
	if (v >> 1) { n += 1; v >>= 1; }
	return n + (__u32)v;
}

static __always_inline __u32 bpfnic_log_bucket(__u64 v, __u32 sub_bits)
{
	__u32 msb = bpfnic_fls64(v); /* v in [2^(msb-1), 2^msb) */

	if (msb <= sub_bits)
		return (__u32)v;
	return ((msb - sub_bits) << sub_bits) + (__u32)((v >> (msb - 1 - sub_bits)) &
							   ((1u << sub_bits) - 1));
}

/* Smallest value that falls in bucket b (the inverse of bpfnic_log_bucket). */
static __always_inline __u64 bpfnic_log_bucket_low(__u32 b, __u32 sub_bits)
{
	__u32 octave = b >> sub_bits, sub = b & ((1u << sub_bits) - 1);

	if (octave == 0)
		return b;
	return (__u64)((1u << sub_bits) | sub) << (octave - 1);
}

/* BPF histogram: 3 sub-bits, buckets up to 2^36 ns (~68 s); larger values clamp. */
#define BPFNIC_HIST_SUB_BITS 3u
#define BPFNIC_HIST_BUCKETS  ((36u - BPFNIC_HIST_SUB_BITS + 1u) << BPFNIC_HIST_SUB_BITS)

/* ---------------------------------------------------------------------------------
 * Statistics: per-CPU array maps with one entry each; user space sums over CPUs.
 */

/* Map "bpfnic_sched_stats": counted on the CPU that runs the scheduler (NIC RX). */
struct bpfnic_sched_stats {
	__u64 rx;              /* frames the scheduler saw */
	__u64 passed;          /* not ours: XDP_PASS, untouched */
	__u64 short_payload;   /* UDP to our port but not a whole request: under 25 bytes, or
				* a UDP length past the frame's end or the IP packet's: passed */
	__u64 requests[BPFNIC_NR_CLASSES]; /* requests by class byte */
	__u64 redirected;      /* handed to the cpumap */
	__u64 redirect_err;    /* bpf_redirect_map refused (no such CPU entry): dropped */
	__u64 no_cpu;          /* the chosen group was empty: dropped */
	__u64 too_long;        /* UDP to our port longer than BPFNIC_MAX_DGRAM_LEN: passed */
	__u64 other_addr;      /* UDP to our port for an address not in bpfnic_addrs: passed */
};

/*
 * Map "bpfnic_sched_target": per-CPU array, key = target (worker) CPU, value = __u64
 * requests the scheduler handed to that CPU's cpumap queue. Per worker CPU,
 * handed - processed = queue drops + in flight (the thesis' fig. 5.3, per CPU).
 */

/*
 * Map "bpfnic_queue_drops": per-CPU array, key = target (worker) CPU, value = __u64
 * requests the kernel dropped because that CPU's cpumap queue was full. Counted from
 * the xdp_cpumap_enqueue tracepoint, so it is exact and never counts requests in
 * flight; when the tracer cannot be loaded (no CAP_PERFMON) it stays at zero and
 * handed - processed is the estimate.
 */

/* Map "bpfnic_worker_stats": counted on the worker CPU that served the request. */
struct bpfnic_worker_stats {
	__u64 processed[BPFNIC_NR_CLASSES]; /* requests served, by class */
	__u64 qdelay_sum_ns;   /* sum of (pick-up - arrival) */
	__u64 qdelay_max_ns;
	__u64 service_sum_ns;  /* sum of measured workload time (finish - pick-up) */
	__u64 tx;              /* replies handed to the devmap */
	__u64 tx_err;          /* devmap redirect refused: dropped */
	__u64 malformed;       /* frames that reached the worker but were not requests */
	__u64 tx_dropped;      /* replies the devmap took (counted in tx) that the interface
				* did not transmit: from the xdp_redirect_err and
				* xdp_devmap_xmit tracepoints, on the worker's CPU; 0 without
				* the tracers (bpfnic.bpf.c) */
	__u64 qdelay_hist[BPFNIC_HIST_BUCKETS];
};

/* The statistics slot of a class byte: anything but short and long counts as unknown. */
static __always_inline __u32 bpfnic_stats_class(__u8 class)
{
	return class <= BPFNIC_CLASS_LONG ? class : BPFNIC_CLASS_UNKNOWN;
}

/* What the worker records at pick-up (the model records the same at its pick-ups). */
static __always_inline void bpfnic_worker_record_qdelay(struct bpfnic_worker_stats *st,
							__u64 qdelay)
{
	__u32 bucket;

	st->qdelay_sum_ns += qdelay;
	if (qdelay > st->qdelay_max_ns)
		st->qdelay_max_ns = qdelay;
	bucket = bpfnic_log_bucket(qdelay, BPFNIC_HIST_SUB_BITS);
	if (bucket > BPFNIC_HIST_BUCKETS - 1)
		bucket = BPFNIC_HIST_BUCKETS - 1;
	st->qdelay_hist[bucket]++;
}

/* ... and once the workload is done. */
static __always_inline void bpfnic_worker_record_done(struct bpfnic_worker_stats *st, __u8 class,
						      __u64 service_ns)
{
	st->service_sum_ns += service_ns;
	st->processed[bpfnic_stats_class(class)]++;
}

#endif /* BPFNIC_H */
