/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The model backend (bpfnic-bench run --model): the same experiment files on the
 * discrete-event model of the server (model/sim.h) instead of the lab, at any number
 * of CPUs. Arrivals come from the load generator's own arrival code (lib/arrival),
 * requests go where the BPF program's pick functions send them, the dynamic group is
 * sized by the daemon's own scaler, and policies are set through the daemon's own
 * SetPolicy checks (lib/params): the model and the data path cannot drift apart.
 *
 * What the model cannot know it takes from lab measurements, and says where from
 * (environment.json, server.figures): the per-request overhead of a worker besides
 * the service time, and the wake-up delay of an idle worker.
 */
#ifndef BPFNIC_BENCH_MODEL_H
#define BPFNIC_BENCH_MODEL_H

#include <stdint.h>

#include "bench/bpfnic-bench/backend.h"

/*
 * Per-request worker overhead and wake-up delay, measured on the 2-CPU veth lab
 * (kernel 6.18, bimodal 60/600 µs, 2026-11-26) with the cpumap kthreads at
 * SCHED_FIFO 49, the class that lets workers answer in microseconds: the sources
 * below say how.
 */
#define BENCH_MODEL_OVERHEAD_NS 14000u
#define BENCH_MODEL_WAKEUP_NS   6000u
extern const char *const bench_model_overhead_source;
extern const char *const bench_model_wakeup_source;

struct bench_model_opts {
	unsigned cpus;          /* worker CPUs of the modelled server */
	uint64_t overhead_ns;   /* worker time per request besides its service */
	uint64_t wakeup_ns;     /* until an idle worker picks a request up */
	unsigned queue_len;     /* per CPU; 0: the daemon's default */
};

/* Opens the model backend. -EINVAL with why for options it cannot run, -ENOMEM. */
int bench_model_open(const struct bench_model_opts *o, struct bench_backend *b, char *err,
		     size_t errlen);

#endif
