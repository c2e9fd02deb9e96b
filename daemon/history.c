/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd's history of windows and changes: see history.h. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "varlink.h"
#include "daemon/history.h"

/* One window, over every candidate CPU. */
struct window_rec {
	uint64_t time_usec;
	float window_ms, in_rps, out_rps, qdelay_avg_us, qdelay_p50_us, qdelay_p99_us;
	uint8_t policy;
};

/* One candidate CPU in one window. */
struct cpu_rec {
	float in_rps, out_rps, qdelay_avg_us, qdelay_p50_us, qdelay_p99_us, qdelay_max_us;
	float kthread_util;    /* < 0: unknown */
	uint32_t queue_drops;  /* in the window, saturated */
	int8_t group;          /* enum bpfnic_group, -1 none */
};

/* What bpfnicd.conf(5) and history.h say a window costs. */
_Static_assert(BPFNICD_HISTORY_WINDOW_BYTES(0) == sizeof(struct window_rec), "window size");
_Static_assert(BPFNICD_HISTORY_WINDOW_BYTES(1) - BPFNICD_HISTORY_WINDOW_BYTES(0) ==
	       sizeof(struct cpu_rec), "window size per CPU");

/* A ring's bookkeeping: cap slots, n held, the oldest at first. */
struct ring {
	unsigned cap, n, first;
	bool dropped;              /* an entry was overwritten ... */
	uint64_t dropped_usec;     /* ... the newest of them ended then */
};

struct bpfnicd_history {
	struct bpfnic_cpus cpus;
	struct ring windows, changes;
	struct window_rec *win;    /* [windows.cap] */
	struct cpu_rec *cpu;       /* [windows.cap * cpus.n] */
	struct bpfnicd_change *chg; /* [changes.cap] */
};

void bpfnicd_history_free(struct bpfnicd_history *h)
{
	if (!h)
		return;
	free(h->win);
	free(h->cpu);
	free(h->chg);
	free(h);
}

