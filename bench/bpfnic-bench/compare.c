/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Two runs of one experiment side by side: see compare.h. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bpfnic-bench/compare.h"
#include "bench/bpfnic-bench/knee.h"
#include "numparse.h"
#include "why.h"

#define CSV_MAX_FIELDS 64u

/* Splits one CSV line in place (RFC 4180 quoting); returns the field count. */
static unsigned csv_split(char *line, char *field[CSV_MAX_FIELDS])
{
	unsigned n = 0;
	char *p = line;

	while (n < CSV_MAX_FIELDS) {
		char *out = p;

		field[n++] = p;
		if (*p == '"') {
			char *q = p + 1;

			for (;;) {
				if (!*q)
					break;
				if (*q == '"' && q[1] == '"') {
					*out++ = '"';
					q += 2;
				} else if (*q == '"') {
					q++;
					break;
				} else {
					*out++ = *q++;
				}
			}
			p = q;
		}
		while (*p && *p != ',')
			*out++ = *p++;
		if (!*p) {
			*out = '\0';
			break;
		}
		*out = '\0';
		p++;
	}
	return n;
}

enum col {
	C_REP, C_POLICY, C_STEP, C_LOAD, C_OFFERED, C_ACHIEVED, C_CLASS, C_SENT, C_RECEIVED,
	C_LOST, C_Q50, C_Q90, C_Q99, C_Q999, C_VALID, NR_COLS
};
static const char *const col_names[NR_COLS] = {
	"repetition", "policy", "step", "load", "offered_rps", "achieved_rps", "class", "sent",
	"received", "lost", "qdelay_p50_us", "qdelay_p90_us", "qdelay_p99_us", "qdelay_p999_us",
	"valid",
};

static double num_or_nan(const char *s)
{
	char *end;
	double v;

	if (!*s)
		return NAN;
	v = strtod(s, &end);
	return *end ? NAN : v;
}

static int find_row(struct bench_step_result **rows, size_t *n, size_t *cap, unsigned rep,
		    unsigned arm, unsigned step)
{
	for (size_t i = 0; i < *n; i++)
		if ((*rows)[i].rep == rep && (*rows)[i].arm == arm && (*rows)[i].step == step)
			return (int)i;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct bench_step_result *p = realloc(*rows, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*rows = p;
		*cap = c;
	}
	memset(&(*rows)[*n], 0, sizeof(**rows));
	(*rows)[*n].rep = rep;
	(*rows)[*n].arm = arm;
	(*rows)[*n].step = step;
	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++)
		for (unsigned p = 0; p < BENCH_NR_PCTS; p++)
			(*rows)[*n].cls[k].qdelay_us[p] = (*rows)[*n].cls[k].rtt_us[p] = NAN;
	return (int)(*n)++;
}

int bench_results_csv_read(const char *text, const struct bench_experiment *e,
			   struct bench_step_result **out, size_t *n_out, char *why, size_t why_size)
{
	struct bench_step_result *rows = NULL;
	size_t n = 0, cap = 0;
	char *copy = strdup(text), *save = NULL, *line;
	int col[NR_COLS], r = 0;
	unsigned lineno = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[CSV_MAX_FIELDS];
		unsigned nf, rep, step;
		int arm, cls = -1, i;

		lineno++;
		nf = csv_split(line, f);
		if (lineno == 1) {
			for (unsigned c = 0; c < NR_COLS; c++) {
				col[c] = -1;
				for (unsigned k = 0; k < nf; k++)
					if (!strcmp(f[k], col_names[c]))
						col[c] = (int)k;
				if (col[c] < 0) {
					r = bpfnic_why(why, why_size, "line 1: no column %s: not a "
						       "results.csv of bpfnic-bench", col_names[c]);
					goto out;
				}
			}
			continue;
		}
		for (unsigned c = 0; c < NR_COLS; c++)
			if (col[c] >= (int)nf) {
				r = bpfnic_why(why, why_size, "line %u: %u fields, too few", lineno, nf);
				goto out;
			}
		arm = bench_experiment_arm(e, f[col[C_POLICY]]);
		for (unsigned k = 0; k < BENCH_NR_CLASSES; k++)
			if (!strcmp(f[col[C_CLASS]], bench_class_names[k]))
				cls = (int)k;
		if (arm < 0 || cls < 0 || bpfnic_parse_uint(f[col[C_REP]], 1, 100000, &rep) ||
		    bpfnic_parse_uint(f[col[C_STEP]], 1, BENCH_MAX_STEPS, &step)) {
			r = bpfnic_why(why, why_size, "line %u: policy '%.32s' (of %s?), class, "
				       "repetition or step not as written by bpfnic-bench", lineno,
				       f[col[C_POLICY]], e->name);
			goto out;
		}
		if ((i = find_row(&rows, &n, &cap, rep - 1, (unsigned)arm, step - 1)) < 0) {
			r = i;
			goto out;
		}
		rows[i].load = num_or_nan(f[col[C_LOAD]]);
		rows[i].offered_rps = num_or_nan(f[col[C_OFFERED]]);
		rows[i].achieved_rps = num_or_nan(f[col[C_ACHIEVED]]);
		rows[i].valid = !strcmp(f[col[C_VALID]], "1");
		rows[i].cls[cls].sent = strtoull(f[col[C_SENT]], NULL, 10);
		rows[i].cls[cls].received = strtoull(f[col[C_RECEIVED]], NULL, 10);
		rows[i].cls[cls].lost = strtoull(f[col[C_LOST]], NULL, 10);
		for (unsigned p = 0; p < BENCH_NR_PCTS; p++)
			rows[i].cls[cls].qdelay_us[p] = num_or_nan(f[col[C_Q50 + p]]);
	}
	if (lineno < 2)
		r = bpfnic_why(why, why_size, "no rows");
