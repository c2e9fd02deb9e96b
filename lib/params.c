/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one table of policies and parameters: see params.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "addrlist.h"
#include "cpulist.h"
#include "numparse.h"
#include "params.h"
#include "why.h"

/* Values of ENUM parameters are stored as unsigned: the enums must be that size. */
_Static_assert(sizeof(enum bpfnic_policy) == sizeof(unsigned), "enum size");
/* The spreading policies come first: Spread= names the first BPFNIC_NR_SPREADING. */
_Static_assert(BPFNIC_POLICY_RR < BPFNIC_NR_SPREADING && BPFNIC_POLICY_LWL < BPFNIC_NR_SPREADING &&
	       BPFNIC_POLICY_JSQ < BPFNIC_NR_SPREADING && BPFNIC_POLICY_P2C < BPFNIC_NR_SPREADING &&
	       BPFNIC_POLICY_HASH < BPFNIC_NR_SPREADING && BPFNIC_POLICY_SPLIT >= BPFNIC_NR_SPREADING &&
	       BPFNIC_POLICY_DYNAMIC >= BPFNIC_NR_SPREADING, "spreading policies first");
_Static_assert(sizeof(enum bpfnic_metric) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum bpfnic_xdp_mode) == sizeof(unsigned), "enum size");

/* ---- policies ------------------------------------------------------------------- */

/* A row a policy, on one line so that the table reads as one: id, name, the core groups it
 * reads, whether the scaler sizes its main group, and its help. */
#define ROW(ID, NAME, GROUPS, SCALER, HELP) \
	[BPFNIC_POLICY_##ID] = { .name = NAME, .groups = GROUPS, .scaler = SCALER, .help = HELP }
#define MAIN BPFNIC_GROUPS_MAIN
#define MAIN_AND_LONG (BPFNIC_GROUPS_MAIN | BPFNIC_GROUPS_LONG)

const struct bpfnic_policy_def bpfnic_policies[BPFNIC_NR_POLICIES] = {
	ROW(RR, "rr", MAIN, false, "round-robin over every candidate CPU"),
	ROW(LWL, "lwl", MAIN, false, "least work left: the CPU whose queued service times add up to the least"),
	ROW(JSQ, "jsq", MAIN, false, "join the shortest queue: the CPU with the fewest requests in flight"),
	ROW(P2C, "p2c", MAIN, false, "power of 2 (or 3) choices: of CPUs drawn at random, the least work left"),
	ROW(HASH, "hash", MAIN, false, "a symmetric hash of the flow, as NIC RSS does: a flow stays on one CPU"),
	ROW(SPLIT, "split", MAIN_AND_LONG, false, "core separation: long requests on CPUs of their own"),
	ROW(DYNAMIC, "dynamic", MAIN, true, "--spread's policy (rr by default) over a group sized by queuing delay"),
};
#undef ROW
#undef MAIN
#undef MAIN_AND_LONG

const char *bpfnic_policy_name(unsigned id)
{
	return id < BPFNIC_NR_POLICIES ? bpfnic_policies[id].name : "?";
}

int bpfnic_policy_by_name(const char *name)
{
	for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++)
		if (strcmp(bpfnic_policies[i].name, name) == 0)
			return (int)i;
	return -EINVAL;
}

const char *const bpfnic_xdp_mode_names[3] = {
	[BPFNIC_XDP_AUTO] = "auto", [BPFNIC_XDP_NATIVE] = "native", [BPFNIC_XDP_GENERIC] = "generic",
};
const char *const bpfnic_metric_names[BPFNIC_NR_METRICS] = {
	[BPFNIC_METRIC_AVG] = "avg", [BPFNIC_METRIC_P99] = "p99",
};

/* ---- parsers of TEXT parameters --------------------------------------------------- */

static int copy_text(const char *text, void *dst, size_t size, char *why, size_t why_size)
{
	if (strlen(text) >= size)
		return bpfnic_why(why, why_size, "longer than %zu characters", size - 1);
	memset(dst, 0, size);
	memcpy(dst, text, strlen(text));
	return 0;
}

