/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* results.csv, series.csv and report.md: see output.h. Figures: plot.c. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bpfnic-bench/output.h"
#include "loadgen/validity.h"

/* ---- CSV ------------------------------------------------------------------------------ */

const char *const bench_results_columns[] = {
	"experiment", "repetition", "policy", "server_policy", "governor", "step", "load",
	"load_unit", "offered_rps", "achieved_rps", "class", "sent", "received", "lost",
	"loss_pct", "rtt_p50_us", "rtt_p90_us", "rtt_p99_us", "rtt_p999_us", "qdelay_p50_us",
	"qdelay_p90_us", "qdelay_p99_us", "qdelay_p999_us", "server_in_rps", "server_out_rps",
	"group_main_start", "group_main_end", "group_long_start", "group_long_end",
	"wall_start_ns", "wall_end_ns", "wall_from", "client_cpu_pct", "valid", "reason",
};
const unsigned bench_n_results_columns = sizeof(bench_results_columns) / sizeof(bench_results_columns[0]);

const char *const bench_series_columns[] = {
	"kind", "time_usec", "t_s", "repetition", "policy", "server_policy", "cpu", "group",
	"group_main", "group_long", "in_rps", "out_rps", "qdelay_avg_us", "qdelay_p50_us",
	"qdelay_p99_us", "kthread_util", "queue_drops", "action", "metric_us", "reason",
};
const unsigned bench_n_series_columns = sizeof(bench_series_columns) / sizeof(bench_series_columns[0]);

static void header(FILE *f, const char *const cols[], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : "", cols[i]);
	fputc('\n', f);
}

/* ",value": empty for an unknown number. */
static void cnum(FILE *f, double v, int decimals)
{
	if (isfinite(v))
		fprintf(f, ",%.*f", decimals, v);
	else
		fputc(',', f);
}

static void cint(FILE *f, long long v)
{
	if (v >= 0)
		fprintf(f, ",%lld", v);
	else
		fputc(',', f);
}

/* ",text", quoted when it holds a comma, a quote or a line break. */
static void cstr(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
	fputc('"', f);
}

void bench_write_results_csv(FILE *f, const struct bench_run *run)
{
	const struct bench_experiment *e = run->e;

	header(f, bench_results_columns, bench_n_results_columns);
	for (size_t i = 0; i < run->n_results; i++) {
		const struct bench_step_result *r = &run->results[i];
		const struct bench_arm_run *a = &run->arms[r->arm];

		for (unsigned k = 0; k < BENCH_NR_CLASSES; k++) {
			const struct bench_class_result *c = &r->cls[k];

			if (!e->mix[k] && !c->sent)
				continue;
			cstr(f, e->name, true);
			fprintf(f, ",%u", r->rep + 1);
			cstr(f, e->arms[r->arm].name, false);
			cstr(f, bpfnic_policy_name(a->cmd.policy), false);
			cstr(f, a->governor, false);
			fprintf(f, ",%u", r->step + 1);
			cnum(f, r->load, 4);
			cstr(f, bench_load_unit_names[e->unit], false);
			cnum(f, r->offered_rps, 0);
			cnum(f, r->achieved_rps, 0);
			cstr(f, bench_class_names[k], false);
			fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, c->sent, c->received, c->lost);
			cnum(f, c->sent ? 100.0 * (double)c->lost / (double)c->sent : NAN, 4);
			for (unsigned p = 0; p < BENCH_NR_PCTS; p++)
				cnum(f, c->rtt_us[p], 3);
			for (unsigned p = 0; p < BENCH_NR_PCTS; p++)
				cnum(f, c->qdelay_us[p], 3);
			cnum(f, r->server_in_rps, 0);
			cnum(f, r->server_out_rps, 0);
			cint(f, r->group_start[0]);
			cint(f, r->group_end[0]);
			cint(f, r->group_start[1]);
			cint(f, r->group_end[1]);
			fprintf(f, ",%" PRId64 ",%" PRId64, r->wall_start_ns, r->wall_end_ns);
			cstr(f, r->wall_from_client ? "client" : "runner", false);
			cnum(f, r->client_cpu_pct, 1);
			fprintf(f, ",%d", r->valid ? 1 : 0);
			cstr(f, r->reason, false);
			fputc('\n', f);
		}
	}
}

