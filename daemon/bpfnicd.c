/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd: owns the bpfnic data path for the lifetime of the service. This file is
 * its lifecycle only: the command line, start and stop, signals, sd_notify and the
 * watchdog, and the tick. What the daemon does lives in its modules: the running
 * configuration and its reload (runconf), the policy, its groups and the scaler
 * (policy), the statistics (sampler, stats) and their history (history), the worker
 * threads' class (workers), the control socket (control) and its methods (methods).
 *
 * Start: parse flags, validate the whole config (exit 78 on any error), load and
 * attach the programs, or take over the running ones the service manager kept for us
 * (daemon/handover.h), hand them to its fd store, open the control socket, READY=1,
 * then the sd-event loop until SIGTERM/SIGINT (exit 0: the bpf_link goes with our
 * fds unless the service manager holds it: fail-open on a stop). SIGHUP and
 * the Reload method re-read the config. The tick (IntervalMs=) closes a statistics
 * window, keeps it in the history, steps the scaler, feeds Monitor subscribers and
 * pings the watchdog.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "clock.h"
#include "cpulist.h"
#include "daemon/handover.h"
#include "daemon/httpd.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "daemon/metrics.h"
#include "daemon/nic.h"
#include "datapath/netdev.h"
#include "datapath/support.h"

#define EXIT_CONFIG 78 /* EX_CONFIG */
#define STATUS_EVERY_USEC (5ull * 1000000)
#define IFACE_CHECK_USEC  (1ull * 1000000)
/* How late sd-event may fire the tick. Its default (accuracy 0) is 250 ms, which made
 * every window 250 ms long whatever IntervalMs= said. */
#define TICK_ACCURACY_USEC 1000ull

struct bpfnicd {
	const char *config_path;
	sd_event *event;
	struct bpfnicd_runconf *conf;
	struct bpfnicd_policy *policy;
	struct bpfnic_dp *dp;
	struct bpfnic_dp_info info;
	bool handed_over;               /* the service manager holds the data path too */
	/* The data path's fds the service manager passed: open until every module took its
	 * own fds (the metrics endpoint reads LISTEN_FDS, which touches every one of them). */
	struct bpfnic_dp_handover received;
	struct bpfnicd_nic *nic;
	struct bpfnicd_sampler *sampler;
	struct bpfnicd_workers *workers;
	struct bpfnicd_history *history;
	struct bpfnicd_methods *methods;
	struct bpfnicd_control *control;
	struct bpfnicd_httpd *httpd;    /* NULL: no metrics endpoint */
	sd_event_source *tick;
	uint64_t start_usec;
	uint64_t tick_next_usec;
	unsigned tick_ms;               /* the interval the tick runs at */
	bool stats_warned;
	uint64_t watchdog_usec;         /* 0: no watchdog */
	uint64_t status_usec;
	uint64_t iface_check_usec;      /* last check of the interface and the CPUs */
	bool cpu_offline[BPFNIC_MAX_CPUS]; /* candidates the kernel took offline (logged) */
	unsigned seen_policy, seen_conf; /* generations the status line was sent for */
	char status[256];
};

static const struct bpfnicd_config *config(const struct bpfnicd *d)
{
	return bpfnicd_runconf_get(d->conf);
}

static unsigned interval_ms(const struct bpfnicd *d)
{
	return bpfnicd_policy_params(d->policy)->interval_ms;
}

/* ---- sd_notify ----------------------------------------------------------------------- */

static void update_status(struct bpfnicd *d, bool force)
{
	const struct bpfnicd_window *w = bpfnicd_sampler_window(d->sampler);
	uint64_t now = bpfnic_mono_usec();
	unsigned n_main, n_long;
	char s[256];

	if (!force && now - d->status_usec < STATUS_EVERY_USEC)
		return;
	bpfnicd_policy_group(d->policy, BPFNIC_GROUP_MAIN, &n_main);
	bpfnicd_policy_group(d->policy, BPFNIC_GROUP_LONG, &n_long);
	snprintf(s, sizeof(s), "STATUS=attached on %s: %s, %u/%u CPUs, in %.0f rps, out %.0f rps, "
		 "qdelay avg %.1f us p99 %.1f us", config(d)->interface,
		 bpfnic_policy_name(bpfnicd_policy_params(d->policy)->policy), n_main + n_long,
		 config(d)->cpus.n, w->in_rps, w->out_rps, w->qdelay_avg_us, w->qdelay_p99_us);
	d->status_usec = now;
	if (strcmp(s, d->status) != 0) {
		snprintf(d->status, sizeof(d->status), "%s", s);
		sd_notify(0, s);
	}
}

