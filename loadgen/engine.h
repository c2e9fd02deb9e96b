/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The measuring engine: client sockets and threads, one step of load, its accounting.
 * Each client is one thread with its own sockets, counters and histograms (client.h).
 * Nothing is shared between clients while a step runs (progress counters aside); the
 * step's end (thread join) is the only synchronisation point.
 */
#ifndef BPFNIC_LG_ENGINE_H
#define BPFNIC_LG_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "options.h"
#include "validity.h"

/* Classes in results: short, long, and "other" for invalid replies with no class. */
#define LG_NR_CLASSES 3u
#define LG_CLASS_OTHER 2u

extern const char *const lg_class_names[LG_NR_CLASSES];

/* Percentiles of one histogram, in ns. */
struct lg_summary {
	uint64_t count;
	double p50, p90, p99, p999, p9999, max, mean, min;
};

void lg_summarize(const struct bpfnic_hist *h, struct lg_summary *s);

/*
 * The accounting of requests, per class and per step: sent = received + lost exactly;
 * invalid replies are counted apart and never measured; send_failures were never sent.
 */
struct lg_counts {
	uint64_t sent, received, lost, invalid, send_failures;
};

struct lg_class_result {
	struct lg_counts counts;
	struct lg_summary rtt, qdelay;
	struct bpfnic_hist_sparse rtt_hist, qdelay_hist; /* what the summaries came from */
};

struct lg_step_result {
	unsigned index;          /* 0-based */
	unsigned clients;
	double offered_rps;      /* configured total */
	double achieved_rps;     /* measured requests sent / duration */
	double mean_gap_ns;      /* between one client's requests */
	uint64_t duration_ns, warmup_ns, drain_ns;
	/* CLOCK_REALTIME ns: the warm-up's start, the measured window's start and end */
	uint64_t warmup_start_ns, wall_start_ns, wall_end_ns;
	uint64_t scheduled;      /* requests the schedule called for in the window */
	struct lg_counts counts;  /* all classes */
	uint64_t stale;          /* replies to an earlier step's requests (already lost there) */
	uint64_t warmup_replies; /* replies to warm-up requests (not measured) */
	bool kernel_timestamps;  /* receive times came from the kernel (SO_TIMESTAMPNS) */
	uint64_t rx_drops;       /* replies the client's own sockets dropped during the step */
	struct lg_class_result cls[LG_NR_CLASSES];
	struct lg_summary send_lag;
	struct bpfnic_hist_sparse send_lag_hist;
	bool valid;
	char reason[320];        /* why not valid (loadgen/validity.h); "" when valid */
};

/* Release a result's histograms (a copy of a result shares them: free one of them). */
void lg_step_result_free(struct lg_step_result *r);

/*
 * Counts, summaries and validity of a step from its classes' counts and the
 * histograms (send lag, per class RTT and queuing delay): lost per class, totals,
 * scheduled (sent + send failures), achieved rate, and the validity rule. The
 * engine finishes every step with it, and a merge of several runs' steps too.
 * 0, or -ENOMEM (the histograms could not be kept).
 */
int lg_step_finish(struct lg_step_result *r, const struct bpfnic_hist *send_lag,
		   const struct bpfnic_hist rtt[2], const struct bpfnic_hist qdelay[2]);

struct lg_engine;

/* Opens sockets for up to max_clients clients. */
int lg_engine_open(struct lg_engine **ep, const struct lg_config *c, unsigned max_clients);
void lg_engine_close(struct lg_engine *e);

/* Called about every 250 ms while a step runs (from the calling thread). */
typedef void (*lg_progress_fn)(void *ctx, const struct lg_step_result *partial,
			       double elapsed_s, double total_s, uint64_t sent, uint64_t received);


/*
 * Runs one step with `clients` clients offering rate_total requests/s in total. Returns
 * 0, or -errno when a socket or thread failed (a message in err).
 */
int lg_engine_run_step(struct lg_engine *e, unsigned index, unsigned clients, double rate_total,
		       uint64_t duration_ns, uint64_t warmup_ns, uint64_t drain_ns,
		       struct lg_step_result *out, lg_progress_fn progress, void *ctx,
		       char *err, size_t errlen);

/*
 * The machine's own timing noise on a client's CPU: spin reading the clock for
 * duration_ns and count the gaps (the thread was not running: interrupts, other
 * tasks, the hypervisor). No send can be more punctual than this.
 */
struct lg_stalls {
	int cpu;                 /* -1: not pinned */
	double seconds;
	uint64_t over_10us, over_100us, over_1ms;
	double max_us;
	double stalled_fraction; /* time lost in gaps over 10 us / duration */
};

int lg_measure_stalls(int cpu, uint64_t duration_ns, struct lg_stalls *out);

#endif
