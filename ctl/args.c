// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnicctl's argument parser. Hand-written rather than getopt_long so that it keeps
 * no global state (unit tests call it many times) and so that global options are
 * accepted anywhere on the line: ops scripts write both "bpfnicctl --json status" and
 * "bpfnicctl status --json". The policies and their options come from the one table
 * of lib/params.h, with their ranges: what bpfnicctl accepts, the daemon accepts.
 */
#include "ctl/args.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "params.h"
#include "protocol.h"
#include "why.h"

static const struct {
	const char *name;
	enum ctl_command cmd;
} commands[] = {
	{ "help", CTL_CMD_HELP },     { "version", CTL_CMD_VERSION }, { "status", CTL_CMD_STATUS },
	{ "stats", CTL_CMD_STATS },   { "policy", CTL_CMD_POLICY },   { "reload", CTL_CMD_RELOAD },
};

const char *ctl_command_name(enum ctl_command cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return NULL;
}

static enum ctl_command command_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].cmd;
	return CTL_CMD_NONE;
}

/* The one-line usage error, into the caller's buffer; always -EINVAL. */
struct parse {
	struct ctl_args *a;
	char *err;
	size_t errlen;
	bool want_help;
};

static int __attribute__((format(printf, 2, 3))) usage_error(struct parse *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = bpfnic_vwhy(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* bpfnicctl's own options (the policies' come from the table). */
enum opt_kind { OPT_FLAG, OPT_UINT, OPT_STRING };

struct opt_def {
	const char *name;
	enum ctl_command cmd; /* CTL_CMD_NONE: global */
	enum opt_kind kind;
	size_t offset;        /* into struct ctl_args */
	unsigned long long min, max;
};

#define OFF(field) offsetof(struct ctl_args, field)

static const struct opt_def opts[] = {
	{ "--socket", CTL_CMD_NONE, OPT_STRING, OFF(socket_path), 0, 0 },
	{ "--json", CTL_CMD_NONE, OPT_FLAG, OFF(json), 0, 0 },
	{ "--timeout", CTL_CMD_NONE, OPT_UINT, OFF(timeout_ms), 1, 3600000 },
	{ "--watch", CTL_CMD_STATS, OPT_FLAG, OFF(watch), 0, 0 },
	{ "--interval", CTL_CMD_STATS, OPT_UINT, OFF(interval_ms), 10, 3600000 },
	{ "--count", CTL_CMD_STATS, OPT_UINT, OFF(count), 1, 4294967295ull },
	{ "--since", CTL_CMD_STATS, OPT_STRING, OFF(since_text), 0, 0 },
};

static const struct opt_def *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
			return &opts[i];
	return NULL;
}

/* The command an option belongs to must be the one on the line. */
static int check_belongs(struct parse *s, const char *name, enum ctl_command cmd)
{
	enum ctl_command have = s->a->cmd;

	if (cmd == CTL_CMD_NONE || cmd == have)
		return 0;
	return usage_error(s, "option '%s' belongs to '%s'%s%s", name, ctl_command_name(cmd),
			   have ? ", not " : " and must follow it", have ? ctl_command_name(have) : "");
}

static int set_own_option(struct parse *s, const struct opt_def *o, const char *val)
{
	struct ctl_args *a = s->a;
	uint64_t v;

	if (o->kind == OPT_STRING) {
		if (!*val)
			return usage_error(s, "option '%s' needs a value", o->name);
		*(const char **)((char *)a + o->offset) = val;
		return 0;
	}
	if (bpfnic_parse_u64(val, o->min, o->max, &v))
		return usage_error(s, "bad value '%s' for %s (expected an integer %llu..%llu)", val,
				   o->name, o->min, o->max);
	if (o->offset == OFF(timeout_ms)) {
		a->timeout_ms = (unsigned)v;
	} else {
		struct ctl_opt_uint *u = (struct ctl_opt_uint *)((char *)a + o->offset);

		u->set = true;
		u->value = v;
	}
	return 0;
}

