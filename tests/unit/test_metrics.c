/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/metrics: the exposition of a synthetic reading. The text format's own rules
 * (every sample under its family's HELP and TYPE, each family once, counters named
 * _total, cumulative buckets ending in +Inf = _count) and the figures themselves,
 * as the statistics module holds them. promtool checks a live page in the
 * integration tier (tests/integration/metrics_prometheus.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/unit.h"

#include "datapath/dpstats.h"
#include "daemon/metrics.h"

#define NCPU 4

struct fixture {
	struct bpfnicd_config cfg;
	struct bpfnicd_policy *policy;
	struct bpfnic_dp_stats rd;
	struct bpfnicd_window cum;
};

static struct fixture fx;

static int setup(void **state)
{
	struct bpfnic_cpuset online = { 0 };

	(void)state;
	for (unsigned c = 0; c < NCPU; c++)
		online.has[c] = true;
	bpfnic_config_defaults(&fx.cfg, &online);
	fx.cfg.cpus = (struct bpfnic_cpus){ .n = 2, .cpu = { 2, 1 } };
	fx.cfg.policy.max_cpus = 2;
	fx.cfg.short_us = 6;
	fx.cfg.long_us = 60;
	fx.cfg.max_us = 1500;
	fx.policy = bpfnicd_policy_new(&fx.cfg, 0, NULL); /* no history kept */
	fx.rd = (struct bpfnic_dp_stats){
		.nr_cpus = NCPU,
		.sched = calloc(NCPU, sizeof(*fx.rd.sched)),
		.worker = calloc(NCPU, sizeof(*fx.rd.worker)),
		.handed = calloc(NCPU, sizeof(*fx.rd.handed)),
		.queue_drops = calloc(NCPU, sizeof(*fx.rd.queue_drops)),
	};
	return fx.policy && fx.rd.sched && fx.rd.worker && fx.rd.handed && fx.rd.queue_drops ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	bpfnicd_policy_free(fx.policy);
	free(fx.rd.sched);
	free(fx.rd.worker);
	free(fx.rd.handed);
	free(fx.rd.queue_drops);
	return 0;
}

/* n requests of class k served on cpu, each waiting qd_ns and served for svc_ns. */
static void serve(unsigned cpu, int k, unsigned n, uint64_t qd_ns, uint64_t svc_ns)
{
	struct bpfnic_worker_stats *w = &fx.rd.worker[cpu];

	w->processed[k] += n;
	w->qdelay_sum_ns += n * qd_ns;
	w->service_sum_ns += n * svc_ns;
	w->tx += n;
	w->qdelay_hist[bpfnic_log_bucket(qd_ns, BPFNIC_HIST_SUB_BITS)] += n;
	fx.rd.handed[cpu] += n;
	fx.rd.sched[0].requests[k] += n;
}

static char *render(bool with_reading)
{
	struct bpfnicd_metrics_source src = { .config = &fx.cfg, .policy = fx.policy };
	char *text = NULL;
	size_t len = 0;

	bpfnicd_window_compute(&fx.rd, NULL, fx.cfg.cpus.cpu, fx.cfg.cpus.n, 0, &fx.cum);
	fx.cum.cpu[0].kthread_run_ns = 1500000000; /* CPU 2's thread: 1.5 s; CPU 1's unknown */
	if (with_reading) {
		src.cum = &fx.cum;
		src.reading = &fx.rd;
	}
	assert_int_equal(bpfnicd_metrics_render(&src, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *s = text; (s = strstr(s, line)); s++)
		if ((s == text || s[-1] == '\n') && s[n] == '\n')
			return true;
	return false;
}

#define assert_line(text, line)                                                   \
	do {                                                                      \
		if (!has_line(text, line)) {                                      \
			print_message("# missing line: %s\n", line);              \
			fail();                                                   \
		}                                                                 \
	} while (0)

/* The format's structure: families once each, samples right under theirs. */
static void check_structure(const char *text)
{
	char family[128] = "", seen[64][128], type[16] = "";
	unsigned n_seen = 0;

	for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
		char name[128];
		size_t n = strcspn(line, "{ \n");

		assert_non_null(strchr(line, '\n'));
		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line, "# HELP %127s", family), 1);
			for (unsigned i = 0; i < n_seen; i++)
				assert_string_not_equal(seen[i], family);
			assert_true(n_seen < 64);
			strcpy(seen[n_seen++], family);
			assert_true(!strncmp(family, "bpfnic_", 7));
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line, "# TYPE %127s %15s", name, type), 2);
			assert_string_equal(name, family);
			/* Counters, and only they, end in _total. */
			n = strlen(family);
			assert_int_equal(!strcmp(type, "counter"), n > 6 && !strcmp(family + n - 6, "_total"));
			continue;
		}
		assert_true(n < sizeof(name));
		memcpy(name, line, n);
		name[n] = '\0';
		if (!strcmp(type, "histogram")) {
			size_t f = strlen(family);

			assert_memory_equal(name, family, f);
			assert_true(!strcmp(name + f, "_bucket") || !strcmp(name + f, "_sum") ||
				    !strcmp(name + f, "_count"));
		} else {
			assert_string_equal(name, family);
		}
	}
}

