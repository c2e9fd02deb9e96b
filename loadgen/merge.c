/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Several runs' --json documents merged step by step: see merge.h. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "report.h"

static int __attribute__((format(printf, 3, 4)))
bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A member of o of type t, or NULL. */
static json_object *member(json_object *o, const char *key, json_type t)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, t) ? v : NULL;
}

/* An unsigned integer member; -EINVAL naming it when absent or not one. */
static int get_u64(json_object *o, const char *key, uint64_t *out, char *err, size_t errlen)
{
	json_object *v = member(o, key, json_type_int);

	if (!v || json_object_get_int64(v) < 0)
		return bad(err, errlen, "%s: missing, or not an unsigned integer", key);
	*out = json_object_get_uint64(v);
	return 0;
}

static int get_double(json_object *o, const char *key, double *out, char *err, size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return bad(err, errlen, "%s: missing, or not a number", key);
	*out = json_object_get_double(v);
	return 0;
}

/* A histogram of lg_hist_json() read back, checked: its buckets add up to its count. */
static int hist_from_json(json_object *o, const char *key, struct bpfnic_hist_sparse *h,
			  char *err, size_t errlen)
{
	json_object *ho = member(o, key, json_type_object), *b;
	uint64_t sub_bits, sum = 0;
	char why[200];
	size_t n;
	int r;

	*h = (struct bpfnic_hist_sparse){ .min = UINT64_MAX };
	if (!ho)
		return bad(err, errlen, "%s: missing (a document of a bpfnic-loadgen that wrote no "
			   "histograms?)", key);
	if ((r = get_u64(ho, "sub_bits", &sub_bits, why, sizeof(why))) < 0 ||
	    (r = get_u64(ho, "count", &h->count, why, sizeof(why))) < 0 ||
	    (r = get_u64(ho, "clamped", &h->clamped, why, sizeof(why))) < 0 ||
	    (r = get_u64(ho, "min_ns", &h->min, why, sizeof(why))) < 0 ||
	    (r = get_u64(ho, "max_ns", &h->max, why, sizeof(why))) < 0 ||
	    (r = get_double(ho, "sum_ns", &h->sum, why, sizeof(why))) < 0)
		return bad(err, errlen, "%s.%s", key, why);
	if (sub_bits != BPFNIC_LG_HIST_SUB_BITS)
		return bad(err, errlen, "%s: sub_bits %llu, this bpfnic-loadgen's histograms have %u",
			   key, (unsigned long long)sub_bits, BPFNIC_LG_HIST_SUB_BITS);
	b = member(ho, "buckets", json_type_array);
	if (!b)
		return bad(err, errlen, "%s.buckets: missing, or not a list", key);
	n = json_object_array_length(b);
	if (n > BPFNIC_LG_HIST_BUCKETS)
		return bad(err, errlen, "%s.buckets: more than %u", key, BPFNIC_LG_HIST_BUCKETS);
	if (!h->count)
		h->min = UINT64_MAX;
	if (n && !(h->b = calloc(n, sizeof(*h->b))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *pair = json_object_array_get_idx(b, i), *idx, *cnt;

		idx = json_object_is_type(pair, json_type_array) && json_object_array_length(pair) == 2 ?
		      json_object_array_get_idx(pair, 0) : NULL;
		cnt = idx ? json_object_array_get_idx(pair, 1) : NULL;
		if (!idx || !json_object_is_type(idx, json_type_int) || !json_object_is_type(cnt, json_type_int) ||
		    json_object_get_int64(idx) < 0 || json_object_get_int64(idx) >= BPFNIC_LG_HIST_BUCKETS ||
		    json_object_get_int64(cnt) <= 0 ||
		    (h->n && (uint64_t)json_object_get_int64(idx) <= h->b[h->n - 1].index)) {
			bpfnic_hist_sparse_free(h);
			return bad(err, errlen, "%s.buckets[%zu]: not [bucket, count] with buckets below "
				   "%u in increasing order and counts above 0", key, i, BPFNIC_LG_HIST_BUCKETS);
		}
		h->b[h->n++] = (struct bpfnic_hist_bucket){ (uint32_t)json_object_get_int64(idx),
							    json_object_get_uint64(cnt) };
		sum += json_object_get_uint64(cnt);
	}
	if (sum != h->count || (h->count && h->min > h->max)) {
		uint64_t count = h->count;

		bpfnic_hist_sparse_free(h);
		return bad(err, errlen, "%s: its buckets hold %llu values, its count says %llu%s", key,
			   (unsigned long long)sum, (unsigned long long)count,
			   sum == count ? " (and min_ns is above max_ns)" : "");
	}
	return 0;
}

static int counts_from_json(json_object *o, struct lg_counts *n, char *err, size_t errlen)
{
	int r;

	if ((r = get_u64(o, "sent", &n->sent, err, errlen)) < 0 ||
	    (r = get_u64(o, "received", &n->received, err, errlen)) < 0 ||
	    (r = get_u64(o, "lost", &n->lost, err, errlen)) < 0 ||
	    (r = get_u64(o, "invalid", &n->invalid, err, errlen)) < 0 ||
	    (r = get_u64(o, "send_failures", &n->send_failures, err, errlen)) < 0)
		return r;
	return 0;
}

int lg_step_from_json(json_object *o, struct lg_step_result *r, char *err, size_t errlen)
{
	json_object *classes = member(o, "classes", json_type_object), *v;
	uint64_t step, clients;
	double duration_s;
	char where[256];
	int e;

	memset(r, 0, sizeof(*r));
	if ((e = get_u64(o, "step", &step, err, errlen)) < 0 ||
	    (e = get_u64(o, "clients", &clients, err, errlen)) < 0 ||
	    (e = get_double(o, "offered_rps", &r->offered_rps, err, errlen)) < 0 ||
	    (e = get_double(o, "achieved_rps", &r->achieved_rps, err, errlen)) < 0 ||
	    (e = get_double(o, "duration_s", &duration_s, err, errlen)) < 0 ||
	    (e = get_u64(o, "warmup_start_ns", &r->warmup_start_ns, err, errlen)) < 0 ||
	    (e = get_u64(o, "wall_start_ns", &r->wall_start_ns, err, errlen)) < 0 ||
	    (e = get_u64(o, "wall_end_ns", &r->wall_end_ns, err, errlen)) < 0 ||
	    (e = get_u64(o, "stale_replies", &r->stale, err, errlen)) < 0 ||
	    (e = get_u64(o, "warmup_replies", &r->warmup_replies, err, errlen)) < 0 ||
	    (e = get_u64(o, "client_rx_drops", &r->rx_drops, err, errlen)) < 0)
		return e;
	if (step < 1 || clients > UINT32_MAX || !(duration_s > 0))
		return bad(err, errlen, "step, clients or duration_s out of range");
	if (!classes)
		return bad(err, errlen, "classes: missing, or not an object");
	r->index = (unsigned)(step - 1);
	r->clients = (unsigned)clients;
	r->duration_ns = (uint64_t)llround(duration_s * 1e9);
	v = member(o, "valid", json_type_boolean);
	r->valid = v && json_object_get_boolean(v);
	v = member(o, "reason", json_type_string);
	snprintf(r->reason, sizeof(r->reason), "%s", v ? json_object_get_string(v) : "");
	v = member(o, "kernel_rx_timestamps", json_type_boolean);
	r->kernel_timestamps = v && json_object_get_boolean(v);
	e = hist_from_json(o, "send_lag_hist", &r->send_lag_hist, err, errlen);
	for (unsigned k = 0; k < LG_NR_CLASSES && e == 0; k++) {
		json_object *co = member(classes, lg_class_names[k], json_type_object);

		if (!co)
			continue; /* a class not shown had nothing counted */
		e = counts_from_json(co, &r->cls[k].counts, err, errlen);
		if (e == 0 && k < 2)
			e = hist_from_json(co, "rtt_hist", &r->cls[k].rtt_hist, err, errlen);
		if (e == 0 && k < 2)
			e = hist_from_json(co, "qdelay_hist", &r->cls[k].qdelay_hist, err, errlen);
		if (e == -EINVAL) {
			snprintf(where, sizeof(where), "%s", err);
			bad(err, errlen, "classes.%s.%s", lg_class_names[k], where);
		}
	}
	if (e)
		lg_step_result_free(r);
	return e;
}

/* ---- merging ------------------------------------------------------------------------- */

/* The histograms a merged step adds up. */
struct sums {
	struct bpfnic_hist lag, rtt[2], qdelay[2];
};

static void sums_init(struct sums *s)
{
	bpfnic_hist_init(&s->lag);
	for (unsigned k = 0; k < 2; k++) {
		bpfnic_hist_init(&s->rtt[k]);
		bpfnic_hist_init(&s->qdelay[k]);
	}
}

/* m += one input's step r (its histograms into s). */
static void add_step(struct lg_step_result *m, struct sums *s, const struct lg_step_result *r,
		     bool first)
{
	m->clients += r->clients;
	m->offered_rps += r->offered_rps;
	m->stale += r->stale;
	m->warmup_replies += r->warmup_replies;
	m->rx_drops += r->rx_drops;
	m->kernel_timestamps = first ? r->kernel_timestamps : m->kernel_timestamps && r->kernel_timestamps;
	if (first || r->warmup_start_ns < m->warmup_start_ns)
		m->warmup_start_ns = r->warmup_start_ns;
	if (first || r->wall_start_ns < m->wall_start_ns)
		m->wall_start_ns = r->wall_start_ns;
	if (r->wall_end_ns > m->wall_end_ns)
		m->wall_end_ns = r->wall_end_ns;
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		struct lg_counts *to = &m->cls[k].counts;
		const struct lg_counts *from = &r->cls[k].counts;

		to->sent += from->sent;
		to->received += from->received;
		to->invalid += from->invalid;
		to->send_failures += from->send_failures;
	}
	bpfnic_hist_sparse_add(&s->lag, &r->send_lag_hist);
	for (unsigned k = 0; k < 2; k++) {
		bpfnic_hist_sparse_add(&s->rtt[k], &r->cls[k].rtt_hist);
		bpfnic_hist_sparse_add(&s->qdelay[k], &r->cls[k].qdelay_hist);
	}
}

