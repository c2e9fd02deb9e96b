/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd's control methods: see methods.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "idl.h"
#include "params.h"
#include "protocol.h"
#include "daemon/log.h"
#include "daemon/methods.h"

/* GetStatus shows the last changes only: GetStats' since_usec reads them all. */
#define STATUS_CHANGES 16

struct bpfnicd_methods {
	struct bpfnicd_methods_deps d;
	struct bpfnic_idl *idl[2]; /* io.bpfnic, org.varlink.service */
};

/* ---- replies built from several modules -------------------------------------------- */

static struct json_object *groups_json(const struct bpfnicd_policy *pol)
{
	unsigned n_main, n_long;
	const unsigned *main_cpus = bpfnicd_policy_group(pol, BPFNIC_GROUP_MAIN, &n_main);
	const unsigned *long_cpus = bpfnicd_policy_group(pol, BPFNIC_GROUP_LONG, &n_long);

	return bpfnicd_groups_json(main_cpus, n_main, long_cpus, n_long);
}

static const char *xdp_mode_name(unsigned mode)
{
	return bpfnic_xdp_mode_names[mode < 3 ? mode : BPFNIC_XDP_AUTO];
}

/* Address= as text; empty: any address. */
static struct json_object *addresses_json(const struct bpfnicd_config *c)
{
	struct json_object *a = json_object_new_array();
	char text[64];

	for (unsigned i = 0; i < c->addrs.n; i++)
		json_object_array_add(a, json_object_new_string(
			bpfnic_addr_format(&c->addrs.a[i], text, sizeof(text))));
	return a;
}

/* Counters since attach: a fresh reading, or the window's when the data path is mute. */
static void read_totals(struct bpfnicd_methods *m, struct bpfnicd_window *cum)
{
	(void)bpfnicd_sampler_totals(m->d.sampler, cum);
}

static struct json_object *stats_reply(struct bpfnicd_methods *m, const struct bpfnicd_window *cum)
{
	const struct bpfnicd_window *win = bpfnicd_sampler_window(m->d.sampler);
	const char *group[BPFNIC_MAX_CPUS];
	unsigned cpus[BPFNIC_MAX_CPUS];
	int g[BPFNIC_MAX_CPUS];
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < win->n; i++)
		cpus[i] = win->cpu[i].cpu;
	bpfnicd_policy_cpu_groups(m->d.policy, cpus, win->n, g);
	for (unsigned i = 0; i < win->n; i++)
		group[i] = bpfnicd_group_name(g[i]);
	json_object_object_add(o, "window_ms", bpfnic_vl_number(win->window_ms, 1));
	json_object_object_add(o, "policy", json_object_new_string(
		bpfnic_policy_name(bpfnicd_policy_params(m->d.policy)->policy)));
	json_object_object_add(o, "groups", groups_json(m->d.policy));
	json_object_object_add(o, "totals", bpfnicd_stats_totals_json(win, cum));
	json_object_object_add(o, "cpus", bpfnicd_stats_cpus_json(win, cum, group));
	json_object_object_add(o, "rx_cpus", bpfnicd_stats_rx_cpus_json(cum));
	return o;
}

struct json_object *bpfnicd_methods_monitor_sample(struct bpfnicd_methods *m)
{
	/* At a tick, the window's own counters are fresh. */
	return stats_reply(m, bpfnicd_sampler_window(m->d.sampler));
}

static struct json_object *workload_json(const struct bpfnicd_config *c)
{
	struct json_object *w = json_object_new_object();

	json_object_object_add(w, "short_us", json_object_new_int64(c->short_us));
	json_object_object_add(w, "long_us", json_object_new_int64(c->long_us));
	json_object_object_add(w, "max_us", json_object_new_int64(c->max_us));
	return w;
}

/* ---- handlers ------------------------------------------------------------------------ */

static struct json_object *varlink_get_info(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
					    struct json_object *params)
{
	struct json_object *p = json_object_new_object(), *ifs = json_object_new_array();