/* ---- the tick ------------------------------------------------------------------------- */

static void arm_tick(struct bpfnicd *d, uint64_t from_usec)
{
	d->tick_ms = interval_ms(d);
	d->tick_next_usec = from_usec + (uint64_t)d->tick_ms * 1000;
	sd_event_source_set_time(d->tick, d->tick_next_usec);
}

/* After a call or a signal: a changed policy or a reload shows in status at once. */
static void after_change(struct bpfnicd *d)
{
	unsigned policy_gen = bpfnicd_policy_generation(d->policy);
	unsigned conf_gen = bpfnicd_runconf_generation(d->conf);

	if (policy_gen == d->seen_policy && conf_gen == d->seen_conf)
		return;
	if (conf_gen != d->seen_conf)
		d->status[0] = '\0'; /* a reload sent STATUS=reloading: send the summary again */
	d->seen_policy = policy_gen;
	d->seen_conf = conf_gen;
	if (interval_ms(d) != d->tick_ms)
		arm_tick(d, bpfnic_mono_usec());
	update_status(d, true);
}

/*
 * A candidate CPU the kernel takes offline keeps its cpumap entry: the kernel moves the
 * CPU's cpumap thread to another CPU, and nothing is lost (its requests are served,
 * and counted, where the thread runs). The groups stay as they are. The kernel does
 * not bind the thread back when the CPU returns: a new entry gives the CPU a thread of
 * its own again. The change is worth a line each way.
 */
static void check_cpus_online(struct bpfnicd *d)
{
	const struct bpfnicd_config *c = config(d);
	struct bpfnic_cpuset online;
	int r;

	if (bpfnic_cpuset_read(BPFNIC_CPUS_ONLINE_PATH, &online) < 0)
		return;
	for (unsigned i = 0; i < c->cpus.n; i++) {
		unsigned cpu = c->cpus.cpu[i];
		bool off = !online.has[cpu];

		if (off == d->cpu_offline[cpu])
			continue;
		d->cpu_offline[cpu] = off;
		if (off) {
			log_warning("CPU %u went offline: its cpumap thread runs on another CPU until it "
				    "is back; its requests are still served", cpu);
			continue;
		}
		r = bpfnic_dp_restart_cpu(d->dp, cpu);
		if (r < 0)
			log_warning_errno(r, "CPU %u is online again, but its cpumap thread stays where "
					  "the kernel moved it", cpu);
		else
			log_notice("CPU %u is online again: its cpumap thread restarted on it", cpu);
	}
}

/* The program goes with its interface: without it there is nothing to steer. What it
 * can do may change too (a veth's ndo-xmit follows its peer). */
static int check_interface(struct bpfnicd *d, uint64_t now)
{
	char name[IF_NAMESIZE];
	__u64 features = 0;
	int r;

	if (now - d->iface_check_usec < IFACE_CHECK_USEC)
		return 0;
	d->iface_check_usec = now;
	check_cpus_online(d);
	if (if_indextoname((unsigned)d->info.ifindex, name) &&
	    strcmp(name, config(d)->interface) == 0) {
		r = bpfnic_netdev_xdp_features(d->info.ifindex, &features);
		bpfnicd_nic_features(d->nic, r, features);
		return 0;
	}
	log_error("interface %s (ifindex %d) is gone, and the data path with it: exiting",
		  config(d)->interface, d->info.ifindex);
	sd_notify(0, "STOPPING=1\nSTATUS=interface gone");
	return -ENODEV;
}

/* The window just closed, with the groups that served it, before the scaler acts. */
static void keep_window(struct bpfnicd *d)
{
	const struct bpfnicd_window *w = bpfnicd_sampler_window(d->sampler);
	int group[BPFNIC_MAX_CPUS];

	bpfnicd_policy_cpu_groups(d->policy, config(d)->cpus.cpu, config(d)->cpus.n, group);
	bpfnicd_history_add_window(d->history, bpfnic_realtime_usec(), w,
				   bpfnicd_policy_params(d->policy)->policy, group);
}

