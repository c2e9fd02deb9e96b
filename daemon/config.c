/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd.conf: libinih does the INI syntax, this file every key's meaning. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "cpulist.h"
#include "numparse.h"
#include "daemon/config.h"

/* Above any CPU number a machine has: only the syntax limits a list parsed with it. */
#define CPULIST_FAR_LIMIT (1u << 20)

/* ---- CPU lists ---------------------------------------------------------------- */

int bpfnic_cpuset_read(const char *path, struct bpfnic_cpuset *set)
{
	char line[4096];
	FILE *f = fopen(path, "re");
	int r = 0;

	memset(set, 0, sizeof(*set));
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		r = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (r < 0)
		return r;
	line[strcspn(line, "\n")] = '\0';
	/* CPUs beyond what bpfnic supports exist, but are never candidates. */
	return bpfnic_cpulist_parse_set(line, set->has, BPFNIC_MAX_CPUS, NULL);
}

/* ---- policy cross-checks ------------------------------------------------------ */

int bpfnicd_policy_check(const struct bpfnicd_policy *p, unsigned n_cpus, const char **param,
			 char *why, size_t why_size)
{
	if (p->policy == BPFNIC_POLICY_SPLIT) {
		if (n_cpus < 2) {
			*param = "policy";
			snprintf(why, why_size, "split needs at least two CPUs in Cpus=, there is %u",
				 n_cpus);
			return -EINVAL;
		}
		if (p->long_cpus < 1 || p->long_cpus > n_cpus - 1) {
			*param = "long_cpus";
			snprintf(why, why_size, "must be between 1 and %u (Cpus= has %u CPUs, one at "
				 "least serves short requests)", n_cpus - 1, n_cpus);
			return -EINVAL;
		}
	}
	if (p->max_cpus < 1 || p->max_cpus > n_cpus) {
		*param = "max_cpus";
		snprintf(why, why_size, "must be between 1 and %u, the number of CPUs in Cpus=", n_cpus);
		return -EINVAL;
	}
	if (p->min_cpus < 1 || p->min_cpus > p->max_cpus) {
		*param = "min_cpus";
		snprintf(why, why_size, "must be between 1 and max_cpus (%u)", p->max_cpus);
		return -EINVAL;
	}
	if (p->shrink_below_us >= p->threshold_us) {
		*param = "shrink_below_us";
		snprintf(why, why_size, "must be below threshold_us (%u)", p->threshold_us);
		return -EINVAL;
	}
	return 0;
}

/* ---- the parser ----------------------------------------------------------------- */

enum key_id {
	K_INTERFACE, K_PORT, K_XDP_MODE, K_CPUS, K_QUEUE_SIZE, K_CONTROL_SOCKET, K_SOCKET_GROUP,
	K_ADMIN_GROUP, K_SOCKET_MODE, K_SHORT_US, K_LONG_US, K_MAX_US, K_POLICY, K_LONG_CPUS, K_THRESHOLD_US,
	K_METRIC, K_MIN_CPUS, K_MAX_CPUS, K_COOLDOWN_MS, K_SHRINK_BELOW_US, K_INTERVAL_MS,
	K_NR,
};

static const struct {
	const char *section, *name;
} config_keys[K_NR] = {
	[K_INTERFACE] = { "Daemon", "Interface" },
	[K_PORT] = { "Daemon", "Port" },
	[K_XDP_MODE] = { "Daemon", "XdpMode" },
	[K_CPUS] = { "Daemon", "Cpus" },
	[K_QUEUE_SIZE] = { "Daemon", "QueueSize" },
	[K_CONTROL_SOCKET] = { "Daemon", "ControlSocket" },
	[K_SOCKET_GROUP] = { "Daemon", "SocketGroup" },
	[K_ADMIN_GROUP] = { "Daemon", "AdminGroup" },
	[K_SOCKET_MODE] = { "Daemon", "SocketMode" },
	[K_SHORT_US] = { "Workload", "ShortUs" },
	[K_LONG_US] = { "Workload", "LongUs" },
	[K_MAX_US] = { "Workload", "MaxUs" },
	[K_POLICY] = { "Policy", "Policy" },
	[K_LONG_CPUS] = { "Split", "LongCpus" },
	[K_THRESHOLD_US] = { "Dynamic", "ThresholdUs" },
	[K_METRIC] = { "Dynamic", "Metric" },
	[K_MIN_CPUS] = { "Dynamic", "MinCpus" },
	[K_MAX_CPUS] = { "Dynamic", "MaxCpus" },
	[K_COOLDOWN_MS] = { "Dynamic", "CooldownMs" },
	[K_SHRINK_BELOW_US] = { "Dynamic", "ShrinkBelowUs" },
	[K_INTERVAL_MS] = { "Dynamic", "IntervalMs" },
};

