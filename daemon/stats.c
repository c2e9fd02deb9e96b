/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One statistics window: see stats.h. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <json-c/json.h>

#include "datapath/dpstats.h"
#include "daemon/stats.h"
#include "varlink.h"

/* Replies that left: handed to the devmap and not dropped on the way out. The same
 * CPU counts both (bpfnic.h), so only a reading between the two can see more drops. */
static uint64_t transmitted(const struct bpfnic_worker_stats *w)
{
	return w->tx >= w->tx_dropped ? w->tx - w->tx_dropped : 0;
}

/*
 * Requests dropped at cpu's full queue since attach: the kernel's count when the
 * tracer is loaded, else handed - processed (which counts the few in flight too).
 */
static uint64_t queue_drops_of(const struct bpfnic_dp_stats *s, unsigned c)
{
	uint64_t handed = s->handed ? s->handed[c] : 0, processed = bpfnic_worker_processed(&s->worker[c]);

	if (s->queue_drops_exact && s->queue_drops)
		return s->queue_drops[c];
	return handed > processed ? handed - processed : 0;
}

/* Sums over every CPU the data path has: the schedulers' counters, transmitted replies,
 * transmit errors and drops, and which CPUs took requests (several RX queues). */
struct all_cpus {
	struct bpfnic_sched_stats sched_now, sched_before;
	uint64_t tx_now, tx_before; /* transmitted: tx - tx_dropped */
};

static void sum_all_cpus(const struct bpfnic_dp_stats *now, const struct bpfnic_dp_stats *before,
			 struct all_cpus *sum, struct bpfnicd_window *out)
{
	for (unsigned c = 0; c < now->nr_cpus; c++) {
		uint64_t took = 0;

		bpfnic_sched_stats_add(&sum->sched_now, &now->sched[c]);
		if (before)
			bpfnic_sched_stats_add(&sum->sched_before, &before->sched[c]);
		sum->tx_now += transmitted(&now->worker[c]);
		if (before)
			sum->tx_before += transmitted(&before->worker[c]);
		out->drops_tx_err += now->worker[c].tx_err;
		out->drops_transmit += now->worker[c].tx_dropped;
		for (int k = 0; k < BPFNIC_NR_CLASSES; k++)
			took += now->sched[c].requests[k];
		if (took && c < BPFNIC_MAX_CPUS)
			out->rx[out->n_rx++] = (struct bpfnicd_rx_cpu){ c, took };
	}
}

/* Adds what CPU c's load estimate got right and wrong over the window to acc. */
static void add_estimate(const struct bpfnic_dp_stats *now, const struct bpfnic_dp_stats *before,
			 unsigned c, struct bpfnic_load_acc *acc)
{
	const struct bpfnic_load_acc *a = &now->acc[c];
	const struct bpfnic_load_acc *b = before && before->acc ? &before->acc[c] : NULL;

	acc->n += a->n - (b ? b->n : 0);
	acc->est_sum_ns += a->est_sum_ns - (b ? b->est_sum_ns : 0);
	acc->actual_sum_ns += a->actual_sum_ns - (b ? b->actual_sum_ns : 0);
	acc->abs_err_sum_ns += a->abs_err_sum_ns - (b ? b->abs_err_sum_ns : 0);
	acc->under += a->under - (b ? b->under : 0);
}

/* Worker CPU c's window into w; its worker counters' delta into d. */
static void cpu_window(const struct bpfnic_dp_stats *now, const struct bpfnic_dp_stats *before,
		       unsigned c, double secs, struct bpfnicd_cpu_window *w,
		       struct bpfnic_worker_stats *d)
{
	static const struct bpfnic_worker_stats zero_worker;
	uint64_t served, handed_before, drops_before;