static void test_figures(void **state)
{
	char *text;
	(void)state;

	serve(2, BPFNIC_CLASS_SHORT, 50, 5000, 6000);
	serve(1, BPFNIC_CLASS_LONG, 10, 1000000, 60000);
	fx.rd.sched[1].requests[BPFNIC_CLASS_UNKNOWN] = 3;
	fx.rd.sched[0].passed = 7;
	fx.rd.sched[0].no_cpu = 2;
	fx.rd.handed[1] += 4; /* 4 more handed than served: in flight or dropped */
	fx.rd.queue_drops_exact = false;
	text = render(true);
	check_structure(text);
	assert_line(text, "bpfnic_build_info{version=\"" BPFNIC_VERSION "\"} 1");
	assert_line(text, "bpfnic_policy_info{policy=\"rr\"} 1");
	assert_line(text, "bpfnic_group_cpus{group=\"main\"} 2");
	assert_line(text, "bpfnic_group_cpus{group=\"long\"} 0");
	assert_line(text, "bpfnic_group_changes_total{action=\"grow\"} 0");
	assert_line(text, "bpfnic_workload_service_seconds{class=\"long\"} 0.000060000");
	assert_line(text, "bpfnic_workload_max_service_seconds 0.001500000");
	assert_line(text, "bpfnic_requests_total{class=\"short\"} 50");
	assert_line(text, "bpfnic_requests_total{class=\"long\"} 10");
	assert_line(text, "bpfnic_requests_total{class=\"unknown\"} 3");
	assert_line(text, "bpfnic_replies_total 60");
	assert_line(text, "bpfnic_passed_frames_total 7");
	assert_line(text, "bpfnic_drops_total{cause=\"no_cpu\"} 2");
	assert_line(text, "bpfnic_worker_requests_handed_total{cpu=\"1\"} 14");
	assert_line(text, "bpfnic_worker_requests_processed_total{cpu=\"1\"} 10");
	assert_line(text, "bpfnic_worker_service_seconds_total{cpu=\"1\"} 0.000600000");
	assert_line(text, "bpfnic_worker_thread_cpu_seconds_total{cpu=\"2\"} 1.500000000");
	assert_null(strstr(text, "bpfnic_worker_thread_cpu_seconds_total{cpu=\"1\"}"));
	/* An estimated queue-drop count can go down: no counter shows it. */
	assert_null(strstr(text, "cause=\"queue\""));
	assert_null(strstr(text, "bpfnic_worker_queue_drops_total{"));
	/* 5000 ns is in the BPF bucket 4608..5119 ns: the bounds on both sides of it. */
	assert_line(text, "bpfnic_worker_queue_delay_seconds_bucket{cpu=\"2\",le=\"0.000004607\"} 0");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_bucket{cpu=\"2\",le=\"0.000005119\"} 50");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_bucket{cpu=\"2\",le=\"+Inf\"} 50");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_sum{cpu=\"2\"} 0.000250000");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_count{cpu=\"2\"} 50");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_bucket{cpu=\"1\",le=\"0.000983039\"} 0");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_bucket{cpu=\"1\",le=\"0.001048575\"} 10");
	assert_line(text, "bpfnic_worker_queue_delay_seconds_sum{cpu=\"1\"} 0.010000000");
	free(text);

	/* Counted exactly by the kernel's tracer: the queue cause and the per-CPU drops. */
	fx.rd.queue_drops_exact = true;
	fx.rd.queue_drops[1] = 4;
	text = render(true);
	check_structure(text);
	assert_line(text, "bpfnic_drops_total{cause=\"queue\"} 4");
	assert_line(text, "bpfnic_worker_queue_drops_total{cpu=\"1\"} 4");
	assert_line(text, "bpfnic_worker_queue_drops_total{cpu=\"2\"} 0");
	free(text);
}

/* Cumulative buckets that end in +Inf, equal to _count, for every CPU. */
static void test_buckets_are_cumulative(void **state)
{
	char *text;
	unsigned histograms = 0;
	(void)state;

	for (unsigned i = 0; i < 2000; i++)
		serve(1 + i % 2, BPFNIC_CLASS_SHORT, 1, 100 + (uint64_t)i * i * 37, 1000);
	text = render(true);
	for (const char *s = text; (s = strstr(s, "\nbpfnic_worker_queue_delay_seconds_bucket{cpu=\""));) {
		unsigned cpu, prev_cpu = ~0u;
		unsigned long long v, prev = 0, count;
		char le[32];

		for (; sscanf(s, "\nbpfnic_worker_queue_delay_seconds_bucket{cpu=\"%u\",le=\"%31[^\"]\"} %llu",
			      &cpu, le, &v) == 3; s = strchr(s + 1, '\n')) {
			assert_true(prev_cpu == ~0u || prev_cpu == cpu);
			assert_true(v >= prev);
			prev = v;
			prev_cpu = cpu;
			if (!strcmp(le, "+Inf"))
				break;
		}
		assert_string_equal(le, "+Inf");
		s = strstr(s, "_count{cpu=\"");
		assert_int_equal(sscanf(s, "_count{cpu=\"%u\"} %llu", &cpu, &count), 2);
		assert_int_equal(cpu, prev_cpu);
		assert_int_equal(count, prev);
		assert_int_equal(count, bpfnic_worker_processed(&fx.rd.worker[cpu]));
		histograms++;
	}
	assert_int_equal(histograms, 2);
	free(text);
}

/* Before the data path was read: the settings, and no counter that would read 0. */
static void test_without_reading(void **state)
{
	char *text = render(false);
	(void)state;

	check_structure(text);
	assert_line(text, "bpfnic_group_max_cpus{group=\"main\"} 2");
	assert_null(strstr(text, "bpfnic_requests_total"));
	assert_null(strstr(text, "bpfnic_worker_"));
	free(text);
}

UNIT_TEST_MAIN_GROUP(setup, teardown,
	cmocka_unit_test(test_figures),
	cmocka_unit_test(test_buckets_are_cumulative),
	cmocka_unit_test(test_without_reading)
)
