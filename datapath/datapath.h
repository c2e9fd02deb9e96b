/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The data-path module: loads the BPF object (libbpf skeleton), creates the cpumap
 * and devmap entries, fills the settings and group maps, attaches the scheduler with
 * a bpf_link it owns, reads the per-CPU statistics, and detaches.
 *
 * Library code: it never logs (libbpf's own messages go wherever the caller routed
 * libbpf_set_print()), returns 0 or -errno, and releases everything on every path.
 * bpfnicd, the BPF tests and the benchmarks all use it.
 */
#ifndef BPFNIC_DATAPATH_H
#define BPFNIC_DATAPATH_H

#include <stdbool.h>
#include "bpfnic.h"

struct bpfnic_bpf; /* the generated skeleton, build/bpf/bpfnic.skel.h */
struct bpfnic_dp;

enum bpfnic_xdp_mode {
	BPFNIC_XDP_AUTO = 0, /* native (driver) mode, generic (skb) mode if the driver has none */
	BPFNIC_XDP_NATIVE,
	BPFNIC_XDP_GENERIC,
};

/* The cpumap queue per CPU, in frames: the paper's size, and the kernel's limit. */
#define BPFNIC_DP_DEFAULT_QUEUE_SIZE 4096 /* no suffix: also a default written as text */
#define BPFNIC_DP_MAX_QUEUE_SIZE     16384u

/*
 * The kernel objects a running data path is made of, as fds with stable names: what
 * bpfnicd keeps in the service manager's file descriptor store, so that the next
 * process (a restart, an upgrade) takes the running data path over instead of
 * building a new one. The maps' names carry BPFNIC_DP_LAYOUT: maps of another layout
 * are never reused. Names are valid FDNAME= values (no ':').
 */
#define BPFNIC_DP_LAYOUT        1  /* bump when a map's key, value or meaning changes */
#define BPFNIC_DP_MAX_HANDOVER  32
#define BPFNIC_DP_NAME_MAX      64
#define BPFNIC_DP_NAME_PREFIX   "bpfnic."

struct bpfnic_dp_handover {
	unsigned n;
	char name[BPFNIC_DP_MAX_HANDOVER][BPFNIC_DP_NAME_MAX];
	int fd[BPFNIC_DP_MAX_HANDOVER];
};

/* What bpfnic_dp_open() took over from a handover. */
struct bpfnic_dp_adopted {
	bool link;      /* the attachment: its program replaced in place (bpf_link_update) */
	bool maps;      /* the maps, so the counters and the queues went on */
	bool workers;   /* the cpumap entries kept (false: replaced, the worker changed) */
	bool tracer;    /* the tracers kept (they count into the maps kept) */
	char why_not[160]; /* when something offered was not taken: why */
};

struct bpfnic_dp_opts {
	const char *ifname;          /* NULL: load and fill maps, attach nothing (tests) */
	enum bpfnic_xdp_mode xdp_mode;
	const unsigned *cpus;        /* candidate worker CPUs: one cpumap entry each */
	unsigned n_cpus;
	unsigned queue_size;         /* cpumap queue per CPU; 0 = BPFNIC_DP_DEFAULT_QUEUE_SIZE */
	struct bpfnic_settings settings; /* port, policy, service times */
	const unsigned *main_cpus;   /* initial main group, in round-robin order; */
	unsigned n_main;             /*   n_main == 0: every candidate */
	const unsigned *long_cpus;   /* initial long group (split); may be empty */
	unsigned n_long;
	bool test_progs;             /* also load the test and benchmark programs */
	int devmap_ifindex;          /* reply interface when ifname is NULL; 0 = none */
	const struct bpfnic_addr *addrs; /* requests only to these (Address=); */
	unsigned n_addrs;            /*   0: to any address */
	char *why;                   /* when attaching fails: why, and what to change */
	size_t why_size;             /*   (NULL: not wanted) */
	/*
	 * A running data path to take over (its fds stay the caller's, to close after):
	 * its maps are reused when their layout matches, its link gets this program
	 * (atomically), cpumap entries are replaced only where the worker, the queue
	 * size or the candidates changed. What was taken is said in *adopted.
	 */
	const struct bpfnic_dp_handover *adopt;
	struct bpfnic_dp_adopted *adopted;
};

/*
 * Load, fill and (when opts->ifname is set) attach. *out is NULL on error.
 *
 * Attaching takes the interface's word (datapath/ifcheck.h): native mode needs its
 * XDP features basic and redirect and, once attached, ndo-xmit (the replies' way
 * out). XDP_GENERIC attaches in the skb path; XDP_NATIVE attaches in the driver or
 * fails; XDP_AUTO tries native and, when the interface says no or the kernel
 * refuses, attaches generic instead and keeps the reason (bpfnic_dp_info). Another
 * XDP program on the interface fails every mode (-EBUSY, naming it).
 */
