// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loadgen/options: every flag parses, every bad flag or value is one line naming it,
 * steps come out right, and --help documents every flag. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "tests/support/unit.h"
#include "loadgen/options.h"

static int parse(struct lg_config *c, char *err, size_t errlen, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "bpfnic-loadgen";
	va_start(ap, errlen);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = 0;
	return lg_parse_args(argc, argv, c, err, errlen);
}

static void defaults_and_every_flag(void **state)
{
	struct lg_config c;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777", NULL), LG_PARSE_RUN);
	assert_int_equal(c.mode, LG_LOAD_RATE);
	assert_true(c.rate == 10000);
	assert_int_equal(c.duration_ns, 2000000000ull);
	assert_int_equal(c.format, BPFNIC_FORMAT_EXT);
	assert_int_equal(c.threads, 1);
	assert_int_equal(c.mix[0], 1);
	assert_int_equal(c.mix[1], 0);
	assert_int_equal(c.target.ss_family, AF_INET);
	assert_int_equal(lg_config_steps(&c), 1);

	assert_int_equal(parse(&c, err, sizeof(err), "--target", "[2001:2::1]:7777", "--rate", "2500.5",
			       "--duration", "1.5s", "--warmup", "0", "--drain", "250ms",
			       "--arrivals", "constant", "--seed", "99", "--mix", "short=90,long=10",
			       "--format", "paper", "--threads", "2", "--cpus", "0", "--flows", "8",
			       "--batch", "16", "--spin", "5us", "--csv", "a.csv", "--json", "a.json",
			       "--plot", "a.svg", "--quiet", NULL), LG_PARSE_RUN);
	assert_int_equal(c.target.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&c.target)->sin6_port), 7777);
	assert_true(c.rate == 2500.5);
	assert_int_equal(c.duration_ns, 1500000000ull);
	assert_int_equal(c.warmup_ns, 0);
	assert_int_equal(c.drain_ns, 250000000ull);
	assert_int_equal(c.arrivals, BPFNIC_ARRIVALS_CONSTANT);
	assert_int_equal(c.seed, 99);
	assert_int_equal(c.mix[0], 90);
	assert_int_equal(c.mix[1], 10);
	assert_int_equal(c.format, BPFNIC_FORMAT_PAPER);
	assert_int_equal(c.threads, 2);
	assert_int_equal(c.n_cpus, 1);
	assert_int_equal(c.cpus[0], 0);
	assert_int_equal(c.flows, 8);
	assert_int_equal(c.batch, 16);
	assert_int_equal(c.spin_ns, 5000);
	assert_string_equal(c.csv_path, "a.csv");
	assert_string_equal(c.json_path, "a.json");
	assert_string_equal(c.plot_path, "a.svg");
	assert_true(c.quiet);

	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:1", "--service",
			       "short=3us,long=0.06ms", NULL), LG_PARSE_RUN);
	assert_int_equal(c.service_ns[0], 3000);
	assert_int_equal(c.service_ns[1], 60000);
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:1", "--class", "long", NULL),
			 LG_PARSE_RUN);
	assert_int_equal(c.mix[0], 0);
	assert_int_equal(c.mix[1], 1);
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:1", "--calibrate", NULL),
			 LG_PARSE_RUN);
	assert_true(c.calibrate);
	assert_int_equal(parse(&c, err, sizeof(err), "--help", NULL), LG_PARSE_HELP);
	assert_int_equal(parse(&c, err, sizeof(err), "--version", NULL), LG_PARSE_VERSION);
}

static void steps_of_sweeps_and_clients(void **state)
{
	struct lg_config c;
	char err[256];
	unsigned clients;
	double rate;

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777", "--sweep",
			       "10000:50000:10000", "--threads", "2", NULL), LG_PARSE_RUN);
	assert_int_equal(lg_config_steps(&c), 5);
	lg_config_step(&c, 4, &clients, &rate);
	assert_int_equal(clients, 2);
	assert_true(rate == 50000);
	/* STOP that is not on the grid: the last step stays below it. */
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777", "--sweep",
			       "1000:2500:1000", NULL), LG_PARSE_RUN);
	assert_int_equal(lg_config_steps(&c), 2);
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777", "--clients", "1:4",
			       "--rate", "225000", NULL), LG_PARSE_RUN);
	assert_int_equal(c.mode, LG_LOAD_CLIENTS);
	assert_int_equal(lg_config_steps(&c), 4);
	lg_config_step(&c, 2, &clients, &rate);
	assert_int_equal(clients, 3);
	assert_true(rate == 675000);
}