static int parse_ifname(const char *text, void *dst, size_t size,
			const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	size_t n = strlen(text);
	bool ok = n > 0 && n < IF_NAMESIZE && strcmp(text, ".") && strcmp(text, "..");

	(void)ctx;
	for (const char *s = text; ok && *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			ok = false;
	if (!ok)
		return bpfnic_why(why, why_size, "not a valid interface name (1-%d characters, no "
			       "'/', ':' or spaces)", IF_NAMESIZE - 1);
	return copy_text(text, dst, size, why, why_size);
}

static int parse_group(const char *text, void *dst, size_t size,
		       const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	size_t n = strlen(text);
	bool ok = n > 0 && n <= 32 && (islower((unsigned char)text[0]) || text[0] == '_');

	(void)ctx;
	for (size_t i = 1; ok && i < n; i++) {
		unsigned char ch = (unsigned char)text[i];

		ok = islower(ch) || isdigit(ch) || ch == '_' || ch == '-' || (ch == '$' && i == n - 1);
	}
	if (!ok)
		return bpfnic_why(why, why_size, "not a valid group name");
	return copy_text(text, dst, size, why, why_size);
}

static int parse_abs_path(const char *text, void *dst, size_t size,
			  const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	(void)ctx;
	if (text[0] != '/')
		return bpfnic_why(why, why_size, "must be an absolute path");
	if (strlen(text) >= size)
		return bpfnic_why(why, why_size, "path longer than %zu characters", size - 1);
	return copy_text(text, dst, size, why, why_size);
}

static int parse_mode(const char *text, void *dst, size_t size,
		      const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	unsigned long m = 0;
	size_t n = strlen(text);
	bool ok = n > 0 && n <= 4;

	(void)ctx, (void)size;
	for (size_t i = 0; ok && i < n; i++) {
		ok = text[i] >= '0' && text[i] <= '7';
		m = m * 8 + (unsigned long)(text[i] - '0');
	}
	if (!ok || (m & ~0666ul) || (m & 0600) != 0600)
		return bpfnic_why(why, why_size, "must be an octal mode like 0660 with read and write "
			       "for the owner and no execute or special bits");
	*(unsigned *)dst = (unsigned)m;
	return 0;
}

static int parse_addrs(const char *text, void *dst, size_t size,
		       const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	(void)ctx, (void)size;
	return bpfnic_addrs_parse(text, dst, why, why_size);
}

/* Above any CPU number a machine has: only the syntax limits a list parsed with it. */
#define CPULIST_FAR_LIMIT (1u << 20)

static int parse_cpus(const char *text, void *dst, size_t size,
		      const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	struct bpfnic_cpus l = { 0 };
	int n;

	(void)size;
	/* Parsed against a far limit, so that a CPU beyond ours gets its own message. */
	n = bpfnic_cpulist_parse(text, l.cpu, BPFNIC_MAX_CPUS, CPULIST_FAR_LIMIT);
	if (n < 0)
		return bpfnic_why(why, why_size, "expected CPU numbers and ranges like 1-3,6 (each "
			       "CPU once, at most %u)", BPFNIC_MAX_CPUS);
	l.n = (unsigned)n;
	for (unsigned i = 0; i < l.n; i++) {
		unsigned c = l.cpu[i];

		if (c >= BPFNIC_MAX_CPUS)
			return bpfnic_why(why, why_size, "CPU %u is beyond what bpfnic supports "
				       "(CPUs 0-%u)", c, BPFNIC_MAX_CPUS - 1);
		if (ctx && ctx->present && !ctx->present->has[c])
			return bpfnic_why(why, why_size, "CPU %u does not exist", c);
		if (ctx && ctx->online && !ctx->online->has[c])
			return bpfnic_why(why, why_size, "CPU %u is offline", c);
	}
	*(struct bpfnic_cpus *)dst = l;
	return 0;
}

/* The kernel's scheduling classes, by their number (<sched.h>); the first three are
 * what WorkerScheduling= sets. */
static const char *const sched_class_names[] = {
	[SCHED_OTHER] = "other", [SCHED_FIFO] = "fifo", [SCHED_RR] = "rr",
	[SCHED_BATCH] = "batch", [SCHED_IDLE] = "idle", [6 /* SCHED_DEADLINE */] = "deadline",
};

const char *bpfnic_sched_class_name(int policy)
{
	if (policy < 0 || (size_t)policy >= sizeof(sched_class_names) / sizeof(sched_class_names[0]))
		return NULL;
	return sched_class_names[policy];
}

const char *bpfnic_worker_sched_format(const struct bpfnic_worker_sched *s, char *buf,
				       size_t size)
{
	const char *name = bpfnic_sched_class_name(s->policy);

	if (s->policy == SCHED_FIFO || s->policy == SCHED_RR)
		snprintf(buf, size, "%s:%u", name, s->priority);
	else
		snprintf(buf, size, "%s", name ? name : "?");
	return buf;
}

/* "fifo:N", "rr:N" (N 1-99) or "other". */
static int parse_worker_sched(const char *text, void *dst, size_t size,
			      const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	static const int classes[] = { SCHED_FIFO, SCHED_RR };
	struct bpfnic_worker_sched s = { .policy = SCHED_OTHER, .priority = 0 };
	const char *colon = strchr(text, ':');
	bool ok = !strcmp(text, "other");

	(void)ctx, (void)size;
	for (size_t i = 0; !ok && colon && i < sizeof(classes) / sizeof(classes[0]); i++) {
		const char *name = sched_class_names[classes[i]];

		if (strlen(name) == (size_t)(colon - text) && !strncmp(text, name, strlen(name)) &&
		    bpfnic_parse_uint(colon + 1, 1, 99, &s.priority) == 0) {
			s.policy = classes[i];
			ok = true;
		}
	}
	if (!ok)
		return bpfnic_why(why, why_size, "must be fifo:N or rr:N (real-time, N between 1 "
			       "and 99) or other");
	*(struct bpfnic_worker_sched *)dst = s;
	return 0;
}

/*
 * ADDRESS[:PORT], numeric only (a daemon that resolves names at start depends on the
 * resolver being up): 198.18.0.1:10777, 198.18.0.1, [2001:2::1]:10777, [::1], ::1.
 * A bare IPv6 address has no port (its colons would make one ambiguous).
 */
static int parse_listen(const char *text, void *dst, size_t size,
			const struct bpfnic_param_ctx *ctx, char *why, size_t why_size)
{
	struct bpfnic_listen l = { .port = BPFNIC_METRICS_PORT };
	const char *colon = strrchr(text, ':'), *port = NULL;
	char host[INET6_ADDRSTRLEN + 1];
	size_t host_len;
	unsigned p;

	(void)ctx, (void)size;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		host_len = (size_t)(close - text - 1);
		text++;
		port = close[1] ? close + 2 : NULL;
		l.family = AF_INET6;
	} else if (colon && strchr(text, ':') == colon) { /* one colon: IPv4 and a port */
		host_len = (size_t)(colon - text);
		port = colon + 1;
		l.family = AF_INET;
	} else {
		host_len = strlen(text);
		l.family = colon ? AF_INET6 : AF_INET;
	}
	if (host_len == 0 || host_len >= sizeof(host))
		goto bad;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	if (inet_pton(l.family, host, l.addr) != 1)
		goto bad;
	if (port) {
		if (bpfnic_parse_uint(port, 1, 65535, &p) < 0)
			return bpfnic_why(why, why_size, "the port must be an integer between 1 and 65535");
		l.port = (unsigned short)p;
	}
	*(struct bpfnic_listen *)dst = l;
	return 0;
bad:
	return bpfnic_why(why, why_size, "must be a numeric address and an optional port: "
		       "127.0.0.1:%u, [::1]:%u, [::]:%u (no host names)", BPFNIC_METRICS_PORT,
		       BPFNIC_METRICS_PORT, BPFNIC_METRICS_PORT);
}