int bpfnicd_history_new(const struct bpfnic_cpus *cpus, unsigned max_windows,
			unsigned max_changes, struct bpfnicd_history **out)
{
	struct bpfnicd_history *h;

	*out = NULL;
	if (!max_windows || !max_changes)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cpus = *cpus;
	h->windows.cap = max_windows;
	h->changes.cap = max_changes;
	h->win = calloc(max_windows, sizeof(*h->win));
	h->cpu = calloc((size_t)max_windows * (cpus->n ? cpus->n : 1), sizeof(*h->cpu));
	h->chg = calloc(max_changes, sizeof(*h->chg));
	if (!h->win || !h->cpu || !h->chg) {
		bpfnicd_history_free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

/* The slot of the i-th entry held, oldest first. */
static unsigned ring_slot(const struct ring *r, unsigned i)
{
	return (r->first + i) % r->cap;
}

/* The slot for a new entry; a full ring gives up its oldest, which ended at oldest_usec. */
static unsigned ring_push(struct ring *r, uint64_t oldest_usec)
{
	unsigned slot;

	if (r->n < r->cap)
		return ring_slot(r, r->n++);
	slot = r->first;
	r->first = (r->first + 1) % r->cap;
	r->dropped = true;
	r->dropped_usec = oldest_usec;
	return slot;
}

/* Whether the ring dropped an entry of the span after since_usec. */
static bool ring_truncated(const struct ring *r, uint64_t since_usec)
{
	return r->dropped && r->dropped_usec > since_usec;
}

void bpfnicd_history_add_window(struct bpfnicd_history *h, uint64_t time_usec,
				const struct bpfnicd_window *w, enum bpfnic_policy policy,
				const int *group)
{
	unsigned slot = ring_push(&h->windows, h->win[h->windows.first].time_usec);
	struct window_rec *r = &h->win[slot];
	struct cpu_rec *c = &h->cpu[(size_t)slot * h->cpus.n];

	*r = (struct window_rec){
		.time_usec = time_usec, .window_ms = (float)w->window_ms, .in_rps = (float)w->in_rps,
		.out_rps = (float)w->out_rps, .qdelay_avg_us = (float)w->qdelay_avg_us,
		.qdelay_p50_us = (float)w->qdelay_p50_us, .qdelay_p99_us = (float)w->qdelay_p99_us,
		.policy = (uint8_t)policy,
	};
	for (unsigned i = 0; i < h->cpus.n; i++) {
		const struct bpfnicd_cpu_window *cw = &w->cpu[i];

		if (i >= w->n) { /* the window always covers every candidate; never trust it */
			c[i] = (struct cpu_rec){ .kthread_util = -1, .group = -1 };
			continue;
		}
		c[i] = (struct cpu_rec){
			.in_rps = (float)cw->in_rps, .out_rps = (float)cw->rps,
			.qdelay_avg_us = (float)cw->qdelay_avg_us, .qdelay_p50_us = (float)cw->qdelay_p50_us,
			.qdelay_p99_us = (float)cw->qdelay_p99_us, .qdelay_max_us = (float)cw->qdelay_max_us,
			.kthread_util = (float)cw->kthread_util,
			.queue_drops = cw->window_queue_drops > UINT32_MAX ? UINT32_MAX :
				       (uint32_t)cw->window_queue_drops,
			.group = (int8_t)(group[i] >= 0 && group[i] < BPFNIC_NR_GROUPS ? group[i] : -1),
		};
	}
}

void bpfnicd_history_add_change(struct bpfnicd_history *h, const struct bpfnicd_change *c)
{
	unsigned slot = ring_push(&h->changes, h->chg[h->changes.first].time_usec);

	h->chg[slot] = *c;
}

unsigned bpfnicd_history_n_changes(const struct bpfnicd_history *h)
{
	return h->changes.n;
}

const struct bpfnicd_change *bpfnicd_history_change(const struct bpfnicd_history *h, unsigned i)
{
	return i < h->changes.n ? &h->chg[ring_slot(&h->changes, i)] : NULL;
}

/* ---- JSON ---------------------------------------------------------------------------- */

const char *bpfnicd_change_action_name(enum bpfnicd_change_action a)
{
	static const char *const actions[] = {
		[BPFNICD_CHANGE_GROW] = "grow", [BPFNICD_CHANGE_SHRINK] = "shrink",
		[BPFNICD_CHANGE_POLICY] = "policy",
	};

	return a <= BPFNICD_CHANGE_POLICY ? actions[a] : "?";
}

struct json_object *bpfnicd_change_json(const struct bpfnicd_change *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "time_usec", json_object_new_uint64(c->time_usec));
	json_object_object_add(o, "action", json_object_new_string(bpfnicd_change_action_name(c->action)));
	json_object_object_add(o, "cpu", c->cpu >= 0 ? json_object_new_int64(c->cpu) : NULL);
	json_object_object_add(o, "cpus", json_object_new_int64(c->cpus));
	json_object_object_add(o, "group", json_object_new_string(bpfnicd_group_name((int)c->group)));
	json_object_object_add(o, "group_size", json_object_new_int64(c->group_size));
	json_object_object_add(o, "metric_us", isfinite(c->metric_us) ?
			       bpfnic_vl_number(c->metric_us, 1) : NULL);
	json_object_object_add(o, "reason", json_object_new_string(c->reason));
	return o;
}

struct json_object *bpfnicd_history_last_changes_json(const struct bpfnicd_history *h, unsigned n)
{
	struct json_object *a = json_object_new_array();
	unsigned held = h->changes.n;

	for (unsigned i = held > n ? held - n : 0; i < held; i++)
		json_object_array_add(a, bpfnicd_change_json(bpfnicd_history_change(h, i)));
	return a;
}

static struct json_object *cpu_json(unsigned cpu, const struct cpu_rec *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cpu", json_object_new_int64(cpu));
	json_object_object_add(o, "group", c->group >= 0 ?
			       json_object_new_string(bpfnicd_group_name(c->group)) : NULL);
	json_object_object_add(o, "in_rps", bpfnic_vl_number(c->in_rps, 1));
	json_object_object_add(o, "out_rps", bpfnic_vl_number(c->out_rps, 1));
	json_object_object_add(o, "qdelay_us", bpfnicd_qdelay_json(c->qdelay_avg_us, c->qdelay_p50_us,
								   c->qdelay_p99_us, c->qdelay_max_us));
	json_object_object_add(o, "kthread_util", c->kthread_util >= 0 ?
			       bpfnic_vl_number(c->kthread_util, 3) : NULL);
	json_object_object_add(o, "queue_drops", json_object_new_uint64(c->queue_drops));
	return o;
}

/* The IDL's Window, of the window in slot. */
static struct json_object *window_json(const struct bpfnicd_history *h, unsigned slot)
{
	const struct window_rec *r = &h->win[slot];
	const struct cpu_rec *c = &h->cpu[(size_t)slot * h->cpus.n];
	struct json_object *o = json_object_new_object(), *cpus = json_object_new_array();
	unsigned members[BPFNIC_NR_GROUPS][BPFNIC_MAX_CPUS], n[BPFNIC_NR_GROUPS] = { 0 };

	for (unsigned i = 0; i < h->cpus.n; i++) {
		/* In Cpus= order: the order groups take their CPUs in, so round-robin order. */
		if (c[i].group >= 0)
			members[c[i].group][n[c[i].group]++] = h->cpus.cpu[i];
		json_object_array_add(cpus, cpu_json(h->cpus.cpu[i], &c[i]));
	}
	json_object_object_add(o, "time_usec", json_object_new_uint64(r->time_usec));
	json_object_object_add(o, "window_ms", bpfnic_vl_number(r->window_ms, 1));
	json_object_object_add(o, "policy", json_object_new_string(bpfnic_policy_name(r->policy)));
	json_object_object_add(o, "groups", bpfnicd_groups_json(members[BPFNIC_GROUP_MAIN],
								n[BPFNIC_GROUP_MAIN],
								members[BPFNIC_GROUP_LONG],
								n[BPFNIC_GROUP_LONG]));
	json_object_object_add(o, "in_rps", bpfnic_vl_number(r->in_rps, 1));
	json_object_object_add(o, "out_rps", bpfnic_vl_number(r->out_rps, 1));
	json_object_object_add(o, "qdelay_us", bpfnicd_qdelay_json(r->qdelay_avg_us, r->qdelay_p50_us,
								   r->qdelay_p99_us, NAN));
	json_object_object_add(o, "cpus", cpus);
	return o;
}

/* The first entry held that ended after since_usec (n when none). */
static unsigned first_after(const struct ring *r, uint64_t since_usec,
			    uint64_t (*time_of)(const struct bpfnicd_history *, unsigned),
			    const struct bpfnicd_history *h)
{
	unsigned i = 0;

	while (i < r->n && time_of(h, ring_slot(r, i)) <= since_usec)
		i++;
	return i;
}

static uint64_t window_time(const struct bpfnicd_history *h, unsigned slot)
{
	return h->win[slot].time_usec;
}

static uint64_t change_time(const struct bpfnicd_history *h, unsigned slot)
{
	return h->chg[slot].time_usec;
}

/* Drop the newest entries of a from its length down to keep. */
static void array_cut(struct json_object *a, size_t keep)
{
	size_t n = json_object_array_length(a);

	if (n > keep)
		json_object_array_del_idx(a, keep, n - keep);
}

int bpfnicd_history_since_json(const struct bpfnicd_history *h, uint64_t since_usec,
			       size_t budget, struct json_object *params)
{
	struct json_object *windows = json_object_new_array(), *changes = json_object_new_array();
	const struct ring *rw = &h->windows, *rc = &h->changes;
	unsigned iw = first_after(rw, since_usec, window_time, h);
	unsigned ic = first_after(rc, since_usec, change_time, h);
	uint64_t last_usec = since_usec, cut_usec = 0;
	size_t used = 0;
	bool cut = false;

	if (!windows || !changes) {
		json_object_put(windows);
		json_object_put(changes);
		return -ENOMEM;
	}
	/* Both lists together in time order, so that a cut leaves both complete up to it. */
	while (iw < rw->n || ic < rc->n) {
		unsigned sw = iw < rw->n ? ring_slot(rw, iw) : 0, sc = ic < rc->n ? ring_slot(rc, ic) : 0;
		bool take_window = iw < rw->n && (ic >= rc->n || h->win[sw].time_usec <= h->chg[sc].time_usec);
		uint64_t t = take_window ? h->win[sw].time_usec : h->chg[sc].time_usec;
		struct json_object *item = take_window ? window_json(h, sw) :
					   bpfnicd_change_json(&h->chg[sc]);
		size_t len = 0;

		json_object_to_json_string_length(item, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		if (used + len + 1 > budget) { /* +1: the comma before it */
			json_object_put(item);
			cut = true;
			cut_usec = t;
			break;
		}
		used += len + 1;
		json_object_array_add(take_window ? windows : changes, item);
		last_usec = t;
		if (take_window)
			iw++;
		else
			ic++;
	}
	if (cut && last_usec == cut_usec) {
		/* Entries at the cut's time must come whole: give back those already taken. */
		size_t nw = json_object_array_length(windows), nc = json_object_array_length(changes);

		while (nw && json_object_get_uint64(json_object_object_get(
				json_object_array_get_idx(windows, nw - 1), "time_usec")) == cut_usec)
			nw--;
		while (nc && json_object_get_uint64(json_object_object_get(
				json_object_array_get_idx(changes, nc - 1), "time_usec")) == cut_usec)
			nc--;
		array_cut(windows, nw);
		array_cut(changes, nc);
		last_usec = 0;
		for (size_t i = 0; i < 2; i++) {
			struct json_object *a = i ? changes : windows;
			size_t n = json_object_array_length(a);
			uint64_t t = n ? json_object_get_uint64(json_object_object_get(
						json_object_array_get_idx(a, n - 1), "time_usec")) : 0;

			if (t > last_usec)
				last_usec = t;
		}
	}
	if (cut && json_object_array_length(windows) + json_object_array_length(changes) == 0) {
		json_object_put(windows);
		json_object_put(changes);
		return -EMSGSIZE;
	}
	json_object_object_add(params, "windows", windows);
	json_object_object_add(params, "changes", changes);
	json_object_object_add(params, "truncated", json_object_new_boolean(
		ring_truncated(rw, since_usec) || ring_truncated(rc, since_usec)));
	if (cut)
		json_object_object_add(params, "next_since_usec", json_object_new_uint64(last_usec));
	return 0;
}
