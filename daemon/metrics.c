/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The Prometheus exposition of bpfnicd's statistics: see metrics.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/metrics.h"

#define NS_PER_SEC 1000000000u

/* "# HELP" and "# TYPE" of a family; its samples follow, all together. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Nanoseconds as seconds, exactly: nine decimals, no rounding through a double. */
static void put_seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%09" PRIu64, ns / NS_PER_SEC, ns % NS_PER_SEC);
}

/* A label value, escaped as the format asks: backslash, double quote, newline. */
static void put_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* "name " or "name{label="value"} ": a sample up to its value. */
static void start(FILE *f, const char *name, const char *label, const char *value)
{
	fputs(name, f);
	if (label) {
		fprintf(f, "{%s=\"", label);
		put_label_value(f, value);
		fputs("\"}", f);
	}
	fputc(' ', f);
}

static void count(FILE *f, const char *name, const char *label, const char *value, uint64_t v)
{
	start(f, name, label, value);
	fprintf(f, "%" PRIu64 "\n", v);
}

static void seconds(FILE *f, const char *name, const char *label, const char *value, uint64_t ns)
{
	start(f, name, label, value);
	put_seconds(f, ns);
	fputc('\n', f);
}

/* ---- settings: shown whether or not the data path could be read ------------------------ */

static void put_settings(FILE *f, const struct bpfnicd_metrics_source *src)
{
	const struct bpfnicd_config *c = src->config;
	const struct bpfnic_policy_params *pol = bpfnicd_policy_params(src->policy);

	family(f, "bpfnic_build_info", "gauge", "Always 1; the version of bpfnicd in a label.");
	count(f, "bpfnic_build_info", "version", BPFNIC_VERSION, 1);
	family(f, "bpfnic_policy_info", "gauge", "Always 1; the running policy in a label.");
	count(f, "bpfnic_policy_info", "policy", bpfnic_policy_name(pol->policy), 1);

	family(f, "bpfnic_group_cpus", "gauge", "CPUs in the core group now.");
	for (int g = 0; g < BPFNIC_NR_GROUPS; g++) {
		unsigned n;

		bpfnicd_policy_group(src->policy, (enum bpfnic_group)g, &n);
		count(f, "bpfnic_group_cpus", "group", bpfnicd_group_name(g), n);
	}
	family(f, "bpfnic_group_max_cpus", "gauge",
	       "The most CPUs the core group can have under the running policy (MaxCpus= under dynamic).");
	for (int g = 0; g < BPFNIC_NR_GROUPS; g++)
		count(f, "bpfnic_group_max_cpus", "group", bpfnicd_group_name(g),
		      bpfnicd_policy_group_max(src->policy, (enum bpfnic_group)g));
	family(f, "bpfnic_group_changes_total", "counter",
	       "Core group changes the dynamic scaler made since bpfnicd started, by action.");
	for (enum bpfnicd_change_action a = BPFNICD_CHANGE_GROW; a <= BPFNICD_CHANGE_SHRINK; a++)
		count(f, "bpfnic_group_changes_total", "action", bpfnicd_change_action_name(a),
		      bpfnicd_policy_changes(src->policy, a));

	family(f, "bpfnic_workload_service_seconds", "gauge",
	       "Configured service time of a request, by class (ShortUs=, LongUs=).");
	seconds(f, "bpfnic_workload_service_seconds", "class", bpfnicd_class_names[BPFNIC_CLASS_SHORT],
		(uint64_t)c->short_us * 1000);
	seconds(f, "bpfnic_workload_service_seconds", "class", bpfnicd_class_names[BPFNIC_CLASS_LONG],
		(uint64_t)c->long_us * 1000);
	family(f, "bpfnic_workload_max_service_seconds", "gauge",
	       "Configured cap on any service time (MaxUs=).");
	seconds(f, "bpfnic_workload_max_service_seconds", NULL, NULL, (uint64_t)c->max_us * 1000);
}

/* ---- counters since attach --------------------------------------------------------------- */

static void put_totals(FILE *f, const struct bpfnicd_window *cum)
{
	family(f, "bpfnic_requests_total", "counter", "Requests the scheduler received, by class byte.");
	for (int k = 0; k < BPFNIC_NR_CLASSES; k++)
		count(f, "bpfnic_requests_total", "class", bpfnicd_class_names[k], cum->requests_class[k]);
	family(f, "bpfnic_replies_total", "counter", "Replies the workers sent.");
	count(f, "bpfnic_replies_total", NULL, NULL, cum->replies);
	family(f, "bpfnic_passed_frames_total", "counter",
	       "Frames that were not requests, passed to the network stack untouched.");
	count(f, "bpfnic_passed_frames_total", NULL, NULL, cum->passed);
	family(f, "bpfnic_drops_total", "counter",
	       "Requests not served, by cause (queue only where the kernel counts it exactly).");
	for (unsigned i = 0; i < bpfnicd_n_drop_counters; i++) {
		const struct bpfnicd_counter *d = &bpfnicd_drop_counters[i];

		/* The estimate (handed - processed) counts requests in flight: it can go down,
		 * which a counter must never do. */
		if (d->offset == offsetof(struct bpfnicd_window, drops_queue) && !cum->drops_queue_exact)
			continue;
		count(f, "bpfnic_drops_total", "cause", d->name, bpfnicd_counter_value(d, cum));
	}
}

