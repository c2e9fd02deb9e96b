/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The running policy: which core groups it uses, applying a new one (with its
 * settings) to the data path with rollback, the dynamic policy's scaler, and the
 * record of every change it makes (in daemon/history's changes ring). The one owner of the groups' sizes on the
 * daemon's side (the maps hold them for the kernel, and the data-path module keeps
 * its own note of what it wrote there, to order its writes).
 *
 * Every group is a run of Cpus=, in that order:
 *   main  a prefix: all of Cpus= (rr), all but the last LongCpus= (split), or the
 *         first N for dynamic, N between MinCpus= and MaxCpus= chosen by the scaler;
 *         growing takes the next CPU of Cpus=, shrinking gives back the last one;
 *   long  the suffix of LongCpus= CPUs under split, empty otherwise.
 * So a group is its size, and status lists the CPUs that size stands for.
 *
 * A change reaches the maps in an order the scheduler can never trip on (groups the
 * new policy reads are filled before the settings switch to it; groups only the old
 * one read are emptied after) and either completes or is undone: on any failure the
 * maps get their old contents back and the daemon's view does not change.
 */
#ifndef BPFNICD_POLICY_H
#define BPFNICD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "params.h"
#include "datapath/datapath.h"
#include "daemon/history.h"
#include "daemon/scaler.h"
#include "daemon/stats.h"

struct bpfnicd_policy;

/*
 * The running policy of cfg, not yet on a data path: its groups (the dynamic group
 * starts at MinCpus=) and settings are what bpfnic_dp_open() must start with. Every
 * grow, shrink and policy change goes to history's changes ring. NULL when out of
 * memory.
 */
struct bpfnicd_policy *bpfnicd_policy_new(const struct bpfnicd_config *cfg, uint64_t now_ms,
					  struct bpfnicd_history *history);
void bpfnicd_policy_free(struct bpfnicd_policy *p);

/* Fill opts' settings and groups with the policy's. Valid while p lives. */
void bpfnicd_policy_dp_opts(const struct bpfnicd_policy *p, struct bpfnic_dp_opts *opts);
/* From now on, changes go to dp's maps. */
void bpfnicd_policy_attach(struct bpfnicd_policy *p, struct bpfnic_dp *dp);

/*
 * Make next the running policy, with cfg's workload and port (a reload changes those
 * too; Cpus= never changes live). All of it or none: 0, or the data path's -errno
 * with everything as it was. by names who asked, for the log.
 */
int bpfnicd_policy_apply(struct bpfnicd_policy *p, const struct bpfnicd_config *cfg,
			 const struct bpfnic_policy_params *next, const char *by);

/* One statistics window: under dynamic, the scaler may grow or shrink the group. */
void bpfnicd_policy_tick(struct bpfnicd_policy *p, const struct bpfnicd_window *w,
			 uint64_t now_ms);

/* The running policy and its parameters. */
const struct bpfnic_policy_params *bpfnicd_policy_params(const struct bpfnicd_policy *p);
/* Group g's CPUs, in round-robin order: *n of them. */
const unsigned *bpfnicd_policy_group(const struct bpfnicd_policy *p, enum bpfnic_group g,
				     unsigned *n);
/* The group cpu serves, or -1 when it serves none. */
int bpfnicd_policy_group_of(const struct bpfnicd_policy *p, unsigned cpu);
/* The most CPUs group g can have under the running policy (MaxCpus= under dynamic). */
unsigned bpfnicd_policy_group_max(const struct bpfnicd_policy *p, enum bpfnic_group g);
/* Changes since start with this action (metrics' counters). */
uint64_t bpfnicd_policy_changes(const struct bpfnicd_policy *p, enum bpfnicd_change_action a);
/* group[i] = the group cpus[i] serves, or -1, for i < n. */
void bpfnicd_policy_cpu_groups(const struct bpfnicd_policy *p, const unsigned *cpus, unsigned n,
			       int *group);
/* Goes up with every change of policy or group (status lines are refreshed on it). */
unsigned bpfnicd_policy_generation(const struct bpfnicd_policy *p);

#endif
