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
	double qdelay_avg_us, qdelay_p50_us, qdelay_p99_us, qdelay_max_us; /* in the window */
	double service_us;          /* mean measured workload time in the window */
	double kthread_util;        /* 0..1, cpumap kthread CPU use; < 0 when unknown */
	uint64_t handed, processed; /* since attach: requests handed to its queue / served */
	uint64_t queue_drops;       /* since attach: dropped at its full queue */
	uint64_t tx_drops;          /* since attach: its replies the interface did not send */
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
	double qdelay_avg_us, qdelay_p99_us;
	double in_rps, out_rps;
	/* since attach */
	uint64_t requests, replies, passed; /* replies: transmitted (tx - drops_transmit) */
	uint64_t other_address;     /* UDP to the port for an address outside Address=: passed */
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

#endif
