/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One statistics window: see stats.h. */
#include <string.h>

#include "datapath/dpstats.h"
#include "daemon/stats.h"

void bpfnicd_window_compute(const struct bpfnic_dp_stats *now, const struct bpfnic_dp_stats *before,
			    const unsigned *cpus, unsigned n, double window_ms,
			    struct bpfnicd_window *out)
{
	static const struct bpfnic_worker_stats zero_worker;
	static const struct bpfnic_sched_stats zero_sched;
	struct bpfnic_worker_stats all = { 0 }, d;
	struct bpfnic_sched_stats sched_now = { 0 }, sched_before = { 0 }, ds;
	uint64_t tx_now = 0, tx_before = 0;
	double secs = window_ms > 0 ? window_ms / 1000.0 : 0;

	memset(out, 0, sizeof(*out));
	out->window_ms = window_ms;
	out->n = n;
	out->drops_queue_exact = now->queue_drops_exact;
	for (unsigned c = 0; c < now->nr_cpus; c++) {
		bpfnic_sched_stats_add(&sched_now, &now->sched[c]);
		if (before)
			bpfnic_sched_stats_add(&sched_before, &before->sched[c]);
		tx_now += now->worker[c].tx;
		if (before)
			tx_before += before->worker[c].tx;
		out->drops_tx_err += now->worker[c].tx_err;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned c = cpus[i];
		struct bpfnicd_cpu_window *w = &out->cpu[i];
		uint64_t served;

		w->cpu = c;
		w->kthread_util = -1;
		if (c >= now->nr_cpus)
			continue;
		bpfnic_worker_stats_delta(&d, &now->worker[c], before ? &before->worker[c] : &zero_worker);
		served = bpfnic_worker_processed(&d);
		w->rps = secs > 0 ? (double)served / secs : 0;
		w->qdelay_avg_us = bpfnic_worker_qdelay_avg_ns(&d) / 1000.0;
		w->qdelay_p50_us = bpfnic_worker_qdelay_quantile_ns(&d, 0.50) / 1000.0;
		w->qdelay_p99_us = bpfnic_worker_qdelay_quantile_ns(&d, 0.99) / 1000.0;
		w->qdelay_max_us = served ? (double)d.qdelay_max_ns / 1000.0 : 0;
		w->service_us = served ? (double)d.service_sum_ns / (double)served / 1000.0 : 0;
		w->processed = bpfnic_worker_processed(&now->worker[c]);
		w->handed = now->handed ? now->handed[c] : 0;
		if (now->queue_drops_exact && now->queue_drops)
			w->queue_drops = now->queue_drops[c];
		else if (w->handed > w->processed)
			w->queue_drops = w->handed - w->processed; /* estimate: counts those in flight */
		out->drops_queue += w->queue_drops;
		bpfnic_worker_stats_add(&all, &d);
	}
	/* The merged window's max came from per-CPU window maxima: keep it for quantiles. */
	out->served = bpfnic_worker_processed(&all);
	out->traffic = out->served > 0;
	out->qdelay_avg_us = bpfnic_worker_qdelay_avg_ns(&all) / 1000.0;
	out->qdelay_p99_us = bpfnic_worker_qdelay_quantile_ns(&all, 0.99) / 1000.0;

	bpfnic_sched_stats_delta(&ds, &sched_now, before ? &sched_before : &zero_sched);
	for (int k = 0; k < BPFNIC_NR_CLASSES; k++)
		out->requests += sched_now.requests[k];
	{
		uint64_t in = 0;

		for (int k = 0; k < BPFNIC_NR_CLASSES; k++)
			in += ds.requests[k];
		out->in_rps = secs > 0 ? (double)in / secs : 0;
	}
	out->out_rps = secs > 0 && tx_now >= tx_before ? (double)(tx_now - tx_before) / secs : 0;
	out->replies = tx_now;
	out->passed = sched_now.passed;
	out->drops_no_cpu = sched_now.no_cpu;
	out->drops_redirect_err = sched_now.redirect_err;
	out->drops_short_payload = sched_now.short_payload;
}
