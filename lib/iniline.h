/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The line source the project's INI readers hand libinih (bpfnicd.conf, bpfnic-bench's
 * experiment files): it counts lines, and what inih would misread (a line longer than
 * its buffer, a malformed [Section] header, a line that is not Key=Value, an empty
 * key) it reports itself, with the line's number, and hands inih an empty line
 * instead. Well-formed headers go to a callback that decides what they mean. Reads a
 * stream or a string the caller gives; no other I/O. Also the one way the readers run
 * inih and list their problems.
 */
#ifndef BPFNIC_INILINE_H
#define BPFNIC_INILINE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct bpfnic_ini_source {
	FILE *f;            /* read from f, or ... */
	const char *text;   /* ... from text when f is NULL */
	unsigned line;      /* the line inih is handed now, from 1 */
	/* A well-formed header "[name]" (name is not NUL-terminated). */
	void (*header)(void *ctx, const char *name, size_t len);
	/* A line inih would misread: what is wrong with it. */
	void (*error)(void *ctx, unsigned line, const char *what);
	void *ctx;
	size_t pos;         /* in text */
};

/* inih's ini_reader (ini_parse_stream) over a struct bpfnic_ini_source. */
char *bpfnic_ini_read_line(char *str, int num, void *stream);

/*
 * Where a reader lists its problems: "FILE:LINE: what" ("FILE: what" for line 0) into
 * msg[*n] while *n < max; *total counts them all. The list itself is the caller's.
 */
#define BPFNIC_INI_MSG_SIZE 256
struct bpfnic_ini_errors {
	char (*msg)[BPFNIC_INI_MSG_SIZE];
	unsigned max;
	unsigned *n, *total;
	const char *filename;
};

void bpfnic_ini_error(const struct bpfnic_ini_errors *e, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Runs inih over src with systemd's syntax (no continuation lines, no comments after a
 * value): handler(user, section, key, value) for each Key=value, src's callbacks for
 * the rest, and a line inih rejects that src did not is a "syntax error" in log.
 * Returns 0 (the file's problems are in log), -ENOMEM, or -EIO for a stream that failed.
 */
typedef int (*bpfnic_ini_handler)(void *user, const char *section, const char *key,
				  const char *value);
int bpfnic_ini_parse(struct bpfnic_ini_source *src, bpfnic_ini_handler handler, void *user,
		     const struct bpfnic_ini_errors *log);

#endif
