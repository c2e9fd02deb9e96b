/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* CPU lists in the kernel's syntax ("0-3,6"), as used in configs and on command lines. */
#ifndef BPFNIC_CPULIST_H
#define BPFNIC_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Parse "0-3,6" into cpus[] in the order written, at most max entries, each below
 * limit. Returns the number of CPUs, or -EINVAL (syntax, reversed range, duplicate,
 * CPU >= limit) / -E2BIG (more than max).
 */
int bpfnic_cpulist_parse(const char *s, unsigned *cpus, size_t max, unsigned limit);

/*
 * Parse a list as a set: has[c] for every listed CPU c below limit (has[] holds limit
 * entries). CPUs at or above limit are not an error, only left out and counted in
 * *beyond (may be NULL): the kernel's own lists (/sys/devices/system/cpu/online) may
 * name more CPUs than a caller supports. Returns 0 or -EINVAL (syntax, reversed range).
 */
int bpfnic_cpulist_parse_set(const char *s, bool *has, unsigned limit, unsigned *beyond);

/* Format cpus[0..n) compactly ("0-3,6") into buf; returns 0 or -ENOSPC. */
int bpfnic_cpulist_format(const unsigned *cpus, size_t n, char *buf, size_t size);

#endif
