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
#include <stdbool.h>

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
	/* Policies that spread every request over group 0 (dynamic's Spread= is one). */
	BPFNIC_POLICY_RR = 0,      /* round-robin */
	BPFNIC_POLICY_LWL = 1,     /* least estimated work left */
	BPFNIC_POLICY_JSQ = 2,     /* fewest requests in flight */
	BPFNIC_POLICY_P2C = 3,     /* the least work left of d CPUs drawn at random */
	BPFNIC_POLICY_HASH = 4,    /* a symmetric hash of the flow */
	BPFNIC_NR_SPREADING = 5,
	/* Policies that shape the groups. */
	BPFNIC_POLICY_SPLIT = 5,   /* class long -> group 1, everything else -> group 0 */
	BPFNIC_POLICY_DYNAMIC = 6, /* round-robin over group 0, whose size the daemon steers
				    * (the data path runs dynamic's Spread= policy instead) */
	BPFNIC_NR_POLICIES = 7,
};

/* Whether the policy reads the per-CPU load bookkeeping (struct bpfnic_cpu_load),
 * which the data path keeps under every policy ... */
static __always_inline int bpfnic_policy_reads_load(__u8 policy)
{
	return policy == BPFNIC_POLICY_LWL || policy == BPFNIC_POLICY_JSQ ||
	       policy == BPFNIC_POLICY_P2C;
}

/* ... and whether it estimates the chosen CPU's work left (the request's wait). */
static __always_inline int bpfnic_policy_estimates_work(__u8 policy)
{
	return policy == BPFNIC_POLICY_LWL || policy == BPFNIC_POLICY_P2C;
}

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

/* A u16 of random bits onto [0, n), n <= 65536: multiply and shift, no division. */
static __always_inline __u32 bpfnic_pick_reduce16(__u32 rnd16, __u32 n)
{
	return (__u32)(((__u64)(rnd16 & 0xffff) * n) >> 16);
}

/*
 * p2c: the i-th of the d slots a pick compares, in a group of size > 0 slots, from 16
 * random bits per choice (rnd16). The first is uniform over the group; each later one
 * uniform over the other slots than the first (with d = 3, the second and third may
 * coincide: then two slots are compared). Offered in that order to
 * bpfnic_pick_least_offer(), a tie goes to the first drawn: at random.
 */
static __always_inline __u32 bpfnic_pick_choice(__u32 size, __u32 first, __u32 rnd16, __u32 i)
{
	if (i == 0)
		return bpfnic_pick_reduce16(rnd16, size);
	if (size < 2)
		return first;
	return bpfnic_pick_walk_slot(first, 1 + bpfnic_pick_reduce16(rnd16, size - 1), size);
}