/* The span (repetition, policy) a time falls in; NULL between them. */
static const struct bench_span *span_at(const struct bench_run *run, int64_t t)
{
	for (size_t i = 0; i < run->n_spans; i++)
		if (t >= run->spans[i].start_usec && t <= run->spans[i].end_usec)
			return &run->spans[i];
	return NULL;
}

static void series_prefix(FILE *f, const struct bench_run *run, const char *kind, int64_t t,
			  const char *server_policy)
{
	const struct bench_span *sp = span_at(run, t);

	cstr(f, kind, true);
	fprintf(f, ",%" PRId64, t);
	cnum(f, (double)(t - run->start_usec) / 1e6, 3);
	if (sp) {
		fprintf(f, ",%u", sp->rep + 1);
		cstr(f, run->e->arms[sp->arm].name, false);
	} else {
		fputs(",,", f);
	}
	cstr(f, server_policy, false);
}

/* in_rps ... qdelay_p99_us of series.csv, for a window or one of its CPUs. */
static void rates_and_delays(FILE *f, double in, double out, double avg, double p50, double p99)
{
	cnum(f, in, 1);
	cnum(f, out, 1);
	cnum(f, avg, 3);
	cnum(f, p50, 3);
	cnum(f, p99, 3);
}

void bench_write_series_csv(FILE *f, const struct bench_run *run)
{
	const struct bench_series *s = &run->series;
	static const char *const groups[] = { "main", "long" };
	size_t i = 0, j = 0;

	header(f, bench_series_columns, bench_n_series_columns);
	/* Windows and changes merged in time order. */
	while (i < s->n || j < s->nc) {
		if (j >= s->nc || (i < s->n && s->w[i].time_usec <= s->c[j].time_usec)) {
			const struct bench_window *w = &s->w[i++];

			series_prefix(f, run, "window", w->time_usec, w->policy);
			fprintf(f, ",all,,%u,%u", w->group_size[0], w->group_size[1]);
			rates_and_delays(f, w->in_rps, w->out_rps, w->qdelay_avg_us, w->qdelay_p50_us,
					 w->qdelay_p99_us);
			fputs(",,,,,\n", f);
			for (unsigned c = 0; c < w->n_cpus; c++) {
				const struct bench_window_cpu *wc = &w->cpus[c];

				series_prefix(f, run, "cpu", w->time_usec, w->policy);
				fprintf(f, ",%u", wc->cpu);
				cstr(f, wc->group >= 0 ? groups[wc->group] : "none", false);
				fprintf(f, ",%u,%u", w->group_size[0], w->group_size[1]);
				rates_and_delays(f, wc->in_rps, wc->out_rps, wc->qdelay_avg_us,
						 wc->qdelay_p50_us, wc->qdelay_p99_us);
				cnum(f, wc->kthread_util, 4);
				fprintf(f, ",%" PRIu64 ",,,\n", wc->queue_drops);
			}
		} else {
			const struct bench_change *c = &s->c[j++];
			bool is_long = !strcmp(c->group, "long");

			series_prefix(f, run, "change", c->time_usec, "");
			cint(f, c->cpu);
			cstr(f, c->group, false);
			/* group_size is the changed group's size after the change. */
			if (is_long)
				fprintf(f, ",,%u", c->group_size);
			else
				fprintf(f, ",%u,", c->group_size);
			fputs(",,,,,,,", f);
			cstr(f, c->action, false);
			cnum(f, c->metric_us, 3);
			cstr(f, c->reason, false);
			fputc('\n', f);
		}
	}
}

