/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd: owns the bpfnic data path for the lifetime of the service, runs the
 * dynamic core-group controller, and answers on the control socket.
 *
 * Lifecycle: parse flags, validate the whole config (exit 78 on any error), load and
 * attach the programs (the bpf_link dies with us: fail-open), open the control socket,
 * READY=1, then the sd-event loop until SIGTERM/SIGINT (detach, exit 0). SIGHUP and
 * the Reload method re-read the config. The tick (IntervalMs=) reads the statistics,
 * steps the controller, feeds Monitor subscribers and pings the watchdog.
 */
#include <errno.h>
#include <net/if.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "cpulist.h"
#include "protocol.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/request.h"
#include "clock.h"

#define EXIT_CONFIG 78 /* EX_CONFIG */
#define STATUS_EVERY_USEC (5ull * 1000000)
#define IFACE_CHECK_USEC  (1ull * 1000000)

/* snprintf into a fixed buffer where cutting a long message short is fine. */
static void __attribute__((format(printf, 3, 4))) format_into(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static struct bpfnic_settings dp_config(const struct bpfnicd_config *c, enum bpfnic_policy policy)
{
	return (struct bpfnic_settings){
		.port = (__u16)c->port,
		.policy = (__u8)policy,
		.service_ns = { (__u64)c->short_us * 1000, (__u64)c->long_us * 1000 },
		.max_service_ns = (__u64)c->max_us * 1000,
	};
}

static struct bpfnic_ctl_params ctl_params(const struct bpfnicd_policy *p)
{
	return (struct bpfnic_ctl_params){
		.threshold_us = p->threshold_us,
		.shrink_below_us = p->shrink_below_us,
		.min_cpus = p->min_cpus,
		.max_cpus = p->max_cpus,
		.cooldown_ms = p->cooldown_ms,
	};
}

/* The groups a policy wants: main (and long for split), from the candidates in order. */
static void groups_for(const struct bpfnicd *d, const struct bpfnicd_policy *p, unsigned dyn_size,
		       unsigned *main_cpus, unsigned *n_main, unsigned *long_cpus, unsigned *n_long)
{
	const struct bpfnicd_cpus *c = &d->cfg.cpus;

	*n_long = 0;
	switch (p->policy) {
	case BPFNIC_POLICY_SPLIT:
		*n_main = c->n - p->long_cpus;
		memcpy(main_cpus, c->cpu, *n_main * sizeof(unsigned));
		*n_long = p->long_cpus;
		memcpy(long_cpus, c->cpu + *n_main, *n_long * sizeof(unsigned));
		break;
	case BPFNIC_POLICY_DYNAMIC:
		*n_main = dyn_size;
		memcpy(main_cpus, c->cpu, *n_main * sizeof(unsigned));
		break;
	default:
		*n_main = c->n;
		memcpy(main_cpus, c->cpu, *n_main * sizeof(unsigned));
		break;
	}
}

static void update_status(struct bpfnicd *d, bool force)
{
	char s[256];
	uint64_t now = bpfnic_mono_usec();

	if (!force && now - d->status_usec < STATUS_EVERY_USEC)
		return;
	snprintf(s, sizeof(s), "STATUS=%s on %s: %s, %u/%u CPUs, in %.0f rps, out %.0f rps, "
		 "qdelay avg %.1f us p99 %.1f us", d->dp ? "attached" : "starting", d->cfg.interface,
		 bpfnic_policy_names[d->policy.policy], d->n_main + d->n_long, d->cfg.cpus.n,
		 d->win.in_rps, d->win.out_rps, d->win.qdelay_avg_us, d->win.qdelay_p99_us);
	d->status_usec = now;
	if (strcmp(s, d->status) != 0) {
		snprintf(d->status, sizeof(d->status), "%s", s);
		sd_notify(0, s);
	}
}

static bool policy_equal(const struct bpfnicd_policy *a, const struct bpfnicd_policy *b)
{
	return a->policy == b->policy && a->long_cpus == b->long_cpus &&
	       a->threshold_us == b->threshold_us && a->metric == b->metric &&
	       a->min_cpus == b->min_cpus && a->max_cpus == b->max_cpus &&
	       a->cooldown_ms == b->cooldown_ms && a->shrink_below_us == b->shrink_below_us &&
	       a->interval_ms == b->interval_ms;
}

int bpfnicd_apply_policy(struct bpfnicd *d, const struct bpfnicd_policy *p, const char *by)
{
	unsigned main_cpus[BPFNIC_MAX_CPUS], long_cpus[BPFNIC_MAX_CPUS], n_main, n_long, size;
	struct bpfnic_ctl_params cp = ctl_params(p);
	struct bpfnic_settings cfg = dp_config(&d->cfg, p->policy);
	bool was_dynamic = d->policy.policy == BPFNIC_POLICY_DYNAMIC;
	char fields[2][64];
	const char *fv[] = { fields[0], fields[1], NULL };
	int r;

	unsigned old_n_main = d->n_main;

	/* Entering dynamic: start from the group in use, within the bounds. */
	size = was_dynamic ? d->ctl.size : d->n_main;
	size = size < p->min_cpus ? p->min_cpus : size > p->max_cpus ? p->max_cpus : size;
	groups_for(d, p, size, main_cpus, &n_main, long_cpus, &n_long);

	/* Groups first, then the policy: every packet finds a filled group. */
	r = 0;
	if (p->policy == BPFNIC_POLICY_SPLIT) {
		r = bpfnic_dp_set_group(d->dp, BPFNIC_GROUP_LONG, long_cpus, n_long);
		if (r >= 0) {
			memcpy(d->long_cpus, long_cpus, n_long * sizeof(unsigned));
			d->n_long = n_long;
		}
	}
	if (r >= 0)
		r = bpfnic_dp_set_group(d->dp, BPFNIC_GROUP_MAIN, main_cpus, n_main);
	if (r >= 0) {
		memcpy(d->main_cpus, main_cpus, n_main * sizeof(unsigned));
		d->n_main = n_main;
		r = bpfnic_dp_set_settings(d->dp, &cfg);
	}
	if (r < 0)
		return log_error_errno(r, "cannot apply policy %s", bpfnic_policy_names[p->policy]);
	if (p->policy != BPFNIC_POLICY_SPLIT)
		d->n_long = 0; /* unused: the map keeps its old slots, status shows none */

	struct bpfnic_ctl_params old_cp = ctl_params(&d->policy);

	if (p->policy == BPFNIC_POLICY_DYNAMIC &&
	    (!was_dynamic || memcmp(&cp, &old_cp, sizeof(cp)) != 0))
		bpfnic_ctl_init(&d->ctl, &cp, n_main, bpfnic_mono_usec() / 1000);

	snprintf(fields[0], sizeof(fields[0]), "BPFNIC_POLICY=%s", bpfnic_policy_names[p->policy]);
	snprintf(fields[1], sizeof(fields[1]), "BPFNIC_BY=%s", by);
	if (policy_equal(p, &d->policy) && n_main == old_n_main)
		log_debug("policy %s unchanged, by %s", bpfnic_policy_names[p->policy], by);
	else if (p->policy == BPFNIC_POLICY_DYNAMIC)
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_POLICY_CHANGED, fv,
				   "policy dynamic (%s %u us, shrink below %u us, %u..%u CPUs, cooldown "
				   "%u ms, interval %u ms), group of %u, by %s",
				   bpfnic_metric_names[p->metric], p->threshold_us, p->shrink_below_us,
				   p->min_cpus, p->max_cpus, p->cooldown_ms, p->interval_ms, n_main, by);
	else if (p->policy == BPFNIC_POLICY_SPLIT)
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_POLICY_CHANGED, fv,
				   "policy split: %u short CPUs, %u long CPUs, by %s", n_main, n_long, by);
	else
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_POLICY_CHANGED, fv,
				   "policy rr over %u CPUs, by %s", n_main, by);

	if (d->tick && p->interval_ms != d->policy.interval_ms) {
		d->tick_next_usec = bpfnic_mono_usec() + (uint64_t)p->interval_ms * 1000;
		sd_event_source_set_time(d->tick, d->tick_next_usec);
	}
	d->policy = *p;
	update_status(d, true);
	return 0;
}

