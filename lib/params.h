/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one table of policies and parameters, shared by bpfnicd and bpfnicctl. Pure: no
 * I/O. Everything that names a policy or a parameter derives from it:
 *
 *   bpfnicd.conf     every [Section] Key=: its range, default, and whether a reload
 *                    applies it (daemon/config.c parses the file through the table);
 *   SetPolicy        the call's parameters and their JSON types and ranges, the
 *                    "policy" object of the replies (bpfnic_params_*_json below);
 *   bpfnicctl        "policy NAME --flag VALUE", its checks and its help text;
 *   the IDL          SetPolicy's parameters and the Policy type (lib/gen.c fills them in);
 *   completion       the policy names and flags (lib/gen.c too);
 *   the man pages    checked against the table by tests/unit/test_params.c.
 *
 * Adding a policy parameter is one entry in bpfnic_params[] (lib/params.c) and the
 * field that holds its value; adding a policy is one entry in bpfnic_policies[], its
 * id in bpf/bpfnic.h and its pick function.
 */
#ifndef BPFNIC_PARAMS_H
#define BPFNIC_PARAMS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#include "addrlist.h"
#include "bpfnic.h"
#include "protocol.h"
#include "datapath/datapath.h"

/* ---- policies ------------------------------------------------------------------- */

/* Which core groups a policy reads (bits 1 << enum bpfnic_group). */
#define BPFNIC_GROUPS_MAIN (1u << BPFNIC_GROUP_MAIN)
#define BPFNIC_GROUPS_LONG (1u << BPFNIC_GROUP_LONG)

struct bpfnic_policy_def {
	const char *name;     /* as typed: config, SetPolicy, bpfnicctl, status */
	const char *help;     /* one line */
	unsigned groups;      /* BPFNIC_GROUPS_* it reads */
	bool scaler;          /* the dynamic scaler sizes its main group */
};

/* Indexed by enum bpfnic_policy. */
extern const struct bpfnic_policy_def bpfnic_policies[BPFNIC_NR_POLICIES];

/* The policy's name; "?" for an id out of range. */
const char *bpfnic_policy_name(unsigned id);
/* The id of the policy called name, or -EINVAL. */
int bpfnic_policy_by_name(const char *name);

/* ---- what the parameters fill in ------------------------------------------------ */

enum bpfnic_metric { BPFNIC_METRIC_AVG = 0, BPFNIC_METRIC_P99 = 1, BPFNIC_NR_METRICS };

/* Indexed by enum bpfnic_xdp_mode (datapath/datapath.h) and enum bpfnic_metric. */
extern const char *const bpfnic_xdp_mode_names[3];
extern const char *const bpfnic_metric_names[BPFNIC_NR_METRICS];

/* An ordered list of CPU ids ("1-3,6" -> 1 2 3 6, lib/cpulist.h syntax), no duplicates. */
struct bpfnic_cpus {
	unsigned n;
	unsigned cpu[BPFNIC_MAX_CPUS];
};

/*
 * [Daemon] WorkerScheduling=: the scheduling class of the cpumap kernel threads, as
 * the kernel numbers it (SCHED_OTHER, SCHED_FIFO or SCHED_RR), and the real-time
 * priority (1-99 under fifo and rr, 0 under other, which also means nice 0).
 */
struct bpfnic_worker_sched {
	int policy;
	unsigned priority;
};

/* The name of a kernel scheduling class ("other", "fifo", "rr", "batch", "idle",
 * "deadline"), or NULL for a number it does not know. */
const char *bpfnic_sched_class_name(int policy);
/* A setting as written in the file: "fifo:49", "rr:10", "other". Returns buf. */
const char *bpfnic_worker_sched_format(const struct bpfnic_worker_sched *s, char *buf,
				       size_t size);

/* A set of CPU ids (which exist, which are online). */
struct bpfnic_cpuset {
	bool has[BPFNIC_MAX_CPUS];
};

/*
 * Where the metrics endpoint listens ([Metrics] Listen=): a numeric IPv4 or IPv6
 * address and a TCP port. The default port is outside the Prometheus exporters'
 * registry (9100-9999 is full; README, "Metrics", says why this one).
 */
