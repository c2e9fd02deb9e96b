/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The gnuplot script of each figure, with the thesis' axes: a queuing-delay percentile
 * against offered load, one curve per policy (and class), the repetitions' range as
 * error bars, the M/C/k/N knee of each policy as a dashed line, or the dynamic
 * group's additions as vertical lines; or the server's outgoing against incoming
 * requests/s with the model's prediction. The data travel inline (datablocks), so a
 * script redraws its figure alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bpfnic-bench/output.h"

void bench_figure_name(const struct bench_figure *fig, char *buf, size_t size)
{
	snprintf(buf, size, "fig%s", fig->id);
}

/* A gnuplot single-quoted string: quotes doubled. */
static void gstr(FILE *g, const char *s)
{
	fputc('\'', g);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', g);
		fputc(*s == '\n' ? ' ' : *s, g);
	}
	fputc('\'', g);
}

static bool drawn(const struct bench_figure *fig, unsigned arm)
{
	return !fig->arms || (fig->arms & (1u << arm));
}

static unsigned classes_drawn(const struct bench_run *run, const struct bench_figure *fig,
			      unsigned out[2])
{
	unsigned n = 0;

	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++)
		if ((fig->cls < 0 || (unsigned)fig->cls == k) && run->e->mix[k])
			out[n++] = k;
	return n;
}

/* A policy's legend: its label, and the governor it really ran under when that differs. */
static void arm_label(const struct bench_run *run, unsigned a, char *buf, size_t size)
{
	const struct bench_arm *arm = &run->e->arms[a];

	if (arm->governor[0] && strcmp(arm->governor, run->arms[a].governor))
		snprintf(buf, size, "%s (ran under: %s)", arm->label, run->arms[a].governor);
	else
		snprintf(buf, size, "%s", arm->label);
}

static double x_of(const struct bench_run *run, const struct bench_point *p)
{
	return run->e->unit == BENCH_LOAD_CLIENTS ? p->load : p->offered_rps;
}

static void xlabel(FILE *g, const struct bench_run *run)
{
	if (run->e->unit == BENCH_LOAD_CLIENTS)
		fprintf(g, "set xlabel 'number of clients (%.0f requests/s each)'\n",
			run->e->rate_per_client);
	else
		fprintf(g, "set xlabel 'offered load (requests/s)'\n");
}

/* The offered load (x) at which a change happened: the step running then. */
static double change_x(const struct bench_run *run, unsigned arm, int64_t t_usec, unsigned *rep)
{
	for (size_t i = 0; i < run->n_spans; i++) {
		const struct bench_span *sp = &run->spans[i];
		int s;

		if (sp->arm != arm || t_usec < sp->start_usec || t_usec > sp->end_usec)
			continue;
		*rep = sp->rep;
		s = bench_step_at(run->results, run->n_results, sp->rep, arm, t_usec);
		if (s < 0)
			return NAN;
		return run->e->unit == BENCH_LOAD_CLIENTS ? run->results[s].load :
		       run->results[s].offered_rps;
	}
	return NAN;
}