static void record_change(struct bpfnicd *d, bool grow, unsigned cpu, double metric,
			  const char *reason)
{
	struct bpfnicd_change *h = &d->history[d->history_next];
	char fields[3][64];
	const char *fv[] = { fields[0], fields[1], fields[2], NULL };

	*h = (struct bpfnicd_change){
		.time_usec = bpfnic_realtime_usec(), .grow = grow, .cpu = cpu,
		.group_size = d->n_main, .metric_us = metric,
	};
	snprintf(h->reason, sizeof(h->reason), "%s", reason);
	d->history_next = (d->history_next + 1) % BPFNICD_HISTORY;
	if (d->n_history < BPFNICD_HISTORY)
		d->n_history++;
	snprintf(fields[0], sizeof(fields[0]), "BPFNIC_CPU=%u", cpu);
	snprintf(fields[1], sizeof(fields[1]), "BPFNIC_POLICY=dynamic");
	snprintf(fields[2], sizeof(fields[2]), "BPFNIC_GROUP_SIZE=%u", d->n_main);
	bpfnicd_log_struct(LOG_INFO, 0, grow ? BPFNICD_MID_CORE_ADDED : BPFNICD_MID_CORE_REMOVED, fv,
			   "%s CPU %u, group of %u: %s", grow ? "added" : "removed", cpu, d->n_main,
			   reason);
}

