/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The worker threads' scheduling class: see workers.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cpulist.h"
#include "varlink.h"
#include "daemon/log.h"
#include "daemon/workers.h"

#define CAP_SYS_NICE_BIT 23
/* The inode of the initial PID namespace (the kernel's PROC_PID_INIT_INO). */
#define INIT_PID_NS "pid:[4026531836]"

struct bpfnicd_workers {
	struct bpfnicd_kthreads *kt;
	struct bpfnic_cpus cpus;
	struct bpfnic_worker_sched want;
	bool looked;               /* applied at least once */
	unsigned seen_generation;  /* of kt, when last applied */
	char problem[512];         /* why want is not in force; "" when it is */
	char warned[512];          /* the last problem logged, so each is logged once */
};

/* A thread's class as the kernel has it. */
struct thread_sched {
	int policy;
	int priority;
	int nice;
};

static int read_sched(pid_t pid, struct thread_sched *t)
{
	struct sched_param sp;
	int policy = sched_getscheduler(pid);

	if (policy < 0 || sched_getparam(pid, &sp) < 0)
		return -errno;
	errno = 0;
	t->nice = getpriority(PRIO_PROCESS, (id_t)pid);
	if (errno)
		return -errno;
	t->policy = policy & ~SCHED_RESET_ON_FORK;
	t->priority = sp.sched_priority;
	return 0;
}

static bool in_force(const struct bpfnic_worker_sched *want, const struct thread_sched *t)
{
	if (want->policy == SCHED_OTHER)
		return t->policy == SCHED_OTHER && t->nice == 0;
	return t->policy == want->policy && t->priority == (int)want->priority;
}

static int set_sched(pid_t pid, const struct bpfnic_worker_sched *want)
{
	struct sched_param sp = { .sched_priority = (int)want->priority };

	if (sched_setscheduler(pid, want->policy, &sp) < 0)
		return -errno;
	/* other means what a new kernel thread has: nice 0 as well. */
	if (want->policy == SCHED_OTHER && setpriority(PRIO_PROCESS, (id_t)pid, 0) < 0)
		return -errno;
	return 0;
}

/* ---- why it did not work --------------------------------------------------------------- */

/* What we may do: CAP_SYS_NICE and a seccomp filter from /proc/self/status. */
static void read_privileges(struct bpfnicd_privileges *may)
{
	struct rlimit rl;
	char buf[4096];
	const char *s;

	*may = (struct bpfnicd_privileges){ 0 };
	if (getrlimit(RLIMIT_RTPRIO, &rl) == 0)
		may->rtprio = rl.rlim_cur == RLIM_INFINITY ? 99 : (unsigned long)rl.rlim_cur;
	if (bpfnicd_read_small("/proc/self/status", buf, sizeof(buf)) < 0)
		return;
	s = strstr(buf, "\nCapEff:");
	if (s)
		may->cap_sys_nice = (strtoull(s + 8, NULL, 16) >> CAP_SYS_NICE_BIT) & 1;
	s = strstr(buf, "\nSeccomp:");
	if (s)
		may->seccomp = strtol(s + 9, NULL, 10) == 2;
}

const char *bpfnicd_workers_why(int err, const struct bpfnicd_privileges *may,
				const struct bpfnic_worker_sched *want, char *buf, size_t size)
{
	if (err == -EPERM && !may->cap_sys_nice && want->priority > may->rtprio)
		snprintf(buf, size, "bpfnicd lacks CAP_SYS_NICE, and its RLIMIT_RTPRIO (%lu) is "
			 "below priority %u", may->rtprio, want->priority);
	else if (err == -EPERM && !may->cap_sys_nice)
		snprintf(buf, size, "bpfnicd lacks CAP_SYS_NICE");
	else if (err == -EPERM && may->seccomp)
		snprintf(buf, size, "refused although bpfnicd has CAP_SYS_NICE: its seccomp filter "
			 "forbids it (systemd's RestrictRealtime=yes, or a SystemCallFilter= without "
			 "sched_setscheduler and setpriority)");
	else if (err == -EPERM)
		snprintf(buf, size, "refused although bpfnicd has CAP_SYS_NICE (a security module, "
			 "or real-time group scheduling without runtime for the threads' group)");
	else
		snprintf(buf, size, "%s", strerror(-err));
	return buf;
}

/* Why threads cannot be found at all: a PID namespace, or hidepid. */
static const char *why_not_visible(void)
{
	char comm[32], ns[64];
	ssize_t n;

	if (bpfnicd_read_small("/proc/2/comm", comm, sizeof(comm)) == 0 && !strcmp(comm, "kthreadd\n"))
		return NULL; /* kernel threads are visible: ours may come later */
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	if (n > 0 && (ns[n] = '\0', strcmp(ns, INIT_PID_NS) != 0))
		return "kernel threads are not visible from bpfnicd's PID namespace (a container): "
		       "set their class from the host";
	return "kernel threads are hidden from bpfnicd (/proc mounted with hidepid=, systemd's "
	       "ProtectProc=)";
}

/* ---- applying it ---------------------------------------------------------------------------- */