static void plot_qdelay(FILE *g, const struct bench_run *run, const struct bench_figure *fig)
{
	const struct bench_experiment *e = run->e;
	struct bench_point *p = calloc(BENCH_MAX_STEPS, sizeof(*p));
	unsigned cls[2], nc = classes_drawn(run, fig, cls), arrows = 0;
	double top_median = 0, top_bar = 0;
	bool first = true;

	if (!p)
		return;
	for (unsigned a = 0; a < e->n_arms; a++) {
		if (!drawn(fig, a))
			continue;
		for (unsigned i = 0; i < nc; i++) {
			unsigned n = bench_points(run->results, run->n_results, a, cls[i], fig->pct,
						  true, p);

			fprintf(g, "$a%uc%u << EOD\n", a, cls[i]);
			for (unsigned j = 0; j < n; j++) {
				/* A log axis has no room for 0: the histogram's floor is 1 µs anyway. */
				double lo = fig->logy && p[j].lo < 0.1 ? 0.1 : p[j].lo;
				double med = fig->logy && p[j].median < 0.1 ? 0.1 : p[j].median;

				if (!isfinite(p[j].median))
					continue;
				fprintf(g, "%.3f %.3f %.3f %.3f\n", x_of(run, &p[j]), med, lo, p[j].hi);
				top_median = p[j].median > top_median ? p[j].median : top_median;
				top_bar = p[j].hi > top_bar ? p[j].hi : top_bar;
			}
			fprintf(g, "EOD\n");
		}
	}
	xlabel(g, run);
	fprintf(g, "set ylabel '%s queuing delay (µs)'\n", bench_pct_names[fig->pct]);
	/* Plain numbers on the y axis, as the thesis' µs: no 2x10^6. */
	fprintf(g, "set format y '%%.0f'\n");
	if (fig->logy)
		fprintf(g, "set logscale y\n");
	else if (top_bar > 3 * top_median && top_median > 0)
		/* One repetition's outlier would flatten every curve on a linear axis: scale
		 * to the medians and let its error bar leave the frame. */
		fprintf(g, "set yrange [0:%.0f]\n", 1.3 * top_median);
	fprintf(g, "set key top left box opaque\nset grid\n");
	for (unsigned a = 0; a < e->n_arms; a++) {
		const struct bench_arm_run *ar = &run->arms[a];

		if (!drawn(fig, a))
			continue;
		if (fig->changes) {
			/* The thesis' figures 5.4/5.5: core additions as vertical lines. */
			for (size_t i = 0; i < run->series.nc; i++) {
				const struct bench_change *c = &run->series.c[i];
				unsigned rep = 0;
				double x;

				if (strcmp(c->action, "grow"))
					continue;
				x = change_x(run, a, c->time_usec, &rep);
				if (!isfinite(x))
					continue;
				fprintf(g, "set arrow %u from %.3f, graph 0 to %.3f, graph 1 nohead "
					"lw 1.5 dt 3 lc rgb '#555555'\n", ++arrows, x, x);
				fprintf(g, "set label %u '+CPU %d (rep %u)' at %.3f, graph %.2f left "
					"offset 0.5,0 font ',8' textcolor rgb '#555555'\n", arrows,
					c->cpu, rep + 1, x, 0.95 - 0.05 * (arrows % 8));
			}
		} else if (ar->predicted) {
			/* The M/C/k/N knee of each drawn class, dashed, in the policy's colour. */
			for (unsigned i = 0; i < nc; i++) {
				double k = ar->pred.knee_rps[cls[i]];

				if (!isfinite(k) || e->unit == BENCH_LOAD_CLIENTS)
					continue;
				fprintf(g, "set arrow %u from %.3f, graph 0 to %.3f, graph 1 nohead "
					"dt 2 lc %u\n", ++arrows, k, k, a + 1);
			}
		}
	}
	fprintf(g, "plot ");
	for (unsigned a = 0; a < e->n_arms; a++) {
		if (!drawn(fig, a))
			continue;
		for (unsigned i = 0; i < nc; i++) {
			char title[160], label[128];

			arm_label(run, a, label, sizeof(label));
			snprintf(title, sizeof(title), "%s%s%s", label, nc > 1 ? ", " : "",
				 nc > 1 ? bench_class_names[cls[i]] : "");
			fprintf(g, "%s$a%uc%u using 1:2:3:4 with yerrorlines lc %u dt %u pt %u title ",
				first ? "" : ", \\\n     ", a, cls[i], a + 1, i + 1, 7 - 2 * i);
			gstr(g, title);
			first = false;
		}
	}
	if (first)
		fprintf(g, "NaN title 'nothing to draw'");
	/* The dashed lines in the key. */
	if (!fig->changes && e->unit != BENCH_LOAD_CLIENTS)
		fprintf(g, ", NaN with lines dt 2 lc rgb '#555555' title 'M/C/k/N knee'");
	fputc('\n', g);
	free(p);
}

