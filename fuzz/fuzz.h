/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the fuzz targets share: turning libFuzzer's bytes into the shapes the parsers
 * take (a C string, an argv), and the one way a target reports a broken property.
 * Each target is a file fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput (and, when it
 * needs set-up, LLVMFuzzerInitialize); fuzz/build.mk links it twice: with libFuzzer
 * (make fuzz) and with fuzz/replay.c, which feeds it the committed corpus in make check.
 */
#ifndef BPFNIC_FUZZ_H
#define BPFNIC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property the code must keep did not hold: say which, and crash (a finding). */
#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* data[0..size) as a NUL-terminated string (cut at the first NUL); free() it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define FUZZ_MAX_ARGS 32

/*
 * data split at NUL bytes into argv[1..] (argv[0] = prog), at most FUZZ_MAX_ARGS - 1
 * arguments; the strings live in *buf (free() it). Returns argc; argv[argc] = NULL.
 */
static inline int fuzz_argv(const uint8_t *data, size_t size, const char *prog,
			    char *argv[FUZZ_MAX_ARGS + 1], char **buf)
{
	char *s = fuzz_cstr(data, size), *p = s;
	int argc = 1;

	argv[0] = (char *)prog;
	/* s[size] ends the last string: a NUL at data[size - 1] makes one more, empty. */
	while (size > 0 && argc < FUZZ_MAX_ARGS && p <= s + size) {
		argv[argc++] = p;
		p += strlen(p) + 1;
	}
	argv[argc] = NULL;
	*buf = s;
	return argc;
}

#endif
