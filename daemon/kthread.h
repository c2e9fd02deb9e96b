/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPU utilisation of the cpumap kernel threads (thesis §4.2.1): the kernel names them
 * "cpumap/<cpu>/map:<map id>"; their run time comes from /proc/<pid>/schedstat
 * (nanoseconds; /proc/<pid>/stat's clock ticks as a fallback). Utilisation over a
 * window = run time gained / wall time passed.
 */
#ifndef BPFNICD_KTHREAD_H
#define BPFNICD_KTHREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpfnic.h"

struct bpfnicd_kthreads {
	int cpumap_id;
	uint64_t last_scan_usec;
	struct {
		pid_t pid;            /* 0: not found yet */
		bool have_prev;
		uint64_t prev_run_ns, prev_usec;
	} cpu[BPFNIC_MAX_CPUS];
};

void bpfnicd_kthreads_init(struct bpfnicd_kthreads *kt, int cpumap_id);

/* Utilisation of cpu's kthread since the previous call (0..1), or -1 when unknown. */
double bpfnicd_kthread_util(struct bpfnicd_kthreads *kt, unsigned cpu, uint64_t now_usec);

/* cpu's kthread's CPU time (ns) as the last bpfnicd_kthread_util() read it; -1: unknown. */
int64_t bpfnicd_kthread_run_ns(const struct bpfnicd_kthreads *kt, unsigned cpu);

#endif
