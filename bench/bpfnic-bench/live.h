/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live backend: the real bpfnicd, steered with bpfnicctl, under load from the real
 * bpfnic-loadgen. Either on the veth lab of this machine, which it makes (scripts/lab,
 * installed as /usr/lib/bpfnic/lab), runs bpfnicd in and removes again, or on hosts
 * reached through command prefixes: --server (where bpfnicd already runs; bpfnicctl
 * and the environment probe run there) and --client (one load generator each, their
 * runs merged with bpfnic-loadgen merge). Nothing but the lab is touched without
 * those options.
 */
#ifndef BPFNIC_BENCH_LIVE_H
#define BPFNIC_BENCH_LIVE_H

#include "bench/bpfnic-bench/backend.h"
#include "bench/bpfnic-bench/paths.h"

#define BENCH_MAX_CLIENTS 16u

struct bench_live_opts {
	const struct bench_paths *paths;
	const char *server;                     /* prefix; NULL: the lab */
	const char *target;                     /* HOST:PORT; NULL: the lab's server */
	const char *clients[BENCH_MAX_CLIENTS]; /* prefixes; none: one client here */
	unsigned n_clients;
	const char *lab;                        /* the lab's name (scripts/lab's BPFNIC_LAB) */
	const char *dir;                        /* the run's directory: logs, raw documents */
	/* The lab's bpfnicd.conf [Workload] (0: bpfnicd's defaults); requests ask for
	 * their own service time anyway. */
	unsigned service_us[BENCH_NR_CLASSES];
};

/* Opens the backend: makes the lab and starts bpfnicd there, or checks the server. */
int bench_live_open(const struct bench_live_opts *o, struct bench_backend *b, char *err,
		    size_t errlen);

#endif