	(void)m, (void)who, (void)params;
	json_object_object_add(p, "vendor", json_object_new_string("bpfnic"));
	json_object_object_add(p, "product", json_object_new_string("bpfnicd"));
	json_object_object_add(p, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(p, "url", json_object_new_string("man:bpfnicd(8)"));
	json_object_array_add(ifs, json_object_new_string(BPFNIC_VARLINK_SERVICE));
	json_object_array_add(ifs, json_object_new_string(BPFNIC_INTERFACE));
	json_object_object_add(p, "interfaces", ifs);
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *varlink_describe(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
					    struct json_object *params)
{
	static const char *const texts[] = { bpfnic_idl_io_bpfnic, bpfnic_idl_varlink_service };
	struct json_object *v, *p = json_object_new_object();
	const char *name;

	(void)who;
	json_object_object_get_ex(params, "interface", &v); /* the IDL check made sure */
	name = json_object_get_string(v);
	for (unsigned i = 0; i < 2; i++)
		if (!strcmp(name, bpfnic_idl_name(m->idl[i]))) {
			json_object_object_add(p, "description", json_object_new_string(texts[i]));
			return bpfnic_vl_reply_new(p, false);
		}
	json_object_object_add(p, "interface", json_object_new_string(name));
	json_object_object_add(p, "reason", json_object_new_string("no such interface"));
	return bpfnic_vl_error_new(BPFNIC_E_INTERFACE_NOT_FOUND, p);
}

static struct json_object *get_info(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				    struct json_object *params)
{
	const struct bpfnicd_config *c = bpfnicd_runconf_get(m->d.conf);
	struct json_object *p = json_object_new_object();

	(void)who, (void)params;
	json_object_object_add(p, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(p, "interface", json_object_new_string(c->interface));
	json_object_object_add(p, "ifindex", json_object_new_int64(m->d.info.ifindex));
	json_object_object_add(p, "xdp_mode", json_object_new_string(xdp_mode_name(m->d.info.mode)));
	json_object_object_add(p, "port", json_object_new_int64(c->port));
	json_object_object_add(p, "addresses", addresses_json(c));
	json_object_object_add(p, "pid", json_object_new_int64(getpid()));
	json_object_object_add(p, "candidate_cpus", bpfnicd_cpus_json(c->cpus.cpu, c->cpus.n));
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *get_status(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				      struct json_object *params)
{
	const struct bpfnicd_config *c = bpfnicd_runconf_get(m->d.conf);
	struct json_object *p = json_object_new_object();
	struct bpfnicd_window *cum = malloc(sizeof(*cum));

	(void)who, (void)params;
	if (!cum) {
		json_object_put(p);
		return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "out of memory");
	}
	read_totals(m, cum);
	json_object_object_add(p, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(p, "interface", json_object_new_string(c->interface));
	json_object_object_add(p, "xdp_mode", json_object_new_string(xdp_mode_name(m->d.info.mode)));
	json_object_object_add(p, "xdp_mode_requested",
			       json_object_new_string(xdp_mode_name(m->d.info.requested)));
	json_object_object_add(p, "port", json_object_new_int64(c->port));
	json_object_object_add(p, "addresses", addresses_json(c));
	json_object_object_add(p, "nic", bpfnicd_nic_json(m->d.nic));
	json_object_object_add(p, "warnings", bpfnicd_nic_warnings_json(m->d.nic));
	json_object_object_add(p, "uptime_sec",
			       json_object_new_int64((int64_t)((bpfnic_mono_usec() - m->d.start_usec) / 1000000)));
	json_object_object_add(p, "policy", bpfnic_params_policy_json(bpfnicd_policy_params(m->d.policy)));
	json_object_object_add(p, "workload", workload_json(c));
	json_object_object_add(p, "groups", groups_json(m->d.policy));
	json_object_object_add(p, "totals",
			       bpfnicd_stats_totals_json(bpfnicd_sampler_window(m->d.sampler), cum));
	json_object_object_add(p, "history", bpfnicd_history_last_changes_json(m->d.history,
										STATUS_CHANGES));
	free(cum);
	return bpfnic_vl_reply_new(p, false);
}

/* GetStats and Monitor's first reply: counters from a fresh reading. */
static struct json_object *stats_now(struct bpfnicd_methods *m, bool continues)
{
	struct bpfnicd_window *cum = malloc(sizeof(*cum));
	struct json_object *p;

	if (!cum)
		return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "out of memory");
	read_totals(m, cum);
	p = stats_reply(m, cum);
	free(cum);
	return bpfnic_vl_reply_new(p, continues);
}

/*
 * With since_usec, the history after it too, as much as one message holds (the reply
 * says where to go on): the room left by the rest of the reply, less what the reply's
 * envelope and the history's own members take.
 */
#define HISTORY_ENVELOPE 256

static struct json_object *get_stats(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				     struct json_object *params)
{
	struct json_object *since, *reply = stats_now(m, false), *p;
	size_t len = 0;
	int r;

	(void)who;
	if (!json_object_object_get_ex(params, "since_usec", &since) || !since ||
	    !json_object_object_get_ex(reply, "parameters", &p))
		return reply; /* without since_usec (or null): today's reply; or stats_now's error */
	json_object_to_json_string_length(reply, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
					  &len);
	r = len + HISTORY_ENVELOPE < BPFNIC_MAX_MESSAGE ?
	    bpfnicd_history_since_json(m->d.history, (uint64_t)(json_object_get_int64(since) > 0 ?
								   json_object_get_int64(since) : 0),
				       BPFNIC_MAX_MESSAGE - len - HISTORY_ENVELOPE, p) : -EMSGSIZE;
	if (r < 0) {
		json_object_put(reply);
		return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "%s", r == -EMSGSIZE ?
					      "the history does not fit in a message" : strerror(-r));
	}
	return reply;
}

static struct json_object *monitor(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				   struct json_object *params)
{
	(void)who, (void)params;
	return stats_now(m, true);
}

static void caller_text(const struct bpfnicd_caller *who, char *by, size_t size)
{
	snprintf(by, size, "uid %u pid %d", (unsigned)who->uid, (int)who->pid);
}

static struct json_object *set_policy(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				      struct json_object *params)
{
	const struct bpfnicd_config *c = bpfnicd_runconf_get(m->d.conf);
	struct bpfnic_policy_params next;
	const char *param = NULL;
	char why[200], by[64];
	struct json_object *p;
	int r;

	r = bpfnic_params_from_json(c, bpfnicd_policy_params(m->d.policy), params, &next, &param,
				    why, sizeof(why));
	if (r < 0)
		return bpfnic_vl_error_reason(BPFNIC_E_INVALID_PARAMETER, param, "%s", why);
	caller_text(who, by, sizeof(by));
	r = bpfnicd_policy_apply(m->d.policy, c, &next, by);
	if (r < 0)
		return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "the data path refused: %s",
					      strerror(-r));
	p = json_object_new_object();
	json_object_object_add(p, "policy", bpfnic_params_policy_json(bpfnicd_policy_params(m->d.policy)));
	json_object_object_add(p, "groups", groups_json(m->d.policy));
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *reload_failed(int r, const struct bpfnicd_config_errors *errs)
{
	struct json_object *p = json_object_new_object(), *a = json_object_new_array();
	char reason[1024] = "";
	size_t off = 0;

	for (unsigned i = 0; i < errs->n; i++) {
		json_object_array_add(a, json_object_new_string(errs->msg[i]));
		if (off < sizeof(reason))
			off += (size_t)snprintf(reason + off, sizeof(reason) - off, "%s%s",
						i ? "; " : "", errs->msg[i]);
	}
	if (errs->n == 0)
		snprintf(reason, sizeof(reason), "%s", strerror(-r));
	json_object_object_add(p, "reason", json_object_new_string(reason));
	json_object_object_add(p, "errors", a);
	return bpfnic_vl_error_new(BPFNIC_E_RELOAD_FAILED, p);
}

static struct json_object *reload(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				  struct json_object *params)
{
	struct bpfnicd_reload_result *res = malloc(sizeof(*res));
	struct json_object *p, *a;
	char by[64];
	int r;

	(void)params;
	if (!res)
		return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "out of memory");
	caller_text(who, by, sizeof(by));
	r = bpfnicd_reload(m->d.conf, by, res);
	if (r < 0) {
		p = reload_failed(r, &res->errs);
		free(res);
		return p;
	}
	p = json_object_new_object();
	a = json_object_new_array();
	for (unsigned i = 0; i < res->n_restart_needed; i++)
		json_object_array_add(a, json_object_new_string(res->restart_needed[i]));
	json_object_object_add(p, "restart_needed", a);
	free(res);
	return bpfnic_vl_reply_new(p, false);
}

/* ---- the table and the dispatcher ------------------------------------------------------ */

static const struct bpfnicd_method methods[] = {
	/* name                      admin  streams handler */
	{ BPFNIC_M_VARLINK_GET_INFO, false, false, varlink_get_info },
	{ BPFNIC_M_VARLINK_DESCRIBE, false, false, varlink_describe },
	{ BPFNIC_M_GET_INFO,         false, false, get_info },
	{ BPFNIC_M_GET_STATUS,       false, false, get_status },
	{ BPFNIC_M_GET_STATS,        false, false, get_stats },
	{ BPFNIC_M_SET_POLICY,       true,  false, set_policy },
	{ BPFNIC_M_RELOAD,           true,  false, reload },
	{ BPFNIC_M_MONITOR,          false, true,  monitor },
};

const struct bpfnicd_method *bpfnicd_methods_table(unsigned *n)
{
	*n = sizeof(methods) / sizeof(methods[0]);
	return methods;
}

int bpfnicd_methods_new(const struct bpfnicd_methods_deps *deps, struct bpfnicd_methods **out)
{
	struct bpfnicd_methods *m = calloc(1, sizeof(*m));
	const char *text[] = { bpfnic_idl_io_bpfnic, bpfnic_idl_varlink_service };
	char err[200];
	int r = 0;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->d = *deps;
	for (unsigned i = 0; i < 2 && r == 0; i++) {
		r = bpfnic_idl_parse(text[i], &m->idl[i], err, sizeof(err));
		if (r < 0)
			log_error_errno(r, "the built-in interface description is broken: %s", err);
	}
	if (r < 0)
		bpfnicd_methods_free(m);
	else
		*out = m;
	return r;
}

void bpfnicd_methods_free(struct bpfnicd_methods *m)
{
	for (unsigned i = 0; m && i < 2; i++)
		bpfnic_idl_free(m->idl[i]);
	free(m);
}

/* The interface a method name belongs to, or NULL. */
static const struct bpfnic_idl *idl_of(const struct bpfnicd_methods *m, const char *method,
				       const char **short_name)
{
	const char *dot = strrchr(method, '.');

	for (unsigned i = 0; dot && i < 2; i++) {
		const char *iface = bpfnic_idl_name(m->idl[i]);

		if (strlen(iface) == (size_t)(dot - method) && !strncmp(method, iface, strlen(iface))) {
			*short_name = dot + 1;
			return m->idl[i];
		}
	}
	return NULL;
}

static struct json_object *not_found(const struct bpfnicd_methods *m, const char *method)
{
	struct json_object *p = json_object_new_object();
	const char *dot = strrchr(method, '.'), *short_name;

