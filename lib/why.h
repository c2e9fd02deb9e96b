/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One-line reasons for parsers that return -EINVAL and say why in the caller's buffer:
 * "return bpfnic_why(why, size, "must be %s", ...);".
 */
#ifndef BPFNIC_WHY_H
#define BPFNIC_WHY_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int bpfnic_vwhy(char *buf, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(buf, size, fmt, ap);
	return -EINVAL;
}

static inline int __attribute__((format(printf, 3, 4)))
bpfnic_why(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = bpfnic_vwhy(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * The names a value may take, as a reason says them: "a, b or c", each between quote
 * and quote ("" for none). names[0] is the first; each next one stride bytes further
 * (a plain array: sizeof(char *); a table: the row's size). Returns buf.
 */
static inline const char *bpfnic_why_names(char *buf, size_t size, const char *const *names,
					   size_t stride, unsigned n, const char *quote)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s%s%s",
					 i == 0 ? "" : i + 1 == n ? " or " : ", ", quote,
					 *(const char *const *)((const char *)names + i * stride),
					 quote);
	return buf;
}

#endif
