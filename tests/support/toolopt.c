/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The test tools' command lines: see toolopt.h. */
#include "tests/support/toolopt.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "numparse.h"

#define TOPT_MAX 32
#define TOPT_ID_HELP (TOPT_MAX + 256)

static int choice_index(const struct topt *o, const char *s)
{
	for (unsigned i = 0; i < o->n_choices; i++)
		if (!strcmp(s, o->choices[i]))
			return (int)i;
	return -1;
}

/* "a|b|c" into buf. */
static const char *choices_text(const struct topt *o, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < o->n_choices && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "|" : "", o->choices[i]);
	return buf;
}

void topt_usage(const struct topt_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: %s %s\n", cmd->prog, cmd->synopsis);
	for (const struct topt *o = cmd->opts; o->name; o++) {
		char left[80], arg[64] = "";

		if (o->kind == TOPT_CHOICE)
			choices_text(o, arg, sizeof(arg));
		else if (o->kind != TOPT_FLAG)
			snprintf(arg, sizeof(arg), "%s", o->arg ? o->arg : o->kind == TOPT_UINT ? "N" : "VALUE");
		snprintf(left, sizeof(left), "--%s%s%s", o->name, *arg ? " " : "", arg);
		/* A long left column gets a line of its own. */
		fprintf(f, strlen(left) > 22 ? "  %s\n  %22s %s\n" : "  %-22s%s %s\n", left, "",
			o->help);
	}
	fprintf(f, "  %-22s %s\n", "--help", "this text");
}

/* Stores the argument of o; 0 or -EINVAL after saying why. */
static int take(const struct topt_cmd *cmd, const struct topt *o, const char *a)
{
	char buf[64];
	int i;

	switch (o->kind) {
	case TOPT_FLAG:
		*(bool *)o->value = true;
		return 0;
	case TOPT_STRING:
		if (*a) {
			*(const char **)o->value = a;
			return 0;
		}
		fprintf(stderr, "%s: --%s: empty value\n", cmd->prog, o->name);
		return -EINVAL;
	case TOPT_UINT:
		if (bpfnic_parse_u64(a, o->min, o->max, o->value) == 0)
			return 0;
		fprintf(stderr, "%s: --%s: '%s' is not a number in %llu..%llu\n", cmd->prog,
			o->name, a, (unsigned long long)o->min, (unsigned long long)o->max);
		return -EINVAL;
	default:
		i = choice_index(o, a);
		if (i >= 0) {
			*(unsigned *)o->value = (unsigned)i;
			return 0;
		}
		fprintf(stderr, "%s: --%s: '%s' is not one of %s\n", cmd->prog, o->name, a,
			choices_text(o, buf, sizeof(buf)));
		return -EINVAL;
	}
}

int topt_parse(const struct topt_cmd *cmd, int argc, char **argv, int first)
{
	struct option longopts[TOPT_MAX + 2];
	unsigned n = 0;
	int opt;

	for (const struct topt *o = cmd->opts; o->name && n < TOPT_MAX; o++, n++)
		longopts[n] = (struct option){ o->name, o->kind == TOPT_FLAG ? no_argument :
						 required_argument, NULL, (int)n + 256 };
	longopts[n++] = (struct option){ "help", no_argument, NULL, TOPT_ID_HELP };
	longopts[n] = (struct option){ 0 };
	optind = first;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == TOPT_ID_HELP) {
			topt_usage(cmd, stdout);
			return TOPT_HELP;
		}
		/* getopt_long has said what was wrong with an unknown option. */
		if (opt < 256 || opt >= TOPT_ID_HELP || take(cmd, &cmd->opts[opt - 256], optarg))
			return -EINVAL;
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", cmd->prog, argv[optind]);
		return -EINVAL;
	}
	return TOPT_RUN;
}