/* Append "NAME: reason" to the merged step's reasons. */
static void add_reason(struct lg_step_result *m, const char *name, const char *reason)
{
	size_t used = strlen(m->reason);

	snprintf(m->reason + used, sizeof(m->reason) - used, "%s%s: %s", used ? "; " : "", name,
		 reason[0] ? reason : "not valid");
}

static int merge_step(json_object *const *steps, const char *const *names, unsigned n, unsigned i,
		      struct sums *s, struct lg_step_result *m, char *err, size_t errlen)
{
	char why[512];
	bool all_valid = true;
	int e = 0;

	memset(m, 0, sizeof(*m));
	sums_init(s);
	m->index = i;
	for (unsigned j = 0; j < n && e == 0; j++) {
		struct lg_step_result r;

		e = lg_step_from_json(json_object_array_get_idx(steps[j], i), &r, why, sizeof(why));
		if (e == -EINVAL)
			return bad(err, errlen, "%s: steps[%u].%s", names[j], i, why);
		if (e)
			return e;
		if (r.index != i)
			e = bad(err, errlen, "%s: steps[%u] says it is step %u", names[j], i, r.index + 1);
		else if (j && r.duration_ns != m->duration_ns)
			e = bad(err, errlen, "the runs' step lists differ: step %u measures %.3f s in %s, "
				"%.3f s in %s", i + 1, (double)m->duration_ns / 1e9, names[0],
				(double)r.duration_ns / 1e9, names[j]);
		if (e == 0) {
			m->duration_ns = r.duration_ns;
			add_step(m, s, &r, j == 0);
			all_valid &= r.valid;
		}
		lg_step_result_free(&r);
	}
	if (e)
		return e;
	m->mean_gap_ns = m->offered_rps > 0 ? 1e9 * m->clients / m->offered_rps : 0;
	e = lg_step_finish(m, &s->lag, s->rtt, s->qdelay);
	if (e || all_valid)
		return e;
	/* The merged figures may hide one client's distortion: each input's verdict stands. */
	for (unsigned j = 0; j < n; j++) {
		struct lg_step_result r;

		if (lg_step_from_json(json_object_array_get_idx(steps[j], i), &r, why, sizeof(why)) == 0) {
			if (!r.valid)
				add_reason(m, names[j], r.reason);
			lg_step_result_free(&r);
		}
	}
	m->valid = false;
	return 0;
}