static const char *const known_sections[] = { "Daemon", "Workload", "Policy", "Split", "Dynamic" };

struct parser {
	FILE *f;
	const char *filename;
	unsigned line;
	bool in_unknown_section;
	bool interface_invalid;  /* already reported: do not also call it missing */
	unsigned key_line[K_NR]; /* where each key was set; 0 = not set */
	const struct bpfnic_cpuset *present, *online;
	struct bpfnicd_config *c;
	struct bpfnicd_config_errors *errs;
};

static void __attribute__((format(printf, 3, 4)))
add_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	struct bpfnicd_config_errors *e = p->errs;
	char text[200];
	va_list ap;

	e->total++;
	if (e->n >= BPFNICD_CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(e->msg[e->n++], sizeof(e->msg[0]), "%s:%u: %s", p->filename, line, text);
	else
		snprintf(e->msg[e->n++], sizeof(e->msg[0]), "%s: %s", p->filename, text);
}

/* fgets for inih that counts lines and rejects what inih would misread. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	size_t len;
	char *s, *end;

	if (!fgets(str, num, p->f))
		return NULL;
	p->line++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(p->f)) {
		int ch;

		add_error(p, p->line, "line longer than %d characters", num - 3);
		while ((ch = fgetc(p->f)) != EOF && ch != '\n')
			;
		goto blank;
	}
	for (s = str; *s == ' ' || *s == '\t' || *s == '\r'; s++)
		;
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == s || *s == '#' || *s == ';')
		return str;
	if (*s == '[') {
		size_t n = (size_t)(end - s);
		bool known = false;

		if (n < 3 || end[-1] != ']') {
			add_error(p, p->line, "malformed section header (expected [Section])");
			goto blank;
		}
		for (size_t i = 0; i < sizeof(known_sections) / sizeof(known_sections[0]); i++)
			if (strlen(known_sections[i]) == n - 2 && memcmp(s + 1, known_sections[i], n - 2) == 0)
				known = true;
		p->in_unknown_section = !known;
		if (!known)
			add_error(p, p->line, "unknown section [%.*s]", (int)(n - 2), s + 1);
		return str;
	}
	if (!memchr(s, '=', (size_t)(end - s))) {
		add_error(p, p->line, "expected Key=Value, [Section] or a # comment");
		goto blank;
	}
	if (*s == '=') {
		add_error(p, p->line, "missing key name before '='");
		goto blank;
	}
	return str;
blank:
	/* Our message is the better one: hand inih an empty line instead. */
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

/* Strict unsigned decimal in [min, max]. */
static bool value_uint(const char *v, unsigned long min, unsigned long max, unsigned *out)
{
	return bpfnic_parse_uint(v, (unsigned)min, (unsigned)max, out) == 0;
}

static bool value_enum(const char *v, const char *const *names, unsigned n, unsigned *out)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return true;
		}
	return false;
}