static void close_window(struct bpfnicd *d, uint64_t now)
{
	int r = bpfnicd_sampler_tick(d->sampler, now);

	if (r < 0) {
		if (!d->stats_warned)
			log_warning_errno(r, "cannot read the data path's statistics");
		d->stats_warned = true;
		return;
	}
	keep_window(d);
	bpfnicd_policy_tick(d->policy, bpfnicd_sampler_window(d->sampler), now / 1000);
	bpfnicd_nic_window(d->nic, bpfnicd_sampler_window(d->sampler), now);
	if (bpfnicd_control_n_monitors(d->control)) {
		struct json_object *o = bpfnicd_methods_monitor_sample(d->methods);

		bpfnicd_control_monitor_send(d->control, o);
		json_object_put(o);
	}
	after_change(d);
	update_status(d, false);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bpfnicd *d = userdata;
	uint64_t now = bpfnic_mono_usec();
	int r;

	(void)s, (void)usec;
	close_window(d, now);
	bpfnicd_workers_tick(d->workers, now);
	r = check_interface(d, now);
	if (r < 0)
		return sd_event_exit(d->event, r);
	if (d->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");
	/* An absolute schedule: windows do not drift; after a stall, start afresh. */
	if (d->tick_next_usec + (uint64_t)d->tick_ms * 1000 <= now)
		arm_tick(d, now);
	else
		arm_tick(d, d->tick_next_usec);
	return 0;
}

/* ---- calls and signals ------------------------------------------------------------------- */

static struct json_object *on_call(void *userdata, const struct bpfnicd_caller *who,
				   const struct bpfnic_vl_call *call, bool *start_monitor)
{
	struct bpfnicd *d = userdata;
	struct json_object *reply = bpfnicd_methods_dispatch(d->methods, who, call, start_monitor);

	after_change(d);
	return reply;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct bpfnicd *d = userdata;

	(void)s;
	if (si->ssi_signo == SIGHUP) {
		struct bpfnicd_reload_result *res = malloc(sizeof(*res));

		if (res)
			bpfnicd_reload(d->conf, "SIGHUP", res);
		else
			log_error("SIGHUP: cannot reload: out of memory");
		free(res);
		after_change(d);
		return 0;
	}
	log_info("received %s, %s", strsignal((int)si->ssi_signo),
		 d->handed_over ? "exiting" : "detaching");
	sd_notify(0, d->handed_over ? "STOPPING=1\nSTATUS=exiting" : "STOPPING=1\nSTATUS=detaching");
	return sd_event_exit(d->event, 0);
}

static int watch_signals(struct bpfnicd *d)
{
	static const struct { int sig; const char *name; } signals[] = {
		{ SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" }, { SIGHUP, "SIGHUP" },
	};
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&mask, signals[i].sig);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		r = sd_event_add_signal(d->event, NULL, signals[i].sig, on_signal, d);
		if (r < 0)
			return log_error_errno(r, "cannot watch %s", signals[i].name);
	}
	return 0;
}

/* ---- start and stop ------------------------------------------------------------------------ */

/*
 * What this kernel and libbpf lack of what the data path uses: the required ones stop
 * the start with one message naming them all; the others are said once.
 */
static int check_support(void)
{
	struct bpfnic_support sup;
	char missing[1024];

	bpfnic_support_probe(&sup);
	if (bpfnic_support_missing(&sup, missing, sizeof(missing))) {
		log_error("%s", missing);
		return -EOPNOTSUPP;
	}
	for (unsigned i = 0; i < BPFNIC_NR_FEATURES; i++)
		if (!sup.have[i])
			log_notice("this kernel lacks %s (Linux %s): %s", bpfnic_features[i].name,
				   bpfnic_features[i].since, bpfnic_features[i].without);
	return 0;
}