/* The steps of a document of bpfnic-loadgen, and its mix into cfg's. */
static int doc_steps(json_object *doc, const char *name, struct lg_config *cfg, json_object **steps,
		     char *err, size_t errlen)
{
	json_object *tool = member(doc, "tool", json_type_string), *mix;
	static const char *const classes[] = { "short", "long" };

	*steps = member(doc, "steps", json_type_array);
	if (!tool || strcmp(json_object_get_string(tool), "bpfnic-loadgen") || !*steps)
		return bad(err, errlen, "%s: not a --json document of bpfnic-loadgen", name);
	mix = member(member(doc, "config", json_type_object), "mix", json_type_object);
	for (unsigned k = 0; k < 2; k++) {
		json_object *w = member(mix, classes[k], json_type_int);

		if (!w || json_object_get_int64(w) > 0)
			cfg->mix[k] = 1; /* unknown: shown, like a class in the mix */
	}
	return 0;
}

int lg_merge(json_object *const *docs, const char *const *names, unsigned n, struct lg_merged *out,
	     char *err, size_t errlen)
{
	json_object **steps = calloc(n ? n : 1, sizeof(*steps));
	struct sums *s = malloc(sizeof(*s));
	int e = 0;

	memset(out, 0, sizeof(*out));
	lg_config_defaults(&out->cfg);
	out->cfg.mix[0] = out->cfg.mix[1] = 0;
	if (!steps || !s) {
		e = -ENOMEM;
		goto done;
	}
	if (n == 0) {
		e = bad(err, errlen, "no run to merge");
		goto done;
	}
	for (unsigned j = 0; j < n && e == 0; j++)
		e = doc_steps(docs[j], names[j], &out->cfg, &steps[j], err, errlen);
	for (unsigned j = 1; j < n && e == 0; j++)
		if (json_object_array_length(steps[j]) != json_object_array_length(steps[0]))
			e = bad(err, errlen, "the runs' step lists differ: %s has %zu steps, %s %zu",
				names[0], json_object_array_length(steps[0]), names[j],
				json_object_array_length(steps[j]));
	if (e)
		goto done;
	out->nsteps = (unsigned)json_object_array_length(steps[0]);
	out->steps = calloc(out->nsteps ? out->nsteps : 1, sizeof(*out->steps));
	if (!out->steps) {
		e = -ENOMEM;
		goto done;
	}
	for (unsigned i = 0; i < out->nsteps && e == 0; i++)
		e = merge_step(steps, names, n, i, s, &out->steps[i], err, errlen);
done:
	if (e)
		lg_merged_free(out);
	free(steps);
	free(s);
	return e;
}

