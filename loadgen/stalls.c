/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The client CPU's own timing noise: see lg_measure_stalls in engine.h. */
#include <pthread.h>
#include <string.h>
#include "client.h"
#include "clock.h"
#include "engine.h"

struct stall_job {
	uint64_t duration_ns;
	struct lg_stalls *out;
};

static void *stall_main(void *arg)
{
	struct stall_job *j = arg;
	struct lg_stalls *o = j->out;
	uint64_t start, prev, end, stalled = 0, max = 0;

	lg_pin_self(o->cpu);
	start = prev = bpfnic_mono_ns();
	end = start + j->duration_ns;
	for (;;) {
		uint64_t t = bpfnic_mono_ns(), gap = t - prev;

		prev = t;
		if (t >= end)
			break;
		if (gap > 10000) {
			o->over_10us++;
			stalled += gap;
		}
		if (gap > 100000)
			o->over_100us++;
		if (gap > 1000000)
			o->over_1ms++;
		if (gap > max)
			max = gap;
	}
	o->seconds = (double)(prev - start) / 1e9;
	o->max_us = (double)max / 1e3;
	o->stalled_fraction = (double)stalled / (double)(prev - start);
	return NULL;
}

int lg_measure_stalls(int cpu, uint64_t duration_ns, struct lg_stalls *out)
{
	struct stall_job j = { .duration_ns = duration_ns, .out = out };
	pthread_t t;
	int r;

	memset(out, 0, sizeof(*out));
	out->cpu = cpu;
	r = pthread_create(&t, NULL, stall_main, &j);
	if (r)
		return -r;
	pthread_join(t, NULL);
	return 0;
}