/* A policy option: checked against the table now, against the policy at the end. */
static int set_policy_option(struct parse *s, const struct bpfnic_param *p, const char *val)
{
	struct ctl_args *a = s->a;
	struct json_object *v;
	char why[200];
	unsigned i;

	v = bpfnic_param_text_to_json(p, val, why, sizeof(why));
	if (!v)
		return usage_error(s, "bad value '%s' for %s (%s)", val, p->cli, why);
	json_object_put(v);
	for (i = 0; i < a->n_values && a->values[i].param != p; i++)
		;
	if (i == a->n_values)
		a->n_values++;
	a->values[i] = (struct ctl_policy_value){ p, val };
	return 0;
}

/* "--name", "--name=value" or "--name value" (which takes the next argument). */
static int take_option(struct parse *s, int argc, char *const argv[], int *i)
{
	const char *arg = argv[*i], *eq = strchr(arg, '='), *val = NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct opt_def *o = find_opt(arg, len);
	const struct bpfnic_param *p = o ? NULL : bpfnic_param_by_cli(arg, len);
	const char *name = o ? o->name : p ? p->cli : NULL;
	int r;

	if (!name && s->a->cmd == CTL_CMD_NONE)
		return usage_error(s, "unknown option '%.*s'", (int)len, arg);
	if (!name)
		return usage_error(s, "unknown option '%.*s' for %s", (int)len, arg,
				   ctl_command_name(s->a->cmd));
	r = check_belongs(s, name, o ? o->cmd : CTL_CMD_POLICY);
	if (r < 0)
		return r;
	if (o && o->kind == OPT_FLAG) {
		if (eq)
			return usage_error(s, "option '%s' takes no value", o->name);
		*(bool *)((char *)s->a + o->offset) = true;
		return 0;
	}
	if (eq)
		val = eq + 1;
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return usage_error(s, "option '%s' needs a value", name);
	return o ? set_own_option(s, o, val) : set_policy_option(s, p, val);
}

/* A word that is not an option: the command, then its argument. */
static int take_positional(struct parse *s, const char *arg)
{
	struct ctl_args *a = s->a;

	if (a->cmd == CTL_CMD_NONE) {
		a->cmd = command_by_name(arg);
		if (a->cmd == CTL_CMD_NONE)
			return usage_error(s, "unknown command '%s' (try 'bpfnicctl help')", arg);
		return 0;
	}
	if (a->cmd == CTL_CMD_HELP && a->help_topic == CTL_CMD_NONE) {
		a->help_topic = command_by_name(arg);
		if (a->help_topic == CTL_CMD_NONE || a->help_topic == CTL_CMD_HELP)
			return usage_error(s, "no help for '%s' (try 'bpfnicctl help')", arg);
		return 0;
	}
	if (a->cmd == CTL_CMD_POLICY && a->policy < 0) {
		char names[160];

		a->policy = bpfnic_policy_by_name(arg);
		if (a->policy < 0)
			return usage_error(s, "unknown policy '%s' (expected %s)", arg,
					   ctl_policy_names(names, sizeof(names)));
		return 0;
	}
	return usage_error(s, "unexpected argument '%s'", arg);
}