const char *bpfnic_listen_format(const struct bpfnic_listen *l, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (!l->family || !inet_ntop(l->family, l->addr, host, sizeof(host)))
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, l->family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, l->port);
	return buf;
}

/* ---- the table ------------------------------------------------------------------- */

#define XSTR(x) STR(x)
#define STR(x) #x
#define FIELD(f) .offset = offsetof(struct bpfnicd_config, f), \
	.size = sizeof(((struct bpfnicd_config *)0)->f)
#define UINT(lo, hi) .type = BPFNIC_PARAM_UINT, .min = (lo), .max = (hi), .metavar = "N"
#define ENUM_OF(array) .type = BPFNIC_PARAM_ENUM, .names = (array), \
	.n_names = sizeof(array) / sizeof((array)[0]), .names_stride = sizeof((array)[0])
#define TEXT(fn, mv) .type = BPFNIC_PARAM_TEXT, .parse = (fn), .metavar = (mv)
#define POLICY(p) (1u << (p))

const struct bpfnic_param bpfnic_params[] = {
	{ "Daemon", "Interface", TEXT(parse_ifname, "NAME"), FIELD(interface), .restart = true,
	  .def_doc = "there is no default",
	  .help = "the network interface the XDP scheduler attaches to" },
	{ "Daemon", "Port", UINT(1, 65535), .def = "7777", FIELD(port),
	  .help = "UDP destination port of the requests; all other traffic passes untouched" },
	{ "Daemon", "Address", TEXT(parse_addrs, "ADDRESSES"), .def = "", FIELD(addrs),
	  .restart = true,
	  .help = "take requests only to these IPv4/IPv6 addresses (empty: any); UDP to the "
		  "port for other addresses passes untouched" },
	{ "Daemon", "XdpMode", ENUM_OF(bpfnic_xdp_mode_names), .def = "auto", FIELD(xdp_mode),
	  .restart = true,
	  .help = "attach in the driver (native), the generic skb path, or native and, when "
		  "the interface or the kernel says no, generic (auto)" },
	{ "Daemon", "Cpus", TEXT(parse_cpus, "LIST"), FIELD(cpus), .restart = true,
	  .def_doc = "every online CPU",
	  .help = "the candidate worker CPUs, in the order the groups take them" },
	{ "Daemon", "QueueSize", UINT(1, BPFNIC_DP_MAX_QUEUE_SIZE),
	  .def = XSTR(BPFNIC_DP_DEFAULT_QUEUE_SIZE), .unit = "frames", FIELD(queue_size),
	  .restart = true, .help = "the cpumap queue of each worker CPU" },
	{ "Daemon", "ControlSocket", TEXT(parse_abs_path, "PATH"), .def = BPFNIC_DEFAULT_SOCKET,
	  FIELD(control_socket), .restart = true,
	  .help = "the control socket bpfnicctl talks to" },
	{ "Daemon", "SocketGroup", TEXT(parse_group, "GROUP"), .def = "bpfnic",
	  FIELD(socket_group), .help = "the control socket's group: its members may read" },
	{ "Daemon", "AdminGroup", TEXT(parse_group, "GROUP"), .def = "", FIELD(admin_group),
	  .help = "a group whose members may change state besides root (empty: root only)" },
	{ "Daemon", "SocketMode", TEXT(parse_mode, "MODE"), .def = "0660", FIELD(socket_mode),
	  .help = "the control socket's access mode, octal" },
	/* Below the kernel's threaded interrupt handlers and watchdogd (FIFO 50): see
	 * bpfnicd.conf(5). */
	{ "Daemon", "WorkerScheduling", TEXT(parse_worker_sched, "CLASS"), .def = "fifo:49",
	  FIELD(worker_sched),
	  .help = "the scheduling class of the cpumap kernel threads: fifo:N or rr:N "
		  "(real-time, priority N 1-99) or other" },
	{ "Daemon", "HistoryWindows", UINT(1, 100000), .def = "3000", .unit = "windows",
	  FIELD(history_windows), .restart = true,
	  .help = "statistics windows kept for bpfnicctl stats --since (3000: ten minutes at "
		  "the default IntervalMs=)" },
	{ "Daemon", "HistoryChanges", UINT(1, 65536), .def = "1024", .unit = "changes",
	  FIELD(history_changes), .restart = true,
	  .help = "grow, shrink and policy changes kept for bpfnicctl stats --since and status" },
	{ "Workload", "ShortUs", UINT(0, BPFNIC_MAX_SERVICE_NS / 1000), .def = "6", .unit = "µs",
	  FIELD(short_us), .help = "service time of a short request (class 0, or unknown)" },
	{ "Workload", "LongUs", UINT(0, BPFNIC_MAX_SERVICE_NS / 1000), .def = "60", .unit = "µs",
	  FIELD(long_us), .help = "service time of a long request (class 1)" },
	{ "Workload", "MaxUs", UINT(1, BPFNIC_MAX_SERVICE_NS / 1000), .def = "1000", .unit = "µs",
	  FIELD(max_us), .help = "cap on any service time, one a request asks for included" },
	{ "Metrics", "Listen", TEXT(parse_listen, "ADDRESS[:PORT]"), .def = "",
	  FIELD(metrics_listen), .restart = true,
	  .help = "where the Prometheus metrics endpoint listens, a numeric address and a port "
		  "(" XSTR(BPFNIC_METRICS_PORT) " when left out); empty: no endpoint" },
	{ "Policy", "Policy", .json = "policy", .type = BPFNIC_PARAM_ENUM,
	  .names = &bpfnic_policies[0].name, .n_names = BPFNIC_NR_POLICIES,
	  .names_stride = sizeof(bpfnic_policies[0]), .def = "rr", FIELD(policy.policy),
	  .help = "the scheduling policy" },
	{ "P2c", "Choices", .json = "choices", .cli = "--choices", UINT(2, 3), .def = "2",
	  .unit = "CPUs", FIELD(policy.choices),
	  .policies = POLICY(BPFNIC_POLICY_P2C) | POLICY(BPFNIC_POLICY_DYNAMIC),
	  .help = "p2c: how many CPUs drawn at random each request compares" },
	{ "Split", "LongCpus", .json = "long_cpus", .cli = "--long-cpus",
	  UINT(1, BPFNIC_MAX_CPUS - 1), .word = "auto", .word_value = BPFNIC_LONG_CPUS_AUTO,
	  .def = "1", .unit = "CPUs", FIELD(policy.long_cpus),
	  .policies = POLICY(BPFNIC_POLICY_SPLIT),
	  .help = "how many CPUs serve long requests: the last ones of Cpus=; auto: sized "
		  "every window from each class's measured rate and service time" },
	{ "Dynamic", "Spread", .json = "spread", .cli = "--spread", .type = BPFNIC_PARAM_ENUM,
	  .names = &bpfnic_policies[0].name, .n_names = BPFNIC_NR_SPREADING,
	  .names_stride = sizeof(bpfnic_policies[0]), .def = "rr", FIELD(policy.spread),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC),
	  .help = "how the group's CPUs share the requests: one of the spreading policies" },
	{ "Dynamic", "ThresholdUs", .json = "threshold_us", .cli = "--threshold-us",
	  UINT(1, 1000000), .def = "20", .unit = "µs", FIELD(policy.threshold_us),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC),
	  .help = "grow the group by one CPU when the queuing delay is above this" },
	{ "Dynamic", "Metric", .json = "metric", .cli = "--metric", ENUM_OF(bpfnic_metric_names),
	  .def = "avg", FIELD(policy.metric), .policies = POLICY(BPFNIC_POLICY_DYNAMIC),
	  .help = "which queuing delay of the window is compared: average or 99th percentile" },
	{ "Dynamic", "MinCpus", .json = "min_cpus", .cli = "--min-cpus", UINT(1, BPFNIC_MAX_CPUS),
	  .def = "1", .unit = "CPUs", FIELD(policy.min_cpus),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC), .help = "never fewer CPUs in the group" },
	{ "Dynamic", "MaxCpus", .json = "max_cpus", .cli = "--max-cpus", UINT(1, BPFNIC_MAX_CPUS),
	  .def_doc = "the number of CPUs in Cpus=", .unit = "CPUs", FIELD(policy.max_cpus),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC), .help = "never more CPUs in the group" },
	{ "Dynamic", "CooldownMs", .json = "cooldown_ms", .cli = "--cooldown-ms",
	  UINT(0, 3600000), .def = "1000", .unit = "ms", FIELD(policy.cooldown_ms),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC) | POLICY(BPFNIC_POLICY_SPLIT),
	  .help = "at least this long between two changes of the groups (dynamic, split "
		  "--long-cpus auto)" },
	{ "Dynamic", "ShrinkBelowUs", .json = "shrink_below_us", .cli = "--shrink-below-us",
	  UINT(0, 1000000), .def_doc = "half of ThresholdUs=", .unit = "µs",
	  FIELD(policy.shrink_below_us),
	  .auto_offset = offsetof(struct bpfnicd_config, policy.shrink_below_auto),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC),
	  .help = "shrink by one CPU once the delay stayed below this for a whole cooldown" },
	{ "Dynamic", "IntervalMs", .json = "interval_ms", .cli = "--interval-ms", UINT(10, 60000),
	  .def = "200", .unit = "ms", FIELD(policy.interval_ms),
	  .policies = POLICY(BPFNIC_POLICY_DYNAMIC) | POLICY(BPFNIC_POLICY_SPLIT),
	  .help = "the statistics window, at whose end the scaler and the automatic split "
		  "decide" },
};