/* The data path, with the start policy's groups in place before the attach. */
static int start_data_path(struct bpfnicd *d)
{
	const struct bpfnicd_config *c = config(d);
	char why[1024] = "";
	struct bpfnic_dp_opts opts = {
		.ifname = c->interface, .xdp_mode = c->xdp_mode, .cpus = c->cpus.cpu,
		.n_cpus = c->cpus.n, .queue_size = c->queue_size, .addrs = c->addrs.a,
		.n_addrs = c->addrs.n, .why = why, .why_size = sizeof(why),
	};
	struct bpfnic_dp_handover *received = &d->received, now;
	struct bpfnic_dp_adopted adopted;
	struct bpfnic_netdev *nd;
	char cpus[256], fields[2][300];
	const char *fv[] = { fields[0], fields[1], NULL };
	unsigned n;
	int r;

	r = check_support();
	if (r < 0)
		return r;
	d->policy = bpfnicd_policy_new(c, d->start_usec / 1000, d->history);
	if (!d->policy)
		return log_error_errno(-ENOMEM, "cannot set up the policy");
	bpfnicd_policy_dp_opts(d->policy, &opts);
	bpfnicd_log_route_libbpf();
	r = bpfnicd_handover_receive(received);
	if (r < 0)
		log_warning_errno(r, "cannot read the fds the service manager passed");
	opts.adopt = received->n ? received : NULL;
	opts.adopted = &adopted;
	r = bpfnic_dp_open(&opts, &d->dp);
	if (r < 0 && why[0])
		return log_error_errno(r, "cannot attach to %s: %s", c->interface, why);
	if (r < 0)
		return log_error_errno(r, "cannot attach to %s", c->interface);
	bpfnicd_policy_attach(d->policy, d->dp);
	r = bpfnic_dp_info(d->dp, &d->info);
	if (r < 0)
		log_warning_errno(r, "cannot query the attachment");
	r = bpfnic_dp_handover(d->dp, &now);
	if (r >= 0)
		r = bpfnicd_handover_store(&now, received);
	if (r < 0)
		log_warning_errno(r, "cannot hand the data path to the service manager: a restart "
				  "will attach afresh");
	d->handed_over = r > 0;

	bpfnic_cpulist_format(c->cpus.cpu, c->cpus.n, cpus, sizeof(cpus));
	snprintf(fields[0], sizeof(fields[0]), "BPFNIC_POLICY=%s", bpfnic_policy_name(c->policy.policy));
	snprintf(fields[1], sizeof(fields[1]), "BPFNIC_CPUS=%s", cpus);
	bpfnicd_policy_group(d->policy, BPFNIC_GROUP_MAIN, &n);
	/* What the running data path offered and could not be taken: a fall-back. */
	if (adopted.why_not[0])
		log_warning("the running data path on %s: %s", c->interface, adopted.why_not);
	if (adopted.link)
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_TAKEN_OVER, fv,
				   "took over the running data path on %s (ifindex %d, %s mode): program "
				   "replaced in place, %s, %s; port %u, CPUs %s, policy %s over %u CPUs",
				   c->interface, d->info.ifindex,
				   d->info.mode == BPFNIC_XDP_GENERIC ? "generic" : "native",
				   adopted.maps ? "maps and counters kept" : "new maps",
				   adopted.workers ? "worker threads kept" : "workers replaced", c->port,
				   cpus, bpfnic_policy_name(c->policy.policy), n + opts.n_long);
	else
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_ATTACHED, fv,
				   "attached to %s (ifindex %d, %s mode), port %u, CPUs %s, policy %s over "
				   "%u CPUs", c->interface, d->info.ifindex,
				   d->info.mode == BPFNIC_XDP_GENERIC ? "generic" : "native", c->port,
				   cpus, bpfnic_policy_name(c->policy.policy), n + opts.n_long);

	/* What the interface can do, for status, and what needs an operator's eye. */
	nd = malloc(sizeof(*nd));
	r = nd ? bpfnic_netdev_read(c->interface, nd) : -ENOMEM;
	if (r >= 0)
		d->nic = bpfnicd_nic_new(c->interface, nd, &c->cpus, &d->info);
	free(nd);
	if (r < 0)
		return log_error_errno(r, "cannot read what %s can do", c->interface);
	return d->nic ? 0 : log_error_errno(-ENOMEM, "cannot keep what %s can do", c->interface);
}