static void apply(struct bpfnicd_workers *w)
{
	unsigned changed[BPFNIC_MAX_CPUS], failed[BPFNIC_MAX_CPUS], missing[BPFNIC_MAX_CPUS];
	unsigned n_changed = 0, n_failed = 0, n_missing = 0;
	char want[32], list[128], why[200];
	int first_err = 0;

	bpfnic_worker_sched_format(&w->want, want, sizeof(want));
	for (unsigned i = 0; i < w->cpus.n; i++) {
		unsigned cpu = w->cpus.cpu[i];
		pid_t pid = bpfnicd_kthread_pid(w->kt, cpu);
		struct thread_sched t;
		int r;

		if (!pid) {
			missing[n_missing++] = cpu;
			continue;
		}
		r = read_sched(pid, &t);
		if (r >= 0 && in_force(&w->want, &t))
			continue;
		if (r >= 0)
			r = set_sched(pid, &w->want);
		if (r < 0) {
			if (!first_err)
				first_err = r;
			failed[n_failed++] = cpu;
		} else {
			changed[n_changed++] = cpu;
		}
	}
	w->looked = true;
	w->problem[0] = '\0';
	if (n_changed) {
		bpfnic_cpulist_format(changed, n_changed, list, sizeof(list));
		log_info("worker threads of CPUs %s now run as %s", list, want);
	}
	if (n_failed) {
		struct bpfnicd_privileges may;

		read_privileges(&may);
		bpfnic_cpulist_format(failed, n_failed, list, sizeof(list));
		snprintf(w->problem, sizeof(w->problem), "cannot set the worker threads of CPUs %s "
			 "to %s: %s", list, want, bpfnicd_workers_why(first_err, &may, &w->want, why,
								      sizeof(why)));
	} else if (n_missing) {
		const char *hidden = why_not_visible();

		bpfnic_cpulist_format(missing, n_missing, list, sizeof(list));
		snprintf(w->problem, sizeof(w->problem), "no worker thread found for CPUs %s (cpumap "
			 "id %d), so WorkerScheduling=%s is not applied to them%s%s", list,
			 w->kt->cpumap_id, want, hidden ? ": " : "", hidden ? hidden : "");
	}
	if (w->problem[0] && strcmp(w->problem, w->warned) != 0) {
		log_warning("%s; carrying on", w->problem);
		snprintf(w->warned, sizeof(w->warned), "%s", w->problem);
	} else if (!w->problem[0] && w->warned[0]) {
		log_info("WorkerScheduling=%s is now in force on every worker thread", want);
		w->warned[0] = '\0';
	}
}

int bpfnicd_workers_new(struct bpfnicd_kthreads *kt, const struct bpfnic_cpus *cpus,
			const struct bpfnic_worker_sched *want, uint64_t now_usec,
			struct bpfnicd_workers **out)
{
	struct bpfnicd_workers *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->kt = kt;
	w->cpus = *cpus;
	w->want = *want;
	w->seen_generation = bpfnicd_kthreads_refresh(kt, cpus->cpu, cpus->n, now_usec);
	apply(w);
	*out = w;
	return 0;
}

void bpfnicd_workers_free(struct bpfnicd_workers *w)
{
	free(w);
}

void bpfnicd_workers_set(struct bpfnicd_workers *w, const struct bpfnic_worker_sched *want,
			 uint64_t now_usec)
{
	if (w->looked && w->want.policy == want->policy && w->want.priority == want->priority)
		return;
	w->want = *want;
	w->warned[0] = '\0'; /* a new setting: its problems are news */
	w->seen_generation = bpfnicd_kthreads_refresh(w->kt, w->cpus.cpu, w->cpus.n, now_usec);
	apply(w);
}

void bpfnicd_workers_tick(struct bpfnicd_workers *w, uint64_t now_usec)
{
	unsigned gen = bpfnicd_kthreads_refresh(w->kt, w->cpus.cpu, w->cpus.n, now_usec);

	if (gen == w->seen_generation)
		return;
	w->seen_generation = gen;
	apply(w);
}

const char *bpfnicd_workers_problem(const struct bpfnicd_workers *w)
{
	return w->problem;
}

/* ---- status ------------------------------------------------------------------------------------ */

static struct json_object *thread_json(const struct bpfnicd_workers *w, unsigned cpu,
				       const struct bpfnicd_window *win)
{
	struct json_object *o = json_object_new_object();
	pid_t pid = bpfnicd_kthread_pid(w->kt, cpu);
	struct thread_sched t;
	const char *name = NULL;
	double use = -1;

	if (pid && read_sched(pid, &t) == 0)
		name = bpfnic_sched_class_name(t.policy);
	for (unsigned i = 0; win && i < win->n; i++)
		if (win->cpu[i].cpu == cpu)
			use = win->cpu[i].kthread_util;
	json_object_object_add(o, "cpu", json_object_new_int64(cpu));
	json_object_object_add(o, "pid", pid ? json_object_new_int64(pid) : NULL);
	json_object_object_add(o, "class", name ? json_object_new_string(name) : NULL);
	json_object_object_add(o, "priority", name ? json_object_new_int64(t.priority) : NULL);
	json_object_object_add(o, "nice", name ? json_object_new_int64(t.nice) : NULL);
	json_object_object_add(o, "cpu_use", use >= 0 ? bpfnic_vl_number(use, 3) : NULL);
	return o;
}

struct json_object *bpfnicd_workers_json(const struct bpfnicd_workers *w,
					 const struct bpfnicd_window *win)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char want[32];

	for (unsigned i = 0; i < w->cpus.n; i++)
		json_object_array_add(a, thread_json(w, w->cpus.cpu[i], win));
	json_object_object_add(o, "scheduling", json_object_new_string(
		bpfnic_worker_sched_format(&w->want, want, sizeof(want))));
	json_object_object_add(o, "problem", w->problem[0] ? json_object_new_string(w->problem) : NULL);
	json_object_object_add(o, "threads", a);
	return o;
}