static void controller_step(struct bpfnicd *d)
{
	struct bpfnic_ctl_params cp = ctl_params(&d->policy);
	double metric = d->policy.metric == BPFNIC_METRIC_P99 ? d->win.qdelay_p99_us :
								d->win.qdelay_avg_us;
	struct bpfnic_ctl_window w = {
		.now_ms = bpfnic_mono_usec() / 1000, .traffic = d->win.traffic,
		.metric_us = metric,
	};
	struct bpfnic_ctl_state before = d->ctl;
	enum bpfnic_ctl_action a;
	char reason[160];
	unsigned cpu;
	int r;

	a = bpfnic_ctl_step(&d->ctl, &cp, &w, reason, sizeof(reason));
	if (a == BPFNIC_CTL_HOLD)
		return;
	cpu = a == BPFNIC_CTL_GROW ? d->cfg.cpus.cpu[d->ctl.size - 1] : d->cfg.cpus.cpu[d->ctl.size];
	r = bpfnic_dp_set_group(d->dp, BPFNIC_GROUP_MAIN, d->cfg.cpus.cpu, d->ctl.size);
	if (r < 0) {
		log_error_errno(r, "cannot %s the core group", a == BPFNIC_CTL_GROW ? "grow" : "shrink");
		d->ctl = before;
		return;
	}
	memcpy(d->main_cpus, d->cfg.cpus.cpu, d->ctl.size * sizeof(unsigned));
	d->n_main = d->ctl.size;
	record_change(d, a == BPFNIC_CTL_GROW, cpu, metric, reason);
	update_status(d, true);
}

