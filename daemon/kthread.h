/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPU utilisation of the cpumap kernel threads (thesis §4.2.1): the kernel names them
 * "cpumap/<cpu>/map:<map id>"; their run time comes from /proc/<pid>/schedstat
 * (nanoseconds; /proc/<pid>/stat's clock ticks as a fallback). Utilisation over a
 * window = run time gained / wall time passed.
 *
 * The pids are found by a scan of /proc, again when one goes away (at once) and while
 * one is missing (at most every 10 s); daemon/workers sets their scheduling class
 * whenever the set of pids changes (the generation below).
 */
#ifndef BPFNICD_KTHREAD_H
#define BPFNICD_KTHREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpfnic.h"

struct bpfnicd_kthreads {
	int cpumap_id;
	uint64_t last_scan_usec;
	unsigned generation;          /* goes up whenever a CPU's pid changes */
	struct {
		pid_t pid;            /* 0: not found yet */
		bool have_prev;
		uint64_t prev_run_ns, prev_usec;
	} cpu[BPFNIC_MAX_CPUS];
};

void bpfnicd_kthreads_init(struct bpfnicd_kthreads *kt, int cpumap_id);

/* Read a small file (of /proc) whole into buf, NUL-terminated. 0 or -errno. */
int bpfnicd_read_small(const char *path, char *buf, size_t size);

/*
 * Make sure the pids of the candidate CPUs cpus[0..n) are still their threads, and
 * look for missing ones. Returns the generation.
 */
unsigned bpfnicd_kthreads_refresh(struct bpfnicd_kthreads *kt, const unsigned *cpus, unsigned n,
				  uint64_t now_usec);

/* The pid of cpu's thread, 0 when not found. */
pid_t bpfnicd_kthread_pid(const struct bpfnicd_kthreads *kt, unsigned cpu);

/* Utilisation of cpu's kthread since the previous call (0..1), or -1 when unknown. */
double bpfnicd_kthread_util(struct bpfnicd_kthreads *kt, unsigned cpu, uint64_t now_usec);

/* cpu's kthread's CPU time (ns) as the last bpfnicd_kthread_util() read it; -1: unknown. */
int64_t bpfnicd_kthread_run_ns(const struct bpfnicd_kthreads *kt, unsigned cpu);

#endif
