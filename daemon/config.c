/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd.conf: libinih does the INI syntax, this file every key's meaning. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "daemon/config.h"
#include "iniline.h"

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

/* ---- the parser ----------------------------------------------------------------- */

struct parser {
	struct bpfnic_ini_source src; /* the lines, counted */
	struct bpfnic_ini_errors log;
	bool in_unknown_section;
	unsigned key_line[BPFNIC_MAX_PARAMS]; /* where each parameter was set; 0 = not set */
	bool key_invalid[BPFNIC_MAX_PARAMS];  /* already reported: do not also call it missing */
	struct bpfnic_param_ctx ctx;
	struct bpfnicd_config defaults;
	struct bpfnicd_config *c;
	struct bpfnicd_config_errors *errs;
};

/* The file's problems go to the caller's list: see lib/iniline.h. */
#define add_error(p, ...) bpfnic_ini_error(&(p)->log, __VA_ARGS__)

static unsigned param_index(const struct bpfnic_param *p)
{
	return (unsigned)(p - bpfnic_params);
}

static bool known_section(const char *s, size_t n)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		if (strlen(bpfnic_params[i].section) == n && !memcmp(s, bpfnic_params[i].section, n))
			return true;
	return false;
}

static void on_header(void *ctx, const char *name, size_t len)
{
	struct parser *p = ctx;

	p->in_unknown_section = !known_section(name, len);
	if (p->in_unknown_section)
		add_error(p, p->src.line, "unknown section [%.*s]", (int)len, name);
}

static void on_syntax_error(void *ctx, unsigned line, const char *what)
{
	struct parser *p = ctx;

	add_error(p, line, "%s", what);
}

/* One Key=value: an empty value puts the default back, as in systemd's unit files. */
static void set_key(struct parser *p, const struct bpfnic_param *k, const char *value)
{
	char why[200];

	if (value[0] == '\0') {
		bpfnic_param_reset(k, p->c, &p->defaults);
		return;
	}
	if (bpfnic_param_set_text(k, p->c, value, &p->ctx, why, sizeof(why)) < 0) {
		add_error(p, p->src.line, "%s=%.40s: %s", k->key, value, why);
		p->key_invalid[param_index(k)] = true;
	}
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	const struct bpfnic_param *k;
	unsigned i;

	if (p->in_unknown_section)
		return 1; /* reported once, at the section header */
	if (section[0] == '\0') {
		add_error(p, p->src.line, "%s=: key outside of a section", name);
		return 1;
	}
	k = bpfnic_param_by_key(section, name);
	if (!k) {
		add_error(p, p->src.line, "%s=: unknown key in [%s]", name, section);
		return 1;
	}
	i = param_index(k);
	if (p->key_line[i]) {
		add_error(p, p->src.line, "%s=: set twice (first on line %u)", name, p->key_line[i]);
		return 1;
	}
	p->key_line[i] = p->src.line;
	set_key(p, k, value);
	return 1;
}

/* Where a key was set (0: not set). */
static unsigned line_of(const struct parser *p, const char *key)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		if (!strcmp(bpfnic_params[i].key, key))
			return p->key_line[i];
	return 0;
}

/* The line to blame for a cross-key problem: the later of the keys involved. */
static unsigned later(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

/* A policy cross-check failed on SetPolicy name param: say it with the file's key. */
static void policy_error(struct parser *p, const char *param, const char *why)
{
	const struct bpfnic_param *k = bpfnic_param_by_json(param);
	/* Checked against Cpus=, except the low-water mark, against ThresholdUs=. */
	const char *other = strcmp(param, "shrink_below_us") ? "Cpus" : "ThresholdUs";

	add_error(p, later(p->key_line[param_index(k)], line_of(p, other)), "%s=: %s", k->key, why);
}

static void check_policy(struct parser *p)
{
	struct bpfnic_policy_params *pol = &p->c->policy;
	const char *param;
	char why[160];

	if (pol->max_cpus == 0) /* MaxCpus= computed: every CPU of Cpus= */
		pol->max_cpus = p->c->cpus.n;
	bpfnic_policy_resolve(pol);
	/* An explicit LongCpus= is checked even when split is not the policy at start. */
	if (line_of(p, "LongCpus") && pol->policy != BPFNIC_POLICY_SPLIT) {
		struct bpfnic_policy_params split = *pol;

		split.policy = BPFNIC_POLICY_SPLIT;
		if (bpfnic_policy_check(&split, p->c->cpus.n, &param, why, sizeof(why)) < 0 &&
		    (!strcmp(param, "long_cpus") || !strcmp(param, "policy")))
			policy_error(p, "long_cpus", why);
	}
	if (bpfnic_policy_check(pol, p->c->cpus.n, &param, why, sizeof(why)) < 0)
		policy_error(p, param, why);
}

static void check_whole(struct parser *p)
{
	struct bpfnicd_config *c = p->c;
	const struct bpfnic_param *iface = bpfnic_param_by_key("Daemon", "Interface");

	if (c->interface[0] == '\0' && !p->key_invalid[param_index(iface)]) {
		p->errs->missing_interface = true;
		add_error(p, p->key_line[param_index(iface)], "no Interface= in [Daemon]: bpfnicd "
			  "needs the network interface to attach to");
	}
	if (c->max_us < c->short_us || c->max_us < c->long_us)
		add_error(p, later(line_of(p, "MaxUs"), later(line_of(p, "ShortUs"), line_of(p, "LongUs"))),
			  "MaxUs=%u: must be at least ShortUs= (%u) and LongUs= (%u)",
			  c->max_us, c->short_us, c->long_us);
	if (c->cpus.n == 0) {
		add_error(p, line_of(p, "Cpus"), "Cpus=: no online CPU to use");
		return;
	}
	check_policy(p);
}

int bpfnicd_config_parse(FILE *f, const char *filename, const struct bpfnic_cpuset *present,
			 const struct bpfnic_cpuset *online, struct bpfnicd_config *c,
			 struct bpfnicd_config_errors *errs)
{
	/* A few kB: on the stack, so that reading a file cannot fail for memory. */
	struct parser p = {
		.src = { .f = f, .header = on_header, .error = on_syntax_error, .ctx = &p },
		.log = { errs->msg, BPFNICD_CONFIG_MAX_ERRORS, &errs->n, &errs->total, filename },
		.ctx = { present, online }, .c = c, .errs = errs,
	};
	int r;

	memset(errs, 0, sizeof(*errs));
	bpfnic_config_defaults(&p.defaults, online);
	*c = p.defaults;
	r = bpfnic_ini_parse(&p.src, handler, &p, &p.log);
	if (r < 0)
		return r;
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

	for (unsigned i = 0; i < bpfnic_n_params && n < max; i++)
		if (bpfnic_params[i].restart && !bpfnic_param_equal(&bpfnic_params[i], running, next))
			names[n++] = bpfnic_params[i].key;
	return n;
}

void bpfnicd_config_keep_restart_keys(struct bpfnicd_config *next,
				      const struct bpfnicd_config *running)
{
	for (unsigned i = 0; i < bpfnic_n_params; i++)
		if (bpfnic_params[i].restart)
			bpfnic_param_reset(&bpfnic_params[i], next, running);
}
