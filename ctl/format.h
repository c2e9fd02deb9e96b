/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicctl's human-readable output: pure functions from the daemon's reply
 * parameters (json-c objects, field names from lib/protocol.h) to a FILE*. No socket,
 * no clock (times are passed in): unit tests feed them synthetic replies, including
 * replies with missing or mistyped fields, which print "-" rather than crash.
 */
#ifndef BPFNIC_CTL_FORMAT_H
#define BPFNIC_CTL_FORMAT_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

/* ---- value formatting (snprintf-like: always NUL-terminated, returns buf) ---- */

/* Microseconds with precision that suits the magnitude: 0.42, 6.10, 61.3, 1204. */
const char *ctl_fmt_us(char *buf, size_t len, double us);
/* A JSON number as µs, or "-" when absent or not a number. */
const char *ctl_fmt_json_us(char *buf, size_t len, struct json_object *v);
/* A JSON integer as decimal, or "-". */
const char *ctl_fmt_json_int(char *buf, size_t len, struct json_object *v);
/* An array of CPU ids as a compact list "0-3,6"; "-" when empty or absent. */
const char *ctl_fmt_cpulist(char *buf, size_t len, struct json_object *arr);
/* Seconds as "3d 04h", "1h 02m", "2m 05s", "42s". */
const char *ctl_fmt_duration(char *buf, size_t len, long long sec);
/* A rate in requests/s: "0", "950", "12.3k", "1.20M". */
const char *ctl_fmt_rate(char *buf, size_t len, double rps);
/* A "policy" object (status / SetPolicy reply) as one line. */
const char *ctl_fmt_policy(char *buf, size_t len, struct json_object *policy);

/* Width of a UTF-8 string in terminal columns (one per code point: µ is one column). */
size_t ctl_display_width(const char *s);

/* ---- tables ---- */

#define CTL_TABLE_MAX_COLS 16

struct ctl_table {
	size_t n_cols, n_rows, cap_rows;
	const char *headers[CTL_TABLE_MAX_COLS]; /* static strings */
	char right[CTL_TABLE_MAX_COLS];          /* 1: right-aligned (numbers) */
	char **cells;                            /* n_rows * n_cols, owned */
	const char *indent;                      /* printed before every line */
	int no_header;
};

/* A table with the given headers; a header starting with '>' is right-aligned. */
int ctl_table_init(struct ctl_table *t, size_t n_cols, const char *const headers[]);
/* Append a row of n_cols strings (copied; NULL prints "-"). */
int ctl_table_add(struct ctl_table *t, const char *const cells[]);
/* Print with columns separated by two spaces; no trailing spaces. */
int ctl_table_print(const struct ctl_table *t, FILE *out);
void ctl_table_free(struct ctl_table *t);

/* ---- whole replies ---- */

/* io.bpfnic.GetStatus parameters; history times print in UTC. */
int ctl_print_status(FILE *out, struct json_object *params);
/* io.bpfnic.GetStats / Monitor parameters: totals line, then one row per worker CPU. */
int ctl_print_stats(FILE *out, struct json_object *params);
/* GetStats with since_usec (pages joined): one line per window, then the changes. */
int ctl_print_since(FILE *out, struct json_object *params);
/* io.bpfnic.SetPolicy reply parameters. */
int ctl_print_policy_reply(FILE *out, struct json_object *params);
/* io.bpfnic.Reload reply parameters. */
int ctl_print_reload_reply(FILE *out, struct json_object *params);
/* "bpfnicctl VERSION" (when client_version is not NULL), then GetInfo's fields (when
 * info is not NULL). */
int ctl_print_version(FILE *out, const char *client_version, struct json_object *info);

#endif
