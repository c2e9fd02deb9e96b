// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfnic-bench's experiment files: what a good one says, and FILE:LINE for a bad one. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tests/support/unit.h"
#include "bench/bpfnic-bench/experiment.h"

static const char good[] =
	"# a comment\n"
	"[Experiment]\n"
	"Name=bimodal\n"
	"Title=Bimodal traffic\n"
	"Thesis=5.1\n"
	"\n"
	"[Traffic]\n"
	"Mix=short=90,long=10\n"
	"Service=short=60us,long=600us\n"
	"Arrivals=constant\n"
	"Threads=2\n"
	"Flows=16\n"
	"[Load]\n"
	"Unit=capacity\n"
	"Steps=0.1:1.3:0.1\n"
	"Duration=2s\n"
	"Warmup=500ms\n"
	"Repetitions=3\n"
	"[Quick]\n"
	"Duration=300ms\n"
	"[Knee]\n"
	"BoundUs=5000\n"
	"Ratio=0.6:1.1\n"
	"[Policy rr]\n"
	"Policy=rr\n"
	"[Policy split]\n"
	"Label=core separation\n"
	"Policy=split\n"
	"LongCpus=50%\n"
	"[Policy dyn]\n"
	"Policy=dynamic\n"
	"ThresholdUs=120\n"
	"Metric=p99\n"
	"MaxCpus=100%\n"
	"Governor=performance\n"
	"[Figure 5.1]\n"
	"Plot=qdelay\n"
	"Class=short\n"
	"Percentile=p50\n"
	"LogY=yes\n"
	"Policies=rr split\n"
	"[Figure 5.3]\n"
	"Plot=inout\n"
	"[Shape]\n"
	"Expect=knee short split > rr\n"
	"Expect=grows dyn\n"
	"Expect=p99 all dyn > rr\n"
	"Expect=knee long rr = split\n";

static void parses_every_section(void **state)
{
	struct bench_experiment e;
	struct bench_errors errs;
	double steps[BENCH_MAX_STEPS];
	unsigned n;

	(void)state;
	assert_int_equal(bench_experiment_parse(good, "dir/x.ini", &e, &errs), 0);
	assert_string_equal(e.name, "bimodal");
	assert_string_equal(e.thesis, "5.1");
	assert_int_equal(e.mix[0], 90);
	assert_int_equal(e.mix[1], 10);
	assert_true(e.service_ns[0] == 60000 && e.service_ns[1] == 600000);
	assert_string_equal(e.service_text, "short=60us,long=600us");
	assert_int_equal(e.arrivals, BPFNIC_ARRIVALS_CONSTANT);
	assert_int_equal(e.threads, 2);
	assert_int_equal(e.flows, 16);
	assert_int_equal(e.unit, BENCH_LOAD_CAPACITY);
	assert_true(e.full.duration_ns == 2000000000ull && e.full.warmup_ns == 500000000ull);
	/* Defaults where the file says nothing. */
	assert_true(e.full.drain_ns == 500000000ull);
	assert_int_equal(e.full.repetitions, 3);
	assert_true(e.quick.duration_ns == 300000000ull && e.quick.repetitions == 1);
	assert_true(fabs(e.max_loss_pct - 0.1) < 1e-12);
	assert_true(e.bound_us == 5000 && e.ratio_lo == 0.6 && e.ratio_hi == 1.1);

	assert_int_equal(e.n_arms, 3);
	assert_string_equal(e.arms[0].label, "rr"); /* the name, without Label= */
	assert_string_equal(e.arms[1].label, "core separation");
	assert_int_equal(e.arms[1].policy, BPFNIC_POLICY_SPLIT);
	assert_int_equal(e.arms[1].n_params, 1);
	assert_string_equal(e.arms[1].params[0].param->key, "LongCpus");
	assert_true(e.arms[1].params[0].share);
	assert_string_equal(e.arms[2].governor, "performance");
	assert_int_equal(e.arms[2].n_params, 3);

	assert_int_equal(e.n_figures, 2);
	assert_string_equal(e.figures[0].id, "5.1");
	assert_int_equal(e.figures[0].cls, 0);
	assert_int_equal(e.figures[0].pct, BENCH_P50);
	assert_true(e.figures[0].logy);
	assert_int_equal(e.figures[0].arms, 3); /* rr and split */
	assert_int_equal(e.figures[1].plot, BENCH_PLOT_INOUT);
	assert_int_equal(e.figures[1].arms, 0); /* every policy */
	assert_int_equal(e.figures[1].cls, -1);

	assert_int_equal(e.n_expects, 4);
	assert_int_equal(e.expects[0].kind, BENCH_EXPECT_KNEE);
	assert_true(e.expects[0].a == 1 && e.expects[0].b == 0 && e.expects[0].op == '>');
	assert_int_equal(e.expects[1].kind, BENCH_EXPECT_GROWS);
	assert_int_equal(e.expects[1].a, 2);
	assert_int_equal(e.expects[2].cls, -1);
	assert_int_equal(e.expects[3].op, '=');

	/* Quick inherits the steps: 0.1, 0.2, ... 1.3, the last one despite binary fractions. */
	n = bench_experiment_steps(&e, true, steps);
	assert_int_equal(n, 13);
	assert_true(fabs(steps[12] - 1.3) < 1e-9);
	assert_int_equal(bench_experiment_arm(&e, "dyn"), 2);
	assert_int_equal(bench_experiment_arm(&e, "nope"), -1);
}

