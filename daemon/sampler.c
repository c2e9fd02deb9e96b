/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The statistics sampler: see sampler.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/kthread.h"
#include "daemon/sampler.h"

struct bpfnicd_sampler {
	struct bpfnic_dp *dp;
	struct bpfnic_cpus cpus;
	struct bpfnic_dp_stats snap[2]; /* the last two readings */
	unsigned cur;                   /* snap[cur] is the newest */
	bool have_snap;
	uint64_t snap_usec;             /* CLOCK_MONOTONIC of snap[cur] */
	struct bpfnicd_window win;      /* the last complete window */
	struct bpfnicd_kthreads kthreads;
};

int bpfnicd_sampler_new(struct bpfnic_dp *dp, const struct bpfnic_cpus *cpus, int cpumap_id,
			uint64_t now_usec, struct bpfnicd_sampler **out)
{
	struct bpfnicd_sampler *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->dp = dp;
	s->cpus = *cpus;
	bpfnicd_kthreads_init(&s->kthreads, cpumap_id);
	r = bpfnic_dp_stats_alloc(&s->snap[0]);
	if (r >= 0)
		r = bpfnic_dp_stats_alloc(&s->snap[1]);
	if (r < 0) {
		bpfnicd_sampler_free(s);
		return r;
	}
	/* A first reading, so the first window starts now rather than at attach. */
	if (bpfnic_dp_read_stats(dp, &s->snap[0]) >= 0) {
		s->have_snap = true;
		s->snap_usec = now_usec;
	}
	*out = s;
	return 0;
}

void bpfnicd_sampler_free(struct bpfnicd_sampler *s)
{
	if (!s)
		return;
	bpfnic_dp_stats_free(&s->snap[0]);
	bpfnic_dp_stats_free(&s->snap[1]);
	free(s);
}

int bpfnicd_sampler_tick(struct bpfnicd_sampler *s, uint64_t now_usec)
{
	unsigned next = s->cur ^ 1;
	int r = bpfnic_dp_read_stats(s->dp, &s->snap[next]);

	if (r < 0)
		return r;
	bpfnicd_window_compute(&s->snap[next], s->have_snap ? &s->snap[s->cur] : NULL, s->cpus.cpu,
			       s->cpus.n, s->have_snap ? (double)(now_usec - s->snap_usec) / 1000.0 : 0,
			       &s->win);
	for (unsigned i = 0; i < s->win.n; i++) {
		s->win.cpu[i].kthread_util = bpfnicd_kthread_util(&s->kthreads, s->win.cpu[i].cpu,
								  now_usec);
		s->win.cpu[i].kthread_run_ns = bpfnicd_kthread_run_ns(&s->kthreads, s->win.cpu[i].cpu);
	}
	s->cur = next;
	s->have_snap = true;
	s->snap_usec = now_usec;
	return 0;
}

const struct bpfnicd_window *bpfnicd_sampler_window(const struct bpfnicd_sampler *s)
{
	return &s->win;
}

int bpfnicd_sampler_cumulative(const struct bpfnicd_sampler *s, struct bpfnicd_window *cum,
			       const struct bpfnic_dp_stats **reading)
{
	*reading = NULL;
	if (!s->have_snap) {
		memset(cum, 0, sizeof(*cum));
		return -ENODATA;
	}
	*reading = &s->snap[s->cur];
	bpfnicd_window_compute(*reading, NULL, s->cpus.cpu, s->cpus.n, 0, cum);
	for (unsigned i = 0; i < cum->n && i < s->win.n; i++)
		cum->cpu[i].kthread_run_ns = s->win.cpu[i].kthread_run_ns;
	return 0;
}

int bpfnicd_sampler_totals(struct bpfnicd_sampler *s, struct bpfnicd_window *cum)
{
	/* The older snapshot is free between ticks; the next tick overwrites it anyway. */
	struct bpfnic_dp_stats *scratch = &s->snap[s->have_snap ? s->cur ^ 1 : s->cur];
	int r = bpfnic_dp_read_stats(s->dp, scratch);

	if (r < 0) {
		*cum = s->win;
		return r;
	}
	bpfnicd_window_compute(scratch, NULL, s->cpus.cpu, s->cpus.n, 0, cum);
	return 0;
}
