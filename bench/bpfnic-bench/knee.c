/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Curves, knees and shape checks: see knee.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bpfnic-bench/knee.h"
#include "loadgen/validity.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v); NAN for n == 0. */
static double median(double *v, unsigned n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

unsigned bench_points(const struct bench_step_result *r, size_t n, unsigned arm, unsigned cls,
		      enum bench_pct pct, bool qdelay, struct bench_point *out)
{
	unsigned n_points = 0;
	unsigned max_step = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].arm == arm && r[i].step + 1 > max_step)
			max_step = r[i].step + 1;
	if (max_step > BENCH_MAX_STEPS)
		max_step = BENCH_MAX_STEPS;
	for (unsigned step = 0; step < max_step; step++) {
		double y[100], x[100], sent_rps[100];
		unsigned ny = 0, nx = 0, reps = 0, invalid = 0;
		uint64_t sent = 0, lost = 0;
		struct bench_point *p = &out[n_points];
		double load = NAN;

		for (size_t i = 0; i < n; i++) {
			const struct bench_step_result *s = &r[i];
			double v;

			if (s->arm != arm || s->step != step || reps == 100)
				continue;
			reps++;
			invalid += !s->valid;
			load = s->load;
			sent += s->cls[cls].sent;
			lost += s->cls[cls].lost;
			sent_rps[nx] = s->achieved_rps;
			x[nx++] = s->offered_rps;
			v = qdelay ? s->cls[cls].qdelay_us[pct] : s->cls[cls].rtt_us[pct];
			if (isfinite(v))
				y[ny++] = v;
		}
		if (!reps)
			continue;
		memset(p, 0, sizeof(*p));
		p->step = step;
		p->load = load;
		p->reps = reps;
		p->invalid = invalid;
		p->offered_rps = median(x, nx);
		p->achieved_rps = median(sent_rps, nx);
		p->median = median(y, ny); /* sorts y */
		p->lo = ny ? y[0] : NAN;
		p->hi = ny ? y[ny - 1] : NAN;
		p->loss_pct = sent ? 100.0 * (double)lost / (double)sent : NAN;
		n_points++;
	}
	return n_points;
}

/* Whether the load generator sent the step's load (its own "schedule" rule). */
static bool offered(const struct bench_point *p)
{
	return !(p->achieved_rps < LG_VALID_MIN_SENT * p->offered_rps);
}

static bool below_bound(const struct bench_point *p, double bound_us, double max_loss_pct)
{
	return isfinite(p->median) && p->median < bound_us && isfinite(p->loss_pct) &&
	       p->loss_pct < max_loss_pct;
}

void bench_find_knee(const struct bench_point *p, unsigned n, double bound_us, double max_loss_pct,
		     struct bench_knee *out)
{
	unsigned i = 0;

	while (i < n && below_bound(&p[i], bound_us, max_loss_pct) && offered(&p[i]))
		i++;
	out->index = (int)i - 1;
	out->knee_rps = i ? p[i - 1].offered_rps : NAN;
	out->next_rps = i < n ? p[i].offered_rps : NAN;
	out->next_achieved_rps = i < n ? p[i].achieved_rps : NAN;
	out->all_good = n > 0 && i == n;
	out->client_limited = i < n && below_bound(&p[i], bound_us, max_loss_pct) && !offered(&p[i]);
}

void bench_arm_knee(const struct bench_experiment *e, const struct bench_step_result *r, size_t n,
		    unsigned arm, unsigned cls, struct bench_knee *out)
{
	struct bench_point *p = calloc(BENCH_MAX_STEPS, sizeof(*p));
	unsigned np;

	*out = (struct bench_knee){ .index = -1, .knee_rps = NAN, .next_rps = NAN };
	if (!p || e->mix[cls] == 0) {
		free(p);
		return;
	}
	np = bench_points(r, n, arm, cls, BENCH_P99, true, p);
	bench_find_knee(p, np, e->bound_us, e->max_loss_pct, out);
	free(p);
}

unsigned bench_grows(const struct bench_series *s, const struct bench_span *spans, size_t n_spans,
		     unsigned arm)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->nc; i++) {
		if (strcmp(s->c[i].action, "grow"))
			continue;
		for (size_t j = 0; j < n_spans; j++)
			if (spans[j].arm == arm && s->c[i].time_usec >= spans[j].start_usec &&
			    s->c[i].time_usec <= spans[j].end_usec) {
				n++;
				break;
			}
	}
	return n;
}

