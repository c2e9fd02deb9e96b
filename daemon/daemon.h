/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfnicd's state, shared by its lifecycle (bpfnicd.c) and its methods (methods.c). */
#ifndef BPFNICD_DAEMON_H
#define BPFNICD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/controller.h"
#include "datapath/datapath.h"
#include "daemon/kthread.h"
#include "daemon/stats.h"

#define BPFNICD_HISTORY 16

/* One grow or shrink, for status. */
struct bpfnicd_change {
	uint64_t time_usec; /* CLOCK_REALTIME */
	bool grow;
	unsigned cpu, group_size;
	double metric_us;
	char reason[160];
};

struct bpfnicd {
	sd_event *event;
	const char *config_path;
	struct bpfnicd_config cfg;      /* running configuration */
	struct bpfnicd_policy policy;   /* running policy (SetPolicy changes it, reload resets it) */
	struct bpfnic_dp *dp;
	struct bpfnic_dp_info info;
	uint64_t start_usec;            /* CLOCK_MONOTONIC */

	unsigned main_cpus[BPFNIC_MAX_CPUS], n_main;
	unsigned long_cpus[BPFNIC_MAX_CPUS], n_long;
	struct bpfnic_ctl_state ctl;
	struct bpfnicd_change history[BPFNICD_HISTORY];
	unsigned n_history, history_next;

	struct bpfnic_dp_stats snap[2]; /* the last two tick readings */
	unsigned cur;                   /* snap[cur] is the newest */
	bool have_snap;
	uint64_t snap_usec;             /* CLOCK_MONOTONIC of snap[cur] */
	struct bpfnicd_window win;      /* the last complete window */
	bool stats_warned;
	struct bpfnicd_kthreads kthreads;

	sd_event_source *tick;
	uint64_t tick_next_usec;
	struct bpfnicd_control *control;
	uint64_t watchdog_usec;         /* 0: no watchdog */
	uint64_t status_usec;
	uint64_t iface_check_usec;      /* last check that the interface still exists */
	char status[256];
};

/* methods.c: the control socket's dispatcher (userdata = struct bpfnicd *). */
struct json_object *bpfnicd_dispatch(void *userdata, const struct bpfnicd_caller *who,
				     const struct bpfnic_vl_call *call, bool *start_monitor);
/* The GetStats object of the last window (Monitor sends it every tick). */
struct json_object *bpfnicd_stats_json(struct bpfnicd *d);

/* bpfnicd.c: operations the methods need. */
int bpfnicd_apply_policy(struct bpfnicd *d, const struct bpfnicd_policy *p, const char *by);
/*
 * Re-read and apply the config file. 0 with restart-needed key names in names[] (*n),
 * or -EINVAL/-errno with errs filled (the running config is kept).
 */
int bpfnicd_reload(struct bpfnicd *d, const char **names, unsigned max, unsigned *n,
		   struct bpfnicd_config_errors *errs, const char *by);
/* A fresh reading of the counters since attach (no rates), for exact totals. */
int bpfnicd_read_totals(struct bpfnicd *d, struct bpfnicd_window *w);

#endif
