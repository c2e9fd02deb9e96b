// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnicctl's argument parser. Hand-written rather than getopt_long so that it keeps
 * no global state (unit tests call it many times) and so that global options are
 * accepted anywhere on the line: ops scripts write both "bpfnicctl --json status" and
 * "bpfnicctl status --json".
 */
#include "ctl/args.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfnic.h"
#include "numparse.h"
#include "protocol.h"

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

static int usage_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int name_index(const char *s, const char *const names[], int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* Option table: which command accepts which option, and where its value goes. */
enum opt_kind { OPT_FLAG, OPT_UINT, OPT_STRING, OPT_METRIC };

struct opt_def {
	const char *name;
	enum ctl_command cmd; /* CTL_CMD_NONE: global */
	int policy;           /* for CTL_CMD_POLICY: the policy it belongs to, -1: any */
	enum opt_kind kind;
	size_t offset;        /* into struct ctl_args */
	unsigned long long min, max;
};

#define OFF(field) offsetof(struct ctl_args, field)
#define U32MAX 4294967295ull

static const struct opt_def opts[] = {
	{ "--socket", CTL_CMD_NONE, -1, OPT_STRING, OFF(socket_path), 0, 0 },
	{ "--json", CTL_CMD_NONE, -1, OPT_FLAG, OFF(json), 0, 0 },
	{ "--timeout", CTL_CMD_NONE, -1, OPT_UINT, OFF(timeout_ms), 1, 3600000 },
	{ "--watch", CTL_CMD_STATS, -1, OPT_FLAG, OFF(watch), 0, 0 },
	{ "--interval", CTL_CMD_STATS, -1, OPT_UINT, OFF(interval_ms), 10, 3600000 },
	{ "--count", CTL_CMD_STATS, -1, OPT_UINT, OFF(count), 1, U32MAX },
	{ "--long-cpus", CTL_CMD_POLICY, BPFNIC_POLICY_SPLIT, OPT_UINT, OFF(long_cpus), 0,
	  BPFNIC_MAX_CPUS },
	{ "--threshold-us", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_UINT, OFF(threshold_us), 0,
	  U32MAX },
	{ "--metric", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_METRIC, OFF(metric), 0, 0 },
	{ "--min-cpus", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_UINT, OFF(min_cpus), 0,
	  BPFNIC_MAX_CPUS },
	{ "--max-cpus", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_UINT, OFF(max_cpus), 0,
	  BPFNIC_MAX_CPUS },
	{ "--cooldown-ms", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_UINT, OFF(cooldown_ms), 0,
	  U32MAX },
	{ "--shrink-below-us", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_UINT,
	  OFF(shrink_below_us), 0, U32MAX },
	{ "--interval-ms", CTL_CMD_POLICY, BPFNIC_POLICY_DYNAMIC, OPT_UINT, OFF(ctl_interval_ms),
	  0, U32MAX },
};

static const struct opt_def *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
			return &opts[i];
	return NULL;
}

/* Options whose value lands in a plain unsigned (timeout) rather than ctl_opt_uint. */
static bool is_plain_unsigned(const struct opt_def *o)
{
	return o->offset == OFF(timeout_ms);
}

