/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A discrete-event model of the bpfnic server, at any number of CPUs, that runs the
 * data path's and the daemon's own code where they decide something:
 *
 *   clients    the load generator's arrival code (lib/arrival: Poisson or constant,
 *              seeded, the class drawn by the mix), one process per client thread,
 *              seeded and phased as bpfnic-loadgen seeds and phases its threads;
 *   scheduler  the pick functions of bpf/bpfnic.h, with the state the BPF program
 *              keeps (a round-robin cursor per RX queue and group);
 *   workers    a FIFO queue per CPU of queue_len requests (more are dropped and
 *              counted, as at a full cpumap queue), each request served for its
 *              class's service time plus a per-request overhead; an idle worker
 *              picks a request up wakeup_ns after it reaches its queue;
 *   statistics per CPU, the worker's own (struct bpfnic_worker_stats, recorded at the
 *              same points), read per window as the daemon reads them;
 *   dynamic    the daemon's scaler on those windows (model/daemon_glue.h), for every
 *              policy the table marks as scaled.
 *
 * Queuing delay is pick-up - arrival at the scheduler (design.md). Pure: no clock, no
 * I/O; time is the model's own (ns from 0), results come back in structs.
 *
 * Use: bpfnic_model_new(), then one bpfnic_model_run_step() per load step, in order
 * (the server's state carries over from step to step, as on a real server), and
 * bpfnic_model_free(). bpfnic_model_on_window() gets the per-window series.
 */
#ifndef BPFNIC_MODEL_SIM_H
#define BPFNIC_MODEL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfnic.h"
#include "arrival.h"
#include "hist.h"
#include "params.h"
#include "model/daemon_glue.h"

#define BPFNIC_MODEL_DEFAULT_QUEUE_LEN 4096u    /* the daemon's default cpumap queue */
#define BPFNIC_MODEL_MAX_QUEUE_LEN     (1u << 24) /* beyond any cpumap: "no limit" for tests */
#define BPFNIC_MODEL_MAX_CLIENTS       1024u
/* Requests one step may send (warm-up included): minutes of the model's CPU time. */
#define BPFNIC_MODEL_MAX_STEP_REQUESTS 1e10

enum bpfnic_model_service {
	BPFNIC_MODEL_SERVICE_CONSTANT = 0, /* the class's time exactly, as the workers spin */
	BPFNIC_MODEL_SERVICE_EXPONENTIAL,  /* exponential with the class's time as its mean */
};

enum bpfnic_model_queueing {
	/* A FIFO per worker CPU, filled by the policy's pick: the data path. */
	BPFNIC_MODEL_PER_CPU = 0,
	/* One FIFO shared by the group's CPUs (M/G/k), which no policy has: a reference.
	 * Modelled as sending each request to the CPU whose work ends first (ties
	 * round-robin), which gives every request the same pick-up time. */
	BPFNIC_MODEL_SHARED,
};

struct bpfnic_model_config {
	/* The server. */
	unsigned cpus;          /* worker CPUs; model ids 0..cpus-1 stand for Cpus= in order */
	unsigned rx_queues;     /* scheduler CPUs, each with its own cursors; 0 = 1. Client
				 * thread i's flow arrives on queue i % rx_queues */
	unsigned queue_len;     /* requests waiting per CPU; 0 = BPFNIC_MODEL_DEFAULT_QUEUE_LEN */
	struct bpfnic_policy_params policy; /* as SetPolicy sets it; groups as bpfnicd makes
					     * them (daemon/policy.h), Cpus= being 0..cpus-1 */
	enum bpfnic_model_queueing queueing;
	uint64_t service_ns[2]; /* per class: short, long */
	enum bpfnic_model_service service;
	uint64_t overhead_ns;   /* worker time per request besides its service, after it */
	uint64_t wakeup_ns;     /* from a request reaching an idle worker to its pick-up */
	/* The clients. */
	enum bpfnic_arrivals arrivals;
	unsigned clients;       /* client threads, each its own arrival process; 0 = 1 */
	unsigned mix[2];        /* class weights: short, long */
	uint64_t seed;
};

/* One load step, as an experiment file gives it. */
struct bpfnic_model_step {
	double rate_rps;        /* offered, all clients together */
	uint64_t warmup_ns;     /* sent at the rate before the measured part, not measured */
	uint64_t duration_ns;   /* the measured part */
	uint64_t drain_ns;      /* after the last send: no arrivals, the queues empty */
};

struct bpfnic_model_class {
	uint64_t sent;          /* requests sent in the measured part */
	uint64_t drop_queue;    /* of those, dropped at a full queue */
	uint64_t drop_no_cpu;   /* of those, dropped because their group was empty */
	struct bpfnic_hist qdelay; /* pick-up - arrival of the others (all are served) */
};

struct bpfnic_model_result {
	uint64_t start_ns, end_ns;      /* the measured part, model clock */
	struct bpfnic_model_class cls[2];
	unsigned group_start[BPFNIC_NR_GROUPS]; /* group sizes when the measured part began */
	unsigned group_end[BPFNIC_NR_GROUPS];   /* ... and when it ended */
	unsigned grows, shrinks;        /* the controller's changes in the measured part */
};

/* Since bpfnic_model_new(), per class; served: taken by a queue (each is served in time). */
struct bpfnic_model_totals {
	uint64_t now_ns;
	uint64_t sent[2], served[2], drop_queue[2], drop_no_cpu[2];
	unsigned grows, shrinks;
};

/* One statistics window, the daemon's interval_ms long. */
struct bpfnic_model_cpu_window {
	uint64_t in;            /* sent to its queue by the scheduler, dropped ones included */
	uint64_t out;           /* served (workload done) */
	uint64_t drops;         /* dropped at its full queue */
	double qdelay_p50_us, qdelay_p99_us; /* of the requests it picked up */
	double service_us;      /* mean workload time of those it served */
	unsigned waiting;       /* in its queue at the window's end */
};

struct bpfnic_model_window {
	uint64_t start_ns, end_ns;
	unsigned n_cpus;
	const struct bpfnic_model_cpu_window *cpu; /* [n_cpus] */
	/* all CPUs together, computed as the daemon computes its window: */
	uint64_t in, out, drops_queue, drops_no_cpu;
	double qdelay_avg_us, qdelay_p50_us, qdelay_p99_us;
	/* the controller (dynamic), deciding on this window: */
	enum bpfnic_model_scale change;
	unsigned changed_cpu;   /* the CPU added or removed */
	const char *reason;     /* as the daemon logs it; "" when HOLD */
	unsigned group_size[BPFNIC_NR_GROUPS]; /* after the decision */
};

typedef void bpfnic_model_window_fn(void *ctx, const struct bpfnic_model_window *w);

struct bpfnic_model;

/* The daemon's defaults for a server of n_cpus CPUs, resolved as bpfnicd resolves
 * them (MaxCpus= all of them, the low-water mark half the threshold). */
void bpfnic_model_policy_defaults(struct bpfnic_policy_params *p, unsigned n_cpus);

/*
 * A model at time 0, every queue empty; dynamic starts at MinCpus=, as bpfnicd does.
 * -EINVAL with why (naming the parameter) for a configuration it cannot run, -ENOMEM.
 */
int bpfnic_model_new(const struct bpfnic_model_config *c, struct bpfnic_model **out, char *why,
		     size_t why_size);
void bpfnic_model_free(struct bpfnic_model *m);

/* Call fn at every window's end (NULL: none). The window is valid during the call. */
void bpfnic_model_on_window(struct bpfnic_model *m, bpfnic_model_window_fn *fn, void *ctx);

/*
 * Run one step from the model's present time; r (about 60 KiB) gets its measured
 * part. -EINVAL for a rate that is not positive and finite, a duration of 0 or a time
 * past 10^6 s; -E2BIG for a step of more than BPFNIC_MODEL_MAX_STEP_REQUESTS requests.
 */
int bpfnic_model_run_step(struct bpfnic_model *m, const struct bpfnic_model_step *s,
			  struct bpfnic_model_result *r);

void bpfnic_model_totals(const struct bpfnic_model *m, struct bpfnic_model_totals *t);

#endif