int bpfnicd_read_totals(struct bpfnicd *d, struct bpfnicd_window *w)
{
	struct bpfnic_dp_stats *scratch = &d->snap[d->cur ^ 1];
	int r;

	/* The older snapshot is free between ticks; the next tick overwrites it anyway. */
	if (!d->have_snap)
		scratch = &d->snap[d->cur];
	r = bpfnic_dp_read_stats(d->dp, scratch);
	if (r < 0)
		return r;
	bpfnicd_window_compute(scratch, NULL, d->cfg.cpus.cpu, d->cfg.cpus.n, 0, w);
	return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bpfnicd *d = userdata;
	uint64_t now = bpfnic_mono_usec();
	unsigned next = d->cur ^ 1;
	int r;

	(void)usec;
	r = bpfnic_dp_read_stats(d->dp, &d->snap[next]);
	if (r < 0) {
		if (!d->stats_warned)
			log_warning_errno(r, "cannot read the data path's statistics");
		d->stats_warned = true;
	} else {
		bpfnicd_window_compute(&d->snap[next], d->have_snap ? &d->snap[d->cur] : NULL,
				       d->cfg.cpus.cpu, d->cfg.cpus.n,
				       d->have_snap ? (double)(now - d->snap_usec) / 1000.0 : 0, &d->win);
		for (unsigned i = 0; i < d->win.n; i++)
			d->win.cpu[i].kthread_util = bpfnicd_kthread_util(&d->kthreads, d->win.cpu[i].cpu, now);
		d->cur = next;
		d->have_snap = true;
		d->snap_usec = now;
		if (d->policy.policy == BPFNIC_POLICY_DYNAMIC)
			controller_step(d);
		if (d->control && bpfnicd_control_n_monitors(d->control)) {
			struct json_object *o = bpfnicd_stats_json(d);

			bpfnicd_control_monitor_send(d->control, o);
			json_object_put(o);
		}
		update_status(d, false);
	}
	/* The program goes with its interface: without it there is nothing to steer. */
	if (now - d->iface_check_usec >= IFACE_CHECK_USEC) {
		char name[IF_NAMESIZE];

		d->iface_check_usec = now;
		if (!if_indextoname((unsigned)d->info.ifindex, name) ||
		    strcmp(name, d->cfg.interface) != 0) {
			log_error("interface %s (ifindex %d) is gone, and the data path with it: exiting",
				  d->cfg.interface, d->info.ifindex);
			sd_notify(0, "STOPPING=1\nSTATUS=interface gone");
			return sd_event_exit(d->event, -ENODEV);
		}
	}
	if (d->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");

	/* An absolute schedule: windows do not drift; after a stall, start afresh. */
	d->tick_next_usec += (uint64_t)d->policy.interval_ms * 1000;
	if (d->tick_next_usec <= now)
		d->tick_next_usec = now + (uint64_t)d->policy.interval_ms * 1000;
	sd_event_source_set_time(s, d->tick_next_usec);
	return 0;
}

static int read_cpusets(struct bpfnic_cpuset *present, struct bpfnic_cpuset *online)
{
	int r = bpfnic_cpuset_read("/sys/devices/system/cpu/present", present);

	if (r < 0)
		return log_error_errno(r, "cannot read /sys/devices/system/cpu/present");
	r = bpfnic_cpuset_read("/sys/devices/system/cpu/online", online);
	if (r < 0)
		return log_error_errno(r, "cannot read /sys/devices/system/cpu/online");
	return 0;
}

static void log_config_errors(const struct bpfnicd_config_errors *errs, const char *mid)
{
	for (unsigned i = 0; i < errs->n; i++)
		bpfnicd_log_struct(LOG_ERR, 0, mid, NULL, "%s", errs->msg[i]);
	if (errs->total > errs->n)
		bpfnicd_log_struct(LOG_ERR, 0, mid, NULL, "... and %u more errors",
				   errs->total - errs->n);
}

int bpfnicd_reload(struct bpfnicd *d, const char **names, unsigned max, unsigned *n,
		   struct bpfnicd_config_errors *errs, const char *by)
{
	struct bpfnic_cpuset present, online;
	struct bpfnicd_config next;
	const char *param;
	char why[200], msg[160];
	int r;

	*n = 0;
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s\nMONOTONIC_USEC=%llu", d->config_path,
		   (unsigned long long)bpfnic_mono_usec());
	d->status[0] = '\0'; /* STATUS= now says "reloading": send the summary again after */
	memset(errs, 0, sizeof(*errs));
	r = read_cpusets(&present, &online);
	if (r >= 0)
		r = bpfnicd_config_load(d->config_path, &present, &online, &next, errs);
	if (r >= 0) {
		/* Keys that need a restart keep their running values. */
		*n = bpfnicd_config_restart_needed(&d->cfg, &next, names, max);
		snprintf(next.interface, sizeof(next.interface), "%s", d->cfg.interface);
		next.xdp_mode = d->cfg.xdp_mode;
		next.cpus = d->cfg.cpus;
		next.queue_size = d->cfg.queue_size;
		snprintf(next.control_socket, sizeof(next.control_socket), "%s", d->cfg.control_socket);
		if (next.policy.max_cpus > next.cpus.n)
			next.policy.max_cpus = next.cpus.n;
		if (bpfnicd_policy_check(&next.policy, next.cpus.n, &param, why, sizeof(why)) < 0) {
			format_into(errs->msg[0], sizeof(errs->msg[0]), "%s: %s: %s (with the running Cpus=, "
				 "which changes only with a restart)", d->config_path, param, why);
			errs->n = errs->total = 1;
			r = -EINVAL;
		}
	}
	if (r < 0) {
		if (errs->n == 0) {
			format_into(errs->msg[0], sizeof(errs->msg[0]), "%s: %s", d->config_path, strerror(-r));
			errs->n = errs->total = 1;
		}
		bpfnicd_log_struct(LOG_ERR, 0, BPFNICD_MID_RELOAD_FAILED, NULL,
				   "reload requested by %s failed, keeping the running configuration:",
				   by);
		log_config_errors(errs, BPFNICD_MID_RELOAD_FAILED);
		sd_notify(0, "READY=1");
		update_status(d, true);
		return r;
	}

	{
		struct bpfnicd_config old = d->cfg;

		d->cfg = next;
		r = bpfnicd_apply_policy(d, &next.policy, by);
		if (r < 0) {
			d->cfg = old;
			format_into(errs->msg[0], sizeof(errs->msg[0]), "%s: the data path refused the new "
				 "settings: %s", d->config_path, strerror(-r));
			errs->n = errs->total = 1;
			bpfnicd_log_struct(LOG_ERR, 0, BPFNICD_MID_RELOAD_FAILED, NULL, "%s", errs->msg[0]);
			sd_notify(0, "READY=1");
			return r;
		}
		if (strcmp(old.admin_group, next.admin_group) != 0 ||
		    strcmp(old.socket_group, next.socket_group) != 0 || old.socket_mode != next.socket_mode)
			bpfnicd_control_set_access(d->control, next.socket_group, next.admin_group,
						   next.socket_mode);
	}
	msg[0] = '\0';
	for (unsigned i = 0; i < *n; i++) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, "%s%s=", i ? ", " : "", names[i]);
	}
	if (*n)
		log_warning("reloaded %s; changes to %s take effect only after a restart",
			    d->config_path, msg);
	else
		log_info("reloaded %s (requested by %s)", d->config_path, by);
	sd_notify(0, "READY=1");
	update_status(d, true);
	return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct bpfnicd *d = userdata;

	(void)s;
	if (si->ssi_signo == SIGHUP) {
		const char *names[8];
		unsigned n;
		struct bpfnicd_config_errors errs;

		bpfnicd_reload(d, names, 8, &n, &errs, "SIGHUP");
		return 0;
	}
	log_info("received %s, detaching", strsignal((int)si->ssi_signo));
	sd_notify(0, "STOPPING=1\nSTATUS=detaching");
	return sd_event_exit(d->event, 0);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfnicd [OPTIONS]\n"
		"Receive-side scaling in eBPF: owns the XDP scheduler and cpumap workers on an\n"
		"interface, grows and shrinks the worker core group, answers bpfnicctl.\n\n"
		"  -c, --config FILE        configuration (default %s)\n"
		"      --check-config       validate the configuration and exit (0 valid, 78 not)\n"
		"      --log-target TARGET  auto, journal or stderr (default auto)\n"
		"      --log-level LEVEL    emerg..debug or 0..7 (default info)\n"
		"      --version            print the version and exit\n"
		"  -h, --help               this help\n", BPFNIC_DEFAULT_CONFIG);
}