/* What only the whole line tells: a command, and options that fit it. */
static int check_line(struct parse *s)
{
	struct ctl_args *a = s->a;
	const char *tmin, *tmax;
	char names[160], why[160];

	if (a->cmd == CTL_CMD_NONE)
		return usage_error(s, "missing command (try 'bpfnicctl help')");
	if (a->cmd == CTL_CMD_STATS) {
		if (a->interval_ms.set && !a->watch && !a->count.set)
			return usage_error(s, "option '--interval' needs '--watch'");
		if (a->count.set)
			a->watch = true;
		if (a->since_text && ctl_parse_since(a->since_text, &a->since) < 0)
			return usage_error(s, "bad value '%s' for --since (expected a Unix time in "
					   "seconds such as 1764160000.25, or -DURATION such as -60s "
					   "or -500ms)", a->since_text);
		if (a->since.set && a->watch)
			return usage_error(s, "option '--since' cannot be combined with '--watch' "
					   "or '--count'");
	}
	if (a->cmd != CTL_CMD_POLICY)
		return 0;
	if (a->policy < 0)
		return usage_error(s, "missing policy (expected %s)", ctl_policy_names(names, sizeof(names)));
	for (unsigned i = 0; i < a->n_values; i++)
		if (!bpfnic_param_applies(a->values[i].param, (enum bpfnic_policy)a->policy))
			return usage_error(s, "option '%s' does not apply to policy %s",
					   a->values[i].param->cli, bpfnic_policy_name((unsigned)a->policy));
	/* Both known here (they passed the table): the daemon would refuse them too. */
	tmin = ctl_policy_value(a, "min_cpus");
	tmax = ctl_policy_value(a, "max_cpus");
	if (tmin && tmax && bpfnic_policy_check_cpu_bounds((unsigned)strtoul(tmin, NULL, 10),
							   (unsigned)strtoul(tmax, NULL, 10), why,
							   sizeof(why)) < 0)
		return usage_error(s, "option '--min-cpus' (%s) exceeds '--max-cpus' (%s)", tmin, tmax);
	return 0;
}

int ctl_parse_args(int argc, char *const argv[], const char *env_socket, struct ctl_args *a,
		   char *err, size_t errlen)
{
	struct parse s = { .a = a, .err = err, .errlen = errlen };
	int r = 0;

	memset(a, 0, sizeof(*a));
	a->socket_path = env_socket && *env_socket ? env_socket : BPFNIC_DEFAULT_SOCKET;
	a->timeout_ms = CTL_DEFAULT_TIMEOUT_MS;
	a->policy = -1;
	if (errlen)
		err[0] = '\0';
	for (int i = 1; i < argc && r == 0; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			s.want_help = true;
		else if (!strcmp(arg, "--version") && a->cmd == CTL_CMD_NONE)
			a->client_version_only = true;
		else if (arg[0] == '-' && arg[1] == '-' && arg[2])
			r = take_option(&s, argc, argv, &i);
		else if (arg[0] == '-' && arg[1])
			r = usage_error(&s, "unknown option '%s'", arg);
		else
			r = take_positional(&s, arg);
	}
	if (r < 0)
		return r;
	if (s.want_help) {
		a->help_topic = a->cmd == CTL_CMD_HELP ? a->help_topic : a->cmd;
		a->cmd = CTL_CMD_HELP;
		return 0;
	}
	if (a->client_version_only)
		return 0;
	return check_line(&s);
}

int ctl_parse_since(const char *text, struct ctl_since *out)
{
	uint64_t v;

	*out = (struct ctl_since){ 0 };
	if (text[0] == '-') {
		if (bpfnic_parse_duration_ns(text + 1, &v) < 0)
			return -EINVAL;
		*out = (struct ctl_since){ .set = true, .relative = true, .usec = v / 1000 };
		return 0;
	}
	/* Seconds to microseconds: a fraction finer than that is dropped. */
	if (bpfnic_parse_fixed(text, 6, INT64_MAX, &v) < 0)
		return -EINVAL;
	*out = (struct ctl_since){ .set = true, .usec = v };
	return 0;
}

const char *ctl_policy_value(const struct ctl_args *a, const char *json)
{
	for (unsigned i = 0; i < a->n_values; i++)
		if (!strcmp(a->values[i].param->json, json))
			return a->values[i].text;
	return NULL;
}

const char *ctl_policy_names(char *buf, size_t size)
{
	return bpfnic_why_names(buf, size, &bpfnic_policies[0].name, sizeof(bpfnic_policies[0]),
				BPFNIC_NR_POLICIES, "");
}

struct json_object *ctl_policy_params(const struct ctl_args *a)
{
	struct json_object *o = json_object_new_object(), *v;
	char why[200];

	if (!o || a->policy < 0 || a->policy >= BPFNIC_NR_POLICIES)
		goto fail;
	v = json_object_new_string(bpfnic_policy_name((unsigned)a->policy));
	if (!v || json_object_object_add(o, "policy", v)) {
		json_object_put(v);
		goto fail;
	}
	/* In the table's order: the same call whatever the order on the line. */
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		const char *text = p->json ? ctl_policy_value(a, p->json) : NULL;

