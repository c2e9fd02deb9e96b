// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Hand-written rather than strtoull: strtoull accepts signs, spaces and wraps "-1". */
#include <errno.h>

#include "numparse.h"

int bpfnic_parse_u64_prefix(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

int bpfnic_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *p = s;
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	r = bpfnic_parse_u64_prefix(&p, UINT64_MAX, &v);
	if (r < 0)
		return r;
	if (*p != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int bpfnic_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;
	int r = bpfnic_parse_u64(s, min, max, &v);

	if (r == 0)
		*out = (unsigned)v;
	return r;
}