#define BPFNIC_METRICS_PORT 10777
struct bpfnic_listen {
	unsigned short family;  /* 0: off; AF_INET or AF_INET6 */
	unsigned short port;
	unsigned char addr[16]; /* network byte order: the first 4 bytes for AF_INET */
};

/* "198.18.0.1:10777", "[::1]:10777", or "" when off. Returns buf. */
const char *bpfnic_listen_format(const struct bpfnic_listen *l, char *buf, size_t size);

/* LongCpus=auto: the daemon sizes split's long group (daemon/splitsize.h). */
#define BPFNIC_LONG_CPUS_AUTO 0u

/* The policy and its parameters: what SetPolicy changes, all of it live. */
struct bpfnic_policy_params {
	enum bpfnic_policy policy;
	unsigned long_cpus;        /* split: the last long_cpus of Cpus= serve long requests;
				    * BPFNIC_LONG_CPUS_AUTO: sized every window */
	unsigned choices;          /* p2c: CPUs compared per request */
	enum bpfnic_policy spread; /* dynamic: how the group shares the requests */
	unsigned threshold_us;     /* dynamic: grow above this */
	enum bpfnic_metric metric; /* dynamic: avg or p99 of the window's queuing delay */
	unsigned min_cpus, max_cpus;
	unsigned cooldown_ms;
	unsigned shrink_below_us;  /* dynamic: shrink after a cooldown below this */
	bool shrink_below_auto;    /* not set by the user: kept at threshold_us / 2 */
	unsigned interval_ms;      /* the statistics window and scaler tick */
};

/* bpfnicd.conf, whole. */
struct bpfnicd_config {
	/* [Daemon] */
	char interface[IF_NAMESIZE];
	unsigned port;
	struct bpfnic_addrs addrs; /* requests only to these; none: any address */
	enum bpfnic_xdp_mode xdp_mode;
	struct bpfnic_cpus cpus;
	unsigned queue_size;
	char control_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char socket_group[33]; /* owns the control socket: its members may read */
	char admin_group[33];  /* may change state besides root; "" = root only */
	unsigned socket_mode;
	struct bpfnic_worker_sched worker_sched;
	unsigned history_windows;  /* statistics windows kept for GetStats' since_usec */
	unsigned history_changes;  /* grow, shrink and policy changes kept */
	/* [Workload] */
	unsigned short_us, long_us, max_us;
	/* [Metrics] */
	struct bpfnic_listen metrics_listen;
	/* [Policy] [Split] [Dynamic] */
	struct bpfnic_policy_params policy;
};

/* ---- the parameter table ---------------------------------------------------------- */

enum bpfnic_param_type {
	BPFNIC_PARAM_UINT, /* decimal in [min, max] (or the word, when there is one): unsigned */
	BPFNIC_PARAM_ENUM, /* one of a list of names: its index, as unsigned */
	BPFNIC_PARAM_TEXT, /* anything parse() accepts (names, paths, lists, composites) */
};

/* What a TEXT parameter's parser may need to know about the machine. */
struct bpfnic_param_ctx {
	const struct bpfnic_cpuset *present, *online;
};

struct bpfnic_param {
	const char *section, *key;  /* "[section] key=" in bpfnicd.conf */
	const char *json;           /* SetPolicy parameter and status field; NULL: none */
	const char *cli;            /* bpfnicctl policy option ("--long-cpus"); NULL: none */
	enum bpfnic_param_type type;
	unsigned min, max;          /* UINT */
	const char *word;           /* UINT: a word accepted besides numbers ("auto"), or NULL */
	unsigned word_value;        /*   ... and the value it stands for */
	const char *const *names;   /* ENUM: names[i * names_stride / sizeof(char *)], i < n_names */
	unsigned n_names;
	size_t names_stride;
	/* TEXT: check text and write it to dst (size bytes); -EINVAL with why on error. */
	int (*parse)(const char *text, void *dst, size_t size, const struct bpfnic_param_ctx *ctx,
		     char *why, size_t why_size);
	const char *def;            /* the default as written in the file; NULL: computed */
	const char *def_doc;        /* the default in words, when computed */
	const char *unit;           /* "µs", "ms", "CPUs", or NULL */
	const char *metavar;        /* what the value looks like in help: "N", "PATH", ... */
	const char *help;           /* one line */
	unsigned policies;          /* bits 1 << enum bpfnic_policy it applies to; 0: none */
	bool restart;               /* a reload does not apply it: the next start does */
	size_t offset, size;        /* where the value lives in struct bpfnicd_config */
	size_t auto_offset;         /* 0, or a bool set while the value is computed */
};

