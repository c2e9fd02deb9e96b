/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What runs an experiment's steps: the boundary between the runner (which knows the
 * experiment, the repetitions and the outputs) and what serves the requests. Today
 * one backend, "live" (live.c): bpfnicd and bpfnic-loadgen on the veth lab of this
 * machine, or on real hosts through command prefixes. A model backend (the queuing
 * model of model/) implements the same operations: set a policy, run one step and
 * give its per-class results and the server's per-window series.
 */
#ifndef BPFNIC_BENCH_BACKEND_H
#define BPFNIC_BENCH_BACKEND_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "bench/bpfnic-bench/experiment.h"
#include "bench/bpfnic-bench/results.h"

/* The server as it is before the run. */
struct bench_server {
	unsigned k;                          /* candidate worker CPUs */
	unsigned cpus[BPFNIC_MAX_CPUS];
	double service_us[BENCH_NR_CLASSES]; /* its configured workload */
	double max_us;                       /* the cap on a requested service time */
	unsigned queue_size;                 /* per CPU; 0 when it does not say */
	char version[64];
	json_object *policy;                 /* its policy object (restored at the end) */
};

/* A policy as the server applied it. */
struct bench_applied {
	unsigned n_main, n_long;             /* group sizes right after the switch */
	unsigned max_cpus;                   /* dynamic: the largest group */
	json_object *policy;                 /* the applied policy object */
};

/* One policy switch: the policy and its parameters as bpfnicctl options. */
struct bench_policy_cmd {
	enum bpfnic_policy policy;
	unsigned n;
	const char *flag[BENCH_MAX_ARM_PARAMS + 2]; /* "--long-cpus" */
	char value[BENCH_MAX_ARM_PARAMS + 2][32];
};

/* One step: the traffic, the load and its timing. */
struct bench_step_spec {
	const struct bench_experiment *e;    /* mix, service times, arrivals, threads */
	double offered_rps;                  /* total, over every client host */
	unsigned clients;                    /* Unit=clients: client threads; else 0 */
	double rate_per_client;
	uint64_t duration_ns, warmup_ns, drain_ns;
	uint64_t seed;
	const char *raw_dir;                 /* where to keep the raw client documents */
	const char *raw_name;                /* ... under this name */
};

struct bench_backend_ops {
	/* The server's state before anything changes. */
	int (*describe)(void *b, struct bench_server *srv, char *err, size_t errlen);
	/*
	 * Set the cpufreq governor of the worker CPUs (NULL: put back what was there).
	 * 0; -EOPNOTSUPP when the server has no cpufreq (*current names what it has).
	 */
	int (*set_governor)(void *b, const char *governor, char *current, size_t size,
			    char *err, size_t errlen);
	/* Switch the policy live; the applied groups in *out (out->policy: the caller's). */
	int (*set_policy)(void *b, const struct bench_policy_cmd *cmd, struct bench_applied *out,
			  char *err, size_t errlen);
	/*
	 * Run one step. Fills the client's side of *r (counts, percentiles, validity, the
	 * measured window's wall-clock span) and appends the server's windows and changes
	 * since the last call to *s.
	 */
	int (*run_step)(void *b, const struct bench_step_spec *spec, struct bench_step_result *r,
			struct bench_series *s, char *err, size_t errlen);
	/*
	 * Wait, up to timeout_ms, until the server has served or dropped what its queues
	 * hold (a window with nothing in or out), so that the next policy does not measure
	 * this one's backlog. 0, or -ETIMEDOUT / -EINTR / -errno.
	 */
	int (*settle)(void *b, unsigned timeout_ms, char *err, size_t errlen);
	/* Both sides' environment, as JSON objects the caller owns. */
	int (*environment)(void *b, json_object **server, json_object **client, char *err,
			   size_t errlen);
	/* Put back what the run changed (policy, governor), stop what it started. */
	void (*close)(void *b);
};

struct bench_backend {
	const struct bench_backend_ops *ops;
	void *state;
	const char *name;                    /* "lab", "hosts" */
};

/* Says why in err and returns r (a -errno): "return bench_fail(err, len, -EIO, ...)". */
static inline int __attribute__((format(printf, 4, 5)))
bench_fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

#endif