/* xorshift64: the scheduler's per-CPU random bits for p2c (a state never 0). */
static __always_inline __u64 bpfnic_xorshift64(__u64 *state)
{
	__u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Finaliser of MurmurHash3: every input bit moves every output bit. */
static __always_inline __u32 bpfnic_mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/*
 * hash: a flow's hash from its two addresses (IPv6: each folded to 32 bits by XOR of
 * its words) and its two ports, in any order: a flow and its reverse hash alike, as
 * symmetric RSS does. Each pair is sorted before it is mixed.
 */
static __always_inline __u32 bpfnic_flow_hash(__u32 addr_a, __u32 addr_b, __u16 port_a,
					      __u16 port_b)
{
	__u32 lo = addr_a < addr_b ? addr_a : addr_b, hi = addr_a < addr_b ? addr_b : addr_a;
	__u32 ports = port_a < port_b ? (__u32)port_a << 16 | port_b : (__u32)port_b << 16 | port_a;

	return bpfnic_mix32(lo ^ bpfnic_mix32(hi ^ bpfnic_mix32(ports ^ 0x62706e63u)));
}

/* The slot of a flow hash in a group of size slots (the hash's top bits decide). */
static __always_inline __u32 bpfnic_pick_hash(__u32 hash, __u32 size)
{
	return (__u32)(((__u64)hash * size) >> 32);
}

/* ---------------------------------------------------------------------------------
 * Load bookkeeping: per worker CPU, the requests the schedulers handed it that it has
 * not finished, and their estimated work (each request's service time as the worker
 * computes it, bpfnic_service_ns) that it has not started. The data path keeps it for
 * every request under every policy, so a switch to lwl, jsq or p2c finds it right;
 * the model (model/sim.c) keeps it with the same functions, so it shows the
 * estimate's real accuracy.
 *
 *   scheduler  bpfnic_load_hand(): in flight +1, work +W, when it redirects a request
 *              (an atomic add: several RX CPUs hand to the same worker);
 *   worker     bpfnic_load_pickup(): work -W, and the one in service ends at pick-up
 *              + W; bpfnic_load_done(): in flight -1.
 *
 * Both sides compute W from the same request and settings, so each request's worker
 * takes back exactly what its scheduler added, across policy switches and group
 * resizes. Where they can differ, the estimate drifts until the CPU drains: a request
 * in flight when new service times are set (a reload), and the work of requests the
 * kernel drops at a full cpumap queue, which never reach the worker (the drop tracer
 * takes back their count, bpfnic_load_forget, but not their work). When its in-flight
 * count reaches 0 the worker clears any work left. Estimated work left = work not
 * started + what is left of the estimate of the one in service.
 *
 * One slot per worker CPU, 128 bytes on 64-byte lines (the map is mmapable, so its
 * value starts on a page): line 0 is written by the schedulers and the worker of that
 * CPU (true sharing: they must meet), line 1 by that worker only, and no two CPUs'
 * slots share a line.
 */
#define BPFNIC_LOAD_COUNT_SHIFT 40 /* outstanding = in flight << 40 | work (ns) */
#define BPFNIC_LOAD_WORK_MASK   ((1ull << BPFNIC_LOAD_COUNT_SHIFT) - 1)
#define BPFNIC_LOAD_ONE         (1ull << BPFNIC_LOAD_COUNT_SHIFT)

struct bpfnic_cpu_load {
	/* line 0: schedulers and the worker, atomically */
	__u64 outstanding; /* in flight << BPFNIC_LOAD_COUNT_SHIFT | work not started, ns */
	__u64 vft_ns;      /* the virtual-finish-time twin (bpfnic_sched_vft): schedulers */
	__u64 line0_pad[6];
	/* line 1: the worker of this CPU only */
	__u64 busy_until_ns; /* pick-up + estimate of the request in service; 0: none */
	__s64 late_ns;       /* the twin: last pick-up minus its virtual start */
	__u64 line1_pad[6];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct bpfnic_cpu_load) == 128, "two cache lines per worker CPU");

/*
 * The estimate's accuracy, measured on extended requests: a scheduler that picked by
 * load lends the request's finish field (which the worker overwrites when it is done)
 * to tell the worker the work left it estimated on the CPU it chose, which is the
 * request's estimated wait: BPFNIC_EST_MARK | est_ns << 32 | the twin's uncorrected
 * virtual wait (with BPFNIC_EST_VFT), each capped at its width. A client's own value
 * there (a clock reading, or 0) never has the top bit.
 */
#define BPFNIC_EST_MARK (1ull << 63)
#define BPFNIC_EST_VFT  (1ull << 62)
#define BPFNIC_EST_MAX  0x3fffffffull

static __always_inline __u64 bpfnic_est_pack(__u64 est_ns, bool vft, __u64 vft_wait_ns)
{
	return BPFNIC_EST_MARK | (vft ? BPFNIC_EST_VFT : 0) |
	       (est_ns < BPFNIC_EST_MAX ? est_ns : BPFNIC_EST_MAX) << 32 |
	       (vft_wait_ns < 0xffffffffull ? vft_wait_ns : 0xffffffffull);
}

static __always_inline __u64 bpfnic_load_inflight(const struct bpfnic_cpu_load *l)
{
	return l->outstanding >> BPFNIC_LOAD_COUNT_SHIFT;
}

/* Estimated work left at now: not started, plus the rest of the one in service. */
static __always_inline __u64 bpfnic_load_work_left(const struct bpfnic_cpu_load *l, __u64 now)
{
	__u64 busy = l->busy_until_ns;

	return (l->outstanding & BPFNIC_LOAD_WORK_MASK) + (busy > now ? busy - now : 0);
}

static __always_inline void bpfnic_load_hand(struct bpfnic_cpu_load *l, __u64 work_ns)
{
	__sync_fetch_and_add(&l->outstanding, BPFNIC_LOAD_ONE | work_ns);
}

static __always_inline void bpfnic_load_pickup(struct bpfnic_cpu_load *l, __u64 work_ns,
					       __u64 now)
{
	__u64 before = __sync_fetch_and_sub(&l->outstanding, work_ns);

	/* Less work left than this request's (its service time grew since it was handed
	 * out, or no scheduler handed it: a test run of the worker alone): the
	 * subtraction borrowed from the count; give back what the work part lacked,
	 * which leaves the work at 0 and the count as it was. */
	if ((before & BPFNIC_LOAD_WORK_MASK) < work_ns)
		__sync_fetch_and_add(&l->outstanding, work_ns - (before & BPFNIC_LOAD_WORK_MASK));
	l->busy_until_ns = now + work_ns;
}

