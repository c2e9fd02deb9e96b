// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Hand-written rather than strtoull: strtoull accepts signs, spaces and wraps "-1". */
#include <errno.h>
#include <string.h>

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

int bpfnic_parse_fixed(const char *s, unsigned decimals, uint64_t max, uint64_t *out)
{
	uint64_t whole, frac = 0, scale = 1;
	const char *p = s;
	unsigned d = 0;
	int r;

	if (!s || decimals > 9)
		return -EINVAL;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	r = bpfnic_parse_u64_prefix(&p, UINT64_MAX / scale, &whole);
	if (r < 0)
		return r;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++, d++)
			if (d < decimals)
				frac = frac * 10 + (uint64_t)(*p - '0');
		for (; d < decimals; d++)
			frac *= 10;
	}
	if (*p != '\0')
		return -EINVAL;
	if (whole * scale > max || max - whole * scale < frac)
		return -ERANGE;
	*out = whole * scale + frac;
	return 0;
}

#define NS_PER_DAY (86400ull * 1000000000ull)

int bpfnic_parse_duration_ns(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }, { "", 1000000000 },
	};
	char num[64];
	size_t n = s ? strspn(s, "0123456789.") : 0;
	uint64_t v; /* the number in units of 1e-9 */
	int r;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	r = bpfnic_parse_fixed(num, 9, UINT64_MAX, &v);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s + n, units[i].unit))
			continue;
		/* Whole units, then the fraction's share: exact for these powers of ten. */
		if (v / 1000000000u > NS_PER_DAY / units[i].ns)
			return -ERANGE;
		v = v / 1000000000u * units[i].ns + v % 1000000000u * units[i].ns / 1000000000u;
		if (v > NS_PER_DAY)
			return -ERANGE;
		*ns = v;
		return 0;
	}
	return -EINVAL;
}
