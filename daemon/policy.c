/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The running policy, its groups, the scaler and the record of its changes: see policy.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon/log.h"
#include "daemon/policy.h"

/* What the data path holds for a policy: its groups' sizes and its settings. */
struct dp_state {
	unsigned n_main, n_long;
	struct bpfnic_settings settings;
};

struct bpfnicd_policy {
	struct bpfnic_dp *dp;                /* NULL until attached */
	struct bpfnic_cpus cpus;             /* Cpus=: the groups are runs of it */
	struct bpfnic_policy_params params;
	struct dp_state applied;             /* what the maps hold */
	struct bpfnic_scaler_state scaler;
	struct bpfnicd_history *history;     /* where changes are recorded */
	uint64_t changes[BPFNICD_CHANGE_POLICY + 1]; /* since start, by action */
	unsigned generation;
};

static struct bpfnic_settings settings_for(const struct bpfnicd_config *c, enum bpfnic_policy policy)
{
	return (struct bpfnic_settings){
		.port = (__u16)c->port,
		.policy = (__u8)policy,
		.service_ns = { (__u64)c->short_us * 1000, (__u64)c->long_us * 1000 },
		.max_service_ns = (__u64)c->max_us * 1000,
	};
}

/* The groups of policy next; a dynamic group keeps dyn_size, within the new bounds. */
static void groups_for(const struct bpfnicd_policy *p, const struct bpfnic_policy_params *next,
		       unsigned dyn_size, struct dp_state *s)
{
	struct bpfnic_scaler_params sp = bpfnic_scaler_params_of(next);

	s->n_long = 0;
	switch (next->policy) {
	case BPFNIC_POLICY_SPLIT:
		s->n_long = next->long_cpus;
		s->n_main = p->cpus.n - next->long_cpus;
		break;
	case BPFNIC_POLICY_DYNAMIC:
		s->n_main = bpfnic_scaler_clamp(&sp, dyn_size);
		break;
	default:
		s->n_main = p->cpus.n;
		break;
	}
}

const unsigned *bpfnicd_policy_group(const struct bpfnicd_policy *p, enum bpfnic_group g,
				     unsigned *n)
{
	*n = g == BPFNIC_GROUP_LONG ? p->applied.n_long : p->applied.n_main;
	return g == BPFNIC_GROUP_LONG ? p->cpus.cpu + p->cpus.n - *n : p->cpus.cpu;
}

int bpfnicd_policy_group_of(const struct bpfnicd_policy *p, unsigned cpu)
{
	for (int g = 0; g < BPFNIC_NR_GROUPS; g++) {
		unsigned n;
		const unsigned *cpus = bpfnicd_policy_group(p, (enum bpfnic_group)g, &n);

		for (unsigned i = 0; i < n; i++)
			if (cpus[i] == cpu)
				return g;
	}
	return -1;
}

void bpfnicd_policy_cpu_groups(const struct bpfnicd_policy *p, const unsigned *cpus, unsigned n,
			       int *group)
{
	for (unsigned i = 0; i < n; i++)
		group[i] = bpfnicd_policy_group_of(p, cpus[i]);
}

struct bpfnicd_policy *bpfnicd_policy_new(const struct bpfnicd_config *cfg, uint64_t now_ms,
					  struct bpfnicd_history *history)
{
	struct bpfnicd_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->history = history;
	p->cpus = cfg->cpus;
	p->params = cfg->policy;
	bpfnic_scaler_init(&p->scaler, now_ms);
	groups_for(p, &p->params, p->params.min_cpus, &p->applied);
	p->applied.settings = settings_for(cfg, p->params.policy);
	return p;
}

void bpfnicd_policy_free(struct bpfnicd_policy *p)
{
	free(p);
}

void bpfnicd_policy_dp_opts(const struct bpfnicd_policy *p, struct bpfnic_dp_opts *opts)
{
	opts->settings = p->applied.settings;
	opts->main_cpus = bpfnicd_policy_group(p, BPFNIC_GROUP_MAIN, &opts->n_main);
	opts->long_cpus = bpfnicd_policy_group(p, BPFNIC_GROUP_LONG, &opts->n_long);
}

void bpfnicd_policy_attach(struct bpfnicd_policy *p, struct bpfnic_dp *dp)
{
	p->dp = dp;
}

/* ---- writing the maps ------------------------------------------------------------ */

static int write_main(struct bpfnicd_policy *p, unsigned n)
{
	return bpfnic_dp_set_group(p->dp, BPFNIC_GROUP_MAIN, p->cpus.cpu, n);
}

static int write_long(struct bpfnicd_policy *p, unsigned n)
{
	return bpfnic_dp_set_group(p->dp, BPFNIC_GROUP_LONG, p->cpus.cpu + p->cpus.n - n, n);
}

