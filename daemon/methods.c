/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd's control methods: turn calls into daemon operations and state into JSON. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "varlink.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/request.h"
#include "clock.h"

static const char *const xdp_mode_names[] = { "auto", "native", "generic" };

/* Doubles rounded to 0.1 (rates, microseconds): readable, and no 17-digit noise. */
static struct json_object *num(double v)
{
	char text[64];

	if (!isfinite(v))
		v = 0;
	snprintf(text, sizeof(text), "%.1f", v);
	return json_object_new_double_s(round(v * 10.0) / 10.0, text);
}

static struct json_object *cpu_array(const unsigned *cpus, unsigned n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(cpus[i]));
	return a;
}

static struct json_object *groups_json(struct bpfnicd *d)
{
	struct json_object *g = json_object_new_object();

	json_object_object_add(g, "main", cpu_array(d->main_cpus, d->n_main));
	json_object_object_add(g, "long", cpu_array(d->long_cpus, d->n_long));
	return g;
}

static const char *dp_mode_name(struct bpfnicd *d)
{
	return xdp_mode_names[d->info.mode <= BPFNIC_XDP_GENERIC ? d->info.mode : 0];
}

/* Totals: counters from a fresh reading (cum), rates and delays from the last window. */
static struct json_object *totals_json(struct bpfnicd *d, const struct bpfnicd_window *cum)
{
	struct json_object *t = json_object_new_object(), *drops = json_object_new_object(), *q;

	json_object_object_add(t, "in_rps", num(d->win.in_rps));
	json_object_object_add(t, "out_rps", num(d->win.out_rps));
	json_object_object_add(t, "requests", json_object_new_uint64(cum->requests));
	json_object_object_add(t, "replies", json_object_new_uint64(cum->replies));
	json_object_object_add(t, "passed", json_object_new_uint64(cum->passed));
	json_object_object_add(drops, "queue", json_object_new_uint64(cum->drops_queue));
	json_object_object_add(drops, "queue_exact", json_object_new_boolean(cum->drops_queue_exact));
	json_object_object_add(drops, "no_cpu", json_object_new_uint64(cum->drops_no_cpu));
	json_object_object_add(drops, "redirect_err", json_object_new_uint64(cum->drops_redirect_err));
	json_object_object_add(drops, "tx_err", json_object_new_uint64(cum->drops_tx_err));
	json_object_object_add(drops, "short_payload", json_object_new_uint64(cum->drops_short_payload));
	json_object_object_add(t, "drops", drops);
	q = json_object_new_object();
	json_object_object_add(q, "avg", num(d->win.qdelay_avg_us));
	json_object_object_add(q, "p99", num(d->win.qdelay_p99_us));
	json_object_object_add(t, "qdelay_us", q);
	return t;
}

static const char *group_of(struct bpfnicd *d, unsigned cpu)
{
	for (unsigned i = 0; i < d->n_main; i++)
		if (d->main_cpus[i] == cpu)
			return "main";
	if (d->policy.policy == BPFNIC_POLICY_SPLIT)
		for (unsigned i = 0; i < d->n_long; i++)
			if (d->long_cpus[i] == cpu)
				return "long";
	return NULL;
}

static struct json_object *stats_json(struct bpfnicd *d, const struct bpfnicd_window *cum)
{
	struct json_object *o = json_object_new_object(), *cpus = json_object_new_array();

	json_object_object_add(o, "window_ms", num(d->win.window_ms));
	json_object_object_add(o, "policy", json_object_new_string(bpfnic_policy_names[d->policy.policy]));
	json_object_object_add(o, "groups", groups_json(d));
	json_object_object_add(o, "totals", totals_json(d, cum));
	for (unsigned i = 0; i < d->win.n; i++) {
		const struct bpfnicd_cpu_window *w = &d->win.cpu[i];
		struct json_object *c = json_object_new_object(), *q = json_object_new_object();
		const char *g = group_of(d, w->cpu);

		json_object_object_add(c, "cpu", json_object_new_int64(w->cpu));
		json_object_object_add(c, "group", g ? json_object_new_string(g) : NULL);
		json_object_object_add(c, "rps", num(w->rps));
		json_object_object_add(q, "avg", num(w->qdelay_avg_us));
		json_object_object_add(q, "p50", num(w->qdelay_p50_us));
		json_object_object_add(q, "p99", num(w->qdelay_p99_us));
		json_object_object_add(q, "max", num(w->qdelay_max_us));
		json_object_object_add(c, "qdelay_us", q);
		json_object_object_add(c, "service_us", num(w->service_us));
		if (w->kthread_util >= 0) {
			char text[32];

			snprintf(text, sizeof(text), "%.3f", w->kthread_util);
			json_object_object_add(c, "kthread_util",
					       json_object_new_double_s(round(w->kthread_util * 1000.0) / 1000.0, text));
		} else {
			json_object_object_add(c, "kthread_util", NULL);
		}
		json_object_object_add(c, "handed", json_object_new_uint64(cum->cpu[i].handed));
		json_object_object_add(c, "processed", json_object_new_uint64(cum->cpu[i].processed));
		json_object_object_add(c, "queue_drops", json_object_new_uint64(cum->cpu[i].queue_drops));
		json_object_array_add(cpus, c);
	}
	json_object_object_add(o, "cpus", cpus);
	return o;
}