static void shares_become_cpu_counts(void **state)
{
	struct bench_experiment e;
	struct bench_errors errs;
	char text[16];

	(void)state;
	assert_int_equal(bench_experiment_parse(good, "x.ini", &e, &errs), 0);
	bench_param_value_text(&e.arms[1].params[0], 2, text, sizeof(text));
	assert_string_equal(text, "1");   /* 50 % of 2 */
	bench_param_value_text(&e.arms[1].params[0], 16, text, sizeof(text));
	assert_string_equal(text, "8");
	bench_param_value_text(&e.arms[2].params[2], 2, text, sizeof(text));
	assert_string_equal(text, "2");   /* MaxCpus=100 % */
	bench_param_value_text(&e.arms[2].params[0], 2, text, sizeof(text));
	assert_string_equal(text, "120"); /* not a share: as written */
	/* A share that rounds to nothing is still the parameter's least. */
	e.arms[1].params[0].fraction = 0.01;
	bench_param_value_text(&e.arms[1].params[0], 2, text, sizeof(text));
	assert_string_equal(text, "1");
}

static void mix_and_clients(void **state)
{
	static const char clients[] =
		"[Traffic]\nMix=short=1\n[Load]\nUnit=clients\nSteps=1:4\nRatePerClient=2000\n"
		"[Knee]\nBoundUs=100\n[Policy a]\nPolicy=rr\n";
	struct bench_experiment e;
	struct bench_errors errs;
	double steps[BENCH_MAX_STEPS], p[2];

	(void)state;
	assert_int_equal(bench_experiment_parse(clients, "/a/b/uni.ini", &e, &errs), 0);
	assert_string_equal(e.name, "uni"); /* from the file's name */
	assert_int_equal(bench_experiment_steps(&e, false, steps), 4);
	assert_true(steps[0] == 1 && steps[3] == 4);
	bench_experiment_mix(&e, p);
	assert_true(p[0] == 1 && p[1] == 0);
	assert_true(e.service_ns[0] == 0 && e.service_text[0] == '\0');
}