	bpfnic_worker_stats_delta(d, &now->worker[c], before ? &before->worker[c] : &zero_worker);
	served = bpfnic_worker_processed(d);
	w->rps = secs > 0 ? (double)served / secs : 0;
	w->qdelay_avg_us = bpfnic_worker_qdelay_avg_ns(d) / 1000.0;
	w->qdelay_p50_us = bpfnic_worker_qdelay_quantile_ns(d, 0.50) / 1000.0;
	w->qdelay_p99_us = bpfnic_worker_qdelay_quantile_ns(d, 0.99) / 1000.0;
	w->qdelay_max_us = served ? (double)d->qdelay_max_ns / 1000.0 : 0;
	w->service_us = served ? (double)d->service_sum_ns / (double)served / 1000.0 : 0;
	w->processed = bpfnic_worker_processed(&now->worker[c]);
	w->qdelay_sum_ns = now->worker[c].qdelay_sum_ns;
	w->service_sum_ns = now->worker[c].service_sum_ns;
	w->handed = now->handed ? now->handed[c] : 0;
	w->tx_drops = now->worker[c].tx_dropped;
	w->queue_drops = queue_drops_of(now, c);
	handed_before = before && before->handed ? before->handed[c] : 0;
	w->in_rps = secs > 0 && w->handed >= handed_before ?
		    (double)(w->handed - handed_before) / secs : 0;
	/* The estimate can go down as requests in flight get served: never below 0. */
	drops_before = before ? queue_drops_of(before, c) : 0;
	w->window_queue_drops = w->queue_drops > drops_before ? w->queue_drops - drops_before : 0;
	if (now->load) {
		w->in_flight = bpfnic_load_inflight(&now->load[c]);
		w->work_left_us = (double)bpfnic_load_work_left(&now->load[c], now->load_read_ns) /
				  1000.0;
	}
}

/* The window's estimate of the wait against the actual one, over every worker CPU. */
static void set_estimate(const struct bpfnic_load_acc *acc, struct bpfnicd_window *out)
{
	/* A reloaded program restarts its counters: a window that went backwards is empty. */
	if (!acc->n || acc->n >= (uint64_t)1 << 62)
		return;
	out->estimate = (struct bpfnicd_estimate){
		.requests = acc->n,
		.estimated_wait_us = (double)acc->est_sum_ns / (double)acc->n / 1000.0,
		.wait_us = (double)acc->actual_sum_ns / (double)acc->n / 1000.0,
		.abs_error_us = (double)acc->abs_err_sum_ns / (double)acc->n / 1000.0,
		.under_pct = 100.0 * (double)acc->under / (double)acc->n,
	};
}

/* Per class: requests served and their mean service time, from the workers' sums. */
static void set_classes(const struct bpfnic_worker_stats *all, struct bpfnicd_window *out)
{
	__u64 long_ns = all->service_sum_long_ns, served_long = all->processed[BPFNIC_CLASS_LONG];
	__u64 short_ns = all->service_sum_ns - long_ns, served_short = out->served - served_long;

	out->cls[0].served = served_short;
	out->cls[0].service_us = served_short ? (double)short_ns / (double)served_short / 1000 : 0;
	out->cls[1].served = served_long;
	out->cls[1].service_us = served_long ? (double)long_ns / (double)served_long / 1000 : 0;
}