/* Each flag with values it must refuse; the message must name the flag. */
static const struct bad_values {
	const char *flag;
	const char *values[9];
} bad_values[] = {
	{ "--target", { "198.18.0.1", "198.18.0.1:0", "198.18.0.1:70000", "lab:7777",
			"2001:2::1:7777", "[2001:2::1]7777", "[]:1", "999.1.1.1:1" } },
	{ "--rate", { "0", "-5", "fast", "nan", "1e12" } },
	{ "--sweep", { "1:2", "5:1:1", "1:100000:1", "a:b:c", "1:2:3:4" } },
	{ "--clients", { "0:2", "3:2", "1:999", "2", "1:2:3" } },
	{ "--duration", { "0", "1h" } },
	{ "--warmup", { "-1s" } },
	{ "--drain", { "abc" } },
	{ "--arrivals", { "uniform" } },
	{ "--seed", { "-1", "x" } },
	{ "--mix", { "short=0,long=0", "medium=5", "short=1,short=2", "short=-1,long=2" } },
	{ "--class", { "medium" } },
	{ "--format", { "json" } },
	{ "--threads", { "0", "65" } },
	{ "--cpus", { "a", "99999", "1,1" } },
	{ "--flows", { "0", "2000" } },
	{ "--batch", { "0", "1000" } },
	{ "--spin", { "1s" } },
	{ "--csv", { "" } },
	{ "--service", { "short=1s", "medium=1us", "short=3" /* 3 s */, "long=", "short=11ms" } },
};

static void check_refused(int r, const char *err, const char *flag, const char *value)
{
	if (r != -EINVAL || !strstr(err, flag) || strchr(err, '\n'))
		fail_msg("%s %s: r=%d err='%s'", flag, value ? value : "", r, err);
}

static void bad_input_is_one_line_naming_it(void **state)
{
	static const char *const missing_or_unknown[] = { "--rate", "--bogus", "-x" };
	struct lg_config c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(bad_values); i++) {
		const struct bad_values *b = &bad_values[i];

		for (const char *const *v = b->values; *v; v++) {
			int r = strcmp(b->flag, "--target") == 0 ?
				parse(&c, err, sizeof(err), b->flag, *v, NULL) :
				parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777", b->flag, *v, NULL);

			check_refused(r, err, b->flag, *v);
		}
	}
	/* A flag without its value, and flags that do not exist. */
	for (size_t i = 0; i < N_ELEMENTS(missing_or_unknown); i++)
		check_refused(parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777",
				    missing_or_unknown[i], NULL), err, missing_or_unknown[i], NULL);
	/* One class only is a valid (unimodal) mix. */
	assert_int_equal(parse(&c, err, sizeof(err), "--target", "198.18.0.1:7777", "--mix",
			       "short=90", NULL), LG_PARSE_RUN);
}

static void conflicting_flags(void **state)
{
	static const char *const cases[][5] = {
		{ "--sweep", "1:2:1", "--rate", "5", "--rate" },
		{ "--sweep", "1:2:1", "--clients", "1:2", "--clients" },
		{ "--clients", "1:2", "--threads", "2", "--threads" },
		{ "--mix", "short=1,long=1", "--class", "long", "--class" },
		{ "--calibrate", "--rate", "5", NULL, "--calibrate" },
		{ "--threads", "4", "--flows", "2", "--flows" },
		{ "--format", "paper", "--service", "short=3us", "--service" },
		{ "extra", NULL, NULL, NULL, "extra" },
	};
	struct lg_config c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		char *argv[8] = { "bpfnic-loadgen", "--target", "198.18.0.1:7777" };
		int argc = 3, r;

		for (int k = 0; k < 4 && cases[i][k]; k++)
			argv[argc++] = (char *)cases[i][k];
		r = lg_parse_args(argc, argv, &c, err, sizeof(err));
		if (r != -EINVAL || !strstr(err, cases[i][4]))
			fail_msg("case %zu: r=%d err='%s'", i, r, err);
	}
	/* No target at all. */
	{
		char *argv[] = { "bpfnic-loadgen", "--rate", "5", NULL };

		assert_int_equal(lg_parse_args(3, argv, &c, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "--target"));
	}
}