void lg_merged_free(struct lg_merged *m)
{
	for (unsigned i = 0; m->steps && i < m->nsteps; i++)
		lg_step_result_free(&m->steps[i]);
	free(m->steps);
	m->steps = NULL;
	m->nsteps = 0;
}

json_object *lg_merged_json(const struct lg_merged *m, json_object *const *docs,
			    const char *const *names, unsigned n)
{
	json_object *root = json_object_new_object(), *from = json_object_new_array(),
		    *steps = json_object_new_array();

	json_object_object_add(root, "tool", json_object_new_string("bpfnic-loadgen"));
	json_object_object_add(root, "version", json_object_new_string(BPFNIC_VERSION));
	for (unsigned j = 0; j < n; j++) {
		json_object *o = json_object_new_object(), *v;

		json_object_object_add(o, "file", json_object_new_string(names[j]));
		if (json_object_object_get_ex(docs[j], "config", &v))
			json_object_object_add(o, "config", json_object_get(v));
		if (json_object_object_get_ex(docs[j], "environment", &v))
			json_object_object_add(o, "environment", json_object_get(v));
		json_object_array_add(from, o);
	}
	json_object_object_add(root, "merged_from", from);
	for (unsigned i = 0; i < m->nsteps; i++)
		json_object_array_add(steps, lg_json_step(&m->cfg, &m->steps[i]));
	json_object_object_add(root, "steps", steps);
	return root;
}