int bpfnic_dp_open(const struct bpfnic_dp_opts *opts, struct bpfnic_dp **out);

/*
 * Release this process's hold: the link goes, and with it the attachment (the
 * interface falls back to the normal stack), unless another holder of its fds (the
 * service manager's fd store) keeps it. Then free.
 */
void bpfnic_dp_close(struct bpfnic_dp *dp);

/* The fds to hand over (borrowed: valid while dp is open), with their names. */
int bpfnic_dp_handover(const struct bpfnic_dp *dp, struct bpfnic_dp_handover *out);

/* The index of name in h, or -1. */
int bpfnic_dp_handover_find(const struct bpfnic_dp_handover *h, const char *name);

/* Whether two fds refer to the same BPF object (map, program or link). */
bool bpfnic_dp_same_object(int a, int b);

/* Replace the whole settings map entry (port, policy, service times): a live change. */
int bpfnic_dp_set_settings(struct bpfnic_dp *dp, const struct bpfnic_settings *cfg);

/*
 * Make cpus[0..n) the members of group g, in that round-robin order. Every CPU must
 * be one of the candidates. Growing writes the new slots before the size, shrinking
 * lowers the size first, so the scheduler never reads a slot that is not filled.
 */
int bpfnic_dp_set_group(struct bpfnic_dp *dp, enum bpfnic_group g, const unsigned *cpus,
			unsigned n);

/*
 * Forget what cpu's load says is in flight or left to do (struct bpfnic_cpu_load): for
 * requests the kernel dropped where the drop tracer could not see it. Each word is
 * written on its own, atomically, so nothing else in the map is touched. A worker
 * that later finishes a request the slot still counted finds nothing to take back
 * and leaves it at 0 (bpf/bpfnic.h).
 */
int bpfnic_dp_clear_load(struct bpfnic_dp *dp, unsigned cpu);

/*
 * A new cpumap entry for a candidate CPU, hence a new kernel thread bound to it: for a
 * CPU back online, whose old thread the kernel moved elsewhere for good when it went
 * offline. Its queued frames are served first; nothing is lost.
 */
int bpfnic_dp_restart_cpu(struct bpfnic_dp *dp, unsigned cpu);

/* Per-CPU statistics as the kernel has them now (monotonic counters). */
struct bpfnic_dp_stats {
	unsigned nr_cpus;                   /* possible CPUs: the arrays' length */
	struct bpfnic_sched_stats *sched;   /* [nr_cpus] */
	struct bpfnic_worker_stats *worker; /* [nr_cpus] */
	__u64 *handed;                      /* [nr_cpus]: requests handed to each target
					       CPU's queue, summed over scheduler CPUs */
	__u64 *queue_drops;                 /* [nr_cpus]: dropped at each target CPU's full
					       queue (exact, from the kernel's tracepoint) */
	bool queue_drops_exact;             /* false: the tracer is not loaded (no
					       CAP_PERFMON); estimate with handed - processed */
	bool tx_drops_exact;                /* worker[].tx_dropped counted by the kernel's
					       xdp_devmap_xmit tracepoint; false: not
					       loaded, and a dropped reply looks sent */
	struct bpfnic_cpu_load *load;       /* [nr_cpus]: each CPU's load bookkeeping, as
					       the scheduler reads it (bpf/bpfnic.h) ... */
	__u64 load_read_ns;                 /* ... at this time (CLOCK_MONOTONIC, the BPF
					       programs' clock) */
	struct bpfnic_load_acc *acc;        /* [nr_cpus]: the estimate's accuracy, counted
					       on each worker CPU */
};

/* Allocate arrays sized for this machine; free with bpfnic_dp_stats_free(). */
int bpfnic_dp_stats_alloc(struct bpfnic_dp_stats *st);
void bpfnic_dp_stats_free(struct bpfnic_dp_stats *st);
int bpfnic_dp_read_stats(struct bpfnic_dp *dp, struct bpfnic_dp_stats *st);

/* What is attached where, for status and tests. */
struct bpfnic_dp_info {
	int ifindex;                 /* 0 when not attached */
	enum bpfnic_xdp_mode mode;   /* the mode actually in use */
	enum bpfnic_xdp_mode requested; /* the mode asked for */
	unsigned sched_prog_id, worker_prog_id, link_id;
	int cpumap_id;               /* map id: cpumap kthreads are named "cpumap/CPU/map:ID" */
	char fallback[512];          /* XDP_AUTO in generic mode: why not native; else "" */
};
int bpfnic_dp_info(struct bpfnic_dp *dp, struct bpfnic_dp_info *info);

/* The skeleton, for the tests and benchmarks that run programs directly. */
struct bpfnic_bpf *bpfnic_dp_skel(struct bpfnic_dp *dp);

#endif