/* The schedulers' side: requests by class and rates in and out, what they passed or dropped. */
static void set_scheduler_totals(const struct all_cpus *sum, const struct bpfnic_dp_stats *before,
				 double secs, struct bpfnicd_window *out)
{
	static const struct bpfnic_sched_stats zero_sched;
	struct bpfnic_sched_stats ds;
	uint64_t in = 0;

	bpfnic_sched_stats_delta(&ds, &sum->sched_now, before ? &sum->sched_before : &zero_sched);
	for (int k = 0; k < BPFNIC_NR_CLASSES; k++) {
		out->requests_class[k] = sum->sched_now.requests[k];
		out->requests += sum->sched_now.requests[k];
		in += ds.requests[k];
	}
	out->in_rps = secs > 0 ? (double)in / secs : 0;
	out->cls[1].in_rps = secs > 0 ? (double)ds.requests[BPFNIC_CLASS_LONG] / secs : 0;
	out->cls[0].in_rps = secs > 0 ? (double)(in - ds.requests[BPFNIC_CLASS_LONG]) / secs : 0;
	out->out_rps = secs > 0 && sum->tx_now >= sum->tx_before ?
		       (double)(sum->tx_now - sum->tx_before) / secs : 0;
	out->replies = sum->tx_now;
	out->passed = sum->sched_now.passed;
	out->other_address = sum->sched_now.other_addr;
	out->drops_no_cpu = sum->sched_now.no_cpu;
	out->drops_redirect_err = sum->sched_now.redirect_err;
	out->drops_short_payload = sum->sched_now.short_payload;
	out->drops_too_long = sum->sched_now.too_long;
}

void bpfnicd_window_compute(const struct bpfnic_dp_stats *now, const struct bpfnic_dp_stats *before,
			    const unsigned *cpus, unsigned n, double window_ms,
			    struct bpfnicd_window *out)
{
	struct bpfnic_worker_stats all = { 0 }, d;
	struct bpfnic_load_acc acc = { 0 };
	struct all_cpus sum = { 0 };
	double secs = window_ms > 0 ? window_ms / 1000.0 : 0;

	memset(out, 0, sizeof(*out));
	out->window_ms = window_ms;
	out->n = n;
	out->drops_queue_exact = now->queue_drops_exact;
	out->drops_transmit_exact = now->tx_drops_exact;
	sum_all_cpus(now, before, &sum, out);
	for (unsigned i = 0; i < n; i++) {
		unsigned c = cpus[i];
		struct bpfnicd_cpu_window *w = &out->cpu[i];

		w->cpu = c;
		w->kthread_util = -1;
		w->kthread_run_ns = -1;
		if (c >= now->nr_cpus)
			continue;
		cpu_window(now, before, c, secs, w, &d);
		out->drops_queue += w->queue_drops;
		if (now->acc)
			add_estimate(now, before, c, &acc);
		bpfnic_worker_stats_add(&all, &d);
	}
	/* The merged window's max came from per-CPU window maxima: keep it for quantiles. */
	out->served = bpfnic_worker_processed(&all);
	out->traffic = out->served > 0;
	set_estimate(&acc, out);
	set_classes(&all, out);
	out->qdelay_avg_us = bpfnic_worker_qdelay_avg_ns(&all) / 1000.0;
	out->qdelay_p50_us = bpfnic_worker_qdelay_quantile_ns(&all, 0.50) / 1000.0;
	out->qdelay_p99_us = bpfnic_worker_qdelay_quantile_ns(&all, 0.99) / 1000.0;
	set_scheduler_totals(&sum, before, secs, out);
}

/* ---- the queuing-delay histogram in Prometheus' buckets ----------------------------- */

/* The i-th bound's BPF bucket: the first one above it. 2^k * (4 + j) / 4 is a bucket's
 * low end for every k >= 3 (eight sub-buckets of 2^(k-3) per octave). */
static unsigned le_bucket(unsigned i)
{
	unsigned k = BPFNICD_QDELAY_FIRST_OCTAVE + i / BPFNICD_QDELAY_PER_OCTAVE;
	uint64_t low = ((uint64_t)1 << k) * (BPFNICD_QDELAY_PER_OCTAVE + i % BPFNICD_QDELAY_PER_OCTAVE) /
		       BPFNICD_QDELAY_PER_OCTAVE;

	return bpfnic_log_bucket(low, BPFNIC_HIST_SUB_BITS);
}

