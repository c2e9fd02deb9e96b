/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* An experiment file: libinih does the INI syntax, this file every key's meaning. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bench/bpfnic-bench/experiment.h"
#include "iniline.h"
#include "loadgen/options.h"
#include "numparse.h"
#include "why.h"

const char *const bench_class_names[BENCH_NR_CLASSES] = { "short", "long" };
const char *const bench_load_unit_names[3] = { "rps", "capacity", "clients" };
const char *const bench_pct_names[BENCH_NR_PCTS] = { "p50", "p90", "p99", "p99.9" };

/* The sections a file may have; Policy and Figure take a name after a space. */
enum section {
	SEC_NONE = 0, SEC_EXPERIMENT, SEC_TRAFFIC, SEC_LOAD, SEC_QUICK, SEC_KNEE, SEC_SHAPE,
	SEC_POLICY, SEC_FIGURE, SEC_UNKNOWN,
};

static const char *const section_names[] = {
	[SEC_EXPERIMENT] = "Experiment", [SEC_TRAFFIC] = "Traffic", [SEC_LOAD] = "Load",
	[SEC_QUICK] = "Quick", [SEC_KNEE] = "Knee", [SEC_SHAPE] = "Shape",
	[SEC_POLICY] = "Policy", [SEC_FIGURE] = "Figure",
};

/* Keys of the fixed sections, to refuse a key given twice (Expect= may repeat). */
#define MAX_SEEN 64

struct parser {
	struct bpfnic_ini_source src; /* the lines, counted */
	struct bpfnic_ini_errors log;
	enum section sec;
	unsigned index;           /* of the [Policy] or [Figure] being read */
	struct {
		enum section sec;
		unsigned index;
		char key[32];
		unsigned line;
	} seen[MAX_SEEN];
	unsigned n_seen;
	/* [Figure] Policies= and [Shape] Expect= name [Policy] sections that may come
	 * later: resolved at the end. */
	struct {
		unsigned figure;
		char names[160];
		unsigned line;
	} figure_policies[BENCH_MAX_FIGURES];
	unsigned n_figure_policies;
	bool mix_set;
	bool bound_set;
	struct bench_experiment *e;
};

/* The file's problems go to the caller's list: see lib/iniline.h. */
#define add_error(p, ...) bpfnic_ini_error(&(p)->log, __VA_ARGS__)

/* ---- small value parsers ------------------------------------------------------------ */