out:
	free(copy);
	if (r < 0) {
		free(rows);
		return r;
	}
	*out = rows;
	*n_out = n;
	return 0;
}

static bool ran(const struct bench_compare_side *s, unsigned arm)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->r[i].arm == arm)
			return true;
	return false;
}

static void knee_text(const struct bench_knee *k, char *buf, size_t size)
{
	if (k->all_good && k->index >= 0)
		snprintf(buf, size, "> %.0f", k->knee_rps);
	else if (isfinite(k->knee_rps))
		snprintf(buf, size, "%.0f", k->knee_rps);
	else
		snprintf(buf, size, "below the first step");
}

static void us_text(double v, char *buf, size_t size)
{
	if (isfinite(v))
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "-");
}

unsigned bench_write_compare(FILE *f, const struct bench_experiment *e,
			     const struct bench_compare_side *lab,
			     const struct bench_compare_side *model)
{
	unsigned misses = 0;

	fprintf(f, "# %s: %s against %s\n\n", e->name, model->name, lab->name);
	fprintf(f, "- %s: %s\n- %s: %s\n\n", lab->name, lab->dir, model->name, model->dir);
	fprintf(f, "Goals: the %s's knee within %.0f %% of the %s's; its p99 queuing delay "
		"within %.0f %% of the %s's at every step below the %s's knee. Medians over "
		"the repetitions.\n\n", model->name, 100 * BENCH_COMPARE_KNEE_TOLERANCE, lab->name,
		100 * BENCH_COMPARE_P99_TOLERANCE, lab->name, lab->name);
	fprintf(f, "## Knees\n\n| policy | class | %s knee (req/s) | %s knee (req/s) | %s/%s | "
		"within %.0f %% |\n|---|---|---|---|---|---|\n", lab->name, model->name,
		model->name, lab->name, 100 * BENCH_COMPARE_KNEE_TOLERANCE);
	for (unsigned a = 0; a < e->n_arms; a++)
		for (unsigned c = 0; c < BENCH_NR_CLASSES; c++) {
			struct bench_knee kl, km;
			char tl[32], tm[32];
			double ratio;
			bool ok;

			if (!e->mix[c])
				continue;
			bench_arm_knee(e, lab->r, lab->n, a, c, &kl);
			bench_arm_knee(e, model->r, model->n, a, c, &km);
			if (!ran(lab, a) || !ran(model, a))
				continue; /* e.g. NeedsCpus= on one side */
			knee_text(&kl, tl, sizeof(tl));
			knee_text(&km, tm, sizeof(tm));
			ratio = km.knee_rps / kl.knee_rps;
			ok = isfinite(ratio) && fabs(ratio - 1) <= BENCH_COMPARE_KNEE_TOLERANCE + 1e-9;
			if (!ok)
				misses++;
			fprintf(f, "| %s | %s | %s | %s | %s%.2f | %s |\n", e->arms[a].name,
				bench_class_names[c], tl, tm, kl.all_good || km.all_good ? "~" : "",
				ratio, ok ? "yes" : "**no**");
		}
	fprintf(f, "\n## Queuing delay per step (µs)\n\n| policy | class | offered (req/s) | "
		"%s p50 | %s p50 | %s p99 | %s p99 | p99 %s/%s | goal |\n"
		"|---|---|---|---|---|---|---|---|---|\n", lab->name, model->name, lab->name,
		model->name, model->name, lab->name);
	for (unsigned a = 0; a < e->n_arms; a++)
		for (unsigned c = 0; c < BENCH_NR_CLASSES; c++) {
			struct bench_point l50[BENCH_MAX_STEPS], m50[BENCH_MAX_STEPS];
			struct bench_point l99[BENCH_MAX_STEPS], m99[BENCH_MAX_STEPS];
			unsigned nl, nm;
			struct bench_knee kl;

			if (!e->mix[c] || !ran(lab, a) || !ran(model, a))
				continue;
			nl = bench_points(lab->r, lab->n, a, c, BENCH_P50, true, l50);
			bench_points(lab->r, lab->n, a, c, BENCH_P99, true, l99);
			nm = bench_points(model->r, model->n, a, c, BENCH_P50, true, m50);
			bench_points(model->r, model->n, a, c, BENCH_P99, true, m99);
			bench_arm_knee(e, lab->r, lab->n, a, c, &kl);
			for (unsigned i = 0; i < nl && i < nm; i++) {
				char a50[16], b50[16], a99[16], b99[16];
				double ratio = m99[i].median / l99[i].median;
				bool below = (int)i <= kl.index;
				bool ok = isfinite(ratio) &&
					  fabs(ratio - 1) <= BENCH_COMPARE_P99_TOLERANCE + 1e-9;

				if (below && !ok)
					misses++;
				us_text(l50[i].median, a50, sizeof(a50));
				us_text(m50[i].median, b50, sizeof(b50));
				us_text(l99[i].median, a99, sizeof(a99));
				us_text(m99[i].median, b99, sizeof(b99));
				fprintf(f, "| %s | %s | %.0f | %s | %s | %s | %s | %.2f | %s |\n",
					e->arms[a].name, bench_class_names[c], l50[i].offered_rps, a50,
					b50, a99, b99, ratio, !below ? "above the knee" :
					ok ? "yes" : "**no**");
			}
		}
	fprintf(f, "\n%u comparison(s) missed their goal.\n", misses);
	return misses;
}