/* Parses text; expects -EINVAL and an error containing want (with its file:line). */
static void expect_error(const char *text, const char *want)
{
	struct bench_experiment e;
	struct bench_errors errs;
	bool found = false;

	assert_int_equal(bench_experiment_parse(text, "t.ini", &e, &errs), -EINVAL);
	for (unsigned i = 0; i < errs.n; i++)
		found |= strstr(errs.msg[i], want) != NULL;
	if (!found) {
		for (unsigned i = 0; i < errs.n; i++)
			print_error("got: %s\n", errs.msg[i]);
		fail_msg("no error containing \"%s\"", want);
	}
}

#define BASE "[Traffic]\nMix=short=1\n[Load]\nSteps=1:2:1\n[Knee]\nBoundUs=100\n"
#define ARM "[Policy a]\nPolicy=rr\n"

/* Refused files, each with an error containing want (file:line first). */
struct bad_file {
	const char *text, *want;
};

/* Lines after a valid experiment (BASE ARM, 8 lines). */
static const struct bad_file after_valid[] = {
	{ "[Nope]\n", "t.ini:9: unknown section [Nope]" },
	{ "[Policy]\n", "t.ini:9: [Policy] needs a name" },
	{ "[Knee x]\n", "t.ini:9: [Knee x]: no name" },
	{ "[Policy a b]\n", "t.ini:9: [Policy a b]: a name is" },
	{ "[Policy a]\n", "t.ini:9: [Policy a] given twice (first on line 7)" },
	{ "[Experiment\n", "t.ini:9: malformed section header" },
	{ "Frobnicate=1\n", "t.ini:9: Frobnicate=: unknown key in [Policy a]" },
	{ "just words\n", "t.ini:9: expected Key=Value" },
	{ "=1\n", "t.ini:9: missing key name" },
	{ "Label=\n", "t.ini:9: Label=: empty value" },
	{ "[Figure 5.1]\nPlot=pie\n", "t.ini:10: Plot=pie: expected qdelay or inout" },
	{ "[Figure 5.1]\nPolicies=a b\n", "t.ini:10: Policies=: no [Policy b]" },
	{ "[Shape]\nExpect=knee short a > b\n", "t.ini:10: Expect=knee short a > b: no [Policy b]" },
	{ "[Shape]\nExpect=knee a > a\n", "t.ini:10: Expect=knee a > a: expected" },
	{ "[Shape]\nExpect=p99 short a = a\n", "t.ini:10: Expect=p99 short a = a: expected" },
	{ "[Shape]\nExpect=knee tiny a > a\n", "t.ini:10: Expect=knee tiny a > a: class 'tiny'" },
};

/* The lines of [Policy a] after BASE (its header on line 7). */
static const struct bad_file in_policy[] = {
	{ "Policy=fastest\n", "t.ini:8: Policy=fastest: expected rr, lwl, jsq, p2c, hash, split or dynamic" },
	{ "Policy=rr\nLongCpus=1\n", "t.ini:9: LongCpus= does not apply to policy rr" },
	{ "Policy=split\nLongCpus=0\n", "t.ini:9: LongCpus=0: must be" },
	{ "Policy=split\nLongCpus=150%\n", "t.ini:9: LongCpus=150%: a share" },
	{ "Policy=dynamic\nThresholdUs=50%\n", "t.ini:9: ThresholdUs=50%:" },
	{ "Policy=dynamic\nMetric=max\n", "t.ini:9: Metric=max: " },
	{ "", "t.ini:7: [Policy a]: Policy= is required" },
};

/* Whole files: a key before any section, a section missing, or a bad value in [Traffic],
 * [Load] or [Knee]. */