static int start_control(struct bpfnicd *d)
{
	const struct bpfnicd_config *c = config(d);
	struct bpfnicd_methods_deps deps = {
		.conf = d->conf, .policy = d->policy, .sampler = d->sampler, .history = d->history,
		.workers = d->workers, .info = d->info, .nic = d->nic, .start_usec = d->start_usec,
	};
	int r;

	r = bpfnicd_methods_new(&deps, &d->methods);
	if (r < 0)
		return log_error_errno(r, "cannot set up the control methods");
	r = bpfnicd_control_new(d->event, c->control_socket, c->socket_mode, c->socket_group,
				c->admin_group, on_call, d, &d->control);
	if (r < 0)
		return log_error_errno(r, "cannot open the control socket %s", c->control_socket);
	bpfnicd_runconf_bind(d->conf, d->policy, d->control);
	bpfnicd_runconf_bind_workers(d->conf, d->workers);
	return 0;
}

static int render_metrics(void *userdata, char **body, size_t *len)
{
	struct bpfnicd *d = userdata;

	return bpfnicd_metrics_page(d->sampler, config(d), d->policy, body, len);
}

static int start_tick(struct bpfnicd *d)
{
	int r;

	if (sd_watchdog_enabled(0, &d->watchdog_usec) <= 0)
		d->watchdog_usec = 0;
	if (d->watchdog_usec && (uint64_t)interval_ms(d) * 1000 > d->watchdog_usec / 2)
		log_warning("IntervalMs=%u is more than half of the watchdog timeout (%llu ms): "
			    "the watchdog may fire", interval_ms(d),
			    (unsigned long long)(d->watchdog_usec / 1000));
	r = sd_event_add_time(d->event, &d->tick, CLOCK_MONOTONIC, UINT64_MAX, TICK_ACCURACY_USEC,
			      on_tick, d);
	if (r < 0)
		return log_error_errno(r, "cannot arm the tick");
	arm_tick(d, d->start_usec);
	return sd_event_source_set_enabled(d->tick, SD_EVENT_ON);
}

/* The rings of windows and changes, whole from the start: their memory is fixed. */
static int start_history(struct bpfnicd *d)
{
	const struct bpfnicd_config *c = config(d);
	int r = bpfnicd_history_new(&c->cpus, c->history_windows, c->history_changes, &d->history);

	if (r < 0)
		return log_error_errno(r, "cannot set up the history (HistoryWindows=%u, "
				       "HistoryChanges=%u)", c->history_windows, c->history_changes);
	log_debug("history: %u windows (%zu KiB), %u changes (%zu KiB)", c->history_windows,
		  (size_t)c->history_windows * BPFNICD_HISTORY_WINDOW_BYTES(c->cpus.n) / 1024,
		  c->history_changes, (size_t)c->history_changes * BPFNICD_HISTORY_CHANGE_BYTES / 1024);
	return 0;
}

static int run(struct bpfnicd *d)
{
	int r;

	d->start_usec = bpfnic_mono_usec();
	bpfnicd_log_set_iface(config(d)->interface);
	r = sd_event_default(&d->event);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	r = watch_signals(d);
	if (r >= 0)
		r = start_history(d);
	if (r >= 0)
		r = start_data_path(d);
	if (r >= 0) {
		r = bpfnicd_sampler_new(d->dp, &config(d)->cpus, d->info.cpumap_id, bpfnic_mono_usec(),
					&d->sampler);
		if (r < 0)
			log_error_errno(r, "cannot set up the statistics");
	}
	if (r >= 0) {
		r = bpfnicd_workers_new(bpfnicd_sampler_kthreads(d->sampler), &config(d)->cpus,
					&config(d)->worker_sched, bpfnic_mono_usec(), &d->workers);
		if (r < 0)
			log_error_errno(r, "cannot set up the worker threads");
	}
	if (r >= 0)
		r = start_control(d);
	if (r >= 0)
		r = start_tick(d);
	if (r < 0)
		return r;
	bpfnicd_httpd_start(d->event, &config(d)->metrics_listen, BPFNICD_METRICS_CONTENT_TYPE,
			    render_metrics, d, &d->httpd);
	bpfnicd_handover_close(&d->received); /* every passed fd is taken: ours are kept */
	update_status(d, true);
	sd_notify(0, "READY=1");
	r = sd_event_loop(d->event);
	if (r == -ENODEV) /* the interface went away: already said */
		return r;
	return r < 0 ? log_error_errno(r, "event loop failed") : 0;
}