static int run(struct bpfnicd *d)
{
	struct bpfnic_dp_opts opts = { 0 };
	unsigned main_cpus[BPFNIC_MAX_CPUS], long_cpus[BPFNIC_MAX_CPUS], n_main, n_long;
	struct bpfnic_ctl_params cp = ctl_params(&d->cfg.policy);
	char cpus_text[256], fields[2][300];
	const char *fv[] = { fields[0], fields[1], NULL };
	sigset_t mask;
	int r;

	d->policy = d->cfg.policy;
	d->start_usec = bpfnic_mono_usec();
	bpfnicd_log_set_iface(d->cfg.interface);

	r = sd_event_default(&d->event);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	static const struct { int sig; const char *name; } signals[] = {
		{ SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" }, { SIGHUP, "SIGHUP" },
	};

	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		r = sd_event_add_signal(d->event, NULL, signals[i].sig, on_signal, d);
		if (r < 0)
			return log_error_errno(r, "cannot watch %s", signals[i].name);
	}

	/* The data path, with the start policy's groups in place before the attach. */
	bpfnic_ctl_init(&d->ctl, &cp, d->cfg.policy.min_cpus, d->start_usec / 1000);
	groups_for(d, &d->policy, d->ctl.size, main_cpus, &n_main, long_cpus, &n_long);
	opts.ifname = d->cfg.interface;
	opts.xdp_mode = d->cfg.xdp_mode;
	opts.cpus = d->cfg.cpus.cpu;
	opts.n_cpus = d->cfg.cpus.n;
	opts.queue_size = d->cfg.queue_size;
	opts.settings = dp_config(&d->cfg, d->policy.policy);
	opts.main_cpus = main_cpus;
	opts.n_main = n_main;
	opts.long_cpus = long_cpus;
	opts.n_long = n_long;
	bpfnicd_log_route_libbpf();
	r = bpfnic_dp_open(&opts, &d->dp);
	if (r < 0)
		return log_error_errno(r, "cannot attach to %s", d->cfg.interface);
	memcpy(d->main_cpus, main_cpus, n_main * sizeof(unsigned));
	d->n_main = n_main;
	memcpy(d->long_cpus, long_cpus, n_long * sizeof(unsigned));
	d->n_long = n_long;
	r = bpfnic_dp_info(d->dp, &d->info);
	if (r < 0)
		log_warning_errno(r, "cannot query the attachment");
	bpfnicd_kthreads_init(&d->kthreads, d->info.cpumap_id);
	r = bpfnic_dp_stats_alloc(&d->snap[0]);
	if (r >= 0)
		r = bpfnic_dp_stats_alloc(&d->snap[1]);
	if (r < 0)
		return log_error_errno(r, "cannot allocate the statistics");

	bpfnic_cpulist_format(d->cfg.cpus.cpu, d->cfg.cpus.n, cpus_text, sizeof(cpus_text));
	snprintf(fields[0], sizeof(fields[0]), "BPFNIC_POLICY=%s", bpfnic_policy_names[d->policy.policy]);
	snprintf(fields[1], sizeof(fields[1]), "BPFNIC_CPUS=%s", cpus_text);
	bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_ATTACHED, fv,
			   "attached to %s (ifindex %d, %s mode), port %u, CPUs %s, policy %s over %u CPUs",
			   d->cfg.interface, d->info.ifindex, d->info.mode == BPFNIC_XDP_GENERIC ?
			   "generic" : "native", d->cfg.port, cpus_text,
			   bpfnic_policy_names[d->policy.policy], n_main + n_long);

	r = bpfnicd_control_new(d->event, d->cfg.control_socket, d->cfg.socket_mode,
				d->cfg.socket_group, d->cfg.admin_group, bpfnicd_dispatch, d,
				&d->control);
	if (r < 0)
		return log_error_errno(r, "cannot open the control socket %s", d->cfg.control_socket);

	if (sd_watchdog_enabled(0, &d->watchdog_usec) <= 0)
		d->watchdog_usec = 0;
	if (d->watchdog_usec && (uint64_t)d->policy.interval_ms * 1000 > d->watchdog_usec / 2)
		log_warning("IntervalMs=%u is more than half of the watchdog timeout (%llu ms): "
			    "the watchdog may fire", d->policy.interval_ms,
			    (unsigned long long)(d->watchdog_usec / 1000));
	d->tick_next_usec = d->start_usec + (uint64_t)d->policy.interval_ms * 1000;
	r = sd_event_add_time(d->event, &d->tick, CLOCK_MONOTONIC, d->tick_next_usec, 0, on_tick, d);
	if (r < 0)
		return log_error_errno(r, "cannot arm the tick");
	sd_event_source_set_enabled(d->tick, SD_EVENT_ON);
	/* A first reading, so the first window starts now rather than at attach. */
	if (bpfnic_dp_read_stats(d->dp, &d->snap[0]) >= 0) {
		d->have_snap = true;
		d->snap_usec = bpfnic_mono_usec();
	}

	update_status(d, true);
	sd_notify(0, "READY=1");
	r = sd_event_loop(d->event);
	if (r == -ENODEV) /* the interface went away: already said */
		return r;
	return r < 0 ? log_error_errno(r, "event loop failed") : 0;
}

