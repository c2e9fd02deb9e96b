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

#endif