/* ---- per worker CPU ------------------------------------------------------------------------ */

enum cpu_figure { HANDED, PROCESSED, QUEUE_DROPS, SERVICE, THREAD };

static const struct {
	const char *name, *help;
	bool seconds;
} cpu_figures[] = {
	[HANDED] = { "bpfnic_worker_requests_handed_total",
		     "Requests the scheduler handed to the worker CPU's queue.", false },
	[PROCESSED] = { "bpfnic_worker_requests_processed_total",
			"Requests the worker CPU served.", false },
	[QUEUE_DROPS] = { "bpfnic_worker_queue_drops_total",
			  "Requests dropped at the worker CPU's full queue (where counted exactly).", false },
	[SERVICE] = { "bpfnic_worker_service_seconds_total",
		      "Time the worker CPU spent on the requests' workload.", true },
	[THREAD] = { "bpfnic_worker_thread_cpu_seconds_total",
		     "CPU time of the worker CPU's cpumap kernel thread (where it can be read).", true },
};

/* One figure of one CPU; false when it has none to show. */
static bool cpu_figure(const struct bpfnicd_window *cum, const struct bpfnicd_cpu_window *w,
		       enum cpu_figure fig, uint64_t *v)
{
	switch (fig) {
	case HANDED:
		*v = w->handed;
		return true;
	case PROCESSED:
		*v = w->processed;
		return true;
	case QUEUE_DROPS:
		*v = w->queue_drops;
		return cum->drops_queue_exact;
	case SERVICE:
		*v = w->service_sum_ns;
		return true;
	case THREAD:
		*v = (uint64_t)w->kthread_run_ns;
		return w->kthread_run_ns >= 0;
	}
	return false;
}

static void put_cpu_figures(FILE *f, const struct bpfnicd_window *cum)
{
	for (unsigned fig = 0; fig < sizeof(cpu_figures) / sizeof(cpu_figures[0]); fig++) {
		family(f, cpu_figures[fig].name, "counter", cpu_figures[fig].help);
		for (unsigned i = 0; i < cum->n; i++) {
			char cpu[16];
			uint64_t v;

			if (!cpu_figure(cum, &cum->cpu[i], fig, &v))
				continue;
			snprintf(cpu, sizeof(cpu), "%u", cum->cpu[i].cpu);
			if (cpu_figures[fig].seconds)
				seconds(f, cpu_figures[fig].name, "cpu", cpu, v);
			else
				count(f, cpu_figures[fig].name, "cpu", cpu, v);
		}
	}
}

static void put_qdelay(FILE *f, const struct bpfnicd_window *cum, const struct bpfnic_dp_stats *rd)
{
	static const char name[] = "bpfnic_worker_queue_delay_seconds";

	family(f, name, "histogram",
	       "Queuing delay of the requests the worker CPU served: pick-up minus arrival.");
	for (unsigned i = 0; i < cum->n; i++) {
		unsigned cpu = cum->cpu[i].cpu;
		uint64_t le[BPFNICD_QDELAY_N_LE], total;

		if (cpu >= rd->nr_cpus)
			continue;
		bpfnicd_qdelay_buckets(&rd->worker[cpu], le, &total);
		for (unsigned b = 0; b < BPFNICD_QDELAY_N_LE; b++) {
			fprintf(f, "%s_bucket{cpu=\"%u\",le=\"", name, cpu);
			put_seconds(f, bpfnicd_qdelay_le_ns(b));
			fprintf(f, "\"} %" PRIu64 "\n", le[b]);
		}
		fprintf(f, "%s_bucket{cpu=\"%u\",le=\"+Inf\"} %" PRIu64 "\n", name, cpu, total);
		fprintf(f, "%s_sum{cpu=\"%u\"} ", name, cpu);
		put_seconds(f, cum->cpu[i].qdelay_sum_ns);
		fprintf(f, "\n%s_count{cpu=\"%u\"} %" PRIu64 "\n", name, cpu, total);
	}
}

int bpfnicd_metrics_render(const struct bpfnicd_metrics_source *src, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	int r;

	if (!f)
		return -ENOMEM;
	put_settings(f, src);
	if (src->cum && src->reading) {
		put_totals(f, src->cum);
		put_cpu_figures(f, src->cum);
		put_qdelay(f, src->cum, src->reading);
	}
	r = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return r;
}

int bpfnicd_metrics_page(const struct bpfnicd_sampler *sampler, const struct bpfnicd_config *config,
			 const struct bpfnicd_policy *policy, char **text, size_t *len)
{
	struct bpfnicd_window *cum = malloc(sizeof(*cum)); /* tens of kB: not on the stack */
	struct bpfnicd_metrics_source src = { .config = config, .policy = policy };
	int r;

	if (!cum)
		return -ENOMEM;
	if (bpfnicd_sampler_cumulative(sampler, cum, &src.reading) >= 0)
		src.cum = cum;
	r = bpfnicd_metrics_render(&src, text, len);
	free(cum);
	return r;
}
