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

int bpfnic_cpulist_parse(const char *s, unsigned *cpus, size_t max, unsigned limit)
{
	const char *p = s;
	size_t n = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		unsigned lo, hi;

		while (*p == ' ')
			p++;
		if (parse_cpu(&p, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) < 0 || hi < lo)
				return -EINVAL;
		}
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
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return (int)n;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
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
