/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where bpfnic-bench finds what it drives: next to itself in a build tree (build/
 * holds bpfnicd, bpfnicctl and bpfnic-loadgen; the sources hold scripts/lab and
 * bench/experiments/), else where the package installs them (the directories the
 * build was configured with: /usr/sbin, /usr/bin, /usr/lib/bpfnic/lab,
 * /usr/share/bpfnic/experiments).
 */
#ifndef BPFNIC_BENCH_PATHS_H
#define BPFNIC_BENCH_PATHS_H

#include <limits.h>
#include <stdbool.h>

struct bench_paths {
	bool build_tree;
	char bpfnicd[PATH_MAX];
	char bpfnicctl[PATH_MAX];
	char loadgen[PATH_MAX];
	char lab[PATH_MAX];
	char experiments[PATH_MAX];
};

void bench_paths_find(struct bench_paths *p);

#endif
