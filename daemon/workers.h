/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The worker threads' scheduling: the cpumap kernel thread of every candidate CPU
 * runs in the class of [Daemon] WorkerScheduling= (bpfnicd.conf(5) says why the
 * default is real-time). Set at start, again whenever the set of threads changes (the
 * kernel makes a new one when a cpumap entry is replaced: daemon/kthread finds the
 * pids), and on a reload that changes the key. What cannot be set (no CAP_SYS_NICE,
 * a seccomp filter, threads not visible from a container's PID namespace) is logged
 * once as a warning with the reason, kept for status, and the daemon carries on.
 */
#ifndef BPFNICD_WORKERS_H
#define BPFNICD_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "daemon/kthread.h"
#include "daemon/stats.h"

struct bpfnicd_workers;

/* Set want on the threads of cpus (kt finds them; it must outlive w). 0 or -ENOMEM. */
int bpfnicd_workers_new(struct bpfnicd_kthreads *kt, const struct bpfnic_cpus *cpus,
			const struct bpfnic_worker_sched *want, uint64_t now_usec,
			struct bpfnicd_workers **out);
void bpfnicd_workers_free(struct bpfnicd_workers *w);

/* A reload: from now on, want (set at once when it differs from the running one). */
void bpfnicd_workers_set(struct bpfnicd_workers *w, const struct bpfnic_worker_sched *want,
			 uint64_t now_usec);

/* The tick: threads that appeared since the last look get the class. */
void bpfnicd_workers_tick(struct bpfnicd_workers *w, uint64_t now_usec);

/* Why the setting is not in force ("" when it is). */
const char *bpfnicd_workers_problem(const struct bpfnicd_workers *w);

struct json_object;

/*
 * The "workers" object of GetStatus: the setting, the problem (null when none), and
 * every candidate CPU's thread as the kernel has it now, with its CPU use from win.
 */
struct json_object *bpfnicd_workers_json(const struct bpfnicd_workers *w,
					 const struct bpfnicd_window *win);

/* What bpfnicd may do, for the reasons below. */
struct bpfnicd_privileges {
	bool cap_sys_nice;      /* in the effective set */
	bool seccomp;           /* a seccomp filter applies */
	unsigned long rtprio;   /* RLIMIT_RTPRIO's soft limit */
};

/*
 * Why setting the class want failed with err (-errno), given what bpfnicd may do.
 * Pure; returns buf.
 */
const char *bpfnicd_workers_why(int err, const struct bpfnicd_privileges *may,
				const struct bpfnic_worker_sched *want, char *buf, size_t size);

#endif