	/* varlink: a method of an interface we do not implement is InterfaceNotFound. */
	if (!idl_of(m, method, &short_name)) {
		json_object_object_add(p, "interface", json_object_new_string_len(
			method, dot ? (int)(dot - method) : 0));
		json_object_object_add(p, "reason", json_object_new_string("no such interface"));
		return bpfnic_vl_error_new(BPFNIC_E_INTERFACE_NOT_FOUND, p);
	}
	json_object_object_add(p, "method", json_object_new_string(method));
	json_object_object_add(p, "reason", json_object_new_string("no such method"));
	return bpfnic_vl_error_new(BPFNIC_E_METHOD_NOT_FOUND, p);
}

/* Root, or AdminGroup=: NULL; anyone else gets PermissionDenied (and the log says so). */
static struct json_object *check_access(const struct bpfnicd_methods *m,
					const struct bpfnicd_method *method,
					const struct bpfnicd_caller *who)
{
	const char *group = bpfnicd_runconf_get(m->d.conf)->admin_group;
	const char *or_group = group[0] ? " or group " : "", *or_member = group[0] ? " or membership in group " : "";
	char uid_field[40], pid_field[40];
	const char *fields[] = { uid_field, pid_field, NULL };

	snprintf(uid_field, sizeof(uid_field), "BPFNIC_CALLER_UID=%u", (unsigned)who->uid);
	snprintf(pid_field, sizeof(pid_field), "BPFNIC_CALLER_PID=%d", (int)who->pid);
	if (who->admin) {
		bpfnicd_log_struct(LOG_INFO, 0, NULL, fields, "%s called by uid %u pid %d", method->name,
				   (unsigned)who->uid, (int)who->pid);
		return NULL;
	}
	bpfnicd_log_struct(LOG_WARNING, 0, NULL, fields, "refused %s from uid %u pid %d: needs root%s%s",
			   method->name, (unsigned)who->uid, (int)who->pid, or_group, group);
	return bpfnic_vl_error_reason(BPFNIC_E_PERMISSION_DENIED, NULL, "%s needs root%s%s",
				      method->name, or_member, group);
}

struct json_object *bpfnicd_methods_dispatch(void *userdata, const struct bpfnicd_caller *who,
					     const struct bpfnic_vl_call *call, bool *start_monitor)
{
	struct bpfnicd_methods *m = userdata;
	const struct bpfnicd_method *method = NULL;
	const struct bpfnic_idl *idl;
	const char *short_name, *member;
	struct json_object *refusal;
	char why[200];

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]) && !method; i++)
		if (!strcmp(methods[i].name, call->method))
			method = &methods[i];
	idl = method ? idl_of(m, call->method, &short_name) : NULL;
	if (!idl)
		return not_found(m, call->method);
	if (bpfnic_idl_check(idl, BPFNIC_IDL_IN, short_name, call->parameters, &member, why,
			     sizeof(why)) < 0)
		return bpfnic_vl_error_reason(BPFNIC_E_INVALID_PARAMETER, member ? member : "parameters",
					      "%s", why);
	if (method->streams && !call->more)
		return bpfnic_vl_error_reason(BPFNIC_E_EXPECTED_MORE, NULL,
					      "%s streams: call it with \"more\": true", method->name);
	if (method->admin && (refusal = check_access(m, method, who)))
		return refusal;
	*start_monitor = method->streams;
	return method->handler(m, who, call->parameters);
}