_Static_assert(BPFNICD_QDELAY_N_LE % BPFNICD_QDELAY_PER_OCTAVE == 0 &&
	       BPFNICD_QDELAY_FIRST_OCTAVE + BPFNICD_QDELAY_N_LE / BPFNICD_QDELAY_PER_OCTAVE <= 36 &&
	       BPFNICD_QDELAY_FIRST_OCTAVE >= BPFNIC_HIST_SUB_BITS &&
	       (1u << BPFNIC_HIST_SUB_BITS) % BPFNICD_QDELAY_PER_OCTAVE == 0,
	       "the bounds are BPF bucket bounds within the BPF histogram");

uint64_t bpfnicd_qdelay_le_ns(unsigned i)
{
	return bpfnic_log_bucket_low(le_bucket(i), BPFNIC_HIST_SUB_BITS) - 1;
}

void bpfnicd_qdelay_buckets(const struct bpfnic_worker_stats *w,
			    uint64_t le_count[BPFNICD_QDELAY_N_LE], uint64_t *total)
{
	uint64_t n = 0;
	unsigned b = 0;

	for (unsigned i = 0; i < BPFNICD_QDELAY_N_LE; i++) {
		for (unsigned end = le_bucket(i); b < end; b++)
			n += w->qdelay_hist[b];
		le_count[i] = n;
	}
	for (; b < BPFNIC_HIST_BUCKETS; b++)
		n += w->qdelay_hist[b];
	*total = n;
}

/* ---- JSON ------------------------------------------------------------------------ */

const char *const bpfnicd_class_names[BPFNIC_NR_CLASSES] = {
	[BPFNIC_CLASS_SHORT] = "short", [BPFNIC_CLASS_LONG] = "long",
	[BPFNIC_CLASS_UNKNOWN] = "unknown",
};

#define COUNTER(name, field) { name, offsetof(struct bpfnicd_window, field) }
static const struct bpfnicd_counter totals[] = {
	COUNTER("requests", requests), COUNTER("replies", replies), COUNTER("passed", passed),
	COUNTER("other_address", other_address),
};
const struct bpfnicd_counter bpfnicd_drop_counters[] = {
	COUNTER("queue", drops_queue), COUNTER("no_cpu", drops_no_cpu),
	COUNTER("redirect_err", drops_redirect_err), COUNTER("tx_err", drops_tx_err),
	COUNTER("short_payload", drops_short_payload), COUNTER("too_long", drops_too_long),
	COUNTER("transmit", drops_transmit),
};
const unsigned bpfnicd_n_drop_counters = sizeof(bpfnicd_drop_counters) /
					 sizeof(bpfnicd_drop_counters[0]);

static void add_counters(struct json_object *o, const struct bpfnicd_counter *c, size_t n,
			 const struct bpfnicd_window *cum)
{
	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, c[i].name,
				       json_object_new_uint64(bpfnicd_counter_value(&c[i], cum)));
}

struct json_object *bpfnicd_stats_totals_json(const struct bpfnicd_window *win,
					      const struct bpfnicd_window *cum)
{
	struct json_object *t = json_object_new_object(), *d = json_object_new_object();

	json_object_object_add(t, "in_rps", bpfnic_vl_number(win->in_rps, 1));
	json_object_object_add(t, "out_rps", bpfnic_vl_number(win->out_rps, 1));
	add_counters(t, totals, sizeof(totals) / sizeof(totals[0]), cum);
	add_counters(d, bpfnicd_drop_counters, bpfnicd_n_drop_counters, cum);
	json_object_object_add(d, "queue_exact", json_object_new_boolean(cum->drops_queue_exact));
	json_object_object_add(d, "transmit_exact", json_object_new_boolean(cum->drops_transmit_exact));
	json_object_object_add(t, "drops", d);
	json_object_object_add(t, "qdelay_us", bpfnicd_qdelay_json(win->qdelay_avg_us, NAN,
								   win->qdelay_p99_us, NAN));
	return t;
}

