/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Readers of the loadgen's and the daemon's JSON, and their joins: see results.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bench/bpfnic-bench/results.h"
#include "why.h"

/* The loadgen's names of the percentiles of enum bench_pct (loadgen/report.c). */
static const char *const pct_json[BENCH_NR_PCTS] = { "p50", "p90", "p99", "p99.9" };

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static bool is_number(json_object *v)
{
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}

static double num(json_object *o, const char *key, double fallback)
{
	json_object *v = member(o, key);

	return is_number(v) ? json_object_get_double(v) : fallback;
}

static uint64_t u64(json_object *o, const char *key)
{
	json_object *v = member(o, key);

	if (!is_number(v))
		return 0;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_uint64(v);
	return json_object_get_double(v) > 0 ? (uint64_t)json_object_get_double(v) : 0;
}

static int64_t i64(json_object *o, const char *key, int64_t fallback)
{
	json_object *v = member(o, key);

	if (!is_number(v))
		return fallback;
	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v)
						     : (int64_t)json_object_get_double(v);
}

static void text(json_object *o, const char *key, char *dst, size_t size)
{
	json_object *v = member(o, key);

	snprintf(dst, size, "%s", v && json_object_is_type(v, json_type_string) ?
		 json_object_get_string(v) : "");
}

static json_object *parse_text(const char *json, char *why, size_t why_size)
{
	enum json_tokener_error err = json_tokener_success;
	json_object *o = json_tokener_parse_verbose(json, &err);

	if (!o) {
		bpfnic_why(why, why_size, "not JSON: %s", json_tokener_error_desc(err));
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		bpfnic_why(why, why_size, "not a JSON object");
		return NULL;
	}
	return o;
}

/* ---- the loadgen's document ------------------------------------------------------------ */

static void percentiles(json_object *summary, double out[BENCH_NR_PCTS])
{
	bool have = u64(summary, "count") > 0;

	for (unsigned i = 0; i < BENCH_NR_PCTS; i++)
		out[i] = have ? num(summary, pct_json[i], NAN) : NAN;
}

int bench_loadgen_parse(const char *json, struct bench_step_result *r, char *why, size_t why_size)
{
	json_object *root = parse_text(json, why, why_size), *steps, *step, *classes;

	if (!root)
		return -EINVAL;
	steps = member(root, "steps");
	if (!steps || !json_object_is_type(steps, json_type_array) ||
	    json_object_array_length(steps) != 1) {
		json_object_put(root);
		return bpfnic_why(why, why_size, "not a bpfnic-loadgen run of one step (\"steps\")");
	}
	step = json_object_array_get_idx(steps, 0);
	if (!is_number(member(step, "offered_rps"))) {
		json_object_put(root);
		return bpfnic_why(why, why_size, "the step has no offered_rps");
	}
	r->offered_rps = num(step, "offered_rps", NAN);
	r->achieved_rps = num(step, "achieved_rps", NAN);
	r->clients = (unsigned)u64(step, "clients");
	r->valid = json_object_get_boolean(member(step, "valid"));
	text(step, "reason", r->reason, sizeof(r->reason));
	/* The measured window's wall-clock span, from loadgens that give it. */
	r->wall_start_ns = i64(step, "wall_start_ns", 0);
	r->wall_end_ns = i64(step, "wall_end_ns", 0);
	r->wall_from_client = r->wall_start_ns > 0 && r->wall_end_ns > r->wall_start_ns;
	classes = member(step, "classes");
	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++) {
		json_object *c = member(classes, bench_class_names[k]);
		struct bench_class_result *cr = &r->cls[k];

		cr->sent = u64(c, "sent");
		cr->received = u64(c, "received");
		cr->lost = u64(c, "lost");
		percentiles(member(c, "rtt_us"), cr->rtt_us);
		percentiles(member(c, "qdelay_us"), cr->qdelay_us);
	}
	json_object_put(root);
	return 0;
}

/* ---- the daemon's series ------------------------------------------------------------------ */

void bench_series_free(struct bench_series *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->w[i].cpus);
	free(s->w);
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static int group_of(const char *name)
{
	if (!strcmp(name, "main"))
		return 0;
	if (!strcmp(name, "long"))
		return 1;
	return -1;
}

static unsigned array_len(json_object *o, const char *key)
{
	json_object *a = member(o, key);

	return a && json_object_is_type(a, json_type_array) ? (unsigned)json_object_array_length(a) : 0;
}