static __always_inline void bpfnic_load_done(struct bpfnic_cpu_load *l)
{
	__u64 left = __sync_sub_and_fetch(&l->outstanding, BPFNIC_LOAD_ONE);

	l->busy_until_ns = 0;
	/* Nothing in flight, yet work left (drift, see above): clear it, unless a
	 * scheduler handed a request meanwhile (then the next drain will). */
	if (left && (left >> BPFNIC_LOAD_COUNT_SHIFT) == 0)
		__sync_val_compare_and_swap(&l->outstanding, left, 0);
	/* The count went below 0 (no scheduler handed this request: a test run of the
	 * worker alone): put it back. */
	else if ((__s64)left < 0)
		__sync_fetch_and_add(&l->outstanding, BPFNIC_LOAD_ONE);
}

/* The drop tracer: n requests handed to this CPU never reached its queue. */
static __always_inline void bpfnic_load_forget(struct bpfnic_cpu_load *l, __u64 n)
{
	__u64 in_flight = bpfnic_load_inflight(l);

	if (n > in_flight)
		n = in_flight;
	if (n)
		__sync_fetch_and_sub(&l->outstanding, n << BPFNIC_LOAD_COUNT_SHIFT);
}

/*
 * lwl's other bookkeeping, kept only by the benchmark twin bpfnic_sched_vft: a virtual
 * finish time per CPU that only the schedulers push (when the CPU would be done if
 * every request took its estimate), corrected by how late the worker was at its last
 * pick-up against the virtual start it was given.
 */
static __always_inline __u64 bpfnic_vft_wait(const struct bpfnic_cpu_load *l, __u64 now)
{
	return l->vft_ns > now ? l->vft_ns - now : 0;
}

static __always_inline __u64 bpfnic_vft_work_left(const struct bpfnic_cpu_load *l, __u64 now)
{
	__s64 left = (__s64)bpfnic_vft_wait(l, now) + l->late_ns;

	return left > 0 ? (__u64)left : 0;
}

/* Scheduler: not atomic, so two RX CPUs handing to one CPU at once may lose a push. */
static __always_inline void bpfnic_vft_hand(struct bpfnic_cpu_load *l, __u64 work_ns, __u64 now)
{
	l->vft_ns = (l->vft_ns > now ? l->vft_ns : now) + work_ns;
}

/* Worker: its wait against the virtual one it was handed with. */
static __always_inline void bpfnic_vft_pickup(struct bpfnic_cpu_load *l, __u64 qdelay,
					      __u64 vft_wait_ns)
{
	l->late_ns = (__s64)qdelay - (__s64)vft_wait_ns;
}


/* Longest workload the worker spins (one bpf_loop of at most 1<<23 clock reads). */
#define BPFNIC_MAX_SERVICE_NS 10000000ull /* 10 ms */

/*
 * Map "bpfnic_settings", one entry. Written by user space as a whole; the data path
 * reads it per packet.
 */
struct bpfnic_settings {
	__u16 port;       /* UDP destination port, host order; 0 = touch nothing */
	__u8 policy;      /* enum bpfnic_policy: how the scheduler picks (dynamic's spread) */
	__u8 choices;     /* p2c: CPUs compared per pick, 2 or 3 (anything else: 2) */
	__u8 reserved[4];
	__u64 service_ns[2]; /* workload per class: [SHORT], [LONG] */
	__u64 max_service_ns; /* cap on any workload, including a requested one */
};

/* The workload of a request: its class's, or the time it asks for (requested, from
 * the extension; 0 = none), capped. The worker spins it; the scheduler adds it to the
 * chosen CPU's work (bpfnic_load_hand). */
static __always_inline __u64 bpfnic_service_ns(const struct bpfnic_settings *cfg, __u8 class,
					       __u64 requested)
{
	__u64 service = requested ? requested : cfg->service_ns[class == BPFNIC_CLASS_LONG ? 1 : 0];

	if (service > cfg->max_service_ns)
		service = cfg->max_service_ns;
	if (service > BPFNIC_MAX_SERVICE_NS)
		service = BPFNIC_MAX_SERVICE_NS;
	return service;
}