/* A number of the file: decimal, not negative ("0.25", "5000"), to a millionth. */
static int parse_double(const char *s, double *out)
{
	uint64_t v;

	if (bpfnic_parse_fixed(s, 6, UINT64_C(1000000000000000000), &v))
		return -EINVAL;
	*out = (double)v / 1e6;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		*out = true;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int choose(const char *s, const char *const names[], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/* A name of a [Policy] or [Figure] section: letters, digits, '.', '-', '_'. */
static bool valid_name(const char *s, size_t n, size_t max)
{
	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* "A:B" or "A:B:C" of numbers. Returns how many, or -EINVAL. */
static int parse_range(const char *s, double v[3])
{
	char buf[96], *parts[4], *save = NULL, *tok;
	int n = 0;

	if (strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == ':')
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (n == 3)
			return -EINVAL;
		parts[n++] = tok;
	}
	if (n < 2 || strstr(s, "::"))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (parse_double(parts[i], &v[i]))
			return -EINVAL;
	return n;
}

/* ---- sections ------------------------------------------------------------------------ */

/* A [Policy NAME] or [Figure ID]: a new arm or figure, or -EINVAL (said). */
static int open_named(struct parser *p, bool policy, const char *name, size_t nn)
{
	struct bench_experiment *e = p->e;
	const char *kind = policy ? "Policy" : "Figure";
	unsigned n = policy ? e->n_arms : e->n_figures;
	unsigned max = policy ? BENCH_MAX_ARMS : BENCH_MAX_FIGURES;
	char id[BENCH_NAME_MAX] = "";

	if (!valid_name(name, nn, policy ? BENCH_NAME_MAX : sizeof(e->figures[0].id))) {
		if (policy)
			add_error(p, p->src.line, "[Policy %.*s]: a name is 1-%u letters, digits, '.', "
				  "'-' or '_'", (int)nn, name, BENCH_NAME_MAX - 1);
		else
			add_error(p, p->src.line, "[Figure %.*s]: an id is like 5.1 (letters, digits, "
				  "'.', '-', '_')", (int)nn, name);
		return -EINVAL;
	}
	memcpy(id, name, nn);
	for (unsigned i = 0; i < n; i++) {
		unsigned line = policy ? e->arms[i].line : e->figures[i].line;

		if (!strcmp(policy ? e->arms[i].name : e->figures[i].id, id)) {
			add_error(p, p->src.line, "[%s %s] given twice (first on line %u)", kind, id, line);
			return -EINVAL;
		}
	}
	if (n == max) {
		add_error(p, p->src.line, "more than %u [%s] sections", max, kind);
		return -EINVAL;
	}
	if (policy) {
		p->index = e->n_arms++;
		memcpy(e->arms[p->index].name, id, sizeof(e->arms[0].name));
		e->arms[p->index].line = p->src.line;
	} else {
		p->index = e->n_figures++;
		memcpy(e->figures[p->index].id, id, sizeof(e->figures[0].id));
		e->figures[p->index].line = p->src.line;
		e->figures[p->index].pct = BENCH_P99;
		e->figures[p->index].cls = -1;
	}
	return 0;
}

/* A header "[Policy rr]": kind and name. Creates the arm or figure. */
static void open_section(struct parser *p, const char *s, size_t n)
{
	const char *space = memchr(s, ' ', n);
	size_t kn = space ? (size_t)(space - s) : n;
	const char *name = space ? space + 1 : NULL;
	size_t nn = space ? n - kn - 1 : 0;
	int k = -1;

	for (unsigned i = 1; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (strlen(section_names[i]) == kn && !memcmp(s, section_names[i], kn))
			k = (int)i;
	p->sec = SEC_UNKNOWN;
	if (k < 0) {
		add_error(p, p->src.line, "unknown section [%.*s] (expected Experiment, Traffic, Load, "
			  "Quick, Knee, Shape, Policy NAME or Figure ID)", (int)n, s);
		return;
	}
	if ((k == SEC_POLICY || k == SEC_FIGURE) != (name != NULL)) {
		add_error(p, p->src.line, k == SEC_POLICY || k == SEC_FIGURE ?
			  "[%.*s] needs a name: [%s NAME]" : "[%.*s]: no name after this section",
			  (int)n, s, section_names[k]);
		return;
	}
	if ((k == SEC_POLICY || k == SEC_FIGURE) && open_named(p, k == SEC_POLICY, name, nn) < 0)
		return;
	p->sec = (enum section)k;
}

static void on_header(void *ctx, const char *name, size_t len)
{
	open_section(ctx, name, len);
}

static void on_syntax_error(void *ctx, unsigned line, const char *what)
{
	struct parser *p = ctx;

	add_error(p, line, "%s", what);
}

/* Refuses a key set twice in the same section. */
static bool first_time(struct parser *p, const char *key)
{
	for (unsigned i = 0; i < p->n_seen; i++)
		if (p->seen[i].sec == p->sec && p->seen[i].index == p->index &&
		    !strcmp(p->seen[i].key, key)) {
			add_error(p, p->src.line, "%s=: set twice (first on line %u)", key, p->seen[i].line);
			return false;
		}
	if (p->n_seen < MAX_SEEN) {
		p->seen[p->n_seen].sec = p->sec;
		p->seen[p->n_seen].index = p->index;
		snprintf(p->seen[p->n_seen].key, sizeof(p->seen[0].key), "%s", key);
		p->seen[p->n_seen++].line = p->src.line;
	}
	return true;
}

/* value as one of names[n] for key: its index, or -1 after "KEY=value: expected a, b or c". */
static int choose_value(struct parser *p, const char *key, const char *value,
			const char *const names[], unsigned n)
{
	int k = choose(value, names, n);
	char list[96];

	if (k < 0)
		add_error(p, p->src.line, "%s=%.40s: expected %s", key, value,
			  bpfnic_why_names(list, sizeof(list), names, sizeof(names[0]), n, ""));
	return k;
}

/* The keys whose value is free text, kept as written: where the current section keeps
 * key's text, or NULL when key is not one of them. */
static char *text_key(struct parser *p, const char *key, size_t *size)
{
	struct bench_experiment *e = p->e;
	char *dst = NULL;

	if (p->sec == SEC_EXPERIMENT && !strcmp(key, "Title"))
		dst = e->title, *size = sizeof(e->title);
	else if (p->sec == SEC_EXPERIMENT && !strcmp(key, "Thesis"))
		dst = e->thesis, *size = sizeof(e->thesis);
	else if (p->sec == SEC_POLICY && !strcmp(key, "Label"))
		dst = e->arms[p->index].label, *size = sizeof(e->arms[0].label);
	else if (p->sec == SEC_FIGURE && !strcmp(key, "Title"))
		dst = e->figures[p->index].title, *size = sizeof(e->figures[0].title);
	return dst;
}

static void copy_text(struct parser *p, const char *key, const char *value, char *dst, size_t size)
{
	if (strlen(value) >= size) {
		add_error(p, p->src.line, "%s=: longer than %zu characters", key, size - 1);
		return;
	}
	snprintf(dst, size, "%s", value);
}

static void unknown_key(struct parser *p, const char *key)
{
	add_error(p, p->src.line, "%s=: unknown key in [%s]", key, section_names[p->sec]);
}

static void set_experiment(struct parser *p, const char *key, const char *value)
{
	struct bench_experiment *e = p->e;

	if (!strcmp(key, "Name")) {
		if (!valid_name(value, strlen(value), sizeof(e->name)))
			add_error(p, p->src.line, "Name=%.40s: 1-%zu letters, digits, '.', '-' or '_'", value,
				  sizeof(e->name) - 1);
		else
			snprintf(e->name, sizeof(e->name), "%s", value);
	} else {
		unknown_key(p, key);
	}
}

static void set_traffic(struct parser *p, const char *key, const char *value)
{
	struct bench_experiment *e = p->e;
	int k;

	if (!strcmp(key, "Mix")) {
		if (strlen(value) >= sizeof(e->mix_text) || lg_parse_mix(value, e->mix))
			add_error(p, p->src.line, "Mix=%.40s: expected short=W,long=W (weights, not both 0), "
				  "e.g. short=90,long=10", value);
		else
			snprintf(e->mix_text, sizeof(e->mix_text), "%s", value);
		p->mix_set = true;
	} else if (!strcmp(key, "Service")) {
		if (strlen(value) >= sizeof(e->service_text) || lg_parse_service(value, e->service_ns))
			add_error(p, p->src.line, "Service=%.40s: expected short=TIME,long=TIME, e.g. "
				  "short=60us,long=600us (at most 10ms)", value);
		else
			snprintf(e->service_text, sizeof(e->service_text), "%s", value);
	} else if (!strcmp(key, "Arrivals")) {
		if ((k = choose_value(p, key, value, bpfnic_arrivals_names, 2)) >= 0)
			e->arrivals = (enum bpfnic_arrivals)k;
	} else if (!strcmp(key, "Threads")) {
		if (bpfnic_parse_uint(value, 1, LG_MAX_THREADS, &e->threads))
			add_error(p, p->src.line, "Threads=%.40s: expected an integer between 1 and %u", value,
				  LG_MAX_THREADS);
	} else if (!strcmp(key, "Flows")) {
		if (bpfnic_parse_uint(value, 1, LG_MAX_FLOWS, &e->flows))
			add_error(p, p->src.line, "Flows=%.40s: expected an integer between 1 and %u", value,
				  LG_MAX_FLOWS);
	} else {
		unknown_key(p, key);
	}
}

static void set_duration(struct parser *p, const char *key, const char *value, uint64_t *ns,
			 bool zero_ok)
{
	uint64_t v;

	if (bpfnic_parse_duration_ns(value, &v) || (!zero_ok && v == 0))
		add_error(p, p->src.line, "%s=%.40s: expected a time like 2s or 500ms%s", key, value,
			  zero_ok ? "" : " (not 0)");
	else
		*ns = v;
}

static void set_timing(struct parser *p, const char *key, const char *value, struct bench_timing *t)
{
	double v[3];
	int n;

	if (!strcmp(key, "Steps")) {
		n = parse_range(value, v);
		if (n < 0 || v[0] < 0 || v[1] < v[0] || (n == 3 && v[2] <= 0)) {
			add_error(p, p->src.line, "Steps=%.40s: expected START:STOP:STEP (STOP >= START >= 0, "
				  "STEP > 0), or START:STOP for clients", value);
			return;
		}
		t->start = v[0];
		t->stop = v[1];
		t->step = n == 3 ? v[2] : 0;
		t->steps_set = true;
		t->steps_line = p->src.line;
	} else if (!strcmp(key, "Duration")) {
		set_duration(p, key, value, &t->duration_ns, false);
	} else if (!strcmp(key, "Warmup")) {
		set_duration(p, key, value, &t->warmup_ns, true);
	} else if (!strcmp(key, "Drain")) {
		set_duration(p, key, value, &t->drain_ns, true);
	} else if (!strcmp(key, "Repetitions")) {
		if (bpfnic_parse_uint(value, 1, 100, &t->repetitions))
			add_error(p, p->src.line, "Repetitions=%.40s: expected an integer between 1 and 100",
				  value);
	} else if (p->sec == SEC_LOAD && !strcmp(key, "Unit")) {
		int k = choose_value(p, key, value, bench_load_unit_names, 3);

		if (k >= 0)
			p->e->unit = (enum bench_load_unit)k;
	} else if (p->sec == SEC_LOAD && !strcmp(key, "RatePerClient")) {
		if (parse_double(value, &p->e->rate_per_client) || p->e->rate_per_client <= 0)
			add_error(p, p->src.line, "RatePerClient=%.40s: expected requests/s above 0", value);
	} else {
		unknown_key(p, key);
	}
}

static void set_knee(struct parser *p, const char *key, const char *value)
{
	struct bench_experiment *e = p->e;
	double v[3];

	if (!strcmp(key, "BoundUs")) {
		if (parse_double(value, &e->bound_us) || e->bound_us <= 0)
			add_error(p, p->src.line, "BoundUs=%.40s: expected microseconds above 0", value);
		p->bound_set = true;
	} else if (!strcmp(key, "MaxLossPct")) {
		if (parse_double(value, &e->max_loss_pct) || e->max_loss_pct < 0 || e->max_loss_pct > 100)
			add_error(p, p->src.line, "MaxLossPct=%.40s: expected a percentage 0-100", value);
	} else if (!strcmp(key, "Ratio")) {
		if (parse_range(value, v) != 2 || v[0] <= 0 || v[1] < v[0])
			add_error(p, p->src.line, "Ratio=%.40s: expected LOW:HIGH, 0 < LOW <= HIGH "
				  "(e.g. 0.6:1.1)", value);
		else
			e->ratio_lo = v[0], e->ratio_hi = v[1];
	} else {
		unknown_key(p, key);
	}
}

/* A policy parameter: a key of the table that SetPolicy takes (not Policy= itself). */
static const struct bpfnic_param *policy_param(const char *key)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *q = &bpfnic_params[i];

		if (q->json && q->cli && !strcmp(q->key, key))
			return q;
	}
	return NULL;
}

static bool counts_cpus(const struct bpfnic_param *q)
{
	return q->unit && !strcmp(q->unit, "CPUs");
}

static void set_arm_param(struct parser *p, struct bench_arm *a, const struct bpfnic_param *q,
			  const char *value)
{
	struct bench_param_value *v;
	size_t n = strlen(value);
	char why[160];

	if (a->n_params == BENCH_MAX_ARM_PARAMS) {
		add_error(p, p->src.line, "more than %u parameters in [Policy %s]", BENCH_MAX_ARM_PARAMS,
			  a->name);
		return;
	}
	v = &a->params[a->n_params];
	if (n >= sizeof(v->text)) {
		add_error(p, p->src.line, "%s=: longer than %zu characters", q->key, sizeof(v->text) - 1);
		return;
	}
	if (counts_cpus(q) && n > 1 && value[n - 1] == '%') {
		char num[32];
		double share;

		memcpy(num, value, n - 1);
		num[n - 1] = '\0';
		if (parse_double(num, &share) || share == 0 || share > 100) {
			add_error(p, p->src.line, "%s=%.40s: a share of the candidate CPUs is above 0%% and "
				  "at most 100%%", q->key, value);
			return;
		}
		v->share = true;
		v->fraction = share / 100;
	} else {
		json_object *j = bpfnic_param_text_to_json(q, value, why, sizeof(why));

		if (!j) {
			add_error(p, p->src.line, "%s=%.40s: %s%s", q->key, value, why,
				  counts_cpus(q) ? " (or a share of the candidate CPUs, e.g. 50%)" : "");
			return;
		}
		json_object_put(j);
	}
	v->param = q;
	v->line = p->src.line;
	snprintf(v->text, sizeof(v->text), "%s", value);
	a->n_params++;
}

static void set_policy(struct parser *p, const char *key, const char *value)
{
	struct bench_arm *a = &p->e->arms[p->index];
	const struct bpfnic_param *q;

	if (!strcmp(key, "Policy")) {
		int id = bpfnic_policy_by_name(value);

		if (id < 0) {
			char names[96];

			bpfnic_param_accepts(bpfnic_param_by_key("Policy", "Policy"), names, sizeof(names));
			add_error(p, p->src.line, "Policy=%.40s: expected %s", value, names);
			return;
		}
		a->policy = (enum bpfnic_policy)id;
		a->policy_set = true;
	} else if (!strcmp(key, "Governor")) {
		if (!valid_name(value, strlen(value), sizeof(a->governor)))
			add_error(p, p->src.line, "Governor=%.40s: a cpufreq governor name like performance "
				  "or powersave", value);
		else
			snprintf(a->governor, sizeof(a->governor), "%s", value);
	} else if (!strcmp(key, "NeedsCpus")) {
		if (bpfnic_parse_uint(value, 1, BPFNIC_MAX_CPUS, &a->needs_cpus))
			add_error(p, p->src.line, "NeedsCpus=%.40s: a CPU count between 1 and %u", value,
				  BPFNIC_MAX_CPUS);
	} else if ((q = policy_param(key))) {
		set_arm_param(p, a, q, value);
	} else {
		add_error(p, p->src.line, "%s=: unknown key in [Policy %s] (Policy=, Label=, Governor=, "
			  "NeedsCpus= or a policy parameter of bpfnicd.conf such as LongCpus=)", key,
			  a->name);
	}
}

static void set_figure(struct parser *p, const char *key, const char *value)
{
	struct bench_figure *f = &p->e->figures[p->index];
	static const char *const plots[] = { "qdelay", "inout" };
	static const char *const classes[] = { "short", "long", "all" };
	int k;

	if (!strcmp(key, "Plot")) {
		if ((k = choose_value(p, key, value, plots, 2)) >= 0)
			f->plot = (enum bench_plot)k;
	} else if (!strcmp(key, "Class")) {
		if ((k = choose_value(p, key, value, classes, 3)) >= 0)
			f->cls = k == 2 ? -1 : k;
	} else if (!strcmp(key, "Percentile")) {
		if ((k = choose_value(p, key, value, bench_pct_names, BENCH_NR_PCTS)) >= 0)
			f->pct = (enum bench_pct)k;
	} else if (!strcmp(key, "LogY") || !strcmp(key, "Changes")) {
		bool b;

		if (parse_bool(value, &b))
			add_error(p, p->src.line, "%s=%.40s: expected yes or no", key, value);
		else if (key[0] == 'L')
			f->logy = b;
		else
			f->changes = b;
	} else if (!strcmp(key, "Policies")) {
		if (strlen(value) >= sizeof(p->figure_policies[0].names)) {
			add_error(p, p->src.line, "Policies=: too long");
			return;
		}
		p->figure_policies[p->n_figure_policies].figure = p->index;
		p->figure_policies[p->n_figure_policies].line = p->src.line;
		snprintf(p->figure_policies[p->n_figure_policies++].names,
			 sizeof(p->figure_policies[0].names), "%s", value);
	} else {
		unknown_key(p, key);
	}
}

static void set_shape(struct parser *p, const char *key, const char *value)
{
	struct bench_experiment *e = p->e;
	struct bench_expect *x;

	if (strcmp(key, "Expect")) {
		unknown_key(p, key);
		return;
	}
	if (e->n_expects == BENCH_MAX_EXPECTS) {
		add_error(p, p->src.line, "more than %u Expect= lines", BENCH_MAX_EXPECTS);
		return;
	}
	/* Kept as text until every [Policy] is known: resolved in check_expects(). */
	x = &e->expects[e->n_expects];
	if (strlen(value) >= sizeof(x->text)) {
		add_error(p, p->src.line, "Expect=: longer than %zu characters", sizeof(x->text) - 1);
		return;
	}
	snprintf(x->text, sizeof(x->text), "%s", value);
	x->line = p->src.line;
	e->n_expects++;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	size_t size;
	char *text;

	(void)section; /* the reader tracks it, with the index of a [Policy] or [Figure] */
	if (p->sec == SEC_UNKNOWN)
		return 1; /* reported once, at the header */
	if (p->sec == SEC_NONE) {
		add_error(p, p->src.line, "%s=: key outside of a section", name);
		return 1;
	}
	if (p->sec != SEC_SHAPE && !first_time(p, name))
		return 1;
	if (!*value) {
		add_error(p, p->src.line, "%s=: empty value", name);
		return 1;
	}
	if ((text = text_key(p, name, &size))) {
		copy_text(p, name, value, text, size);
		return 1;
	}
	switch (p->sec) {
	case SEC_EXPERIMENT: set_experiment(p, name, value); break;
	case SEC_TRAFFIC: set_traffic(p, name, value); break;
	case SEC_LOAD: set_timing(p, name, value, &p->e->full); break;
	case SEC_QUICK: set_timing(p, name, value, &p->e->quick); break;
	case SEC_KNEE: set_knee(p, name, value); break;
	case SEC_SHAPE: set_shape(p, name, value); break;
	case SEC_POLICY: set_policy(p, name, value); break;
	case SEC_FIGURE: set_figure(p, name, value); break;
	default: break;
	}
	return 1;
}

/* ---- whole-file checks ------------------------------------------------------------------ */

/* "Expect=knee short split > rr", "Expect=grows dynamic", "Expect=p99 all a > b". */
static void check_expect(struct parser *p, struct bench_expect *x)
{
	static const char *const kinds[] = { "knee", "grows", "p99" };
	static const char *const classes[] = { "short", "long", "all" };
	char buf[96], *w[6], *save = NULL, *tok;
	unsigned n = 0;
	int k, a, b, c;

	strcpy(buf, x->text);
	for (tok = strtok_r(buf, " \t", &save); tok && n < 6; tok = strtok_r(NULL, " \t", &save))
		w[n++] = tok;
	k = n ? choose(w[0], kinds, 3) : -1;
	if (k == BENCH_EXPECT_GROWS && n == 2) {
		a = bench_experiment_arm(p->e, w[1]);
		if (a < 0)
			goto no_policy;
		x->kind = BENCH_EXPECT_GROWS;
		x->a = (unsigned)a;
		return;
	}
	if (k < 0 || k == BENCH_EXPECT_GROWS || n != 5 || strlen(w[3]) != 1 ||
	    (w[3][0] != '>' && w[3][0] != '=') || (k == BENCH_EXPECT_P99 && w[3][0] != '>')) {
		add_error(p, x->line, "Expect=%s: expected \"knee CLASS A > B\", \"knee CLASS A = B\", "
			  "\"p99 CLASS A > B\" or \"grows A\" (CLASS short, long or all; A, B "
			  "[Policy] names)", x->text);
		return;
	}
	c = choose(w[1], classes, 3);
	if (c < 0) {
		add_error(p, x->line, "Expect=%s: class '%s' is not short, long or all", x->text, w[1]);
		return;
	}
	a = bench_experiment_arm(p->e, w[2]);
	b = bench_experiment_arm(p->e, w[4]);
	if (a < 0 || b < 0) {
		w[1] = a < 0 ? w[2] : w[4];
		goto no_policy;
	}
	x->kind = (enum bench_expect_kind)k;
	x->cls = c == 2 ? -1 : c;
	x->a = (unsigned)a;
	x->b = (unsigned)b;
	x->op = w[3][0];
	return;
no_policy:
	add_error(p, x->line, "Expect=%s: no [Policy %s] in this file", x->text, w[1]);
}

static void check_figure_policies(struct parser *p)
{
	for (unsigned i = 0; i < p->n_figure_policies; i++) {
		struct bench_figure *f = &p->e->figures[p->figure_policies[i].figure];
		char *save = NULL, *tok;

		for (tok = strtok_r(p->figure_policies[i].names, " \t,", &save); tok;
		     tok = strtok_r(NULL, " \t,", &save)) {
			int a = bench_experiment_arm(p->e, tok);

			if (a < 0)
				add_error(p, p->figure_policies[i].line,
					  "Policies=: no [Policy %s] in this file", tok);
			else
				f->arms |= 1u << a;
		}
	}
}

static unsigned count_steps(const struct bench_experiment *e, const struct bench_timing *t)
{
	double step = e->unit == BENCH_LOAD_CLIENTS && t->step == 0 ? 1 : t->step;

	if (step <= 0)
		return 0;
	/* A hair of slack so that 0.1:1.3:0.1 ends at 1.3 despite binary fractions. */
	return (unsigned)floor((t->stop - t->start) / step + 1e-6) + 1;
}

static void check_timing(struct parser *p, const char *sec, const struct bench_timing *t)
{
	const struct bench_experiment *e = p->e;
	double step = t->step;

	if (!t->steps_set)
		return;
	if (e->unit == BENCH_LOAD_CLIENTS) {
		if (step == 0)
			step = 1;
		if (t->start < 1 || t->start != floor(t->start) || t->stop != floor(t->stop) ||
		    step != floor(step))
			add_error(p, t->steps_line, "[%s] Steps=: client counts are whole numbers from 1", sec);
	} else if (step == 0) {
		add_error(p, t->steps_line, "[%s] Steps=: needs START:STOP:STEP for Unit=%s", sec,
			  bench_load_unit_names[e->unit]);
		return;
	} else if (t->start <= 0) {
		add_error(p, t->steps_line, "[%s] Steps=: the first load must be above 0", sec);
	}
	if (count_steps(e, t) > BENCH_MAX_STEPS)
		add_error(p, t->steps_line, "[%s] Steps=: more than %u steps", sec, BENCH_MAX_STEPS);
}

static void check_whole(struct parser *p)
{
	struct bench_experiment *e = p->e;

	if (!p->mix_set)
		add_error(p, 0, "[Traffic] Mix= is required (e.g. short=90,long=10, or short=1 for "
			  "unimodal traffic)");
	if (!e->full.steps_set)
		add_error(p, 0, "[Load] Steps= is required");
	if (!p->bound_set)
		add_error(p, 0, "[Knee] BoundUs= is required: the p99 queuing delay that defines "
			  "the knee");
	if (e->unit == BENCH_LOAD_CLIENTS && e->rate_per_client <= 0)
		add_error(p, 0, "[Load] Unit=clients needs RatePerClient=");
	if (e->unit != BENCH_LOAD_CLIENTS && e->rate_per_client > 0)
		add_error(p, 0, "[Load] RatePerClient= only goes with Unit=clients");
	check_timing(p, "Load", &e->full);
	check_timing(p, "Quick", &e->quick);
	if (!e->quick.steps_set) {
		e->quick.start = e->full.start;
		e->quick.stop = e->full.stop;
		e->quick.step = e->full.step;
	}
	if (e->n_arms == 0)
		add_error(p, 0, "no [Policy NAME] section: an experiment compares at least one policy");
	for (unsigned i = 0; i < e->n_arms; i++) {
		struct bench_arm *a = &e->arms[i];

		if (!a->policy_set) {
			add_error(p, a->line, "[Policy %s]: Policy= is required", a->name);
			continue;
		}
		_Static_assert(sizeof(a->label) >= sizeof(a->name), "a name fits a label");
		if (!a->label[0])
			memcpy(a->label, a->name, sizeof(a->name));
		for (unsigned j = 0; j < a->n_params; j++)
			if (!bpfnic_param_applies(a->params[j].param, a->policy))
				add_error(p, a->params[j].line, "%s= does not apply to policy %s",
					  a->params[j].param->key, bpfnic_policy_name(a->policy));
	}
	check_figure_policies(p);
	for (unsigned i = 0; i < e->n_expects; i++)
		check_expect(p, &e->expects[i]);
	for (unsigned i = 0; i < e->n_figures; i++) {
		struct bench_figure *f = &e->figures[i];
		char title[sizeof(f->id) + 8];

		if (!f->title[0]) {
			snprintf(title, sizeof(title), "Figure %s", f->id);
			memcpy(f->title, title, sizeof(title));
		}
	}
}

static void defaults(struct bench_experiment *e, const char *filename)
{
	const char *base = strrchr(filename, '/');
	size_t n;

	memset(e, 0, sizeof(*e));
	base = base ? base + 1 : filename;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".ini"))
		n -= 4;
	if (valid_name(base, n, sizeof(e->name)))
		memcpy(e->name, base, n);
	e->arrivals = BPFNIC_ARRIVALS_POISSON;
	e->threads = 1;
	e->unit = BENCH_LOAD_RPS;
	e->full = (struct bench_timing){ .duration_ns = 2000000000ull, .warmup_ns = 500000000ull,
					 .drain_ns = 500000000ull, .repetitions = 1 };
	e->quick = (struct bench_timing){ .duration_ns = 300000000ull, .warmup_ns = 100000000ull,
					  .drain_ns = 200000000ull, .repetitions = 1 };
	e->max_loss_pct = 0.1;
}