static bool valid_ifname(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= IF_NAMESIZE || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return false;
	for (const char *s = v; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

static bool valid_group_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 32 || !(islower((unsigned char)v[0]) || v[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (!(islower(ch) || isdigit(ch) || ch == '_' || ch == '-' || (ch == '$' && i == n - 1)))
			return false;
	}
	return true;
}

static const char *const xdp_mode_names[] = {
	[BPFNIC_XDP_AUTO] = "auto", [BPFNIC_XDP_NATIVE] = "native", [BPFNIC_XDP_GENERIC] = "generic",
};

#define RANGE_ERR(lo, hi) add_error(p, p->line, "%s=%.40s: must be an integer between %lu and %lu", \
				    name, value, (unsigned long)(lo), (unsigned long)(hi))

static void set_key(struct parser *p, enum key_id k, const char *name, const char *value)
{
	struct bpfnicd_config *c = p->c;
	struct bpfnicd_policy *pol = &c->policy;
	unsigned u;
	bool empty = value[0] == '\0';
	struct bpfnicd_config defaults;

	/* An empty value puts the default back, as in systemd's unit files. */
	bpfnicd_config_defaults(&defaults, p->online);

	switch (k) {
	case K_INTERFACE:
		if (empty)
			c->interface[0] = '\0';
		else if (!valid_ifname(value)) {
			add_error(p, p->line, "%s=%.40s: not a valid interface name (1-%d characters, "
				  "no '/', ':' or spaces)", name, value, IF_NAMESIZE - 1);
			p->interface_invalid = true;
		} else
			strcpy(c->interface, value);
		break;
	case K_PORT:
		if (empty)
			c->port = defaults.port;
		else if (value_uint(value, 1, 65535, &u))
			c->port = u;
		else
			RANGE_ERR(1, 65535);
		break;
	case K_XDP_MODE:
		if (empty)
			c->xdp_mode = defaults.xdp_mode;
		else if (value_enum(value, xdp_mode_names, 3, &u))
			c->xdp_mode = (enum bpfnic_xdp_mode)u;
		else
			add_error(p, p->line, "%s=%.40s: must be native, generic or auto", name, value);
		break;
	case K_CPUS: {
		struct bpfnicd_cpus l;
		int n;

		if (empty) {
			c->cpus = defaults.cpus;
			break;
		}
		/* Parsed against a far limit, so that a CPU beyond ours gets its own message. */
		n = bpfnic_cpulist_parse(value, l.cpu, BPFNIC_MAX_CPUS, CPULIST_FAR_LIMIT);
		if (n < 0) {
			add_error(p, p->line, "%s=%.40s: expected CPU numbers and ranges like 1-3,6 "
				  "(each CPU once, at most %u)", name, value, BPFNIC_MAX_CPUS);
			break;
		}
		l.n = (unsigned)n;
		for (unsigned i = 0; i < l.n; i++) {
			if (l.cpu[i] >= BPFNIC_MAX_CPUS) {
				add_error(p, p->line, "%s=%.40s: CPU %u is beyond what bpfnic supports "
					  "(CPUs 0-%u)", name, value, l.cpu[i], BPFNIC_MAX_CPUS - 1);
				return;
			}
			if (!p->present->has[l.cpu[i]]) {
				add_error(p, p->line, "%s=%.40s: CPU %u does not exist", name, value, l.cpu[i]);
				return;
			}
			if (!p->online->has[l.cpu[i]]) {
				add_error(p, p->line, "%s=%.40s: CPU %u is offline", name, value, l.cpu[i]);
				return;
			}
		}
		c->cpus = l;
		break;
	}
	case K_QUEUE_SIZE:
		if (empty)
			c->queue_size = defaults.queue_size;
		else if (value_uint(value, 1, BPFNICD_MAX_QUEUE_SIZE, &u))
			c->queue_size = u;
		else
			RANGE_ERR(1, BPFNICD_MAX_QUEUE_SIZE);
		break;
	case K_CONTROL_SOCKET:
		if (empty)
			strcpy(c->control_socket, defaults.control_socket);
		else if (value[0] != '/')
			add_error(p, p->line, "%s=%.40s: must be an absolute path", name, value);
		else if (strlen(value) >= sizeof(c->control_socket))
			add_error(p, p->line, "%s=: path longer than %zu characters", name,
				  sizeof(c->control_socket) - 1);
		else
			strcpy(c->control_socket, value);
		break;
	case K_SOCKET_GROUP:
		if (empty)
			strcpy(c->socket_group, defaults.socket_group);
		else if (!valid_group_name(value))
			add_error(p, p->line, "%s=%.40s: not a valid group name", name, value);
		else
			strcpy(c->socket_group, value);
		break;
	case K_ADMIN_GROUP:
		if (empty)
			strcpy(c->admin_group, defaults.admin_group);
		else if (!valid_group_name(value))
			add_error(p, p->line, "%s=%.40s: not a valid group name", name, value);
		else
			strcpy(c->admin_group, value);
		break;
	case K_SOCKET_MODE: {
		char *end;
		unsigned long m;

		if (empty) {
			c->socket_mode = defaults.socket_mode;
			break;
		}
		errno = 0;
		m = strtoul(value, &end, 8);
		if (errno || *end || !isdigit((unsigned char)value[0]) || strlen(value) > 4 ||
		    (m & ~0666ul) || (m & 0600) != 0600)
			add_error(p, p->line, "%s=%.40s: must be an octal mode like 0660 with read and "
				  "write for the owner and no execute or special bits", name, value);
		else
			c->socket_mode = (unsigned)m;
		break;
	}
	case K_SHORT_US:
	case K_LONG_US:
	case K_MAX_US: {
		unsigned *dst = k == K_SHORT_US ? &c->short_us : k == K_LONG_US ? &c->long_us : &c->max_us;
		unsigned def = k == K_SHORT_US ? defaults.short_us :
			       k == K_LONG_US ? defaults.long_us : defaults.max_us;
		unsigned lo = k == K_MAX_US ? 1 : 0;

		if (empty)
			*dst = def;
		else if (value_uint(value, lo, BPFNIC_MAX_SERVICE_NS / 1000, &u))
			*dst = u;
		else
			RANGE_ERR(lo, BPFNIC_MAX_SERVICE_NS / 1000);
		break;
	}
	case K_POLICY:
		if (empty)
			pol->policy = defaults.policy.policy;
		else if (value_enum(value, bpfnic_policy_names, BPFNIC_NR_POLICIES, &u))
			pol->policy = (enum bpfnic_policy)u;
		else
			add_error(p, p->line, "%s=%.40s: must be rr, split or dynamic", name, value);
		break;
	case K_METRIC:
		if (empty)
			pol->metric = defaults.policy.metric;
		else if (value_enum(value, bpfnic_metric_names, 2, &u))
			pol->metric = (enum bpfnic_metric)u;
		else
			add_error(p, p->line, "%s=%.40s: must be avg or p99", name, value);
		break;
	case K_LONG_CPUS:
	case K_MIN_CPUS:
	case K_MAX_CPUS: {
		unsigned *dst = k == K_LONG_CPUS ? &pol->long_cpus :
				k == K_MIN_CPUS ? &pol->min_cpus : &pol->max_cpus;

		if (empty)
			*dst = k == K_LONG_CPUS ? defaults.policy.long_cpus :
			       k == K_MIN_CPUS ? defaults.policy.min_cpus : 0;
		else if (value_uint(value, 1, BPFNIC_MAX_CPUS, &u))
			*dst = u;
		else
			RANGE_ERR(1, BPFNIC_MAX_CPUS);
		break;
	}
	case K_THRESHOLD_US:
		if (empty)
			pol->threshold_us = defaults.policy.threshold_us;
		else if (value_uint(value, 1, 1000000, &u))
			pol->threshold_us = u;
		else
			RANGE_ERR(1, 1000000);
		break;
	case K_SHRINK_BELOW_US:
		if (empty)
			pol->shrink_below_auto = true;
		else if (value_uint(value, 0, 1000000, &u)) {
			pol->shrink_below_us = u;
			pol->shrink_below_auto = false;
		} else
			RANGE_ERR(0, 1000000);
		break;
	case K_COOLDOWN_MS:
		if (empty)
			pol->cooldown_ms = defaults.policy.cooldown_ms;
		else if (value_uint(value, 0, 3600000, &u))
			pol->cooldown_ms = u;
		else
			RANGE_ERR(0, 3600000);
		break;
	case K_INTERVAL_MS:
		if (empty)
			pol->interval_ms = defaults.policy.interval_ms;
		else if (value_uint(value, 10, 60000, &u))
			pol->interval_ms = u;
		else
			RANGE_ERR(10, 60000);
		break;
	case K_NR:
		break;
	}
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;

	if (p->in_unknown_section)
		return 1; /* reported once, at the section header */
	if (section[0] == '\0') {
		add_error(p, p->line, "%s=: key outside of a section", name);
		return 1;
	}
	for (unsigned k = 0; k < K_NR; k++) {
		if (strcmp(section, config_keys[k].section) || strcmp(name, config_keys[k].name))
			continue;
		if (p->key_line[k]) {
			add_error(p, p->line, "%s=: set twice (first on line %u)", name, p->key_line[k]);
			return 1;
		}
		p->key_line[k] = p->line;
		set_key(p, (enum key_id)k, name, value);
		return 1;
	}
	add_error(p, p->line, "%s=: unknown key in [%s]", name, section);
	return 1;
}

void bpfnicd_config_defaults(struct bpfnicd_config *c, const struct bpfnic_cpuset *online)
{
	*c = (struct bpfnicd_config){
		.port = BPFNICD_DEFAULT_PORT,
		.xdp_mode = BPFNIC_XDP_AUTO,
		.queue_size = BPFNICD_DEFAULT_QUEUE_SIZE,
		.socket_mode = BPFNICD_DEFAULT_SOCKET_MODE,
		.short_us = 6,
		.long_us = 60,
		.max_us = 1000,
		.policy = {
			.policy = BPFNIC_POLICY_RR,
			.long_cpus = 1,
			.threshold_us = 20,
			.metric = BPFNIC_METRIC_AVG,
			.min_cpus = 1,
			.max_cpus = 0, /* resolved to the number of CPUs */
			.cooldown_ms = 1000,
			.shrink_below_auto = true,
			.interval_ms = 200,
		},
	};
	strcpy(c->control_socket, BPFNIC_DEFAULT_SOCKET);
	strcpy(c->socket_group, BPFNICD_DEFAULT_SOCKET_GROUP);
	strcpy(c->admin_group, BPFNICD_DEFAULT_ADMIN_GROUP);
	for (unsigned cpu = 0; cpu < BPFNIC_MAX_CPUS; cpu++)
		if (online->has[cpu])
			c->cpus.cpu[c->cpus.n++] = cpu;
}

/* The line to blame for a cross-key problem: the later of the keys involved. */
static unsigned later(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static void check_whole(struct parser *p)
{
	struct bpfnicd_config *c = p->c;
	struct bpfnicd_policy *pol = &c->policy;
	const unsigned *kl = p->key_line;
	const char *param;
	char why[160];

	if (c->interface[0] == '\0' && !p->interface_invalid) {
		p->errs->missing_interface = true;
		add_error(p, kl[K_INTERFACE], "no Interface= in [Daemon]: bpfnicd needs the network "
			  "interface to attach to");
	}
	if (c->max_us < c->short_us || c->max_us < c->long_us)
		add_error(p, later(kl[K_MAX_US], later(kl[K_SHORT_US], kl[K_LONG_US])),
			  "MaxUs=%u: must be at least ShortUs= (%u) and LongUs= (%u)",
			  c->max_us, c->short_us, c->long_us);
	if (c->cpus.n == 0) {
		add_error(p, kl[K_CPUS], "Cpus=: no online CPU to use");
		return;
	}
	if (pol->max_cpus == 0)
		pol->max_cpus = c->cpus.n;
	if (pol->shrink_below_auto)
		pol->shrink_below_us = pol->threshold_us / 2;

	/* Explicit LongCpus= is checked even when split is not the policy at start. */
	bool long_reported = false;

	if (kl[K_LONG_CPUS] && (c->cpus.n < 2 || pol->long_cpus > c->cpus.n - 1)) {
		add_error(p, later(kl[K_LONG_CPUS], kl[K_CPUS]), "LongCpus=%u: must be between 1 "
			  "and %u (Cpus= has %u CPUs, one at least serves short requests)",
			  pol->long_cpus, c->cpus.n > 1 ? c->cpus.n - 1 : 1, c->cpus.n);
		long_reported = true;
	}
	if (bpfnicd_policy_check(pol, c->cpus.n, &param, why, sizeof(why)) < 0 &&
	    !(long_reported && (strcmp(param, "long_cpus") == 0 || strcmp(param, "policy") == 0))) {
		static const struct { const char *param; enum key_id k; const char *key; } map[] = {
			{ "policy", K_POLICY, "Policy" }, { "long_cpus", K_LONG_CPUS, "LongCpus" },
			{ "max_cpus", K_MAX_CPUS, "MaxCpus" }, { "min_cpus", K_MIN_CPUS, "MinCpus" },
			{ "shrink_below_us", K_SHRINK_BELOW_US, "ShrinkBelowUs" },
		};
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(map[i].param, param) == 0) {
				unsigned line = kl[map[i].k];

				if (map[i].k == K_SHRINK_BELOW_US)
					line = later(line, kl[K_THRESHOLD_US]);
				else if (map[i].k == K_MIN_CPUS || map[i].k == K_MAX_CPUS ||
					 map[i].k == K_LONG_CPUS || map[i].k == K_POLICY)
					line = later(line, kl[K_CPUS]);
				add_error(p, line, "%s=: %s", map[i].key, why);
				break;
			}
	}
}

int bpfnicd_config_parse(FILE *f, const char *filename, const struct bpfnic_cpuset *present,
			 const struct bpfnic_cpuset *online, struct bpfnicd_config *c,
			 struct bpfnicd_config_errors *errs)
{
	struct parser p = {
		.f = f, .filename = filename, .present = present, .online = online, .c = c,
		.errs = errs,
	};
	int r;

	memset(errs, 0, sizeof(*errs));
	bpfnicd_config_defaults(c, online);
	/* systemd's syntax: no continuation lines, no inline comments. */
	ini_allow_multiline = false;
	ini_allow_inline_comments = false;
	r = ini_parse_stream(reader, &p, handler, &p);
	if (r == -1 || r == -2)
		return r == -2 ? -ENOMEM : -EIO;
	if (ferror(f))
		return -EIO;
	if (r > 0 && errs->total == 0) /* inih saw something the reader did not */
		add_error(&p, (unsigned)r, "syntax error");
	check_whole(&p);
	return errs->total ? -EINVAL : 0;
}

int bpfnicd_config_load(const char *path, const struct bpfnic_cpuset *present,
			const struct bpfnic_cpuset *online, struct bpfnicd_config *c,
			struct bpfnicd_config_errors *errs)
{
	FILE *f = fopen(path, "re");
	int r;

	memset(errs, 0, sizeof(*errs));
	if (!f) {
		r = -errno;
		snprintf(errs->msg[0], sizeof(errs->msg[0]), "%s: cannot open: %s", path, strerror(-r));
		errs->n = errs->total = 1;
		return r;
	}
	r = bpfnicd_config_parse(f, path, present, online, c, errs);
	fclose(f);
	if (r < 0 && r != -EINVAL && errs->total == 0) {
		snprintf(errs->msg[0], sizeof(errs->msg[0]), "%s: cannot read: %s", path, strerror(-r));
		errs->n = errs->total = 1;
	}
	return r;
}

unsigned bpfnicd_config_restart_needed(const struct bpfnicd_config *running,
				       const struct bpfnicd_config *next, const char **names,
				       unsigned max)
{
	unsigned n = 0;

#define CHANGED(cond, key) do { if ((cond) && n < max) names[n++] = key; } while (0)
	CHANGED(strcmp(running->interface, next->interface) != 0, "Interface");
	CHANGED(running->xdp_mode != next->xdp_mode, "XdpMode");
	CHANGED(running->cpus.n != next->cpus.n ||
		memcmp(running->cpus.cpu, next->cpus.cpu, running->cpus.n * sizeof(unsigned)) != 0,
		"Cpus");
	CHANGED(running->queue_size != next->queue_size, "QueueSize");
	CHANGED(strcmp(running->control_socket, next->control_socket) != 0, "ControlSocket");
#undef CHANGED
	return n;
}