int ctl_parse_args(int argc, char *const argv[], const char *env_socket, struct ctl_args *a,
		   char *err, size_t errlen)
{
	/* Options seen before we know the policy: checked against it at the end. */
	const struct opt_def *policy_opts_seen[sizeof(opts) / sizeof(opts[0])];
	size_t n_policy_opts = 0;
	bool want_help = false;

	memset(a, 0, sizeof(*a));
	a->socket_path = env_socket && *env_socket ? env_socket : BPFNIC_DEFAULT_SOCKET;
	a->timeout_ms = CTL_DEFAULT_TIMEOUT_MS;
	a->policy = -1;
	a->metric = -1;
	if (errlen)
		err[0] = '\0';

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			want_help = true;
			continue;
		}
		if (!strcmp(arg, "--version") && a->cmd == CTL_CMD_NONE) {
			a->client_version_only = true;
			continue;
		}
		if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
			const char *eq = strchr(arg, '=');
			size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
			const struct opt_def *o = find_opt(arg, len);
			const char *val = NULL;

			if (!o) {
				if (a->cmd == CTL_CMD_NONE)
					return usage_error(err, errlen, "unknown option '%.*s'", (int)len, arg);
				return usage_error(err, errlen, "unknown option '%.*s' for %s", (int)len,
						   arg, ctl_command_name(a->cmd));
			}
			if (o->cmd != CTL_CMD_NONE && o->cmd != a->cmd)
				return usage_error(err, errlen, "option '%s' belongs to '%s'%s%s", o->name,
						   ctl_command_name(o->cmd),
						   a->cmd ? ", not " : " and must follow it",
						   a->cmd ? ctl_command_name(a->cmd) : "");
			if (o->kind == OPT_FLAG) {
				if (eq)
					return usage_error(err, errlen, "option '%s' takes no value",
							   o->name);
				*(bool *)((char *)a + o->offset) = true;
				continue;
			}
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_error(err, errlen, "option '%s' needs a value", o->name);

			switch (o->kind) {
			case OPT_STRING:
				if (!*val)
					return usage_error(err, errlen, "option '%s' needs a value",
							   o->name);
				*(const char **)((char *)a + o->offset) = val;
				break;
			case OPT_METRIC: {
				int m = name_index(val, bpfnic_metric_names,
						   (int)(sizeof(bpfnic_metric_names) /
							 sizeof(bpfnic_metric_names[0])));
				if (m < 0)
					return usage_error(err, errlen,
							   "bad value '%s' for %s (expected avg or p99)",
							   val, o->name);
				a->metric = m;
				break;
			}
			case OPT_UINT: {
				uint64_t v;

				if (bpfnic_parse_u64(val, o->min, o->max, &v))
					return usage_error(err, errlen,
							   "bad value '%s' for %s (expected an integer %llu..%llu)",
							   val, o->name, o->min, o->max);
				if (is_plain_unsigned(o)) {
					*(unsigned *)((char *)a + o->offset) = (unsigned)v;
				} else {
					struct ctl_opt_uint *u =
						(struct ctl_opt_uint *)((char *)a + o->offset);
					u->set = true;
					u->value = v;
				}
				break;
			}
			case OPT_FLAG:
				break;
			}
			if (o->cmd == CTL_CMD_POLICY)
				policy_opts_seen[n_policy_opts++] = o;
			continue;
		}
		if (arg[0] == '-' && arg[1])
			return usage_error(err, errlen, "unknown option '%s'", arg);

		/* A positional argument. */
		if (a->cmd == CTL_CMD_NONE) {
			a->cmd = command_by_name(arg);
			if (a->cmd == CTL_CMD_NONE)
				return usage_error(err, errlen, "unknown command '%s' (try 'bpfnicctl help')",
						   arg);
			continue;
		}
		if (a->cmd == CTL_CMD_HELP && a->help_topic == CTL_CMD_NONE) {
			a->help_topic = command_by_name(arg);
			if (a->help_topic == CTL_CMD_NONE || a->help_topic == CTL_CMD_HELP)
				return usage_error(err, errlen, "no help for '%s' (try 'bpfnicctl help')",
						   arg);
			continue;
		}
		if (a->cmd == CTL_CMD_POLICY && a->policy < 0) {
			a->policy = name_index(arg, bpfnic_policy_names, BPFNIC_NR_POLICIES);
			if (a->policy < 0)
				return usage_error(err, errlen,
						   "unknown policy '%s' (expected rr, split or dynamic)",
						   arg);
			continue;
		}
		return usage_error(err, errlen, "unexpected argument '%s'", arg);
	}

	if (want_help) {
		a->help_topic = a->cmd == CTL_CMD_HELP ? a->help_topic : a->cmd;
		a->cmd = CTL_CMD_HELP;
		return 0;
	}
	if (a->client_version_only)
		return 0;
	if (a->cmd == CTL_CMD_NONE)
		return usage_error(err, errlen, "missing command (try 'bpfnicctl help')");

	if (a->cmd == CTL_CMD_STATS) {
		if (a->interval_ms.set && !a->watch && !a->count.set)
			return usage_error(err, errlen, "option '--interval' needs '--watch'");
		if (a->count.set)
			a->watch = true;
	}
	if (a->cmd == CTL_CMD_POLICY) {
		if (a->policy < 0)
			return usage_error(err, errlen, "missing policy (expected rr, split or dynamic)");
		for (size_t k = 0; k < n_policy_opts; k++)
			if (policy_opts_seen[k]->policy != a->policy)
				return usage_error(err, errlen,
						   "option '%s' does not apply to policy %s",
						   policy_opts_seen[k]->name,
						   bpfnic_policy_names[a->policy]);
		if (a->min_cpus.set && a->max_cpus.set && a->min_cpus.value > a->max_cpus.value)
			return usage_error(err, errlen, "option '--min-cpus' (%llu) exceeds '--max-cpus' (%llu)",
					   a->min_cpus.value, a->max_cpus.value);
	}
	return 0;
}

static int add_uint(struct json_object *o, const char *key, const struct ctl_opt_uint *u)
{
	struct json_object *v;

	if (!u->set)
		return 0;
	v = json_object_new_int64((int64_t)u->value);
	if (!v || json_object_object_add(o, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

struct json_object *ctl_policy_params(const struct ctl_args *a)
{
	struct json_object *o = json_object_new_object(), *v;

	if (!o || a->policy < 0 || a->policy >= BPFNIC_NR_POLICIES)
		goto fail;
	v = json_object_new_string(bpfnic_policy_names[a->policy]);
	if (!v || json_object_object_add(o, "policy", v)) {
		json_object_put(v);
		goto fail;
	}
	if (a->metric >= 0) {
		v = json_object_new_string(bpfnic_metric_names[a->metric]);
		if (!v || json_object_object_add(o, "metric", v)) {
			json_object_put(v);
			goto fail;
		}
	}
	if (add_uint(o, "long_cpus", &a->long_cpus) || add_uint(o, "threshold_us", &a->threshold_us) ||
	    add_uint(o, "min_cpus", &a->min_cpus) || add_uint(o, "max_cpus", &a->max_cpus) ||
	    add_uint(o, "cooldown_ms", &a->cooldown_ms) ||
	    add_uint(o, "shrink_below_us", &a->shrink_below_us) ||
	    add_uint(o, "interval_ms", &a->ctl_interval_ms))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}