struct json_object *bpfnicd_stats_json(struct bpfnicd *d)
{
	struct bpfnicd_window *cum = &d->win; /* at a tick, the window's counters are fresh */

	return stats_json(d, cum);
}

static struct json_object *history_json(struct bpfnicd *d)
{
	struct json_object *a = json_object_new_array();

	/* Oldest first. */
	for (unsigned i = 0; i < d->n_history; i++) {
		unsigned k = (d->history_next + BPFNICD_HISTORY - d->n_history + i) % BPFNICD_HISTORY;
		const struct bpfnicd_change *h = &d->history[k];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "time_usec", json_object_new_uint64(h->time_usec));
		json_object_object_add(o, "action", json_object_new_string(h->grow ? "grow" : "shrink"));
		json_object_object_add(o, "cpu", json_object_new_int64(h->cpu));
		json_object_object_add(o, "group_size", json_object_new_int64(h->group_size));
		json_object_object_add(o, "metric_us", num(h->metric_us));
		json_object_object_add(o, "reason", json_object_new_string(h->reason));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *get_info(struct bpfnicd *d)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(p, "interface", json_object_new_string(d->cfg.interface));
	json_object_object_add(p, "ifindex", json_object_new_int64(d->info.ifindex));
	json_object_object_add(p, "xdp_mode", json_object_new_string(dp_mode_name(d)));
	json_object_object_add(p, "port", json_object_new_int64(d->cfg.port));
	json_object_object_add(p, "pid", json_object_new_int64(getpid()));
	json_object_object_add(p, "candidate_cpus", cpu_array(d->cfg.cpus.cpu, d->cfg.cpus.n));
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *get_status(struct bpfnicd *d, const struct bpfnicd_window *cum)
{
	struct json_object *p = json_object_new_object(), *w = json_object_new_object();

	json_object_object_add(p, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(p, "interface", json_object_new_string(d->cfg.interface));
	json_object_object_add(p, "xdp_mode", json_object_new_string(dp_mode_name(d)));
	json_object_object_add(p, "port", json_object_new_int64(d->cfg.port));
	json_object_object_add(p, "uptime_sec",
			       json_object_new_int64((int64_t)((bpfnic_mono_usec() - d->start_usec) / 1000000)));
	json_object_object_add(p, "policy", bpfnicd_policy_to_json(&d->policy));
	json_object_object_add(w, "short_us", json_object_new_int64(d->cfg.short_us));
	json_object_object_add(w, "long_us", json_object_new_int64(d->cfg.long_us));
	json_object_object_add(w, "max_us", json_object_new_int64(d->cfg.max_us));
	json_object_object_add(p, "workload", w);
	json_object_object_add(p, "groups", groups_json(d));
	json_object_object_add(p, "totals", totals_json(d, cum));
	json_object_object_add(p, "history", history_json(d));
	return bpfnic_vl_reply_new(p, false);
}

static const char idl_bpfnic[] =
	"# bpfnicd: receive-side scaling in eBPF. Times in microseconds, rates per second.\n"
	"interface io.bpfnic\n"
	"\n"
	"method GetInfo() -> (version: string, interface: string, ifindex: int, xdp_mode: string,\n"
	"  port: int, pid: int, candidate_cpus: []int)\n"
	"method GetStatus() -> (version: string, interface: string, xdp_mode: string, port: int,\n"
	"  uptime_sec: int, policy: object, workload: object, groups: object, totals: object,\n"
	"  history: []object)\n"
	"method GetStats() -> (window_ms: float, policy: string, groups: object, totals: object,\n"
	"  cpus: []object)\n"
	"method SetPolicy(policy: string, long_cpus: ?int, threshold_us: ?int, metric: ?string,\n"
	"  min_cpus: ?int, max_cpus: ?int, cooldown_ms: ?int, shrink_below_us: ?int,\n"
	"  interval_ms: ?int) -> (policy: object, groups: object)\n"
	"method Reload() -> (restart_needed: []string)\n"
	"method Monitor() -> (window_ms: float, policy: string, groups: object, totals: object,\n"
	"  cpus: []object)\n"
	"\n"
	"error InvalidMessage (reason: string)\n"
	"error MessageTooLarge (reason: string)\n"
	"error ReloadFailed (reason: string, errors: []string)\n"
	"error Failed (reason: string)\n";

static const char idl_service[] =
	"interface org.varlink.service\n"
	"method GetInfo() -> (vendor: string, product: string, version: string, url: string,\n"
	"  interfaces: []string)\n"
	"method GetInterfaceDescription(interface: string) -> (description: string)\n"
	"error InterfaceNotFound (interface: string)\n"
	"error MethodNotFound (method: string)\n"
	"error MethodNotImplemented (method: string)\n"
	"error InvalidParameter (parameter: string)\n"
	"error PermissionDenied ()\n"
	"error ExpectedMore ()\n";

static struct json_object *varlink_get_info(void)
{
	struct json_object *p = json_object_new_object(), *ifs = json_object_new_array();

	json_object_object_add(p, "vendor", json_object_new_string("bpfnic"));
	json_object_object_add(p, "product", json_object_new_string("bpfnicd"));
	json_object_object_add(p, "version", json_object_new_string(BPFNIC_VERSION));
	json_object_object_add(p, "url", json_object_new_string("man:bpfnicd(8)"));
	json_object_array_add(ifs, json_object_new_string("org.varlink.service"));
	json_object_array_add(ifs, json_object_new_string(BPFNIC_INTERFACE));
	json_object_object_add(p, "interfaces", ifs);
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *varlink_describe(struct json_object *params)
{
	struct json_object *v, *p;
	const char *name;

	if (!json_object_object_get_ex(params, "interface", &v) ||
	    !json_object_is_type(v, json_type_string))
		return bpfnic_vl_error_reason(BPFNIC_E_INVALID_PARAMETER, "interface",
					      "must be a string");
	name = json_object_get_string(v);
	p = json_object_new_object();
	if (strcmp(name, BPFNIC_INTERFACE) == 0)
		json_object_object_add(p, "description", json_object_new_string(idl_bpfnic));
	else if (strcmp(name, "org.varlink.service") == 0)
		json_object_object_add(p, "description", json_object_new_string(idl_service));
	else {
		json_object_object_add(p, "interface", json_object_new_string(name));
		return bpfnic_vl_error_new(BPFNIC_E_INTERFACE_NOT_FOUND, p);
	}
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *set_policy(struct bpfnicd *d, const struct bpfnicd_caller *who,
				      struct json_object *params)
{
	struct bpfnicd_policy next;
	const char *param = NULL;
	char why[200], by[64];
	struct json_object *p;
	int r;

	r = bpfnicd_policy_from_params(&d->policy, d->cfg.cpus.n, params, &next, &param, why,
				       sizeof(why));
	if (r < 0)
		return bpfnic_vl_error_reason(BPFNIC_E_INVALID_PARAMETER, param, "%s", why);
	snprintf(by, sizeof(by), "uid %u pid %d", (unsigned)who->uid, (int)who->pid);
	r = bpfnicd_apply_policy(d, &next, by);
	if (r < 0)
		return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "the data path refused: %s",
					      strerror(-r));
	p = json_object_new_object();
	json_object_object_add(p, "policy", bpfnicd_policy_to_json(&d->policy));
	json_object_object_add(p, "groups", groups_json(d));
	return bpfnic_vl_reply_new(p, false);
}

static struct json_object *reload(struct bpfnicd *d, const struct bpfnicd_caller *who)
{
	const char *names[8];
	unsigned n = 0;
	struct bpfnicd_config_errors errs;
	char by[64];
	struct json_object *p, *a;
	int r;

	snprintf(by, sizeof(by), "uid %u pid %d", (unsigned)who->uid, (int)who->pid);
	r = bpfnicd_reload(d, names, 8, &n, &errs, by);
	p = json_object_new_object();
	a = json_object_new_array();
	if (r < 0) {
		char reason[1024] = "";
		size_t off = 0;

		for (unsigned i = 0; i < errs.n; i++) {
			json_object_array_add(a, json_object_new_string(errs.msg[i]));
			if (off < sizeof(reason))
				off += (size_t)snprintf(reason + off, sizeof(reason) - off, "%s%s",
							i ? "; " : "", errs.msg[i]);
		}
		if (errs.n == 0)
			snprintf(reason, sizeof(reason), "%s", strerror(-r));
		json_object_object_add(p, "reason", json_object_new_string(reason));
		json_object_object_add(p, "errors", a);
		return bpfnic_vl_error_new(BPFNIC_E_RELOAD_FAILED, p);
	}
	for (unsigned i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	json_object_object_add(p, "restart_needed", a);
	return bpfnic_vl_reply_new(p, false);
}

struct json_object *bpfnicd_dispatch(void *userdata, const struct bpfnicd_caller *who,
				     const struct bpfnic_vl_call *call, bool *start_monitor)
{
	struct bpfnicd *d = userdata;
	const struct bpfnicd_method *m = bpfnicd_method_find(call->method);
	struct bpfnicd_window cum;
	const char *param;

	if (!m) {
		struct json_object *p = json_object_new_object();
		const char *dot = strrchr(call->method, '.');
		size_t iface_len = dot ? (size_t)(dot - call->method) : 0;

		/* varlink: a method of an interface we do not implement is InterfaceNotFound. */
		if (!(iface_len == strlen(BPFNIC_INTERFACE) &&
		      strncmp(call->method, BPFNIC_INTERFACE, iface_len) == 0) &&
		    !(iface_len == strlen("org.varlink.service") &&
		      strncmp(call->method, "org.varlink.service", iface_len) == 0)) {
			json_object_object_add(p, "interface",
					       json_object_new_string_len(call->method, (int)iface_len));
			json_object_object_add(p, "reason", json_object_new_string("no such interface"));
			return bpfnic_vl_error_new(BPFNIC_E_INTERFACE_NOT_FOUND, p);
		}
		json_object_object_add(p, "method", json_object_new_string(call->method));
		json_object_object_add(p, "reason", json_object_new_string("no such method"));
		return bpfnic_vl_error_new(BPFNIC_E_METHOD_NOT_FOUND, p);
	}
	if (bpfnicd_method_check_params(m, call->parameters, &param) < 0)
		return bpfnic_vl_error_reason(BPFNIC_E_INVALID_PARAMETER, param, "unknown parameter");
	if (m->needs_more && !call->more)
		return bpfnic_vl_error_reason(BPFNIC_E_EXPECTED_MORE, NULL,
					      "%s streams: call it with \"more\": true", m->name);
	if (m->admin) {
		char uid_field[40], pid_field[40];
		const char *fields[] = { uid_field, pid_field, NULL };

		snprintf(uid_field, sizeof(uid_field), "BPFNIC_CALLER_UID=%u", (unsigned)who->uid);
		snprintf(pid_field, sizeof(pid_field), "BPFNIC_CALLER_PID=%d", (int)who->pid);
		if (!who->admin) {
			const char *who_may = d->cfg.admin_group[0] ? d->cfg.admin_group : NULL;

			bpfnicd_log_struct(LOG_WARNING, 0, NULL, fields,
					   "refused %s from uid %u pid %d: needs root%s%s",
					   m->name, (unsigned)who->uid, (int)who->pid,
					   who_may ? " or group " : "", who_may ? who_may : "");
			return bpfnic_vl_error_reason(BPFNIC_E_PERMISSION_DENIED, NULL,
						      "%s needs root%s%s", m->name,
						      who_may ? " or membership in group " : "",
						      who_may ? who_may : "");
		}
		bpfnicd_log_struct(LOG_INFO, 0, NULL, fields, "%s called by uid %u pid %d", m->name,
				   (unsigned)who->uid, (int)who->pid);
	}

	switch (m->id) {
	case BPFNICD_M_VARLINK_GET_INFO:
		return varlink_get_info();
	case BPFNICD_M_VARLINK_GET_IFACE_DESC:
		return varlink_describe(call->parameters);
	case BPFNICD_M_GET_INFO:
		return get_info(d);
	case BPFNICD_M_GET_STATUS:
	case BPFNICD_M_GET_STATS:
		if (bpfnicd_read_totals(d, &cum) < 0)
			cum = d->win;
		if (m->id == BPFNICD_M_GET_STATUS)
			return get_status(d, &cum);
		return bpfnic_vl_reply_new(stats_json(d, &cum), false);
	case BPFNICD_M_SET_POLICY:
		return set_policy(d, who, call->parameters);
	case BPFNICD_M_RELOAD:
		return reload(d, who);
	case BPFNICD_M_MONITOR:
		*start_monitor = true;
		if (bpfnicd_read_totals(d, &cum) < 0)
			cum = d->win;
		return bpfnic_vl_reply_new(stats_json(d, &cum), true);
	}
	return bpfnic_vl_error_reason(BPFNIC_E_FAILED, NULL, "not implemented");
}