static void plot_inout(FILE *g, const struct bench_run *run, const struct bench_figure *fig)
{
	const struct bench_experiment *e = run->e;
	double top = 0;
	bool any = false, first = true;

	for (unsigned a = 0; a < e->n_arms; a++) {
		if (!drawn(fig, a))
			continue;
		fprintf(g, "$in%u << EOD\n", a);
		for (size_t i = 0; i < run->n_results; i++) {
			const struct bench_step_result *r = &run->results[i];

			if (r->arm != a || !isfinite(r->server_in_rps) || !isfinite(r->server_out_rps))
				continue;
			fprintf(g, "%.1f %.1f %.1f\n", r->server_in_rps, r->server_out_rps, r->offered_rps);
			if (r->server_in_rps > top)
				top = r->server_in_rps;
			any = true;
		}
		fprintf(g, "EOD\n");
	}
	for (unsigned i = 0; i < run->n_steps; i++)
		if (run->offered_rps[i] > top)
			top = run->offered_rps[i];
	/* The model's outgoing rate at each incoming one. */
	for (unsigned a = 0; a < e->n_arms; a++) {
		const struct bench_arm_run *ar = &run->arms[a];

		if (!drawn(fig, a) || !ar->predicted)
			continue;
		fprintf(g, "$model%u << EOD\n", a);
		for (unsigned i = 0; i <= 100; i++) {
			double l = top * i / 100;

			fprintf(g, "%.1f %.1f\n", l, mck_out_rps(&ar->pred, &run->model, l));
		}
		fprintf(g, "EOD\n");
	}
	fprintf(g, "set xlabel 'incoming requests/s (scheduler)'\n");
	fprintf(g, "set ylabel 'outgoing requests/s (worker CPUs)'\n");
	fprintf(g, "set key top left box opaque\nset grid\nset xrange [0:*]\nset yrange [0:*]\n");
	if (!any)
		fprintf(g, "set label 1 'bpfnicd gave no per-window statistics' at graph 0.5, "
			"graph 0.5 center\n");
	fprintf(g, "plot x with lines lc rgb '#999999' dt 3 title 'outgoing = incoming'");
	for (unsigned a = 0; a < e->n_arms; a++) {
		char title[160], label[128];

		if (!drawn(fig, a))
			continue;
		arm_label(run, a, label, sizeof(label));
		fprintf(g, ", \\\n     $in%u using 1:2 with points pt 7 ps 0.8 lc %u title ", a, a + 1);
		gstr(g, label);
		if (run->arms[a].predicted) {
			snprintf(title, sizeof(title), "%s: M/C/k/N", label);
			fprintf(g, ", \\\n     $model%u using 1:2 with lines dt 2 lc %u title ", a, a + 1);
			gstr(g, title);
		}
		first = false;
	}
	(void)first;
	fputc('\n', g);
}

void bench_write_plot(FILE *g, const struct bench_run *run, const struct bench_figure *fig)
{
	char name[32];

	bench_figure_name(fig, name, sizeof(name));
	fprintf(g, "# Figure %s of bpfnic-bench's %s run: redraw with `gnuplot %s.gp` here.\n",
		fig->id, run->e->name, name);
	fprintf(g, "set encoding utf8\n");
	fprintf(g, "set terminal svg size 800,560 dynamic font 'sans,11' background '#ffffff'\n");
	fprintf(g, "set output '%s.svg'\n", name);
	fprintf(g, "set title ");
	gstr(g, fig->title);
	fputc('\n', g);
	if (fig->plot == BENCH_PLOT_INOUT)
		plot_inout(g, run, fig);
	else
		plot_qdelay(g, run, fig);
	fprintf(g, "set terminal pngcairo size 1000,700 font 'sans,10' background '#ffffff'\n");
	fprintf(g, "set output '%s.png'\nreplot\nset output\n", name);
}