static int read_window(json_object *o, struct bench_window *w)
{
	json_object *groups = member(o, "groups"), *q = member(o, "qdelay_us"), *cpus = member(o, "cpus");

	memset(w, 0, sizeof(*w));
	w->time_usec = i64(o, "time_usec", 0);
	w->window_ms = num(o, "window_ms", NAN);
	text(o, "policy", w->policy, sizeof(w->policy));
	w->group_size[0] = array_len(groups, "main");
	w->group_size[1] = array_len(groups, "long");
	w->in_rps = num(o, "in_rps", NAN);
	w->out_rps = num(o, "out_rps", NAN);
	w->qdelay_avg_us = num(q, "avg", NAN);
	w->qdelay_p50_us = num(q, "p50", NAN);
	w->qdelay_p99_us = num(q, "p99", NAN);
	w->n_cpus = cpus && json_object_is_type(cpus, json_type_array) ?
		    (unsigned)json_object_array_length(cpus) : 0;
	if (!w->n_cpus)
		return 0;
	w->cpus = calloc(w->n_cpus, sizeof(*w->cpus));
	if (!w->cpus)
		return -ENOMEM;
	for (unsigned i = 0; i < w->n_cpus; i++) {
		json_object *c = json_object_array_get_idx(cpus, i), *cq = member(c, "qdelay_us");
		struct bench_window_cpu *wc = &w->cpus[i];
		char group[8];

		wc->cpu = (unsigned)u64(c, "cpu");
		text(c, "group", group, sizeof(group));
		wc->group = group_of(group);
		wc->in_rps = num(c, "in_rps", NAN);
		wc->out_rps = num(c, "out_rps", NAN);
		wc->qdelay_avg_us = num(cq, "avg", NAN);
		wc->qdelay_p50_us = num(cq, "p50", NAN);
		wc->qdelay_p99_us = num(cq, "p99", NAN);
		wc->qdelay_max_us = num(cq, "max", NAN);
		wc->kthread_util = num(c, "kthread_util", NAN);
		wc->queue_drops = u64(c, "queue_drops");
	}
	return 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

int bench_series_parse(const char *json, struct bench_series *s, char *why, size_t why_size)
{
	json_object *root = parse_text(json, why, why_size), *windows, *changes;
	int64_t newest = s->newest_usec;
	int r = 0;

	if (!root)
		return -EINVAL;
	windows = member(root, "windows");
	changes = member(root, "changes");
	if (!windows) {
		json_object_put(root);
		return 0; /* an older bpfnicd: no per-window statistics */
	}
	if (!json_object_is_type(windows, json_type_array) ||
	    (changes && !json_object_is_type(changes, json_type_array))) {
		json_object_put(root);
		return bpfnic_why(why, why_size, "\"windows\" and \"changes\" must be arrays");
	}
	s->supported = true;
	if (json_object_get_boolean(member(root, "truncated")) && s->n > 0)
		s->truncated = true;
	for (size_t i = 0; i < json_object_array_length(windows); i++) {
		json_object *o = json_object_array_get_idx(windows, i);
		int64_t t = i64(o, "time_usec", 0);

		if (t <= s->newest_usec)
			continue; /* read before */
		if ((r = grow((void **)&s->w, &s->cap, s->n + 1, sizeof(*s->w))) < 0 ||
		    (r = read_window(o, &s->w[s->n])) < 0)
			goto out;
		s->n++;
		if (t > newest)
			newest = t;
	}
	for (size_t i = 0; changes && i < json_object_array_length(changes); i++) {
		json_object *o = json_object_array_get_idx(changes, i);
		struct bench_change *c;
		int64_t t = i64(o, "time_usec", 0);

		if (t <= s->newest_usec)
			continue;
		if ((r = grow((void **)&s->c, &s->capc, s->nc + 1, sizeof(*s->c))) < 0)
			goto out;
		c = &s->c[s->nc++];
		memset(c, 0, sizeof(*c));
		c->time_usec = t;
		text(o, "action", c->action, sizeof(c->action));
		c->cpu = (int)i64(o, "cpu", -1);
		text(o, "group", c->group, sizeof(c->group));
		c->group_size = (unsigned)u64(o, "group_size");
		c->metric_us = num(o, "metric_us", NAN);
		text(o, "reason", c->reason, sizeof(c->reason));
		if (t > newest)
			newest = t;
	}
out:
	s->newest_usec = newest;
	json_object_put(root);
	return r;
}

/* ---- joins ------------------------------------------------------------------------------- */

/* The window whose span [end - window_ms, end] holds t, else the first one after t. */
static const struct bench_window *window_at(const struct bench_series *s, int64_t t_usec)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->w[i].time_usec >= t_usec)
			return &s->w[i];
	return NULL;
}

void bench_step_join(const struct bench_series *s, struct bench_step_result *r)
{
	int64_t a = r->wall_start_ns / 1000, b = r->wall_end_ns / 1000;
	double in = 0, out = 0, weight = 0;
	const struct bench_window *w;

	r->server_in_rps = r->server_out_rps = NAN;
	for (unsigned g = 0; g < 2; g++)
		r->group_start[g] = r->group_end[g] = -1;
	if (!s->supported || b <= a)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct bench_window *x = &s->w[i];
		int64_t end = x->time_usec, start = end - (int64_t)llround(x->window_ms * 1000);
		int64_t lo = start > a ? start : a, hi = end < b ? end : b;

		if (hi <= lo || !isfinite(x->in_rps) || !isfinite(x->out_rps))
			continue;
		in += x->in_rps * (double)(hi - lo);
		out += x->out_rps * (double)(hi - lo);
		weight += (double)(hi - lo);
	}
	if (weight > 0) {
		r->server_in_rps = in / weight;
		r->server_out_rps = out / weight;
	}
	if ((w = window_at(s, a)))
		for (unsigned g = 0; g < 2; g++)
			r->group_start[g] = (int)w->group_size[g];
	if ((w = window_at(s, b)) || (s->n && (w = &s->w[s->n - 1])))
		for (unsigned g = 0; g < 2; g++)
			r->group_end[g] = (int)w->group_size[g];
}

int bench_step_at(const struct bench_step_result *r, size_t n, unsigned rep, unsigned arm,
		  int64_t t_usec)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (r[i].rep != rep || r[i].arm != arm)
			continue;
		if (r[i].wall_end_ns / 1000 >= t_usec &&
		    (best < 0 || r[i].wall_end_ns < r[best].wall_end_ns))
			best = (int)i;
	}
	return best;
}