/* First what clients reach, so that no request comes in while the rest goes. */
static void stop_serving(struct bpfnicd *d)
{
	bpfnicd_handover_close(&d->received);
	bpfnicd_httpd_free(d->httpd);
	bpfnicd_control_free(d->control);
	bpfnicd_methods_free(d->methods);
}

/* Then the windows that read the data path, and the data path. */
static void stop_data_path(struct bpfnicd *d)
{
	sd_event_source_disable_unref(d->tick);
	bpfnicd_workers_free(d->workers);
	bpfnicd_sampler_free(d->sampler);
	if (!d->dp)
		return;
	bpfnic_dp_close(d->dp);
	if (d->handed_over)
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_LEFT_RUNNING, NULL,
				   "left the data path on %s to the service manager: a restart "
				   "takes it over, a stop detaches it", config(d)->interface);
	else
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_DETACHED, NULL, "detached from %s",
				   config(d)->interface);
}

static void cleanup(struct bpfnicd *d)
{
	stop_serving(d);
	stop_data_path(d);
	bpfnicd_policy_free(d->policy);
	bpfnicd_nic_free(d->nic);
	bpfnicd_history_free(d->history);
	bpfnicd_runconf_free(d->conf);
	sd_event_unref(d->event);
}

/* ---- the command line -------------------------------------------------------------------- */

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

static int usage_error(const char *what)
{
	fprintf(stderr, "bpfnicd: %s\n", what);
	return 2;
}

struct options {
	const char *config_path;
	bool check_only;
	enum bpfnicd_log_target target;
	int level;
};

/* -1: go on; otherwise the exit status (help, version, usage errors). */
static int parse_args(int argc, char **argv, struct options *o)
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
	int c;

	*o = (struct options){ BPFNIC_DEFAULT_CONFIG, false, BPFNICD_LOG_AUTO, LOG_INFO };
	while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0) {
		if (c == 'c')
			o->config_path = optarg;
		else if (c == OPT_CHECK)
			o->check_only = true;
		else if (c == OPT_LOG_TARGET && bpfnicd_log_target_from_string(optarg, &o->target) < 0)
			return usage_error("--log-target must be auto, journal or stderr");
		else if (c == OPT_LOG_LEVEL && bpfnicd_log_level_from_string(optarg, &o->level) < 0)
			return usage_error("--log-level must be emerg, alert, crit, err, warning, notice, "
					   "info, debug or 0-7");
		else if (c == OPT_VERSION)
			return printf("bpfnicd %s\n", BPFNIC_VERSION) < 0;
		else if (c == 'h')
			return usage(stdout), 0;
		else if (c != OPT_LOG_TARGET && c != OPT_LOG_LEVEL)
			return usage(stderr), 2;
	}
	if (optind < argc) {
		fprintf(stderr, "bpfnicd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct bpfnicd d = { 0 };
	struct bpfnic_cpuset present, online;
	struct bpfnicd_config_errors errs;
	struct options o;
	int r = parse_args(argc, argv, &o);

	if (r >= 0)
		return r;
	/* --check-config talks to whoever runs it: stderr, unless told otherwise. */
	bpfnicd_log_open(o.check_only && o.target == BPFNICD_LOG_AUTO ? BPFNICD_LOG_STDERR : o.target,
			 o.level);
	d.config_path = o.config_path;
	if (bpfnicd_read_cpusets(&present, &online) < 0)
		return 1; /* the machine, not the file: said already */
	r = bpfnicd_runconf_load(o.config_path, &errs, &d.conf);
	if (r < 0) {
		bpfnicd_log_config_errors(&errs, NULL);
		if (!o.check_only)
			log_error("refusing to start: fix %s (bpfnicd --check-config shows every problem)",
				  o.config_path);
		return EXIT_CONFIG;
	}
	if (o.check_only) {
		printf("%s: valid\n", o.config_path);
		bpfnicd_runconf_free(d.conf);
		return 0;
	}
	r = run(&d);
	cleanup(&d);
	return r < 0 ? 1 : 0;
}