const unsigned bpfnic_n_params = sizeof(bpfnic_params) / sizeof(bpfnic_params[0]);
_Static_assert(sizeof(bpfnic_params) / sizeof(bpfnic_params[0]) <= BPFNIC_MAX_PARAMS,
	       "BPFNIC_MAX_PARAMS too small");

/* ---- lookups and descriptions --------------------------------------------------------- */

const struct bpfnic_param *bpfnic_param_by_key(const char *section, const char *key)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		if (!strcmp(bpfnic_params[i].section, section) && !strcmp(bpfnic_params[i].key, key))
			return &bpfnic_params[i];
	return NULL;
}

const struct bpfnic_param *bpfnic_param_by_json(const char *json)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		if (bpfnic_params[i].json && !strcmp(bpfnic_params[i].json, json))
			return &bpfnic_params[i];
	return NULL;
}

const struct bpfnic_param *bpfnic_param_by_cli(const char *cli, size_t len)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const char *c = bpfnic_params[i].cli;

		if (c && strlen(c) == len && !strncmp(c, cli, len))
			return &bpfnic_params[i];
	}
	return NULL;
}

const char *bpfnic_param_name(const struct bpfnic_param *p, unsigned i)
{
	if (p->type != BPFNIC_PARAM_ENUM || i >= p->n_names)
		return NULL;
	return *(const char *const *)((const char *)p->names + i * p->names_stride);
}

