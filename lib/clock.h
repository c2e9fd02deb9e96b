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

/* CLOCK_REALTIME: wall-clock timestamps that people and other hosts read. */
static inline uint64_t bpfnic_realtime_usec(void)
{
	return bpfnic_clock_ns(CLOCK_REALTIME) / 1000;
}

#endif
