/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicctl's command line, parsed into a plain struct with no I/O, so that unit
 * tests reach every rule. The one-line usage error names the bad argument.
 */
#ifndef BPFNIC_CTL_ARGS_H
#define BPFNIC_CTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "params.h"

struct json_object;

enum ctl_command {
	CTL_CMD_NONE = 0,
	CTL_CMD_HELP,    /* "help [COMMAND]", "--help", "COMMAND --help" */
	CTL_CMD_VERSION, /* client and daemon versions */
	CTL_CMD_STATUS,
	CTL_CMD_STATS,
	CTL_CMD_POLICY,
	CTL_CMD_RELOAD,
};

/* A policy option given on the line: its parameter, and its text (checked already). */
struct ctl_policy_value {
	const struct bpfnic_param *param;
	const char *text;
};

/* An optional non-negative integer option. */
struct ctl_opt_uint {
	bool set;
	unsigned long long value;
};

/* stats --since TIME: a Unix time, or a span back from now. */
struct ctl_since {
	bool set;
	bool relative;   /* usec before now (-DURATION), else a Unix time in usec */
	unsigned long long usec;
};

#define CTL_DEFAULT_TIMEOUT_MS 5000u
#define CTL_DEFAULT_WATCH_INTERVAL_MS 1000u

struct ctl_args {
	/* global */
	const char *socket_path;   /* BPFNIC_DEFAULT_SOCKET unless --socket / $BPFNIC_SOCKET */
	bool json;                 /* print the daemon's reply parameters verbatim */
	unsigned timeout_ms;       /* per reply; the CLI never waits longer on a stuck daemon */
	bool client_version_only;  /* --version: print the client's version, talk to no one */

	enum ctl_command cmd;
	enum ctl_command help_topic; /* CTL_CMD_HELP: the command asked about, or NONE */

	/* stats */
	bool watch;
	struct ctl_opt_uint interval_ms; /* --interval: Monitor refresh */
	struct ctl_opt_uint count;       /* --count: stop after N samples (implies --watch) */
	const char *since_text;          /* --since, as given ... */
	struct ctl_since since;          /* ... and parsed */

	/* policy */
	int policy; /* enum bpfnic_policy, -1 when not given */
	struct ctl_policy_value values[BPFNIC_MAX_PARAMS]; /* its options, the last of each */
	unsigned n_values;
};

/*
 * Parse argv[1..argc). Returns 0, or -EINVAL with a one-line message in err naming
 * the bad argument (the caller prints it and exits 2). env_socket is the value of
 * $BPFNIC_SOCKET (may be NULL). Pointers in *a point into argv.
 */
int ctl_parse_args(int argc, char *const argv[], const char *env_socket, struct ctl_args *a,
		   char *err, size_t errlen);

/*
 * --since's TIME: a Unix time in seconds with an optional fraction (1764160000.25), or
 * -DURATION back from now (-60s, -500ms; units ns, us, ms, s, none: s; at most a day).
 * 0, or -EINVAL.
 */
int ctl_parse_since(const char *text, struct ctl_since *out);

/* The command's name as typed ("status", ...), or NULL. */
const char *ctl_command_name(enum ctl_command cmd);

/*
 * The SetPolicy parameters object for a parsed "policy" command (new reference), or
 * NULL on allocation failure. Only the options the user gave are sent: the daemon
 * keeps its current value for the others.
 */
struct json_object *ctl_policy_params(const struct ctl_args *a);

/* The text given for the policy parameter called json ("min_cpus"), or NULL. */
const char *ctl_policy_value(const struct ctl_args *a, const char *json);

/* "rr, split or dynamic", from the table. Returns buf. */
const char *ctl_policy_names(char *buf, size_t size);

/* "bpfnicctl help policy": usage, the policies and their options, from the table. */
int ctl_print_policy_help(FILE *out);

#endif