static void help_documents_every_flag(void **state)
{
	(void)state;
	for (const struct option *o = lg_long_options; o->name; o++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "    --%s", o->name);
		if (!strstr(lg_usage_text, needle))
			fail_msg("--help does not document --%s", o->name);
	}
	/* Every CSV column is named in --help too (checked in test_lg_report). */
}

/* Every example in --help is a valid command line. */
static void help_examples_parse(void **state)
{
	const char *ex = strstr(lg_usage_text, "EXAMPLES\n");
	char buf[4096], *line, *save = NULL;
	unsigned examples = 0;

	(void)state;
	assert_non_null(ex);
	snprintf(buf, sizeof(buf), "%s", ex);
	/* Join continuation lines ("\\\n") into one. */
	for (char *p = buf; (p = strstr(p, "\\\n"));)
		p[0] = p[1] = ' ';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *argv[64], *tok, *s2 = NULL, err[256];
		int argc = 0;
		struct lg_config c;

		if (!strstr(line, "bpfnic-loadgen "))
			continue;
		for (tok = strtok_r(line, " ", &s2); tok && argc < 63; tok = strtok_r(NULL, " ", &s2))
			argv[argc++] = tok;
		argv[argc] = NULL;
		if (argc > 1 && !strcmp(argv[1], "merge")) {
			struct lg_merge_args m;

			if (lg_parse_merge_args(argc - 2, argv + 2, &m, err, sizeof(err)) != LG_PARSE_RUN)
				fail_msg("example %u does not parse: %s", examples + 1, err);
		} else if (lg_parse_args(argc, argv, &c, err, sizeof(err)) != LG_PARSE_RUN) {
			fail_msg("example %u does not parse: %s", examples + 1, err);
		}
		examples++;
	}
	assert_true(examples >= 3);
}

/* merge's own line: runs, --json, --csv, --quiet; anything else is named. */
static void merge_arguments(void **state)
{
	char *ok[] = { "a.json", "--json", "m.json", "b.json", "--csv", "m.csv", "--quiet", NULL };
	static const struct {
		char *argv[4];
		const char *message;
	} bad[] = {
		{ { NULL }, "no run to merge" },
		{ { "a.json", "--json", NULL }, "--json needs a file name" },
		{ { "a.json", "--csv", "", NULL }, "--csv needs a file name" },
		{ { "a.json", "--rate", "5", NULL }, "unknown option '--rate'" },
	};
	struct lg_merge_args m;
	char err[256];
	(void)state;

	assert_int_equal(lg_parse_merge_args(7, ok, &m, err, sizeof(err)), LG_PARSE_RUN);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.inputs[1], "b.json");
	assert_string_equal(m.json_path, "m.json");
	assert_string_equal(m.csv_path, "m.csv");
	assert_true(m.quiet);
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		int argc = 0;

		while (bad[i].argv[argc])
			argc++;
		assert_int_equal(lg_parse_merge_args(argc, (char **)bad[i].argv, &m, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].message))
			fail_msg("want '%s', got '%s'", bad[i].message, err);
	}
	assert_int_equal(lg_parse_merge_args(1, (char *[]){ "--help", NULL }, &m, err, sizeof(err)),
			 LG_PARSE_HELP);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(defaults_and_every_flag),
	cmocka_unit_test(merge_arguments),
	cmocka_unit_test(steps_of_sweeps_and_clients),
	cmocka_unit_test(bad_input_is_one_line_naming_it),
	cmocka_unit_test(conflicting_flags),
	cmocka_unit_test(help_documents_every_flag),
	cmocka_unit_test(help_examples_parse))