bool bpfnic_param_applies(const struct bpfnic_param *p, enum bpfnic_policy policy)
{
	return (unsigned)policy < 32 && (p->policies & (1u << policy));
}

const char *bpfnic_param_accepts(const struct bpfnic_param *p, char *buf, size_t size)
{
	buf[0] = '\0';
	switch (p->type) {
	case BPFNIC_PARAM_UINT:
		snprintf(buf, size, "an integer between %u and %u%s%s", p->min, p->max,
			 p->word ? " or " : "", p->word ? p->word : "");
		break;
	case BPFNIC_PARAM_ENUM:
		bpfnic_why_names(buf, size, p->names, p->names_stride, p->n_names, "");
		break;
	case BPFNIC_PARAM_TEXT:
		snprintf(buf, size, "%s", p->help);
		break;
	}
	return buf;
}

/* ---- values ---------------------------------------------------------------------- */

static unsigned *uint_at(const struct bpfnic_param *p, struct bpfnicd_config *c)
{
	return (unsigned *)((char *)c + p->offset);
}

static void set_auto(const struct bpfnic_param *p, struct bpfnicd_config *c, bool value)
{
	if (p->auto_offset)
		*(bool *)((char *)c + p->auto_offset) = value;
}

/* A UINT's value from text: the number in range, or its word. */
static int uint_from_text(const struct bpfnic_param *p, const char *text, unsigned *out)
{
	if (p->word && !strcmp(text, p->word)) {
		*out = p->word_value;
		return 0;
	}
	return bpfnic_parse_uint(text, p->min, p->max, out);
}