		if (!text)
			continue;
		v = bpfnic_param_text_to_json(p, text, why, sizeof(why));
		if (!v || json_object_object_add(o, p->json, v)) {
			json_object_put(v);
			goto fail;
		}
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* "  NAME   text..." with text wrapped at 80 columns under column 27. */
static void print_wrapped(FILE *out, int indent, const char *name, const char *text)
{
	int col = fprintf(out, "%*s%-*s", indent, "", 26 - indent, name);

	if (col > 26)
		col = fprintf(out, "\n%26s", "");
	while (*text) {
		size_t word = strcspn(text, " ");

		if (col > 27 && col + 1 + (int)word > 80)
			col = fprintf(out, "\n%26s", "");
		col += fprintf(out, " %.*s", (int)word, text);
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/* What an option's value looks like: "avg|p99", or the metavar ("N"). */
static const char *value_text(const struct bpfnic_param *p, char *buf, size_t size)
{
	size_t used = 0;

	if (p->type == BPFNIC_PARAM_UINT && p->word) {
		snprintf(buf, size, "%s|%s", p->metavar, p->word);
		return buf;
	}
	if (p->type != BPFNIC_PARAM_ENUM)
		return p->metavar;
	buf[0] = '\0';
	for (unsigned v = 0; v < p->n_names && used < size; v++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", v ? "|" : "",
					 bpfnic_param_name(p, v));
	return buf;
}

/* "    --threshold-us N     grow ... \n    (1-1000000 µs, default 20; [Dynamic] ThresholdUs=)" */
static void print_option_help(FILE *out, const struct bpfnic_param *p)
{
	char flag[64], value[64], text[400], range[96] = "";

	snprintf(flag, sizeof(flag), "%s %s", p->cli, value_text(p, value, sizeof(value)));
	if (p->type == BPFNIC_PARAM_UINT)
		snprintf(range, sizeof(range), "%u-%u%s%s%s%s, ", p->min, p->max, p->unit ? " " : "",
			 p->unit ? p->unit : "", p->word ? " or " : "", p->word ? p->word : "");
	snprintf(text, sizeof(text), "%s (%sdefault %s; [%s] %s=)", p->help, range,
		 p->def ? p->def : p->def_doc, p->section, p->key);
	print_wrapped(out, 4, flag, text);
}

/* "usage: bpfnicctl policy dynamic [--threshold-us N] ...", wrapped under the name. */
static void print_policy_usage(FILE *out, unsigned k)
{
	int indent, col;

	col = indent = fprintf(out, "%s bpfnicctl policy %s", k ? "      " : "usage:",
			       bpfnic_policies[k].name);
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		char buf[64];
		const char *value;
		int len;

		if (!p->cli || !bpfnic_param_applies(p, k))
			continue;
		value = value_text(p, buf, sizeof(buf));
		len = (int)(strlen(p->cli) + strlen(value) + 4);
		if (col + len > 88)
			col = fprintf(out, "\n%*s", indent, "") - 1;
		col += fprintf(out, " [%s %s]", p->cli, value);
	}
	fputc('\n', out);
}

int ctl_print_policy_help(FILE *out)
{
	for (unsigned k = 0; k < BPFNIC_NR_POLICIES; k++)
		print_policy_usage(out, k);
	fputs("\nSwitch the scheduling policy live (maps change, the program stays attached; no\n"
	      "request is lost). Needs root or the daemon's AdminGroup. Options not given keep\n"
	      "the daemon's current (or configured) value.\n\n", out);
	for (unsigned k = 0; k < BPFNIC_NR_POLICIES; k++) {
		print_wrapped(out, 2, bpfnic_policies[k].name, bpfnic_policies[k].help);
		for (unsigned i = 0; i < bpfnic_n_params; i++)
			if (bpfnic_params[i].cli && bpfnic_param_applies(&bpfnic_params[i], k))
				print_option_help(out, &bpfnic_params[i]);
	}
	return ferror(out) ? -EIO : 0;
}