/* ---- report.md -------------------------------------------------------------------------- */

static void fmt_rps(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		snprintf(buf, size, "–");
	else
		snprintf(buf, size, "%.0f", v);
}

/* The measured knee as the table shows it: a value, "> last step" or "< first step". */
static void fmt_knee(char *buf, size_t size, const struct bench_knee *k)
{
	if (k->all_good)
		snprintf(buf, size, "> %.0f", k->knee_rps);
	else if (k->index < 0 && isfinite(k->next_rps))
		snprintf(buf, size, "< %.0f", k->next_rps);
	else if (k->index < 0)
		snprintf(buf, size, "no data");
	else if (k->client_limited)
		snprintf(buf, size, "%.0f (next step %.0f: the client sent %.0f)", k->knee_rps,
			 k->next_rps, k->next_achieved_rps);
	else
		snprintf(buf, size, "%.0f (next step %.0f)", k->knee_rps, k->next_rps);
}

static bool ratio_stated(const struct bench_experiment *e)
{
	return e->ratio_hi > 0;
}

void bench_write_knee_table(FILE *f, const struct bench_run *run)
{
	const struct bench_experiment *e = run->e;

	fprintf(f, "| policy | class | measured knee (req/s) | M/C/k/N knee (req/s) | "
		"measured/predicted |%s\n", ratio_stated(e) ? " within stated ratio |" : "");
	fprintf(f, "|---|---|---|---|---|%s\n", ratio_stated(e) ? "---|" : "");
	for (unsigned a = 0; a < e->n_arms; a++) {
		const struct bench_arm_run *ar = &run->arms[a];

		if (ar->skipped)
			continue;
		for (unsigned c = 0; c < BENCH_NR_CLASSES; c++) {
			struct bench_knee k;
			char meas[64], pred[32], ratio[32] = "–", within[32] = "–";
			double pk = ar->predicted ? ar->pred.knee_rps[c] : NAN;

			if (!e->mix[c])
				continue;
			bench_arm_knee(e, run->results, run->n_results, a, c, &k);
			fmt_knee(meas, sizeof(meas), &k);
			fmt_rps(pred, sizeof(pred), pk);
			if (k.index >= 0 && isfinite(pk) && pk > 0) {
				double q = k.knee_rps / pk;

				snprintf(ratio, sizeof(ratio), "%s%.2f", k.all_good ? "> " : "", q);
				if (ratio_stated(e))
					snprintf(within, sizeof(within), "%s",
						 q >= e->ratio_lo && q <= e->ratio_hi ? "yes" :
						 k.all_good && q < e->ratio_lo ? "undecided" : "no");
			} else if (k.index < 0 && isfinite(k.next_rps) && isfinite(pk) && pk > 0) {
				snprintf(ratio, sizeof(ratio), "< %.2f", k.next_rps / pk);
				if (ratio_stated(e))
					snprintf(within, sizeof(within), "%s",
						 k.next_rps / pk <= e->ratio_lo ? "no" : "undecided");
			}
			fprintf(f, "| %s | %s | %s | %s | %s |", e->arms[a].label, bench_class_names[c],
				meas, pred, ratio);
			if (ratio_stated(e))
				fprintf(f, " %s |", within);
			fputc('\n', f);
		}
	}
}

static void write_figures(FILE *f, const struct bench_run *run)
{
	const struct bench_experiment *e = run->e;

	fprintf(f, "## Figures\n\n");
	for (unsigned i = 0; i < e->n_figures; i++) {
		char name[32];

		bench_figure_name(&e->figures[i], name, sizeof(name));
		fprintf(f, "![Figure %s: %s](%s.svg)\n\n*Figure %s: %s.* ([SVG](%s.svg), "
			"[PNG](%s.png), [gnuplot](%s.gp))\n\n", e->figures[i].id, e->figures[i].title,
			name, e->figures[i].id, e->figures[i].title, name, name, name);
	}
}