/* An undo that fails leaves maps and status apart: say so loudly, there is no more to do. */
static void undo(int r, const char *what)
{
	if (r < 0)
		log_error_errno(r, "cannot restore the %s after a failed change: the data path "
				"and status may disagree until the next change", what);
}

/*
 * from -> to in the safe order: a long group the new policy reads, the main group,
 * the settings, then a long group only the old policy read. On failure every step
 * taken is undone, newest first, and the first error returned.
 */
static int write_state(struct bpfnicd_policy *p, const struct dp_state *from,
		       const struct dp_state *to)
{
	bool long_changes = to->n_long != from->n_long, long_first = long_changes && to->n_long;
	bool main_changes = to->n_main != from->n_main;
	bool settings_change = memcmp(&to->settings, &from->settings, sizeof(to->settings)) != 0;
	int r = 0;

	if (long_first && (r = write_long(p, to->n_long)) < 0)
		return r;
	if (main_changes && (r = write_main(p, to->n_main)) < 0)
		goto undo_long;
	if (settings_change && (r = bpfnic_dp_set_settings(p->dp, &to->settings)) < 0)
		goto undo_main;
	if (long_changes && !long_first && (r = write_long(p, to->n_long)) < 0)
		goto undo_settings;
	return 0;
undo_settings:
	if (settings_change)
		undo(bpfnic_dp_set_settings(p->dp, &from->settings), "settings");
undo_main:
	if (main_changes)
		undo(write_main(p, from->n_main), "main group");
undo_long:
	if (long_first)
		undo(write_long(p, from->n_long), "long group");
	return r;
}

/* ---- policy changes -------------------------------------------------------------- */

static bool params_equal(const struct bpfnic_policy_params *a, const struct bpfnic_policy_params *b)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *k = &bpfnic_params[i];
		size_t off = k->offset - offsetof(struct bpfnicd_config, policy);

		if (k->json && memcmp((const char *)a + off, (const char *)b + off, k->size) != 0)
			return false;
	}
	return true;
}

/* The running policy in words, for the log and the changes ring. */
static void describe(const struct bpfnicd_policy *p, char *buf, size_t size)
{
	const struct bpfnic_policy_params *q = &p->params;

	if (q->policy == BPFNIC_POLICY_DYNAMIC)
		snprintf(buf, size, "policy dynamic (%s %u us, shrink below %u us, %u..%u CPUs, "
			 "cooldown %u ms, interval %u ms), group of %u", bpfnic_metric_names[q->metric],
			 q->threshold_us, q->shrink_below_us, q->min_cpus, q->max_cpus, q->cooldown_ms,
			 q->interval_ms, p->applied.n_main);
	else if (q->policy == BPFNIC_POLICY_SPLIT)
		snprintf(buf, size, "policy split: %u short CPUs, %u long CPUs", p->applied.n_main,
			 p->applied.n_long);
	else
		snprintf(buf, size, "policy %s over %u CPUs", bpfnic_policy_name(q->policy),
			 p->applied.n_main);
}

static void record(struct bpfnicd_policy *p, const struct bpfnicd_change *c)
{
	p->changes[c->action]++;
	if (p->history)
		bpfnicd_history_add_change(p->history, c);
}

/* A policy change took effect: log it and record it. */
static void policy_changed(struct bpfnicd_policy *p, const char *by)
{
	char fields[2][64], what[200];
	const char *fv[] = { fields[0], fields[1], NULL };
	struct bpfnicd_change c = {
		.time_usec = bpfnic_realtime_usec(), .action = BPFNICD_CHANGE_POLICY, .cpu = -1,
		.group = BPFNIC_GROUP_MAIN, .group_size = p->applied.n_main, .metric_us = NAN,
	};

	describe(p, what, sizeof(what));
	snprintf(fields[0], sizeof(fields[0]), "BPFNIC_POLICY=%s", bpfnic_policy_name(p->params.policy));
	snprintf(fields[1], sizeof(fields[1]), "BPFNIC_BY=%s", by);
	bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_POLICY_CHANGED, fv, "%s, by %s", what, by);
	if (snprintf(c.reason, sizeof(c.reason), "%s, by %s", what, by) >= (int)sizeof(c.reason))
		log_debug("the change's reason is cut to %zu characters", sizeof(c.reason) - 1);
	record(p, &c);
}