/* The classes an Expect= line is about: its own, or every class in the mix. */
static unsigned classes_of(const struct bench_experiment *e, int cls, unsigned out[2])
{
	unsigned n = 0;

	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++)
		if ((cls < 0 || (unsigned)cls == k) && e->mix[k] > 0)
			out[n++] = k;
	return n;
}

/* A knee as a number to compare: beyond the range counts as the next step up. */
static void knee_text(const struct bench_knee *k, char *buf, size_t size)
{
	if (k->all_good)
		snprintf(buf, size, "above %.0f", k->knee_rps);
	else if (k->index < 0)
		snprintf(buf, size, "below %.0f", k->next_rps);
	else
		snprintf(buf, size, "%.0f", k->knee_rps);
}

static void check_knee(const struct bench_experiment *e, const struct bench_expect *x,
		       const struct bench_step_result *r, size_t n, struct bench_expect_result *out)
{
	unsigned cls[2], nc = classes_of(e, x->cls, cls);
	size_t used = 0;

	out->decided = nc > 0;
	out->holds = true;
	for (unsigned i = 0; i < nc; i++) {
		struct bench_knee a, b;
		char ta[32], tb[32];
		bool holds, decided;

		bench_arm_knee(e, r, n, x->a, cls[i], &a);
		bench_arm_knee(e, r, n, x->b, cls[i], &b);
		if (x->op == '>') {
			/* Decided when the order is certain despite knees beyond the range. */
			decided = !(a.all_good && b.all_good) && !(a.index < 0 && b.index < 0);
			holds = a.index > b.index;
		} else {
			decided = !(a.all_good != b.all_good && (a.index < 0 || b.index < 0));
			holds = abs(a.index - b.index) <= 1;
		}
		out->decided &= decided;
		out->holds &= holds;
		knee_text(&a, ta, sizeof(ta));
		knee_text(&b, tb, sizeof(tb));
		if (used < sizeof(out->detail))
			used += (size_t)snprintf(out->detail + used, sizeof(out->detail) - used,
						 "%s%s: %s %s, %s %s req/s", i ? "; " : "",
						 bench_class_names[cls[i]], e->arms[x->a].name, ta,
						 e->arms[x->b].name, tb);
	}
}

static void check_p99(const struct bench_experiment *e, const struct bench_expect *x,
		      const struct bench_step_result *r, size_t n, struct bench_expect_result *out)
{
	struct bench_point *pa = calloc(BENCH_MAX_STEPS, sizeof(*pa));
	struct bench_point *pb = calloc(BENCH_MAX_STEPS, sizeof(*pb));
	unsigned cls[2], nc = classes_of(e, x->cls, cls), above = 0, compared = 0;

	out->decided = false;
	if (!pa || !pb)
		goto out;
	for (unsigned i = 0; i < nc; i++) {
		unsigned na = bench_points(r, n, x->a, cls[i], BENCH_P99, true, pa);
		unsigned nb = bench_points(r, n, x->b, cls[i], BENCH_P99, true, pb);

		for (unsigned j = 0; j < na; j++)
			for (unsigned k = 0; k < nb; k++)
				if (pa[j].step == pb[k].step && isfinite(pa[j].median) &&
				    isfinite(pb[k].median)) {
					compared++;
					above += pa[j].median > pb[k].median;
				}
	}
	out->decided = compared > 0;
	out->holds = 2 * above > compared;
	snprintf(out->detail, sizeof(out->detail), "%s's p99 above %s's at %u of %u steps",
		 e->arms[x->a].name, e->arms[x->b].name, above, compared);
out:
	free(pa);
	free(pb);
}

void bench_check_expect(const struct bench_experiment *e, const struct bench_expect *x,
			const struct bench_step_result *r, size_t n, const struct bench_series *s,
			const struct bench_span *spans, size_t n_spans, struct bench_expect_result *out)
{
	memset(out, 0, sizeof(*out));
	switch (x->kind) {
	case BENCH_EXPECT_KNEE:
		check_knee(e, x, r, n, out);
		break;
	case BENCH_EXPECT_P99:
		check_p99(e, x, r, n, out);
		break;
	case BENCH_EXPECT_GROWS: {
		unsigned g = bench_grows(s, spans, n_spans, x->a);

		out->decided = s->supported;
		out->holds = g > 0;
		snprintf(out->detail, sizeof(out->detail), s->supported ?
			 "%u grow event(s) during %s" : "no per-window statistics from bpfnicd (%u, %s)",
			 g, e->arms[x->a].name);
		break;
	}
	}
}