static void write_analysis(FILE *f, const struct bench_run *run)
{
	const struct bench_experiment *e = run->e;
	const struct mck_input *m = &run->model;
	double share = mck_short_share(m);

	fprintf(f, "## M/C/k/N analysis (thesis §5.1.2)\n\n");
	fprintf(f, "The server as constant-service queues with Poisson arrivals: k = %u worker "
		"CPUs, N = %u requests per CPU queue", run->srv.k, m->queue_size);
	if (!run->srv.queue_size)
		fprintf(f, " (the server does not report its queue: the default)");
	fprintf(f, "; p_S = %.3g, S_S = %.4g µs; p_L = %.3g, S_L = %.4g µs. ", m->p[0],
		m->service_us[0], m->p[1], m->service_us[1]);
	fprintf(f, "The highest sustainable load is λ_max = μ:\n\n");
	for (unsigned a = 0; a < e->n_arms; a++) {
		const struct bench_arm_run *ar = &run->arms[a];
		const struct mck_prediction *p = &ar->pred;

		if (ar->skipped || !ar->applied) {
			fprintf(f, "- %s: not run\n", e->arms[a].label);
			continue;
		}
		if (!ar->predicted) {
			fprintf(f, "- %s (%s): the analysis has no model of this policy\n",
				e->arms[a].label, bpfnic_policy_name(ar->cmd.policy));
			continue;
		}
		if (p->policy == BPFNIC_POLICY_SPLIT)
			fprintf(f, "- %s (split, k_S = %u, k_L = %u): μ_S = k_S / S_S = %.0f short req/s, "
				"saturated at %.0f req/s offered; μ_L = k_L / S_L = %.0f long req/s, "
				"saturated at %.0f req/s offered; queues full: short wait %.0f µs, long "
				"%.0f µs\n", e->arms[a].label, p->k_main, p->k_long, p->mu_rps[0],
				p->knee_rps[0], p->mu_rps[1], p->knee_rps[1], p->plateau_us[0],
				p->plateau_us[1]);
		else
			fprintf(f, "- %s (%s over %s%u CPUs): μ = k / (p_L·S_L + p_S·S_S) = %.0f req/s; "
				"queues full: wait %.0f µs\n", e->arms[a].label,
				bpfnic_policy_name(p->policy),
				p->policy == BPFNIC_POLICY_DYNAMIC ? "up to " : "", p->k_main,
				p->mu_rps[0], p->plateau_us[0]);
	}
	if (m->p[0] > 0 && m->p[1] > 0)
		fprintf(f, "\nSplit keeps short requests stable at least as long as rr when k_S ≥ "
			"p_S·S_S / (p_L·S_L + p_S·S_S) · k = %.3f · k = %.2f CPUs (the thesis: "
			"0.47 · k for p_S = 0.9, S_L = 10 · S_S).\n", share, share * run->srv.k);
	fputc('\n', f);
}

