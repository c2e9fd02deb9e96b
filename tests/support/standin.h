/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A user-space stand-in for the data path, for the load generator's tests (lg-echo,
 * test_lg_engine): it answers a request the way the worker does, and can break some
 * replies in the ways bpfnic-loadgen must count as invalid. No I/O.
 */
#ifndef BPFNIC_TEST_STANDIN_H
#define BPFNIC_TEST_STANDIN_H

#include <stdint.h>
#include <sys/types.h>

/* The queuing delay every reply carries: pick-up this long after arrival. */
#define STANDIN_QDELAY_NS 1000u

/*
 * Turns the len-byte request in buf (room for at least len + 3 bytes) into the n-th
 * reply (n counts from 1): arrival stamped now (CLOCK_MONOTONIC, the clock
 * bpf_ktime_get_ns reads), pick-up STANDIN_QDELAY_NS later. With mangle, every
 * mangle-th reply is broken instead, in turn: truncated, foreign (magic or length),
 * an unknown class, unstamped, duplicated. Returns the reply's length; *copies is how
 * many times to send it.
 */
ssize_t standin_reply(uint8_t *buf, ssize_t len, uint64_t n, uint64_t mangle, int *copies);

#endif