/*
 * Map "bpfnic_group_size": key = enum bpfnic_group, value = __u32 number of active slots.
 * Map "bpfnic_group_cpus": key = enum bpfnic_group, value = struct bpfnic_group_cpus,
 * the CPU id in each slot (one lookup per pick, however many slots it reads).
 * Two maps so that user space orders its writes: growing writes the slots, then the
 * size; shrinking lowers the size first. A slot whose CPU changes while the scheduler
 * may read it (split's long group moving) is read as its old or its new CPU: CPU ids
 * are below 256, so only their low byte ever changes.
 */
struct bpfnic_group_cpus {
	__u32 cpu[BPFNIC_MAX_CPUS];
};

/* Map "bpfnic_cpu_load": one entry, every worker CPU's load slot (by CPU id). */
struct bpfnic_loads {
	struct bpfnic_cpu_load cpu[BPFNIC_MAX_CPUS];
};

/* What a load-aware pick compares: work left (lwl, p2c), requests in flight (jsq), or
 * the twin's virtual-finish-time work left (bpfnic_sched_vft). */
enum bpfnic_measure {
	BPFNIC_MEASURE_WORK = 0,
	BPFNIC_MEASURE_INFLIGHT,
	BPFNIC_MEASURE_VFT,
};

static __always_inline __u64 bpfnic_measure_load(enum bpfnic_measure m,
						 const struct bpfnic_cpu_load *l, __u64 now)
{
	if (m == BPFNIC_MEASURE_INFLIGHT)
		return bpfnic_load_inflight(l);
	if (m == BPFNIC_MEASURE_VFT)
		return bpfnic_vft_work_left(l, now);
	return bpfnic_load_work_left(l, now);
}

/* The load slot of the CPU in a group's slot. The masks bound both indices for the
 * verifier; slots and CPU ids are below BPFNIC_MAX_CPUS, so they change nothing. */
static __always_inline const struct bpfnic_cpu_load *
bpfnic_slot_load(const struct bpfnic_loads *loads, const struct bpfnic_group_cpus *g, __u32 slot)
{
	return &loads->cpu[g->cpu[slot & (BPFNIC_MAX_CPUS - 1)] & (BPFNIC_MAX_CPUS - 1)];
}

/*
 * A slot's rank in a walk from start: its load, then its distance from start, in one
 * number (loads capped at 2^56 - 1). The distance is taken modulo 256 rather than the
 * group's size: slots at or after start come first, in order, then those before it,
 * in order, which is the walk's order for any group of at most 256 slots.
 */
static __always_inline __u64 bpfnic_walk_rank(__u64 load, __u32 slot, __u32 start)
{
	return (load < (1ull << 56) ? load : (1ull << 56) - 1) << 8 | ((slot - start) & 0xff);
}

/*
 * lwl, jsq: the least loaded of a group's size > 0 slots; of equally loaded ones, the
 * first from start (bpfnic_pick_rr()'s slot, start < size), so ties go round-robin.
 * An idle CPU at or after start (its rank is then at most its index) ends the walk:
 * nothing after it can rank better.
 *
 * The walk goes by chunks of BPFNIC_WALK_CHUNK slots, unrolled: the BPF scheduler
 * runs one chunk per bpf_loop() step, user space bpfnic_pick_least_walk(); every slot
 * goes through bpfnic_walk_chunk() either way. Why chunks: the verifier checks a
 * plain loop slot by slot and one over 256 slots exceeds its budget, while a call per
 * slot costs more than the slot's own work; four slots per step verify in about 50k
 * instructions and halve the cost of the calls (bench/dpbench.c, "sched").
 */
#define BPFNIC_WALK_CHUNK 4u

#ifdef __clang__
#define BPFNIC_UNROLL _Pragma("unroll")
#else
#define BPFNIC_UNROLL
#endif

struct bpfnic_walk {
	const struct bpfnic_group_cpus *g;
	const struct bpfnic_loads *loads;
	__u64 now;
	__u64 best;  /* the best rank so far (bpfnic_walk_rank) */
	__u32 size, start;
	__u32 slot;  /* the best slot so far */
	__u32 m;     /* enum bpfnic_measure */
};

static __always_inline void bpfnic_walk_init(struct bpfnic_walk *w, enum bpfnic_measure m,
					     const struct bpfnic_group_cpus *g, __u32 size,
					     __u32 start, const struct bpfnic_loads *loads, __u64 now)
{
	w->g = g;
	w->loads = loads;
	w->now = now;
	w->best = ~0ull;
	w->size = size;
	w->start = start;
	w->slot = start;
	w->m = m;
}