/* Why a knee comparison came out other than the thesis' (the runs' own figures). */
static void explain_knee(FILE *f, const struct bench_run *run, const struct bench_expect *x)
{
	const struct bench_experiment *e = run->e;
	const struct bench_arm_run *a = &run->arms[x->a], *b = &run->arms[x->b];
	double step = run->n_steps > 1 ? run->offered_rps[1] - run->offered_rps[0] : NAN;

	for (unsigned c = 0; c < BENCH_NR_CLASSES; c++) {
		double pa, pb;

		if ((x->cls >= 0 && (unsigned)x->cls != c) || !e->mix[c] || !a->predicted ||
		    !b->predicted)
			continue;
		pa = a->pred.knee_rps[c];
		pb = b->pred.knee_rps[c];
		if (x->op == '>' && pa <= pb)
			fprintf(f, "  The M/C/k/N analysis itself predicts no such order for %s requests "
				"on k = %u CPUs (%s %.0f, %s %.0f req/s): the thesis' order needs "
				"enough CPUs to give each group its share.\n", bench_class_names[c],
				run->srv.k, e->arms[x->a].name, pa, e->arms[x->b].name, pb);
		else if (isfinite(step) && fabs(pa - pb) < step)
			fprintf(f, "  The predicted knees of %s requests differ by %.0f req/s (%s %.0f, "
				"%s %.0f), less than one load step (%.0f req/s): on k = %u CPUs the "
				"difference the thesis measured on 16 is below this run's resolution.\n",
				bench_class_names[c], fabs(pa - pb), e->arms[x->a].name, pa,
				e->arms[x->b].name, pb, step, run->srv.k);
		else
			fprintf(f, "  The predicted knees of %s requests are %.0f (%s) and %.0f (%s) "
				"req/s: the measured order differs from the model's, so something the "
				"model leaves out dominates (see the notes: the load generator's share "
				"of the CPUs, the kernel threads' scheduling, the repetitions' spread).\n",
				bench_class_names[c], pa, e->arms[x->a].name, pb, e->arms[x->b].name);
	}
}

static bool arm_ran(const struct bench_run *run, unsigned arm)
{
	return run->arms[arm].applied && !run->arms[arm].skipped;
}

static void write_shape(FILE *f, const struct bench_run *run)
{
	const struct bench_experiment *e = run->e;

	if (!e->n_expects)
		return;
	fprintf(f, "## Shape against the thesis\n\n");
	for (unsigned i = 0; i < e->n_expects; i++) {
		const struct bench_expect *x = &e->expects[i];
		struct bench_expect_result res;

		bench_check_expect(e, x, run->results, run->n_results, &run->series, run->spans,
				   run->n_spans, &res);
		fprintf(f, "- `%s`: %s (%s).\n", x->text,
			!res.decided ? "undecided" : res.holds ? "as in the thesis" : "differs",
			res.detail);
		if (res.decided && res.holds)
			continue;
		if (!arm_ran(run, x->a) || (x->kind != BENCH_EXPECT_GROWS && !arm_ran(run, x->b))) {
			fprintf(f, "  %s did not run here (see the notes): nothing to compare.\n",
				e->arms[arm_ran(run, x->a) ? x->b : x->a].label);
			continue;
		}
		if (x->kind == BENCH_EXPECT_KNEE) {
			explain_knee(f, run, x);
			if (!res.decided)
				fprintf(f, "  A knee lies outside the loads tried (Steps=): the run "
					"cannot order them.\n");
		} else if (x->kind == BENCH_EXPECT_GROWS) {
			fprintf(f, "  %s\n", run->series.supported ?
				"The group never grew: the queuing delay the scaler compares never "
				"stayed above its threshold for a window (ThresholdUs= against this "
				"machine's delays), or the group started at its maximum." :
				"bpfnicd gave no per-window statistics (GetStats since_usec), so the "
				"group's changes are unknown.");
		} else {
			fprintf(f, "  The two curves cross or lie within the repetitions' spread: the "
				"difference the thesis saw is not above this machine's noise.\n");
		}
	}
	fputc('\n', f);
}

/* The load generator's share of a CPU over the steps, when it ran on this machine. */
static bool lab_note(FILE *f, const struct bench_run *run)
{
	double lo = INFINITY, hi = 0;

	for (size_t i = 0; i < run->n_results; i++) {
		double c = run->results[i].client_cpu_pct;

		if (isfinite(c)) {
			lo = c < lo ? c : lo;
			hi = c > hi ? c : hi;
		}
	}
	if (!strcmp(run->backend, "lab"))
		fprintf(f, "- On the lab the load generator and the veth's soft interrupts (where the "
			"scheduler runs) share the worker CPUs, which the M/C/k/N prediction counts "
			"whole: measured knees sit lower for that too.");
	if (isfinite(lo))
		fprintf(f, "%sThe load generator used %.0f-%.0f %% of a CPU over the steps "
			"(results.csv, client_cpu_pct).", strcmp(run->backend, "lab") ? "- " : " ",
			lo, hi);
	if (!strcmp(run->backend, "lab") || isfinite(lo)) {
		fputc('\n', f);
		return true;
	}
	return false;
}

