// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnic-bench's model backend (--model) end to end on a tiny experiment: the runner
 * writes every output, marked as modelled and saying where the model's figures came
 * from; two runs give the same results.csv; a policy that needs more CPUs is skipped
 * and said so; the policies go through the daemon's SetPolicy checks; compare reads
 * results.csv back.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tests/support/unit.h"
#include "bench/bpfnic-bench/compare.h"
#include "bench/bpfnic-bench/model.h"
#include "bench/bpfnic-bench/runner.h"

/* Two policies of two short steps each, and one that needs 8 CPUs. No figure: no
 * gnuplot here (test_bench_output draws them). */
static const char tiny[] =
	"[Experiment]\nName=tiny\nTitle=tiny\n"
	"[Traffic]\nMix=short=90,long=10\nService=short=60us,long=600us\nArrivals=poisson\n"
	"[Load]\nUnit=capacity\nSteps=0.3:0.6:0.3\nDuration=300ms\nWarmup=50ms\nDrain=50ms\n"
	"Repetitions=1\n"
	"[Knee]\nBoundUs=5000\nMaxLossPct=0.1\n"
	"[Policy rr]\nPolicy=rr\n"
	"[Policy split]\nPolicy=split\nLongCpus=50%\n"
	"[Policy wide]\nPolicy=split\nLongCpus=25%\nNeedsCpus=8\n"
	"[Shape]\nExpect=knee short rr > wide\n";

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The test's own temporary directory, whole. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	char *buf = calloc(1, 1 << 20);
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void run_tiny(const char *dir, unsigned cpus, struct bench_run *run)
{
	static struct bench_experiment e;
	struct bench_errors errs;
	struct bench_model_opts mo = { .cpus = cpus, .overhead_ns = BENCH_MODEL_OVERHEAD_NS,
				       .wakeup_ns = BENCH_MODEL_WAKEUP_NS };
	struct bench_run_opts o = { .dir = dir, .file = "tiny.ini", .command = "test" };
	struct bench_backend b;
	char err[256];

	assert_int_equal(bench_experiment_parse(tiny, "tiny.ini", &e, &errs), 0);
	assert_int_equal(bench_model_open(&mo, &b, err, sizeof(err)), 0);
	assert_int_equal(bench_run_experiment(&b, &e, &o, run, err, sizeof(err)), 0);
	b.ops->close(b.state);
}

static void writes_every_output_marked_modelled(void **state)
{
	char tmpl[] = "/tmp/bench-model-XXXXXX", *dir = mkdtemp(tmpl), *text;
	struct bench_run run;
	json_object *env, *srv = NULL, *v = NULL, *fig = NULL;

	(void)state;
	assert_non_null(dir);
	run_tiny(dir, 2, &run);
	/* 2 policies ran (the third needs 8 CPUs) x 2 steps. */
	assert_int_equal(run.n_results, 4);
	assert_true(run.arms[2].skipped);
	for (size_t i = 0; i < run.n_results; i++) {
		assert_true(run.results[i].valid);
		assert_true(run.results[i].cls[0].sent > 0 && run.results[i].cls[1].sent > 0);
		/* Below the knee nothing is dropped, and the delays are the model's. */
		assert_int_equal(run.results[i].cls[0].lost, 0);
		assert_true(run.results[i].cls[0].qdelay_us[BENCH_P50] >= 0);
	}
	/* split as the daemon applies it on 2 CPUs: one short, one long CPU. */
	assert_int_equal(run.arms[1].groups.n_main, 1);
	assert_int_equal(run.arms[1].groups.n_long, 1);
	/* The server's windows joined the steps (the model's clock). */
	assert_true(run.series.supported && run.series.n > 0);
	assert_true(run.results[0].server_in_rps > 0);
	bench_run_free(&run);

	assert_non_null(text = slurp(dir, "report.md"));
	assert_non_null(strstr(text, "Modelled, not measured"));
	assert_non_null(strstr(text, "wide did not run: it needs a server of 8 CPUs"));
	/* Its Expect= is not decided by a knee it never had. */
	assert_non_null(strstr(text, "`knee short rr > wide`: undecided"));
	free(text);
	assert_non_null(text = slurp(dir, "series.csv"));
	free(text);
	assert_non_null(env = json_object_from_file(strcat(strcpy((char[PATH_MAX]){ 0 }, dir),
							    "/environment.json")));
	assert_true(json_object_object_get_ex(env, "backend", &v));
	assert_string_equal(json_object_get_string(v), "model");
	assert_true(json_object_object_get_ex(env, "server", &srv));
	assert_true(json_object_object_get_ex(srv, "online_cpus", &v));
	assert_int_equal(json_object_get_int(v), 2);
	assert_true(json_object_object_get_ex(srv, "figures", &fig));
	assert_true(json_object_object_get_ex(fig, "overhead_source", &v));
	assert_non_null(strstr(json_object_get_string(v), "lab"));
	assert_true(json_object_object_get_ex(fig, "wakeup_source", &v));
	assert_non_null(strstr(json_object_get_string(v), "lab"));
	json_object_put(env);
	remove_tree(dir);
}

