/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Clock readings in the units the project uses; one definition for every binary. */
#ifndef BPFNIC_CLOCK_H
#define BPFNIC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t bpfnic_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC: intervals, deadlines, windows. */
static inline uint64_t bpfnic_mono_ns(void)
{
	return bpfnic_clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t bpfnic_mono_usec(void)
{
	return bpfnic_mono_ns() / 1000;
}

static inline uint64_t bpfnic_mono_ms(void)
{
	return bpfnic_mono_ns() / 1000000;
}

/*
 * CLOCK_REALTIME - CLOCK_MONOTONIC in ns, read as tightly as the machine allows (the
 * best of a few tries): adding it to a monotonic time gives the wall-clock time.
 */
static inline int64_t bpfnic_real_minus_mono_ns(void)
{
	int64_t best = 0;
	uint64_t best_width = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t a = bpfnic_mono_ns(), real = bpfnic_clock_ns(CLOCK_REALTIME);
		uint64_t b = bpfnic_mono_ns();

		if (b - a < best_width) {
			best_width = b - a;
			best = (int64_t)real - (int64_t)(a + (b - a) / 2);
		}
	}
	return best;
}

/* CLOCK_REALTIME: wall-clock timestamps that people and other hosts read. */
static inline uint64_t bpfnic_realtime_usec(void)
{
	return bpfnic_clock_ns(CLOCK_REALTIME) / 1000;
}

#endif
