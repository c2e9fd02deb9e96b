/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The running configuration: read at start, replaced whole by a reload (SIGHUP or
 * the Reload method) that validates, or kept with the reasons when it does not. A
 * reload applies what changes live (policy, workload, port: through daemon/policy;
 * the socket's access: through daemon/control; the worker threads' class: through
 * daemon/workers) and reports the keys that need a restart, whose running values stay.
 */
#ifndef BPFNICD_RUNCONF_H
#define BPFNICD_RUNCONF_H

#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/policy.h"
#include "daemon/workers.h"

struct bpfnicd_runconf;

#define BPFNICD_RELOAD_MAX_NAMES 8

/* What a reload did: the keys left for a restart, or why it failed. */
struct bpfnicd_reload_result {
	const char *restart_needed[BPFNICD_RELOAD_MAX_NAMES];
	unsigned n_restart_needed;
	struct bpfnicd_config_errors errs; /* on failure: every reason */
};

/* Read this machine's present and online CPUs from sysfs. 0 or -errno (logged). */
int bpfnicd_read_cpusets(struct bpfnic_cpuset *present, struct bpfnic_cpuset *online);

/*
 * Load and validate path: 0 with *out, -ENOMEM, or the load's -errno with errs filled
 * (the caller reports them).
 */
int bpfnicd_runconf_load(const char *path, struct bpfnicd_config_errors *errs,
			 struct bpfnicd_runconf **out);
void bpfnicd_runconf_free(struct bpfnicd_runconf *rc);
/* Start from cfg, already checked (the tests' way in); path is read on a reload. */
int bpfnicd_runconf_new(const char *path, const struct bpfnicd_config *cfg,
			struct bpfnicd_runconf **out);

/* What a reload changes besides the file's view: set once they exist. */
void bpfnicd_runconf_bind(struct bpfnicd_runconf *rc, struct bpfnicd_policy *policy,
			  struct bpfnicd_control *control);

/* The worker threads, once they exist (WorkerScheduling=). */
void bpfnicd_runconf_bind_workers(struct bpfnicd_runconf *rc, struct bpfnicd_workers *workers);

const struct bpfnicd_config *bpfnicd_runconf_get(const struct bpfnicd_runconf *rc);
const char *bpfnicd_runconf_path(const struct bpfnicd_runconf *rc);
/* Goes up with every reload, failed or not (the status line is sent again on it). */
unsigned bpfnicd_runconf_generation(const struct bpfnicd_runconf *rc);

/* Log every error of errs, under message id mid (may be NULL). */
void bpfnicd_log_config_errors(const struct bpfnicd_config_errors *errs, const char *mid);

/*
 * Re-read the file and apply it; by names who asked, for the log. 0 with res's
 * restart-needed names, or -EINVAL/-errno with res->errs (the running configuration
 * is kept whole).
 */
int bpfnicd_reload(struct bpfnicd_runconf *rc, const char *by, struct bpfnicd_reload_result *res);

#endif