int bench_experiment_parse(const char *text, const char *filename, struct bench_experiment *e,
			   struct bench_errors *errs)
{
	/* A few kB: on the stack, so that reading a file cannot fail for memory. */
	struct parser p = {
		.src = { .text = text, .header = on_header, .error = on_syntax_error, .ctx = &p },
		.log = { errs->msg, BENCH_MAX_ERRORS, &errs->n, &errs->total, filename }, .e = e,
	};
	int r;

	memset(errs, 0, sizeof(*errs));
	defaults(e, filename);
	/* bpfnicd.conf's syntax. */
	r = bpfnic_ini_parse(&p.src, handler, &p, &p.log);
	if (r < 0)
		return r;
	if (!e->name[0])
		add_error(&p, 0, "no Name= in [Experiment], and the file's name is not one");
	check_whole(&p);
	return errs->total ? -EINVAL : 0;
}

int bench_experiment_arm(const struct bench_experiment *e, const char *name)
{
	for (unsigned i = 0; i < e->n_arms; i++)
		if (!strcmp(e->arms[i].name, name))
			return (int)i;
	return -1;
}

const struct bench_timing *bench_experiment_timing(const struct bench_experiment *e, bool quick)
{
	return quick ? &e->quick : &e->full;
}

unsigned bench_experiment_steps(const struct bench_experiment *e, bool quick,
				double out[BENCH_MAX_STEPS])
{
	const struct bench_timing *t = bench_experiment_timing(e, quick);
	double step = e->unit == BENCH_LOAD_CLIENTS && t->step == 0 ? 1 : t->step;
	unsigned n = count_steps(e, t);

	if (n > BENCH_MAX_STEPS)
		n = BENCH_MAX_STEPS;
	for (unsigned i = 0; i < n; i++)
		out[i] = t->start + i * step;
	return n;
}

void bench_experiment_mix(const struct bench_experiment *e, double p[BENCH_NR_CLASSES])
{
	double sum = (double)e->mix[0] + (double)e->mix[1];

	for (unsigned k = 0; k < BENCH_NR_CLASSES; k++)
		p[k] = sum > 0 ? e->mix[k] / sum : 0;
}

void bench_param_value_text(const struct bench_param_value *v, unsigned k, char *out, size_t size)
{
	const struct bpfnic_param *q = v->param;
	unsigned n, hi;

	if (!v->share) {
		snprintf(out, size, "%s", v->text);
		return;
	}
	n = (unsigned)lround(v->fraction * k);
	hi = q->max < k ? q->max : k;
	if (n > hi)
		n = hi;
	if (n < q->min)
		n = q->min;
	snprintf(out, size, "%u", n);
}