void bench_write_report(FILE *f, const struct bench_run *run, const char *command,
			const char *const environment[2])
{
	const struct bench_experiment *e = run->e;
	const struct bench_timing *t = bench_experiment_timing(e, run->quick);
	unsigned invalid = 0;
	bool noted;

	fprintf(f, "# %s\n\n", e->title[0] ? e->title : e->name);
	fprintf(f, "Experiment `%s`%s%s%s, run on the %s%s: `%s`\n\n", e->name,
		e->thesis[0] ? " (thesis " : "", e->thesis, e->thesis[0] ? ")" : "", run->backend,
		run->quick ? " with --quick (brief steps: a smoke check, not a measurement)" : "",
		command);
	fprintf(f, "- %s\n- %s\n", environment[0], environment[1]);
	fprintf(f, "- traffic: mix short=%u,long=%u; service %.4g / %.4g µs; %s arrivals; "
		"%u step(s) of %.3g s (warm-up %.3g s), %u repetition(s)\n\n", e->mix[0], e->mix[1],
		run->model.service_us[0], run->model.service_us[1], bpfnic_arrivals_names[e->arrivals],
		run->n_steps, (double)t->duration_ns / 1e9, (double)t->warmup_ns / 1e9,
		t->repetitions);
	write_figures(f, run);
	fprintf(f, "## Knees\n\n");
	fprintf(f, "The knee: the highest offered load up to which the median over the "
		"repetitions of the p99 queuing delay stays below %.0f µs and the loss under "
		"%.3g %%, the load generator having sent at least %.0f %% of the load. Predicted: "
		"λ_max of the M/C/k/N analysis for the groups the server applied.%s\n\n",
		e->bound_us, e->max_loss_pct, 100 * LG_VALID_MIN_SENT,
		ratio_stated(e) ? "" : " No ratio is stated for this experiment.");
	bench_write_knee_table(f, run);
	if (ratio_stated(e))
		fprintf(f, "\nStated: measured/predicted within %.2f–%.2f. The measured knee sits "
			"below λ_max by design (the p99 bound is crossed before the queues "
			"saturate) and the load steps are discrete.\n", e->ratio_lo, e->ratio_hi);
	fputc('\n', f);
	write_analysis(f, run);
	write_shape(f, run);
	for (size_t i = 0; i < run->n_results; i++)
		invalid += !run->results[i].valid;
	fprintf(f, "## Notes\n\n");
	if (invalid)
		fprintf(f, "- The load generator called %u of %zu steps not valid (its reason is in "
			"results.csv, column reason): in those, the client and not only the server "
			"shaped the figures.\n", invalid, run->n_results);
	if (!run->series.supported)
		fprintf(f, "- bpfnicd gave no per-window statistics (GetStats since_usec): the "
			"server's rates (figure of incoming against outgoing requests), group sizes "
			"and series.csv are empty.\n");
	else if (run->series.truncated)
		fprintf(f, "- bpfnicd's window ring overflowed between two reads: series.csv has "
			"gaps.\n");
	noted = lab_note(f, run);
	for (unsigned i = 0; i < run->n_notes; i++)
		fprintf(f, "- %s\n", run->notes[i]);
	if (!invalid && run->series.supported && !run->series.truncated && !run->n_notes && !noted)
		fprintf(f, "- None.\n");
	fprintf(f, "\nData: results.csv (one row per repetition, policy, step and class), "
		"series.csv (bpfnicd's windows per CPU and the group's changes), "
		"environment.json.\n");
}