/* Chunks a walk takes at most. */
static __always_inline __u32 bpfnic_walk_chunks(__u32 size)
{
	return (size + BPFNIC_WALK_CHUNK - 1) / BPFNIC_WALK_CHUNK;
}

/* Offer the slots of chunk c; 1 when the walk is over. */
static __always_inline int bpfnic_walk_chunk(struct bpfnic_walk *w, __u32 c)
{
	BPFNIC_UNROLL
	for (__u32 j = 0; j < BPFNIC_WALK_CHUNK; j++) {
		__u32 i = c * BPFNIC_WALK_CHUNK + j;
		__u64 rank;

		if (i >= w->size)
			return 1;
		rank = bpfnic_walk_rank(bpfnic_measure_load((enum bpfnic_measure)w->m,
			&w->loads->cpu[w->g->cpu[i & (BPFNIC_MAX_CPUS - 1)] & (BPFNIC_MAX_CPUS - 1)],
			w->now), i, w->start);
		if (rank < w->best) {
			w->best = rank;
			w->slot = i;
		}
		if (rank <= i)
			return 1;
	}
	return 0;
}

/* The load of the slot a finished walk chose. */
static __always_inline __u64 bpfnic_walk_load(const struct bpfnic_walk *w)
{
	return w->best >> 8;
}

#ifndef __bpf__
/* The whole walk, for user space: the slot, and its load in *load. */
static inline __u32 bpfnic_pick_least_walk(enum bpfnic_measure m, const struct bpfnic_group_cpus *g,
					   __u32 size, __u32 start, const struct bpfnic_loads *loads,
					   __u64 now, __u64 *load)
{
	struct bpfnic_walk w;

	bpfnic_walk_init(&w, m, g, size, start, loads, now);
	for (__u32 c = 0; c < bpfnic_walk_chunks(size); c++)
		if (bpfnic_walk_chunk(&w, c))
			break;
	*load = bpfnic_walk_load(&w);
	return w.slot;
}
#endif

/*
 * p2c: the least work left of choices (2 or 3) slots of a group of size > 0 drawn by
 * bpfnic_pick_choice(), 16 bits of rnd each (bits 0-15, 16-31, 32-47).
 */
static __always_inline __u32 bpfnic_pick_p2c(const struct bpfnic_group_cpus *g, __u32 size,
					     __u32 choices, __u64 rnd,
					     const struct bpfnic_loads *loads, __u64 now,
					     __u64 *load)
{
	struct bpfnic_pick_least best;
	__u32 first = bpfnic_pick_choice(size, 0, (__u32)rnd, 0), slot;

	bpfnic_pick_least_init(&best);
	bpfnic_pick_least_offer(&best, first,
				bpfnic_load_work_left(bpfnic_slot_load(loads, g, first), now));
	slot = bpfnic_pick_choice(size, first, (__u32)(rnd >> 16), 1);
	bpfnic_pick_least_offer(&best, slot,
				bpfnic_load_work_left(bpfnic_slot_load(loads, g, slot), now));
	if (choices == 3) {
		slot = bpfnic_pick_choice(size, first, (__u32)(rnd >> 32), 2);
		bpfnic_pick_least_offer(&best, slot,
					bpfnic_load_work_left(bpfnic_slot_load(loads, g, slot), now));
	}
	*load = best.load;
	return best.slot;
}

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
	__u64 service_sum_long_ns; /* the part of service_sum_ns spent on long requests */
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
	if (class == BPFNIC_CLASS_LONG)
		st->service_sum_long_ns += service_ns;
	st->processed[bpfnic_stats_class(class)]++;
}

/*
 * Map "bpfnic_load_acc": per-CPU array, one entry, counted on the worker CPU: for the
 * requests a load-aware policy handed out, how far the scheduler's estimate of the
 * wait (the work left it saw on the CPU it chose) was from the wait the request had
 * (pick-up - arrival).
 */
struct bpfnic_load_acc {
	__u64 n;
	__u64 est_sum_ns;
	__u64 actual_sum_ns;
	__u64 abs_err_sum_ns;
	__u64 under; /* requests that waited longer than estimated */
};

static __always_inline void bpfnic_load_acc_record(struct bpfnic_load_acc *a, __u64 est_ns,
						   __u64 actual_ns)
{
	a->n++;
	a->est_sum_ns += est_ns;
	a->actual_sum_ns += actual_ns;
	if (actual_ns > est_ns) {
		a->abs_err_sum_ns += actual_ns - est_ns;
		a->under++;
	} else {
		a->abs_err_sum_ns += est_ns - actual_ns;
	}
}

#endif /* BPFNIC_H */