int bpfnicd_policy_apply(struct bpfnicd_policy *p, const struct bpfnicd_config *cfg,
			 const struct bpfnic_policy_params *next, const char *by)
{
	struct bpfnic_scaler_params old_sp = bpfnic_scaler_params_of(&p->params), new_sp = bpfnic_scaler_params_of(next);
	bool was_scaled = bpfnic_policies[p->params.policy].scaler;
	struct dp_state to;
	int r;

	/* Entering dynamic: start from the group in use, within the bounds. */
	groups_for(p, next, p->applied.n_main, &to);
	to.settings = settings_for(cfg, next->policy);
	r = write_state(p, &p->applied, &to);
	if (r < 0)
		return log_error_errno(r, "cannot apply policy %s (requested by %s): nothing changed",
				       bpfnic_policy_name(next->policy), by);
	if (bpfnic_policies[next->policy].scaler &&
	    (!was_scaled || memcmp(&old_sp, &new_sp, sizeof(old_sp)) != 0))
		bpfnic_scaler_init(&p->scaler, bpfnic_mono_usec() / 1000);
	if (params_equal(&p->params, next) && to.n_main == p->applied.n_main) {
		p->applied = to;
		log_debug("policy %s unchanged, by %s", bpfnic_policy_name(next->policy), by);
		return 0;
	}
	p->applied = to;
	p->params = *next;
	p->generation++;
	policy_changed(p, by);
	return 0;
}

/* ---- the scaler -------------------------------------------------------------------- */

static void record_change(struct bpfnicd_policy *p, bool grow, unsigned cpu, double metric,
			  const char *reason)
{
	struct bpfnicd_change c = {
		.time_usec = bpfnic_realtime_usec(),
		.action = grow ? BPFNICD_CHANGE_GROW : BPFNICD_CHANGE_SHRINK, .cpu = (int)cpu,
		.group = BPFNIC_GROUP_MAIN, .group_size = p->applied.n_main, .metric_us = metric,
	};
	char fields[3][64];
	const char *fv[] = { fields[0], fields[1], fields[2], NULL };

	snprintf(c.reason, sizeof(c.reason), "%s", reason);
	record(p, &c);
	snprintf(fields[0], sizeof(fields[0]), "BPFNIC_CPU=%u", cpu);
	snprintf(fields[1], sizeof(fields[1]), "BPFNIC_POLICY=%s", bpfnic_policy_name(p->params.policy));
	snprintf(fields[2], sizeof(fields[2]), "BPFNIC_GROUP_SIZE=%u", p->applied.n_main);
	bpfnicd_log_struct(LOG_INFO, 0, grow ? BPFNICD_MID_CORE_ADDED : BPFNICD_MID_CORE_REMOVED, fv,
			   "%s CPU %u, group of %u: %s", grow ? "added" : "removed", cpu,
			   p->applied.n_main, reason);
}

void bpfnicd_policy_tick(struct bpfnicd_policy *p, const struct bpfnicd_window *w,
			 uint64_t now_ms)
{
	struct bpfnic_scaler_params sp = bpfnic_scaler_params_of(&p->params);
	double metric = p->params.metric == BPFNIC_METRIC_P99 ? w->qdelay_p99_us : w->qdelay_avg_us;
	struct bpfnic_scaler_window sw = { .now_ms = now_ms, .traffic = w->traffic, .metric_us = metric };
	struct bpfnic_scaler_state before = p->scaler;
	enum bpfnic_scaler_action a;
	unsigned n, cpu;
	char reason[160];
	int r;

	if (!bpfnic_policies[p->params.policy].scaler)
		return;
	a = bpfnic_scaler_step(&p->scaler, &sp, &sw, p->applied.n_main, reason, sizeof(reason));
	if (a == BPFNIC_SCALER_HOLD)
		return;
	n = a == BPFNIC_SCALER_GROW ? p->applied.n_main + 1 : p->applied.n_main - 1;
	/* The prefix rule: the CPU that comes or goes is the one at the group's end. */
	cpu = p->cpus.cpu[a == BPFNIC_SCALER_GROW ? n - 1 : n];
	r = write_main(p, n);
	if (r < 0) {
		log_error_errno(r, "cannot %s the core group", a == BPFNIC_SCALER_GROW ? "grow" : "shrink");
		p->scaler = before;
		return;
	}
	p->applied.n_main = n;
	p->generation++;
	record_change(p, a == BPFNIC_SCALER_GROW, cpu, metric, reason);
}

/* ---- getters ------------------------------------------------------------------------ */

const struct bpfnic_policy_params *bpfnicd_policy_params(const struct bpfnicd_policy *p)
{
	return &p->params;
}

unsigned bpfnicd_policy_group_max(const struct bpfnicd_policy *p, enum bpfnic_group g)
{
	struct dp_state most;

	groups_for(p, &p->params, p->cpus.n, &most); /* a dynamic group: clamped to MaxCpus= */
	return g == BPFNIC_GROUP_LONG ? most.n_long : most.n_main;
}

uint64_t bpfnicd_policy_changes(const struct bpfnicd_policy *p, enum bpfnicd_change_action a)
{
	return a <= BPFNICD_CHANGE_POLICY ? p->changes[a] : 0;
}

unsigned bpfnicd_policy_generation(const struct bpfnicd_policy *p)
{
	return p->generation;
}
