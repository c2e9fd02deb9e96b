/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's history: two rings, bounded by [Daemon] HistoryWindows= and
 * HistoryChanges=, read through GetStats' since_usec (and GetStatus' last changes),
 * so that a client reads a whole run afterwards instead of sampling it.
 *
 *   windows  every statistics window as daemon/stats computed it (nothing is
 *            computed again here): when it ended (CLOCK_REALTIME), its length,
 *            the policy and each candidate CPU's group, the rates and queuing
 *            delay in total and per CPU. Figures are kept as floats (7 significant
 *            digits, more than the replies' one decimal needs): a window takes
 *            BPFNICD_HISTORY_WINDOW_BYTES(CPUs) bytes, 40 + 36 per candidate CPU.
 *   changes  every grow, shrink and policy change (SetPolicy, reload), with its
 *            reason: BPFNICD_HISTORY_CHANGE_BYTES each.
 *
 * Both are allocated whole at start: the memory is fixed, and a full ring drops its
 * oldest entry. Pure (no I/O, no clock: times are passed in); unit tests reach it.
 */
#ifndef BPFNICD_HISTORY_H
#define BPFNICD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "daemon/stats.h"

enum bpfnicd_change_action {
	BPFNICD_CHANGE_GROW,
	BPFNICD_CHANGE_SHRINK,
	BPFNICD_CHANGE_POLICY, /* SetPolicy or a reload changed the policy or its parameters */
};

/* One change, as the changes ring keeps it. */
struct bpfnicd_change {
	uint64_t time_usec;              /* CLOCK_REALTIME */
	enum bpfnicd_change_action action;
	int cpu;                         /* the CPU added or removed; -1 for a policy change */
	enum bpfnic_group group;         /* the group that changed size (main for policy) */
	unsigned group_size;             /* its size after the change */
	double metric_us;                /* the scaler's input; NAN for a policy change */
	char reason[160];
};

#define BPFNICD_HISTORY_WINDOW_BYTES(n_cpus) (40u + 36u * (n_cpus))
#define BPFNICD_HISTORY_CHANGE_BYTES sizeof(struct bpfnicd_change)

struct bpfnicd_history;

/*
 * Rings for max_windows windows over the candidate CPUs cpus (Cpus=, which changes
 * only with a restart) and max_changes changes. 0, or -ENOMEM / -EINVAL (a max of 0).
 */
int bpfnicd_history_new(const struct bpfnic_cpus *cpus, unsigned max_windows,
			unsigned max_changes, struct bpfnicd_history **out);
void bpfnicd_history_free(struct bpfnicd_history *h);

/*
 * Keep window w (over the candidate CPUs, in Cpus= order), which ended at time_usec,
 * under policy; group[i] is the group w->cpu[i] served (enum bpfnic_group), -1 none.
 */
void bpfnicd_history_add_window(struct bpfnicd_history *h, uint64_t time_usec,
				const struct bpfnicd_window *w, enum bpfnic_policy policy,
				const int *group);
void bpfnicd_history_add_change(struct bpfnicd_history *h, const struct bpfnicd_change *c);

/* The changes held, and the i-th of them, oldest first (NULL past the last). */
unsigned bpfnicd_history_n_changes(const struct bpfnicd_history *h);
const struct bpfnicd_change *bpfnicd_history_change(const struct bpfnicd_history *h, unsigned i);

struct json_object;

/* "grow", "shrink", "policy": an action as replies and metrics name it. */
const char *bpfnicd_change_action_name(enum bpfnicd_change_action a);

/* The IDL's Change. */
struct json_object *bpfnicd_change_json(const struct bpfnicd_change *c);
/* The last n changes held (fewer when fewer are), oldest first: GetStatus' history. */
struct json_object *bpfnicd_history_last_changes_json(const struct bpfnicd_history *h, unsigned n);

/*
 * GetStats' since_usec: add to params "windows" (every window that ended after
 * since_usec, oldest first), "changes" (every change after it, oldest first) and
 * "truncated" (the rings dropped some of that span). What does not fit in budget
 * bytes of JSON is left for another call: then "next_since_usec" is the time up to
 * which both lists are complete (every entry at that time is in), and a call with
 * since_usec = next_since_usec gets the rest. 0, or -EMSGSIZE when not even the
 * first entries fit (nothing is added), or -ENOMEM.
 */
int bpfnicd_history_since_json(const struct bpfnicd_history *h, uint64_t since_usec,
			       size_t budget, struct json_object *params);

#endif