extern const struct bpfnic_param bpfnic_params[];
extern const unsigned bpfnic_n_params;
#define BPFNIC_MAX_PARAMS 64 /* room for per-parameter arrays (bpfnic_n_params fits) */

/* Lookups; NULL when there is no such parameter. */
const struct bpfnic_param *bpfnic_param_by_key(const char *section, const char *key);
const struct bpfnic_param *bpfnic_param_by_json(const char *json);
const struct bpfnic_param *bpfnic_param_by_cli(const char *cli, size_t len);

/* An ENUM parameter's i-th name, or NULL past the end. */
const char *bpfnic_param_name(const struct bpfnic_param *p, unsigned i);
/* Whether p applies to the policy. */
bool bpfnic_param_applies(const struct bpfnic_param *p, enum bpfnic_policy policy);

/*
 * Describe what p accepts, for messages and help: "an integer between 1 and 255",
 * "avg or p99", or p's own words for TEXT ("an absolute path"). Returns buf.
 */
const char *bpfnic_param_accepts(const struct bpfnic_param *p, char *buf, size_t size);

/*
 * Set p in c from its text (config file, command line): 0, or -EINVAL with why
 * ("must be an integer between 1 and 65535"). Empty text is not special here.
 */
int bpfnic_param_set_text(const struct bpfnic_param *p, struct bpfnicd_config *c,
			  const char *text, const struct bpfnic_param_ctx *ctx, char *why,
			  size_t why_size);

/* Put p's default from defaults back into c (what "Key=" with no value means). */
void bpfnic_param_reset(const struct bpfnic_param *p, struct bpfnicd_config *c,
			const struct bpfnicd_config *defaults);

/* Whether p has the same value in a and b. */
bool bpfnic_param_equal(const struct bpfnic_param *p, const struct bpfnicd_config *a,
			const struct bpfnicd_config *b);

/* ---- the whole configuration -------------------------------------------------------- */

/* Every default (no interface; Cpus= every online CPU; MaxCpus= 0 until resolved). */
void bpfnic_config_defaults(struct bpfnicd_config *c, const struct bpfnic_cpuset *online);

/*
 * Cross-checks of a policy against the number of candidate CPUs. 0, or -EINVAL with
 * *param the SetPolicy name of the parameter at fault ("min_cpus") and why.
 */
int bpfnic_policy_check(const struct bpfnic_policy_params *p, unsigned n_cpus,
			const char **param, char *why, size_t why_size);
/* The bounds part of it, for bpfnicctl, which knows only what it was given. */
int bpfnic_policy_check_cpu_bounds(unsigned min_cpus, unsigned max_cpus, char *why,
				   size_t why_size);
/* Computed values: the automatic low-water mark follows threshold_us. */
void bpfnic_policy_resolve(struct bpfnic_policy_params *p);

/* How the data path picks under p: the policy, or dynamic's spread. */
enum bpfnic_policy bpfnic_policy_pick(const struct bpfnic_policy_params *p);

/* ---- JSON (SetPolicy, status) ------------------------------------------------------- */

struct json_object;

/*
 * SetPolicy: start from running (whose cpus.n bounds the checks), set "policy" (required)
 * and every parameter given, resolve and cross-check. 0 with *next filled, or -EINVAL
 * with *param (the parameter at fault, static or borrowed from params) and why.
 * Unknown parameters are the caller's to refuse (the IDL lists the known ones).
 */
int bpfnic_params_from_json(const struct bpfnicd_config *running,
			    const struct bpfnic_policy_params *running_policy,
			    struct json_object *params, struct bpfnic_policy_params *next,
			    const char **param, char *why, size_t why_size);

/* The "policy" object of status and SetPolicy: {name, and every parameter's value}. */
struct json_object *bpfnic_params_policy_json(const struct bpfnic_policy_params *p);

/*
 * A parameter's value given as text (bpfnicctl), as the JSON value SetPolicy takes.
 * NULL with why when the text is not acceptable.
 */
struct json_object *bpfnic_param_text_to_json(const struct bpfnic_param *p, const char *text,
					      char *why, size_t why_size);

#endif
