/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command lines of the test tools and benchmarks (dp-attach, reqping,
 * ctl-udpsend, dpbench), each from one table: getopt_long's options, the value checks
 * (numbers through lib/numparse) with a one-line message naming the option, and the
 * usage text. A tool checks afterwards only what spans several options.
 */
#ifndef BPFNIC_TEST_TOOLOPT_H
#define BPFNIC_TEST_TOOLOPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum topt_kind {
	TOPT_FLAG,   /* no value: *(bool *)value = true */
	TOPT_STRING, /* *(const char **)value = the argument (not empty) */
	TOPT_UINT,   /* *(uint64_t *)value = the argument, a decimal in [min, max] */
	TOPT_CHOICE, /* *(unsigned *)value = the argument's index in choices[0..n_choices) */
};

struct topt {
	const char *name;          /* the long option, without "--"; NULL ends a table */
	enum topt_kind kind;
	void *value;
	const char *arg;           /* the value's name in the usage text ("IF", "LIST") */
	const char *help;          /* one line */
	uint64_t min, max;         /* TOPT_UINT */
	const char *const *choices; /* TOPT_CHOICE */
	unsigned n_choices;
};

/* Table entries (designated, so that the fields a kind does not use stay zero). */
#define TOPT_STR(n, var, argname, text) \
	{ .name = (n), .kind = TOPT_STRING, .value = (var), .arg = (argname), .help = (text) }
#define TOPT_NUM(n, var, lo, hi, text) \
	{ .name = (n), .kind = TOPT_UINT, .value = (var), .min = (lo), .max = (hi), .help = (text) }
#define TOPT_ONE_OF(n, var, names, count, text) \
	{ .name = (n), .kind = TOPT_CHOICE, .value = (var), .choices = (names), \
	  .n_choices = (count), .help = (text) }
#define TOPT_BOOL(n, var, text) { .name = (n), .kind = TOPT_FLAG, .value = (var), .help = (text) }
#define TOPT_END { .name = NULL }

struct topt_cmd {
	const char *prog;     /* in messages: "dp-attach" */
	const char *synopsis; /* after "usage: PROG " */
	struct topt *opts;
};

enum topt_result {
	TOPT_RUN = 0,
	TOPT_HELP = 1, /* --help: the usage went to stdout */
};

/*
 * Parses argv[first..argc) (first: 1, or 2 after a subcommand) against cmd->opts;
 * --help is implicit and no argument may follow the options. Returns a
 * topt_result, or -EINVAL after a one-line message on stderr that names the option
 * ("PROG: --NAME: ...").
 */
int topt_parse(const struct topt_cmd *cmd, int argc, char **argv, int first);

void topt_usage(const struct topt_cmd *cmd, FILE *f);

#endif
