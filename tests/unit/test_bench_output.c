// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnic-bench's readers (the loadgen's and the daemon's JSON, the environment probe's
 * output) and writers (results.csv, series.csv, the knee table, report.md, gnuplot
 * scripts), on a small run built by hand.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"
#include "bench/bpfnic-bench/envinfo.h"
#include "bench/bpfnic-bench/output.h"

/* A one-step document as bpfnic-loadgen --json writes it (trimmed). */
static const char loadgen_doc[] =
	"{\"tool\":\"bpfnic-loadgen\",\"steps\":[{\"step\":1,\"clients\":1,\"offered_rps\":5000.0,"
	"\"achieved_rps\":4990.5,\"valid\":false,\"reason\":\"send lag\",%s"
	"\"classes\":{\"short\":{\"sent\":900,\"received\":899,\"lost\":1,"
	"\"rtt_us\":{\"count\":899,\"p50\":10.5,\"p90\":20,\"p99\":30,\"p99.9\":40},"
	"\"qdelay_us\":{\"count\":899,\"p50\":1,\"p90\":2,\"p99\":3,\"p99.9\":4}},"
	"\"long\":{\"sent\":100,\"received\":0,\"lost\":100,"
	"\"rtt_us\":{\"count\":0,\"p50\":0},\"qdelay_us\":{\"count\":0}}}}]}";

static void reads_a_loadgen_step(void **state)
{
	char doc[2048], why[128];
	struct bench_step_result r;

	(void)state;
	snprintf(doc, sizeof(doc), loadgen_doc, "");
	memset(&r, 0, sizeof(r));
	assert_int_equal(bench_loadgen_parse(doc, &r, why, sizeof(why)), 0);
	assert_true(r.offered_rps == 5000 && r.achieved_rps == 4990.5);
	assert_false(r.valid);
	assert_string_equal(r.reason, "send lag");
	assert_true(r.cls[0].sent == 900 && r.cls[0].received == 899 && r.cls[0].lost == 1);
	assert_true(r.cls[0].rtt_us[BENCH_P50] == 10.5 && r.cls[0].qdelay_us[BENCH_P999] == 4);
	/* Nothing received: no percentile, not a zero. */
	assert_true(isnan(r.cls[1].rtt_us[BENCH_P50]) && isnan(r.cls[1].qdelay_us[BENCH_P99]));
	/* No wall-clock span in this document: the runner supplies its own. */
	assert_false(r.wall_from_client);
	snprintf(doc, sizeof(doc), loadgen_doc,
		 "\"wall_start_ns\":1700000000000000000,\"wall_end_ns\":1700000002000000000,");
	assert_int_equal(bench_loadgen_parse(doc, &r, why, sizeof(why)), 0);
	assert_true(r.wall_from_client);
	assert_true(r.wall_end_ns - r.wall_start_ns == 2000000000);
}

