/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's statistics, the one place they are computed and put into JSON (the
 * methods, Monitor, and whatever else reports them read them from here): one window,
 * what happened between two readings of the data path's counters, per candidate
 * worker CPU and in total. Pure arithmetic (datapath/dpstats) over two struct
 * bpfnic_dp_stats; unit tests reach it directly.
 */
#ifndef BPFNICD_STATS_H
#define BPFNICD_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/datapath.h"

struct bpfnicd_cpu_window {
	unsigned cpu;
	double rps;                 /* requests served per second in the window */
	double in_rps;              /* requests handed to its queue per second in the window */
	double qdelay_avg_us, qdelay_p50_us, qdelay_p99_us, qdelay_max_us; /* in the window */
	double service_us;          /* mean measured workload time in the window */
	double kthread_util;        /* 0..1, cpumap kthread CPU use; < 0 when unknown */
	uint64_t handed, processed; /* since attach: requests handed to its queue / served */
	uint64_t queue_drops;       /* since attach: dropped at its full queue */
	uint64_t tx_drops;          /* since attach: its replies the interface did not send */
	uint64_t qdelay_sum_ns, service_sum_ns; /* since attach */
	int64_t kthread_run_ns;     /* the cpumap kthread's CPU time since it started; < 0
				       when unknown (the sampler fills it) */
	uint64_t window_queue_drops; /* queue drops in the window */
};

/* A CPU the scheduler ran on (one that takes the interface's RX), since attach. */
struct bpfnicd_rx_cpu {
	unsigned cpu;
	uint64_t requests;          /* requests the scheduler took there */
};

struct bpfnicd_window {
	double window_ms;
	unsigned n;                 /* candidate CPUs, in Cpus= order */
	struct bpfnicd_cpu_window cpu[BPFNIC_MAX_CPUS];
	/* the window, all worker CPUs together: the controller's input */
	bool traffic;
	uint64_t served;
	double qdelay_avg_us, qdelay_p50_us, qdelay_p99_us;
	double in_rps, out_rps;
	/* since attach */
	uint64_t requests, replies, passed; /* replies: transmitted (tx - drops_transmit) */
	uint64_t other_address;     /* UDP to the port for an address outside Address=: passed */
	uint64_t requests_class[BPFNIC_NR_CLASSES]; /* requests by class byte */
	uint64_t drops_queue;       /* exact from the kernel's tracepoint; without the tracer,
				       handed - processed (which counts the few in flight) */
	bool drops_queue_exact;
	uint64_t drops_no_cpu, drops_redirect_err, drops_tx_err, drops_short_payload,
		 drops_too_long;
	uint64_t drops_transmit;    /* replies the devmap took that the interface did not send;
				       exact from the kernel's tracepoints, else 0 */
	bool drops_transmit_exact;
	unsigned n_rx;              /* CPUs the scheduler ran on, ascending */
	struct bpfnicd_rx_cpu rx[BPFNIC_MAX_CPUS];
};

/*
 * Compute the window between before and now (before may be NULL: the window then
 * starts at attach), over the candidate CPUs cpus[0..n). kthread_util is left at -1
 * for the caller to fill.
 */
void bpfnicd_window_compute(const struct bpfnic_dp_stats *now, const struct bpfnic_dp_stats *before,
			    const unsigned *cpus, unsigned n, double window_ms,
			    struct bpfnicd_window *out);

/* The request classes as statistics name them (labels): short, long, unknown. */
extern const char *const bpfnicd_class_names[BPFNIC_NR_CLASSES];

/* A counter since attach of struct bpfnicd_window, by the name reports give it. */
struct bpfnicd_counter {
	const char *name;
	size_t offset; /* of a uint64_t in struct bpfnicd_window */
};
/* The drops by cause ("queue", "no_cpu", ...): JSON keys and metric labels. */
extern const struct bpfnicd_counter bpfnicd_drop_counters[];
extern const unsigned bpfnicd_n_drop_counters;

static inline uint64_t bpfnicd_counter_value(const struct bpfnicd_counter *c,
					     const struct bpfnicd_window *w)
{
	return *(const uint64_t *)((const char *)w + c->offset);
}

/*
 * The queuing-delay histogram with Prometheus' buckets: BPFNICD_QDELAY_N_LE upper
 * bounds, eight per octave from 512 ns to 2 s: every bound of the BPF histogram
 * (bpf/bpfnic.h) in that span, minus one, so a bucket counts exactly the delays <= its
 * bound (integer nanoseconds) and nothing is interpolated. Four per octave would halve
 * the series, but a delay that hardly varies then puts Prometheus' p99 up to 25 % away
 * from the daemon's; with eight it stays within 13 % (tests/unit/test_stats.c).
 */
#define BPFNICD_QDELAY_FIRST_OCTAVE 9u /* the first bound is 2^9 - 1 ns */
#define BPFNICD_QDELAY_PER_OCTAVE   8u
#define BPFNICD_QDELAY_N_LE         176u
/* The i-th upper bound in ns (i < BPFNICD_QDELAY_N_LE). */
uint64_t bpfnicd_qdelay_le_ns(unsigned i);
/* w's delays <= each bound (cumulative), and how many there are in all (+Inf). */
void bpfnicd_qdelay_buckets(const struct bpfnic_worker_stats *w,
			    uint64_t le_count[BPFNICD_QDELAY_N_LE], uint64_t *total);

struct json_object;

/*
 * The "totals" object: counters since attach from cum (a fresh reading, or the window
 * itself), rates and queuing delay from the window win.
 */
struct json_object *bpfnicd_stats_totals_json(const struct bpfnicd_window *win,
					      const struct bpfnicd_window *cum);

/*
 * The "cpus" array: one row per candidate CPU of win, counters since attach from cum;
 * group[i] names the group of win->cpu[i] ("main", "long"), NULL for none.
 */
struct json_object *bpfnicd_stats_cpus_json(const struct bpfnicd_window *win,
					    const struct bpfnicd_window *cum,
					    const char *const *group);

/* The "rx_cpus" array: the CPUs the scheduler ran on, with its requests there (cum). */
struct json_object *bpfnicd_stats_rx_cpus_json(const struct bpfnicd_window *cum);
/*
 * A queuing delay in µs as the IDL has it, {avg, p50, p99, max} to one decimal: a NAN
 * member is left out (QueuingDelay is avg and p99, WindowQueuingDelay has no max).
 */
struct json_object *bpfnicd_qdelay_json(double avg, double p50, double p99, double max);

/* A JSON array of CPU ids. */
struct json_object *bpfnicd_cpus_json(const unsigned *cpus, unsigned n);

/* A group's name in replies ("main", "long"); NULL for -1, no group. */
const char *bpfnicd_group_name(int group);

/* The IDL's Groups: {"main": [CPU...], "long": [CPU...]}, each in round-robin order. */
struct json_object *bpfnicd_groups_json(const unsigned *main_cpus, unsigned n_main,
					const unsigned *long_cpus, unsigned n_long);

#endif
