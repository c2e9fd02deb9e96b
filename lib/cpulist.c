// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "cpulist.h"
#include "numparse.h"

/* One CPU number; the bound only keeps the arithmetic small, limit checks the rest. */
static int parse_cpu(const char **p, unsigned *out)
{
	uint64_t v;

	if (bpfnic_parse_u64_prefix(p, 1u << 20, &v) < 0)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/*
 * The next "N" or "N-M" of a list at *p, with the comma after it: 1 and the range,
 * 0 at the end of the list, -EINVAL on bad syntax (an empty list included).
 */
static int next_range(const char **p, unsigned *lo, unsigned *hi)
{
	const char *s = *p;

	if (*s == '\0')
		return 0;
	while (*s == ' ')
		s++;
	if (parse_cpu(&s, lo) < 0)
		return -EINVAL;
	*hi = *lo;
	if (*s == '-') {
		s++;
		if (parse_cpu(&s, hi) < 0 || *hi < *lo)
			return -EINVAL;
	}
	while (*s == ' ')
		s++;
	if (*s == ',') {
		s++;
		if (*s == '\0')
			return -EINVAL; /* a trailing comma */
	} else if (*s != '\0') {
		return -EINVAL;
	}
	*p = s;
	return 1;
}

int bpfnic_cpulist_parse(const char *s, unsigned *cpus, size_t max, unsigned limit)
{
	unsigned lo, hi;
	size_t n = 0;
	int r;

	if (!s || !*s)
		return -EINVAL;
	while ((r = next_range(&s, &lo, &hi)) > 0) {
		for (unsigned c = lo; c <= hi; c++) {
			if (c >= limit)
				return -EINVAL;
			for (size_t i = 0; i < n; i++)
				if (cpus[i] == c)
					return -EINVAL;
			if (n == max)
				return -E2BIG;
			cpus[n++] = c;
		}
	}
	return r < 0 ? r : (int)n;
}

int bpfnic_cpulist_parse_set(const char *s, bool *has, unsigned limit, unsigned *beyond)
{
	unsigned lo, hi, above = 0;
	int r;

	if (!s || !*s)
		return -EINVAL;
	for (unsigned c = 0; c < limit; c++)
		has[c] = false;
	while ((r = next_range(&s, &lo, &hi)) > 0) {
		for (unsigned c = lo; c <= hi && c < limit; c++)
			has[c] = true;
		if (hi >= limit)
			above += hi - (lo > limit ? lo : limit) + 1;
	}
	if (beyond)
		*beyond = above;
	return r;
}

int bpfnic_cpulist_format(const unsigned *cpus, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int w;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j > i + 0)
			w = snprintf(buf + used, size - used, "%s%u-%u", used ? "," : "", cpus[i], cpus[j]);
		else
			w = snprintf(buf + used, size - used, "%s%u", used ? "," : "", cpus[i]);
		if (w < 0 || (size_t)w >= size - used)
			return -ENOSPC;
		used += (size_t)w;
		i = j + 1;
	}
	return 0;
}
