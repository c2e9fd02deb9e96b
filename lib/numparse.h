/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Strict decimal integers for every parser that reads text from people: config
 * files, command lines, CPU lists. Digits only: no sign, no spaces, no base prefix.
 */
#ifndef BPFNIC_NUMPARSE_H
#define BPFNIC_NUMPARSE_H

#include <stdint.h>

/*
 * The whole of s as an integer in [min, max]. 0, -EINVAL (empty, not only digits)
 * or -ERANGE (outside [min, max], overflow included). *out is untouched on error.
 */
int bpfnic_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Same, for the common unsigned case. */
int bpfnic_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

/*
 * The digits at *p (at least one) as an integer up to max; *p moves past them.
 * For parsers of larger syntaxes ("1-3,6"). -EINVAL or -ERANGE as above.
 */
int bpfnic_parse_u64_prefix(const char **p, uint64_t max, uint64_t *out);

/*
 * A decimal number with an optional fraction ("12", "12.345") as an integer in units
 * of 10^-decimals (decimals at most 9): "12.345" with 6 decimals is 12345000. Fraction
 * digits past decimals are dropped. 0, -EINVAL (syntax: digits, then '.' and at least
 * one digit) or -ERANGE (above max).
 */
int bpfnic_parse_fixed(const char *s, unsigned decimals, uint64_t max, uint64_t *out);

/*
 * A time span in ns: a number (fraction allowed) and a unit, ns, us, ms or s (none:
 * s), such as 500ms, 1.5s or 2; at most a day (-ERANGE above). 0 or -EINVAL.
 */
int bpfnic_parse_duration_ns(const char *s, uint64_t *ns);

#endif