static const struct bad_file whole_files[] = {
	{ "Mix=short=1\n" BASE ARM, "t.ini:1: Mix=: key outside of a section" },
	{ "[Traffic]\nMix=short=1\nMix=short=2\n[Load]\nSteps=1:2:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:3: Mix=: set twice (first on line 2)" },
	{ "[Traffic]\nMix=short=0,long=0\n[Load]\nSteps=1:2:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:2: Mix=short=0,long=0: expected short=W,long=W" },
	{ "[Traffic]\nMix=short=1\nService=short=11ms\n[Load]\nSteps=1:2:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:3: Service=short=11ms" },
	{ "[Traffic]\nMix=short=1\nFlows=0\n[Load]\nSteps=1:2:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:3: Flows=0: expected an integer between 1 and 1024" },
	{ "[Traffic]\nMix=short=1\n[Load]\nSteps=2:1:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:4: Steps=2:1:1: expected START:STOP:STEP" },
	{ "[Traffic]\nMix=short=1\n[Load]\nSteps=1:2\n[Knee]\nBoundUs=1\n" ARM, "t.ini:4: [Load] Steps=: needs START:STOP:STEP for Unit=rps" },
	{ "[Traffic]\nMix=short=1\n[Load]\nSteps=1:2:1\nDuration=2 s\n[Knee]\nBoundUs=1\n" ARM, "t.ini:5: Duration=2 s: expected a time" },
	{ "[Traffic]\nMix=short=1\n[Load]\nSteps=1:2:1\nUnit=watts\n[Knee]\nBoundUs=1\n" ARM, "t.ini:5: Unit=watts: expected rps, capacity or clients" },
	{ "[Traffic]\nMix=short=1\n[Load]\nSteps=1:2:1\n" ARM, "t.ini: [Knee] BoundUs= is required" },
	{ "[Load]\nSteps=1:2:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini: [Traffic] Mix= is required" },
	{ "[Traffic]\nMix=short=1\n[Knee]\nBoundUs=1\n" ARM, "t.ini: [Load] Steps= is required" },
	{ BASE, "t.ini: no [Policy NAME] section" },
	{ "[Traffic]\nMix=short=1\n[Load]\nUnit=clients\nSteps=1:2\n[Knee]\nBoundUs=1\n" ARM, "t.ini: [Load] Unit=clients needs RatePerClient=" },
	{ "[Traffic]\nMix=short=1\n[Load]\nUnit=clients\nSteps=0.5:2\nRatePerClient=1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:5: [Load] Steps=: client counts are whole" },
	{ "[Traffic]\nMix=short=1\n[Load]\nSteps=1:1000:1\n[Knee]\nBoundUs=1\n" ARM, "t.ini:4: [Load] Steps=: more than 200 steps" },
	{ BASE "[Knee]\nRatio=1.2:0.5\n" ARM, "t.ini:8: Ratio=1.2:0.5: expected LOW:HIGH" },
};

/* Each of the n cases, its text after prefix. */
static void expect_errors(const char *prefix, const struct bad_file *cases, size_t n)
{
	char text[1024];

	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s%s", prefix, cases[i].text);
		expect_error(text, cases[i].want);
	}
}

static void bad_files_say_where(void **state)
{
	(void)state;
	expect_errors(BASE ARM, after_valid, N_ELEMENTS(after_valid));
	expect_errors(BASE "[Policy a]\n", in_policy, N_ELEMENTS(in_policy));
	expect_errors("", whole_files, N_ELEMENTS(whole_files));
	{
		char longline[400];

		snprintf(longline, sizeof(longline), BASE ARM "Label=%0300d\n", 0);
		expect_error(longline, "t.ini:9: line longer than");
	}
}

static void errors_are_counted_beyond_the_first_ones(void **state)
{
	char text[4096] = BASE ARM;
	struct bench_experiment e;
	struct bench_errors errs;

	(void)state;
	for (int i = 0; i < 20; i++)
		strcat(text, "Bogus=1\n");
	assert_int_equal(bench_experiment_parse(text, "t.ini", &e, &errs), -EINVAL);
	assert_int_equal(errs.n, BENCH_MAX_ERRORS);
	assert_int_equal(errs.total, 20);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(parses_every_section),
	cmocka_unit_test(shares_become_cpu_counts),
	cmocka_unit_test(mix_and_clients),
	cmocka_unit_test(bad_files_say_where),
	cmocka_unit_test(errors_are_counted_beyond_the_first_ones)
)