static int enum_from_text(const struct bpfnic_param *p, const char *text, unsigned *out)
{
	for (unsigned i = 0; i < p->n_names; i++)
		if (!strcmp(text, bpfnic_param_name(p, i))) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

int bpfnic_param_set_text(const struct bpfnic_param *p, struct bpfnicd_config *c,
			  const char *text, const struct bpfnic_param_ctx *ctx, char *why,
			  size_t why_size)
{
	char accepts[160];
	unsigned v;
	int r;

	switch (p->type) {
	case BPFNIC_PARAM_UINT:
		r = uint_from_text(p, text, &v);
		break;
	case BPFNIC_PARAM_ENUM:
		r = enum_from_text(p, text, &v);
		break;
	case BPFNIC_PARAM_TEXT:
		return p->parse(text, (char *)c + p->offset, p->size, ctx, why, why_size);
	default:
		return -EINVAL;
	}
	if (r < 0)
		return bpfnic_why(why, why_size, "must be %s", bpfnic_param_accepts(p, accepts,
										 sizeof(accepts)));
	*uint_at(p, c) = v;
	set_auto(p, c, false);
	return 0;
}

void bpfnic_param_reset(const struct bpfnic_param *p, struct bpfnicd_config *c,
			const struct bpfnicd_config *defaults)
{
	memcpy((char *)c + p->offset, (const char *)defaults + p->offset, p->size);
	set_auto(p, c, true);
}

bool bpfnic_param_equal(const struct bpfnic_param *p, const struct bpfnicd_config *a,
			const struct bpfnicd_config *b)
{
	return memcmp((const char *)a + p->offset, (const char *)b + p->offset, p->size) == 0;
}

void bpfnic_config_defaults(struct bpfnicd_config *c, const struct bpfnic_cpuset *online)
{
	char why[160];

	memset(c, 0, sizeof(*c));
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];

		/* The table's own defaults parse: tests/unit/test_params.c makes sure. */
		if (p->def && p->def[0])
			bpfnic_param_set_text(p, c, p->def, NULL, why, sizeof(why));
		set_auto(p, c, true);
	}
	/* Computed: every online CPU; MaxCpus= stays 0 until Cpus= is known. */
	for (unsigned cpu = 0; cpu < BPFNIC_MAX_CPUS; cpu++)
		if (online->has[cpu])
			c->cpus.cpu[c->cpus.n++] = cpu;
}