static void refuses_what_is_not_a_step(void **state)
{
	char why[128];
	struct bench_step_result r;

	(void)state;
	assert_int_equal(bench_loadgen_parse("{nope", &r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not JSON"));
	assert_int_equal(bench_loadgen_parse("[1]", &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(bench_loadgen_parse("{\"steps\":[{},{}]}", &r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "one step"));
	assert_int_equal(bench_loadgen_parse("{\"steps\":[{}]}", &r, why, sizeof(why)), -EINVAL);
}

static const char stats_doc[] =
	"{\"window_ms\":100,\"windows\":["
	"{\"time_usec\":1000100000,\"window_ms\":100,\"policy\":\"dynamic\","
	"\"groups\":{\"main\":[0],\"long\":[]},\"in_rps\":1000,\"out_rps\":900,"
	"\"qdelay_us\":{\"avg\":5,\"p50\":4,\"p99\":50},\"cpus\":[{\"cpu\":0,\"group\":\"main\","
	"\"in_rps\":1000,\"out_rps\":900,\"qdelay_us\":{\"avg\":5,\"p50\":4,\"p99\":50,\"max\":70},"
	"\"kthread_util\":0.5,\"queue_drops\":3},{\"cpu\":1,\"group\":null,\"in_rps\":0,"
	"\"out_rps\":0,\"qdelay_us\":{\"avg\":0,\"p50\":0,\"p99\":0,\"max\":0},"
	"\"kthread_util\":null,\"queue_drops\":0}]},"
	"{\"time_usec\":1000200000,\"window_ms\":100,\"policy\":\"dynamic\","
	"\"groups\":{\"main\":[0,1],\"long\":[]},\"in_rps\":3000,\"out_rps\":3000,"
	"\"qdelay_us\":{\"avg\":5,\"p50\":4,\"p99\":50},\"cpus\":[]}],"
	"\"changes\":[{\"time_usec\":1000150000,\"action\":\"grow\",\"cpu\":1,\"group\":\"main\","
	"\"group_size\":2,\"metric_us\":130.5,\"reason\":\"avg 130.5 us > 120, \\\"hot\\\"\"},"
	"{\"time_usec\":1000010000,\"action\":\"policy\",\"cpu\":null,\"group\":\"main\","
	"\"group_size\":1,\"metric_us\":null,\"reason\":\"dynamic, by uid 0\"}],"
	"\"truncated\":false}";

static void reads_and_joins_the_series(void **state)
{
	struct bench_series s = { 0 };
	struct bench_step_result r = { .wall_start_ns = 1000050000000ll, .wall_end_ns = 1000200000000ll };
	char why[128];

	(void)state;
	/* An older bpfnicd: no windows at all. */
	assert_int_equal(bench_series_parse("{\"window_ms\":100,\"cpus\":[]}", &s, why, sizeof(why)), 0);
	assert_false(s.supported);
	assert_int_equal(bench_series_parse(stats_doc, &s, why, sizeof(why)), 0);
	assert_true(s.supported);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.nc, 2);
	assert_int_equal(s.w[0].n_cpus, 2);
	assert_int_equal(s.w[0].cpus[1].group, -1);
	assert_true(isnan(s.w[0].cpus[1].kthread_util));
	assert_true(s.w[0].cpus[0].queue_drops == 3 && s.w[0].cpus[0].qdelay_max_us == 70);
	assert_int_equal(s.c[1].cpu, -1); /* a policy change has no CPU */
	assert_true(isnan(s.c[1].metric_us));
	assert_true(s.newest_usec == 1000200000);
	/* Read again: nothing newer, nothing added. */
	assert_int_equal(bench_series_parse(stats_doc, &s, why, sizeof(why)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.nc, 2);
	/* The step [1000.05 s, 1000.2 s] overlaps the first window by 50 ms and the second
	 * by 100 ms: in = (1000·50 + 3000·100) / 150. */
	bench_step_join(&s, &r);
	assert_true(fabs(r.server_in_rps - (1000.0 * 50 + 3000.0 * 100) / 150) < 1e-6);
	assert_true(fabs(r.server_out_rps - (900.0 * 50 + 3000.0 * 100) / 150) < 1e-6);
	assert_int_equal(r.group_start[0], 1);
	assert_int_equal(r.group_end[0], 2);
	assert_int_equal(r.group_end[1], 0);
	/* Not JSON arrays where they should be. */
	assert_int_equal(bench_series_parse("{\"windows\":3}", &s, why, sizeof(why)), -EINVAL);
	bench_series_free(&s);
	/* Without windows the step has no server figures. */
	bench_step_join(&s, &r);
	assert_true(isnan(r.server_in_rps) && r.group_start[0] == -1);
}

/* ---- a small run, by hand ------------------------------------------------------------ */

static struct bench_experiment exp_;
static struct bench_run run_;

static int setup_run(void **state)
{
	static const char text[] =
		"[Experiment]\nName=t\nTitle=A test, with a comma\nThesis=5.1\n"
		"[Traffic]\nMix=short=90,long=10\nService=short=60us,long=600us\n"
		"[Load]\nUnit=capacity\nSteps=0.5:1:0.5\n[Knee]\nBoundUs=1000\nRatio=0.5:1.1\n"
		"[Policy rr]\nPolicy=rr\n[Policy split]\nPolicy=split\nLongCpus=50%\n"
		"[Policy dyn]\nPolicy=dynamic\n"
		"[Figure 5.1]\nClass=short\nTitle=It's short\n[Figure 5.3]\nPlot=inout\n"
		"[Figure 5.4]\nChanges=yes\nPolicies=dyn\nPercentile=p50\n"
		"[Shape]\nExpect=knee short split > rr\nExpect=grows dyn\n";
	struct bench_errors errs;
	char why[128];

	(void)state;
	assert_int_equal(bench_experiment_parse(text, "t.ini", &exp_, &errs), 0);
	memset(&run_, 0, sizeof(run_));
	run_.e = &exp_;
	run_.backend = "lab";
	run_.srv.k = 2;
	run_.srv.queue_size = 4096;
	run_.start_usec = 1000000000;
	run_.end_usec = 1000400000;
	assert_int_equal(bench_plan(&run_, why, sizeof(why)), 0);
	for (unsigned a = 0; a < 3; a++) {
		/* rr, then dyn, then split: the grow of stats_doc falls in dyn's time. */
		int64_t base = 1000000000 + (a == 0 ? 0 : a == 2 ? 1 : 2) * 100000;

		run_.arms[a].applied = true;
		run_.arms[a].groups.n_main = a == 1 ? 1 : 2;
		run_.arms[a].groups.n_long = a == 1 ? 1 : 0;
		run_.arms[a].groups.max_cpus = 2;
		bench_plan_predict(&run_, a);
		for (unsigned s = 0; s < run_.n_steps; s++) {
			struct bench_step_result r = { .arm = a, .step = s, .load = run_.load[s],
						       .offered_rps = run_.offered_rps[s],
						       .achieved_rps = run_.offered_rps[s], .valid = true,
						       .client_cpu_pct = NAN };

			r.wall_start_ns = (base + s * 50000) * 1000;
			r.wall_end_ns = r.wall_start_ns + 40000000;
			for (unsigned k = 0; k < 2; k++) {
				r.cls[k].sent = 100;
				r.cls[k].received = 100 - s;
				r.cls[k].lost = s;
				for (unsigned p = 0; p < BENCH_NR_PCTS; p++) {
					r.cls[k].qdelay_us[p] = 10.0 * (p + 1) * (s + 1);
					r.cls[k].rtt_us[p] = NAN;
				}
			}
			assert_int_equal(bench_run_add(&run_, &r), 0);
		}
		run_.spans[run_.n_spans++] = (struct bench_span){ 0, a, base, base + 99999 };
	}
	assert_int_equal(bench_series_parse(stats_doc, &run_.series, why, sizeof(why)), 0);
	bench_run_join(&run_);
	return 0;
}

static int teardown_run(void **state)
{
	(void)state;
	bench_run_free(&run_);
	return 0;
}

/* What write(f, arg) writes, as a string to free. Not inlined: gcc 12 at -O2 then takes a
 * pointer into the text for one to the local that open_memstream fills (-Wdangling-pointer). */
static __attribute__((noinline)) char *capture(void (*write)(FILE *, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	write(f, arg);
	fclose(f);
	return buf;
}

/* The number of fields of a CSV line (commas outside quotes + 1). */
static unsigned fields(const char *line, size_t len)
{
	unsigned n = 1;
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == ',' && !quoted)
			n++;
	}
	return n;
}

/* Every line has as many fields as there are columns; returns the number of rows. */
static unsigned check_csv(const char *csv, const char *const cols[], unsigned ncols)
{
	const char *line = csv;
	unsigned rows = 0;
	char header[2048] = "";

	for (unsigned i = 0; i < ncols; i++) {
		strcat(header, i ? "," : "");
		strcat(header, cols[i]);
	}
	assert_int_equal(strncmp(csv, header, strlen(header)), 0);
	while (*line) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		assert_int_equal(fields(line, (size_t)(nl - line)), ncols);
		rows++;
		line = nl + 1;
	}
	return rows - 1;
}

static void write_results(FILE *f, const void *unused) { (void)unused; bench_write_results_csv(f, &run_); }
static void write_series(FILE *f, const void *unused) { (void)unused; bench_write_series_csv(f, &run_); }
static void write_knees(FILE *f, const void *unused) { (void)unused; bench_write_knee_table(f, &run_); }
static void write_plot(FILE *f, const void *figure) { bench_write_plot(f, &run_, figure); }
static void write_report(FILE *f, const void *env) { bench_write_report(f, &run_, "bpfnic-bench run t", env); }

static void results_csv_has_a_row_per_step_and_class(void **state)
{
	char *csv = capture(write_results, NULL);

	(void)state;
	/* 3 policies × 2 steps × 2 classes. */
	assert_int_equal(check_csv(csv, bench_results_columns, bench_n_results_columns), 12);
	/* Numbers the run had: an empty cell, never "nan". */
	assert_null(strstr(csv, "nan"));
	assert_non_null(strstr(csv, "\nt,1,split,split,,2,1.0000,capacity,"));
	free(csv);
}

static void series_csv_has_windows_cpus_and_changes(void **state)
{
	char *csv = capture(write_series, NULL);
	char *grow, *window;

	(void)state;
	/* 2 windows, 2 CPU rows of the first, 2 changes. */
	assert_int_equal(check_csv(csv, bench_series_columns, bench_n_series_columns), 6);
	/* In time order: the policy change first, the grow between the two windows. */
	assert_non_null(strstr(csv, "\nchange,1000010000,"));
	grow = strstr(csv, "\nchange,1000150000,");
	window = strstr(csv, "\nwindow,1000200000,");
	assert_non_null(grow);
	assert_non_null(window);
	assert_true(grow - csv < window - csv);
	/* The reason's quotes and comma survive. */
	assert_non_null(strstr(csv, "\"avg 130.5 us > 120, \"\"hot\"\"\""));
	free(csv);
}

static void knee_table_compares_with_the_model(void **state)
{
	char *t = capture(write_knees, NULL);

	(void)state;
	assert_non_null(strstr(t, "| policy | class | measured knee (req/s) | M/C/k/N knee (req/s) | "
				  "measured/predicted | within stated ratio |"));
	/* rr's steps: 8772 then 17544 req/s; p99 30 and 60 µs, loss 0 then 1 %: the knee is
	 * the first step, against μ = 2 / 114 µs. */
	assert_non_null(strstr(t, "| rr | short | 8772 (next step 17544) | 17544 | 0.50 | yes |"));
	assert_non_null(strstr(t, "| split | long | 8772 (next step 17544) | 16667 | 0.53 | yes |"));
	free(t);
}

static void report_has_every_part(void **state)
{
	const char *env[2] = { "server: here", "client: there" };
	char *buf, *first;

	(void)state;
	bench_run_note(&run_, "cannot switch governors here: %s", "no cpufreq");
	bench_run_note(&run_, "cannot switch governors here: %s", "no cpufreq");
	buf = capture(write_report, env);
	assert_non_null(strstr(buf, "# A test, with a comma\n"));
	assert_non_null(strstr(buf, "![Figure 5.1: It's short](fig5.1.svg)"));
	assert_non_null(strstr(buf, "(fig5.3.svg)"));
	assert_non_null(strstr(buf, "(fig5.4.png)"));
	assert_non_null(strstr(buf, "## Knees"));
	assert_non_null(strstr(buf, "## M/C/k/N analysis"));
	assert_non_null(strstr(buf, "k_S ≥ p_S·S_S / (p_L·S_L + p_S·S_S) · k = 0.474 · k = 0.95 CPUs"));
	assert_non_null(strstr(buf, "## Shape against the thesis"));
	assert_non_null(strstr(buf, "- `grows dyn`: as in the thesis (1 grow event(s) during dyn)."));
	/* The knees are equal here: the report says why split is not ahead. */
	assert_non_null(strstr(buf, "- `knee short split > rr`: differs"));
	assert_non_null(strstr(buf, "less than one load step"));
	/* A note given twice is said once. */
	first = strstr(buf, "cannot switch governors here");
	assert_non_null(first);
	assert_null(strstr(first + 1, "cannot switch governors here"));
	free(buf);
}

static void plot_scripts_draw_svg_and_png(void **state)
{
	char *buf;

	(void)state;
	buf = capture(write_plot, &exp_.figures[0]);
	assert_non_null(strstr(buf, "set terminal svg"));
	assert_non_null(strstr(buf, "set output 'fig5.1.svg'"));
	assert_non_null(strstr(buf, "set terminal pngcairo"));
	assert_non_null(strstr(buf, "set output 'fig5.1.png'"));
	assert_non_null(strstr(buf, "set title 'It''s short'"));
	assert_non_null(strstr(buf, "set xlabel 'offered load (requests/s)'"));
	assert_non_null(strstr(buf, "set ylabel 'p99 queuing delay (µs)'"));
	/* One datablock per policy, the short class only, and each policy's predicted knee. */
	assert_non_null(strstr(buf, "$a0c0 << EOD\n8771.930 30.000 30.000 30.000\n"));
	assert_null(strstr(buf, "$a0c1"));
	assert_non_null(strstr(buf, "set arrow 1 from 17543.860, graph 0"));
	free(buf);

	/* 5.4: the grow during dyn's span is a vertical line at the load of its step. */
	buf = capture(write_plot, &exp_.figures[2]);
	assert_non_null(strstr(buf, "set arrow 1 from 17543.860, graph 0 to 17543.860, graph 1"));
	assert_non_null(strstr(buf, "+CPU 1 (rep 1)"));
	assert_null(strstr(buf, "$a0c0"));
	free(buf);

	/* 5.3: incoming against outgoing with the model's line. */
	buf = capture(write_plot, &exp_.figures[1]);
	assert_non_null(strstr(buf, "set xlabel 'incoming requests/s (scheduler)'"));
	assert_non_null(strstr(buf, "$model1 << EOD"));
	free(buf);
}

static void environment_probe_is_read(void **state)
{
	static const unsigned cpus[] = { 0, 1 };
	static const char out[] =
		"kernel=Linux 6.18 x86_64\ncpu_model=AMD EPYC\nonline_cpus=2\n"
		"governor.0=\ngovernor.1=\ncpumap_id=12\n"
		"kthread=cpumap/0/map:12 1 49\nkthread=cpumap/1/map:12 1 49\n"
		"kthread=cpumap/0/map:77 0 0\n"
		"kthread=cpumap/5/map:99 0 0\nkthread=garbage\n";
	static const char freq[] =
		"kernel=k\ngovernor.0=performance\nfreq_khz.0=3000000\ngovernor.1=powersave\n"
		"freq_khz.1=1200000\n";
	json_object *o = bench_env_parse(out, cpus, 2), *v;
	char script[4096], govs[2][32];
	const char *want[] = { "powersave", "performance" };

	(void)state;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "cpufreq", &v));
	assert_string_equal(json_object_get_string(v), "no cpufreq");
	assert_true(json_object_object_get_ex(o, "online_cpus", &v) && json_object_get_int(v) == 2);
	/* Only the daemon's own threads (map 12) make the class: map 77 is another's. */
	assert_true(json_object_object_get_ex(o, "worker_thread_class", &v));
	assert_string_equal(json_object_get_string(v), "fifo:49");
	assert_true(json_object_object_get_ex(o, "worker_threads", &v));
	assert_int_equal(json_object_object_length(v), 2);
	json_object_put(o);
	o = bench_env_parse(freq, cpus, 2);
	assert_true(json_object_object_get_ex(o, "cpufreq", &v));
	assert_true(json_object_is_type(v, json_type_object));
	assert_true(json_object_object_get_ex(v, "1", &v));
	assert_true(json_object_object_get_ex(v, "freq_khz", &v) && json_object_get_int(v) == 1200000);
	json_object_put(o);

	assert_int_equal(bench_governor_parse(freq, cpus, 2, govs), 0);
	assert_string_equal(govs[1], "powersave");
	assert_int_equal(bench_governor_parse("governor.0=x\n", cpus, 2, govs), -EINVAL);
	bench_governor_script(cpus, want, 2, script, sizeof(script));
	assert_non_null(strstr(script, "CPUS='0 1'"));
	assert_non_null(strstr(script, "echo 'powersave' > /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
	bench_governor_script(cpus, NULL, 2, script, sizeof(script));
	assert_null(strstr(script, "> /sys"));
	bench_env_script(NULL, 0, 0, script, sizeof(script));
	assert_non_null(strstr(script, "CPUS=''"));
	bench_env_script(cpus, 2, 4242, script, sizeof(script));
	assert_non_null(strstr(script, "/proc/4242/fdinfo/"));
}

UNIT_TEST_MAIN(
	cmocka_unit_test(reads_a_loadgen_step),
	cmocka_unit_test(refuses_what_is_not_a_step),
	cmocka_unit_test(reads_and_joins_the_series),
	cmocka_unit_test(environment_probe_is_read),
	cmocka_unit_test_setup_teardown(results_csv_has_a_row_per_step_and_class, setup_run, teardown_run),
	cmocka_unit_test_setup_teardown(series_csv_has_windows_cpus_and_changes, setup_run, teardown_run),
	cmocka_unit_test_setup_teardown(knee_table_compares_with_the_model, setup_run, teardown_run),
	cmocka_unit_test_setup_teardown(report_has_every_part, setup_run, teardown_run),
	cmocka_unit_test_setup_teardown(plot_scripts_draw_svg_and_png, setup_run, teardown_run)
)
