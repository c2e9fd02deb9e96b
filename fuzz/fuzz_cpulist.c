/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPU lists (lib/cpulist.c, lib/numparse.c): Cpus= in bpfnicd.conf, bpfnic-loadgen
 * --cpus, and the kernel's own /sys/devices/system/cpu lists. Properties: a list that
 * parses formats back to text that parses to the same list; the set parser agrees
 * with the list parser on every list that fits.
 */
#include <errno.h>
#include <stdbool.h>

#include "cpulist.h"
#include "fuzz.h"

#define LIMIT 256u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), text[4096];
	unsigned cpus[LIMIT], again[LIMIT], beyond;
	bool has[LIMIT];
	int n, m, r;

	n = bpfnic_cpulist_parse(s, cpus, LIMIT, LIMIT);
	FUZZ_ASSERT(n >= 0 || n == -EINVAL || n == -E2BIG);
	r = bpfnic_cpulist_parse_set(s, has, LIMIT, &beyond);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (n >= 0) {
		unsigned members = 0;

		FUZZ_ASSERT(n > 0 && r == 0 && beyond == 0);
		for (int i = 0; i < n; i++)
			FUZZ_ASSERT(cpus[i] < LIMIT && has[cpus[i]]);
		for (unsigned c = 0; c < LIMIT; c++)
			members += has[c];
		FUZZ_ASSERT(members == (unsigned)n);
		FUZZ_ASSERT(bpfnic_cpulist_format(cpus, (size_t)n, text, sizeof(text)) == 0);
		m = bpfnic_cpulist_parse(text, again, LIMIT, LIMIT);
		FUZZ_ASSERT(m == n && memcmp(cpus, again, (size_t)n * sizeof(cpus[0])) == 0);
	}
	/* A buffer too small is refused, never overrun. */
	if (n > 0)
		FUZZ_ASSERT(bpfnic_cpulist_format(cpus, (size_t)n, text, 2) == 0 ||
			    strlen(text) < 2);
	free(s);
	return 0;
}