/* ---- policy cross-checks ------------------------------------------------------------ */

int bpfnic_policy_check_cpu_bounds(unsigned min_cpus, unsigned max_cpus, char *why,
				   size_t why_size)
{
	if (min_cpus < 1 || min_cpus > max_cpus)
		return bpfnic_why(why, why_size, "must be between 1 and max_cpus (%u)", max_cpus);
	return 0;
}

int bpfnic_policy_check(const struct bpfnic_policy_params *p, unsigned n_cpus,
			const char **param, char *why, size_t why_size)
{
	if (p->policy == BPFNIC_POLICY_SPLIT && n_cpus < 2) {
		*param = "policy";
		return bpfnic_why(why, why_size, "split needs at least two CPUs in Cpus=, there is %u",
			       n_cpus);
	}
	if (p->policy == BPFNIC_POLICY_SPLIT && p->long_cpus != BPFNIC_LONG_CPUS_AUTO &&
	    (p->long_cpus < 1 || p->long_cpus > n_cpus - 1)) {
		*param = "long_cpus";
		return bpfnic_why(why, why_size, "must be between 1 and %u (Cpus= has %u CPUs, one at "
			       "least serves short requests) or auto", n_cpus - 1, n_cpus);
	}
	if (p->spread >= BPFNIC_NR_SPREADING) {
		*param = "spread";
		return bpfnic_why(why, why_size, "must be a policy that spreads over one group");
	}
	if (p->max_cpus < 1 || p->max_cpus > n_cpus) {
		*param = "max_cpus";
		return bpfnic_why(why, why_size, "must be between 1 and %u, the number of CPUs in Cpus=",
			       n_cpus);
	}
	if (bpfnic_policy_check_cpu_bounds(p->min_cpus, p->max_cpus, why, why_size) < 0) {
		*param = "min_cpus";
		return -EINVAL;
	}
	if (p->shrink_below_us >= p->threshold_us) {
		*param = "shrink_below_us";
		return bpfnic_why(why, why_size, "must be below threshold_us (%u)", p->threshold_us);
	}
	return 0;
}

void bpfnic_policy_resolve(struct bpfnic_policy_params *p)
{
	if (p->shrink_below_auto)
		p->shrink_below_us = p->threshold_us / 2;
}

enum bpfnic_policy bpfnic_policy_pick(const struct bpfnic_policy_params *p)
{
	return p->policy == BPFNIC_POLICY_DYNAMIC ? p->spread : p->policy;
}

/* ---- JSON ------------------------------------------------------------------------- */