static void cleanup(struct bpfnicd *d)
{
	bpfnicd_control_free(d->control);
	d->control = NULL;
	sd_event_source_disable_unref(d->tick);
	if (d->dp) {
		bpfnic_dp_close(d->dp);
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_DETACHED, NULL, "detached from %s",
				   d->cfg.interface);
	}
	bpfnic_dp_stats_free(&d->snap[0]);
	bpfnic_dp_stats_free(&d->snap[1]);
	sd_event_unref(d->event);
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 0x100, OPT_LOG_TARGET, OPT_LOG_LEVEL, OPT_VERSION };
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "log-target", required_argument, NULL, OPT_LOG_TARGET },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct bpfnicd d; /* large (statistics of every CPU): not on the stack */
	enum bpfnicd_log_target target = BPFNICD_LOG_AUTO;
	struct bpfnic_cpuset present, online;
	struct bpfnicd_config_errors errs;
	bool check_only = false;
	int level = LOG_INFO, c, r;

	d.config_path = BPFNIC_DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case OPT_CHECK:
			check_only = true;
			break;
		case OPT_LOG_TARGET:
			if (bpfnicd_log_target_from_string(optarg, &target) < 0) {
				fprintf(stderr, "bpfnicd: --log-target must be auto, journal or stderr\n");
				return 2;
			}
			break;
		case OPT_LOG_LEVEL:
			if (bpfnicd_log_level_from_string(optarg, &level) < 0) {
				fprintf(stderr, "bpfnicd: --log-level must be emerg, alert, crit, err, "
					"warning, notice, info, debug or 0-7\n");
				return 2;
			}
			break;
		case OPT_VERSION:
			printf("bpfnicd %s\n", BPFNIC_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bpfnicd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* --check-config talks to whoever runs it: stderr, unless told otherwise. */
	bpfnicd_log_open(check_only && target == BPFNICD_LOG_AUTO ? BPFNICD_LOG_STDERR : target, level);

	if (read_cpusets(&present, &online) < 0)
		return 1;
	r = bpfnicd_config_load(d.config_path, &present, &online, &d.cfg, &errs);
	if (r < 0) {
		log_config_errors(&errs, NULL);
		if (!check_only)
			log_error("refusing to start: fix %s (bpfnicd --check-config shows every problem)",
				  d.config_path);
		return EXIT_CONFIG;
	}
	if (check_only) {
		printf("%s: valid\n", d.config_path);
		return 0;
	}

	r = run(&d);
	cleanup(&d);
	return r < 0 ? 1 : 0;
}