static struct json_object *cpu_json(const struct bpfnicd_cpu_window *w,
				    const struct bpfnicd_cpu_window *cum, const char *group)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "cpu", json_object_new_int64(w->cpu));
	json_object_object_add(c, "group", group ? json_object_new_string(group) : NULL);
	json_object_object_add(c, "rps", bpfnic_vl_number(w->rps, 1));
	json_object_object_add(c, "qdelay_us", bpfnicd_qdelay_json(w->qdelay_avg_us, w->qdelay_p50_us,
								   w->qdelay_p99_us, w->qdelay_max_us));
	json_object_object_add(c, "service_us", bpfnic_vl_number(w->service_us, 1));
	json_object_object_add(c, "kthread_util", w->kthread_util >= 0 ?
			       bpfnic_vl_number(w->kthread_util, 3) : NULL);
	json_object_object_add(c, "handed", json_object_new_uint64(cum->handed));
	json_object_object_add(c, "processed", json_object_new_uint64(cum->processed));
	json_object_object_add(c, "queue_drops", json_object_new_uint64(cum->queue_drops));
	json_object_object_add(c, "tx_drops", json_object_new_uint64(cum->tx_drops));
	json_object_object_add(c, "in_flight", json_object_new_uint64(cum->in_flight));
	json_object_object_add(c, "work_left_us", bpfnic_vl_number(cum->work_left_us, 1));
	return c;
}

struct json_object *bpfnicd_stats_estimate_json(const struct bpfnicd_window *win)
{
	const struct bpfnicd_estimate *e = &win->estimate;
	struct json_object *o;

	if (!e->requests)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "requests", json_object_new_uint64(e->requests));
	json_object_object_add(o, "estimated_wait_us", bpfnic_vl_number(e->estimated_wait_us, 1));
	json_object_object_add(o, "wait_us", bpfnic_vl_number(e->wait_us, 1));
	json_object_object_add(o, "abs_error_us", bpfnic_vl_number(e->abs_error_us, 1));
	json_object_object_add(o, "under_pct", bpfnic_vl_number(e->under_pct, 1));
	return o;
}

struct json_object *bpfnicd_stats_cpus_json(const struct bpfnicd_window *win,
					    const struct bpfnicd_window *cum,
					    const char *const *group)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < win->n; i++)
		json_object_array_add(a, cpu_json(&win->cpu[i], &cum->cpu[i], group[i]));
	return a;
}

struct json_object *bpfnicd_stats_rx_cpus_json(const struct bpfnicd_window *cum)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < cum->n_rx; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "cpu", json_object_new_int64(cum->rx[i].cpu));
		json_object_object_add(o, "requests", json_object_new_uint64(cum->rx[i].requests));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *bpfnicd_qdelay_json(double avg, double p50, double p99, double max)
{
	static const char *const names[] = { "avg", "p50", "p99", "max" };
	const double v[] = { avg, p50, p99, max };
	struct json_object *q = json_object_new_object();

	for (unsigned i = 0; i < 4; i++)
		if (!isnan(v[i]))
			json_object_object_add(q, names[i], bpfnic_vl_number(v[i], 1));
	return q;
}

const char *bpfnicd_group_name(int group)
{
	static const char *const names[BPFNIC_NR_GROUPS] = { "main", "long" };

	return group >= 0 && group < BPFNIC_NR_GROUPS ? names[group] : NULL;
}

struct json_object *bpfnicd_cpus_json(const unsigned *cpus, unsigned n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(cpus[i]));
	return a;
}

struct json_object *bpfnicd_groups_json(const unsigned *main_cpus, unsigned n_main,
					const unsigned *long_cpus, unsigned n_long)
{
	struct json_object *g = json_object_new_object();

	json_object_object_add(g, bpfnicd_group_name(BPFNIC_GROUP_MAIN), bpfnicd_cpus_json(main_cpus, n_main));
	json_object_object_add(g, bpfnicd_group_name(BPFNIC_GROUP_LONG), bpfnicd_cpus_json(long_cpus, n_long));
	return g;
}