/* A JSON value as a UINT: an integer (or integral double) in range, or the word's value. */
static int uint_from_json(const struct bpfnic_param *p, struct json_object *v, unsigned *out)
{
	double d;

	if (json_object_is_type(v, json_type_int)) {
		int64_t x = json_object_get_int64(v);

		if (x >= p->min && x <= p->max) {
			*out = (unsigned)x;
			return 0;
		}
		if (p->word && x == p->word_value) {
			*out = p->word_value;
			return 0;
		}
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_double))
		return -EINVAL;
	d = json_object_get_double(v);
	/* The range first: converting a double out of range (1e300) is undefined. */
	if (!(d >= p->min && d <= p->max) || (double)(unsigned)d != d)
		return -EINVAL;
	*out = (unsigned)d;
	return 0;
}

/* Set one parameter of c from its JSON value. */
static int param_from_json(const struct bpfnic_param *p, struct bpfnicd_config *c,
			   struct json_object *v, char *why, size_t why_size)
{
	char accepts[160];
	unsigned x;
	int r = -EINVAL;

	if (p->type == BPFNIC_PARAM_UINT)
		r = uint_from_json(p, v, &x);
	else if (json_object_is_type(v, json_type_string) && p->type == BPFNIC_PARAM_ENUM)
		r = enum_from_text(p, json_object_get_string(v), &x);
	else if (json_object_is_type(v, json_type_string))
		return bpfnic_param_set_text(p, c, json_object_get_string(v), NULL, why, why_size);
	if (r < 0) {
		if (p->type == BPFNIC_PARAM_ENUM)
			bpfnic_why_names(accepts, sizeof(accepts), p->names, p->names_stride,
					 p->n_names, "\"");
		else
			bpfnic_param_accepts(p, accepts, sizeof(accepts));
		return bpfnic_why(why, why_size, "must be %s", accepts);
	}
	*uint_at(p, c) = x;
	set_auto(p, c, false);
	return 0;
}

int bpfnic_params_from_json(const struct bpfnicd_config *running,
			    const struct bpfnic_policy_params *running_policy,
			    struct json_object *params, struct bpfnic_policy_params *next,
			    const char **param, char *why, size_t why_size)
{
	struct bpfnicd_config c = *running;
	struct json_object *v;
	int r;

	c.policy = *running_policy;
	if (!json_object_object_get_ex(params, "policy", &v) || json_object_is_type(v, json_type_null)) {
		char accepts[160];

		*param = "policy";
		return bpfnic_why(why, why_size, "missing: must be %s",
			       bpfnic_param_accepts(bpfnic_param_by_json("policy"), accepts,
						    sizeof(accepts)));
	}
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];

		if (!p->json || !json_object_object_get_ex(params, p->json, &v) ||
		    json_object_is_type(v, json_type_null))
			continue;
		r = param_from_json(p, &c, v, why, why_size);
		if (r < 0) {
			*param = p->json;
			return r;
		}
	}
	bpfnic_policy_resolve(&c.policy);
	r = bpfnic_policy_check(&c.policy, c.cpus.n, param, why, why_size);
	if (r < 0)
		return r;
	*next = c.policy;
	return 0;
}

struct json_object *bpfnic_params_policy_json(const struct bpfnic_policy_params *policy)
{
	struct json_object *o = json_object_new_object();
	struct bpfnicd_config c = { .policy = *policy };

	if (!o)
		return NULL;
	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		/* The policy itself is "name": the object is the policy. */
		const char *key = p->offset == offsetof(struct bpfnicd_config, policy.policy) ?
					  "name" : p->json;
		struct json_object *v;

		if (!p->json)
			continue;
		if (p->type == BPFNIC_PARAM_ENUM)
			v = json_object_new_string(bpfnic_param_name(p, *uint_at(p, &c)));
		else
			v = json_object_new_int64(*uint_at(p, &c));
		json_object_object_add(o, key, v);
	}
	return o;
}

struct json_object *bpfnic_param_text_to_json(const struct bpfnic_param *p, const char *text,
					      char *why, size_t why_size)
{
	struct bpfnicd_config scratch = { 0 };

	if (bpfnic_param_set_text(p, &scratch, text, NULL, why, why_size) < 0)
		return NULL;
	switch (p->type) {
	case BPFNIC_PARAM_UINT:
		return json_object_new_int64(*uint_at(p, &scratch));
	case BPFNIC_PARAM_ENUM:
		return json_object_new_string(bpfnic_param_name(p, *uint_at(p, &scratch)));
	case BPFNIC_PARAM_TEXT:
		break;
	}
	return json_object_new_string(text);
}