static void is_deterministic_and_reads_back(void **state)
{
	char t1[] = "/tmp/bench-model-XXXXXX", t2[] = "/tmp/bench-model-XXXXXX";
	char *d1 = mkdtemp(t1), *d2 = mkdtemp(t2), *a, *b, why[256];
	struct bench_experiment e;
	struct bench_errors errs;
	struct bench_step_result *r = NULL;
	struct bench_run run;
	size_t n = 0;

	(void)state;
	assert_true(d1 && d2);
	run_tiny(d1, 2, &run);
	bench_run_free(&run);
	run_tiny(d2, 2, &run);
	bench_run_free(&run);
	assert_non_null(a = slurp(d1, "results.csv"));
	assert_non_null(b = slurp(d2, "results.csv"));
	assert_string_equal(a, b);
	assert_int_equal(bench_experiment_parse(tiny, "tiny.ini", &e, &errs), 0);
	assert_int_equal(bench_results_csv_read(a, &e, &r, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 4);
	{
		struct bench_compare_side s = { "lab", d1, r, n }, m = { "model", d2, r, n };
		FILE *devnull = fopen("/dev/null", "we");

		/* A run against itself meets every goal. */
		assert_int_equal(bench_write_compare(devnull, &e, &s, &m), 0);
		fclose(devnull);
	}
	free(r);
	/* Not a results.csv: a clear refusal. */
	assert_int_equal(bench_results_csv_read("a,b\n1,2\n", &e, &r, &n, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no column"));
	free(a);
	free(b);
	remove_tree(d1);
	remove_tree(d2);
}

static void scales_the_shares_with_the_cpus(void **state)
{
	char tmpl[] = "/tmp/bench-model-XXXXXX", *dir = mkdtemp(tmpl);
	struct bench_run run;

	(void)state;
	assert_non_null(dir);
	run_tiny(dir, 16, &run);
	assert_false(run.arms[2].skipped);
	assert_int_equal(run.arms[1].groups.n_long, 8);
	assert_int_equal(run.arms[2].groups.n_long, 4);
	assert_int_equal(run.arms[2].groups.n_main, 12);
	assert_int_equal(run.n_results, 6);
	bench_run_free(&run);
	remove_tree(dir);
}

static void refuses_what_the_daemon_refuses(void **state)
{
	struct bench_model_opts mo = { .cpus = 2 };
	struct bench_policy_cmd cmd = { .policy = BPFNIC_POLICY_SPLIT, .n = 1,
					.flag = { "--long-cpus" }, .value = { "2" } };
	struct bench_applied applied;
	struct bench_backend b;
	char err[256];

	(void)state;
	assert_int_equal(bench_model_open(&mo, &b, err, sizeof(err)), 0);
	/* split with every CPU long leaves no short CPU: SetPolicy refuses it. */
	assert_int_equal(b.ops->set_policy(b.state, &cmd, &applied, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "long_cpus"));
	b.ops->close(b.state);
	mo.cpus = 0;
	assert_int_equal(bench_model_open(&mo, &b, err, sizeof(err)), -EINVAL);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(writes_every_output_marked_modelled),
	cmocka_unit_test(is_deterministic_and_reads_back),
	cmocka_unit_test(scales_the_shares_with_the_cpus),
	cmocka_unit_test(refuses_what_the_daemon_refuses)
)
