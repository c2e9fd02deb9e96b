/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The running configuration and its reload: see runconf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "daemon/log.h"
#include "daemon/runconf.h"

struct bpfnicd_runconf {
	const char *path;
	struct bpfnicd_config cfg;
	struct bpfnicd_policy *policy;
	struct bpfnicd_control *control;
	struct bpfnicd_workers *workers;
	unsigned generation;
};

int bpfnicd_read_cpusets(struct bpfnic_cpuset *present, struct bpfnic_cpuset *online)
{
	static const char *const files[] = { BPFNIC_CPUS_PRESENT_PATH, BPFNIC_CPUS_ONLINE_PATH };
	struct bpfnic_cpuset *sets[] = { present, online };

	for (unsigned i = 0; i < 2; i++) {
		int r = bpfnic_cpuset_read(files[i], sets[i]);

		if (r < 0)
			return log_error_errno(r, "cannot read %s", files[i]);
	}
	return 0;
}

/* The whole file, checked: 0, or -errno with errs filled. */
static int load(const char *path, struct bpfnicd_config *c, struct bpfnicd_config_errors *errs)
{
	struct bpfnic_cpuset present, online;
	int r;

	memset(errs, 0, sizeof(*errs));
	r = bpfnicd_read_cpusets(&present, &online);
	if (r < 0) {
		snprintf(errs->msg[0], sizeof(errs->msg[0]), "cannot read this machine's CPUs: %s",
			 strerror(-r));
		errs->n = errs->total = 1;
		return r;
	}
	return bpfnicd_config_load(path, &present, &online, c, errs);
}

int bpfnicd_runconf_new(const char *path, const struct bpfnicd_config *cfg,
			struct bpfnicd_runconf **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->path = path;
	(*out)->cfg = *cfg;
	return 0;
}

int bpfnicd_runconf_load(const char *path, struct bpfnicd_config_errors *errs,
			 struct bpfnicd_runconf **out)
{
	struct bpfnicd_config *cfg = malloc(sizeof(*cfg));
	int r;

	*out = NULL;
	memset(errs, 0, sizeof(*errs));
	if (!cfg)
		return -ENOMEM;
	r = load(path, cfg, errs);
	if (r >= 0)
		r = bpfnicd_runconf_new(path, cfg, out);
	free(cfg);
	return r;
}

void bpfnicd_runconf_free(struct bpfnicd_runconf *rc)
{
	free(rc);
}

void bpfnicd_runconf_bind(struct bpfnicd_runconf *rc, struct bpfnicd_policy *policy,
			  struct bpfnicd_control *control)
{
	rc->policy = policy;
	rc->control = control;
}

void bpfnicd_runconf_bind_workers(struct bpfnicd_runconf *rc, struct bpfnicd_workers *workers)
{
	rc->workers = workers;
}

const struct bpfnicd_config *bpfnicd_runconf_get(const struct bpfnicd_runconf *rc)
{
	return &rc->cfg;
}

const char *bpfnicd_runconf_path(const struct bpfnicd_runconf *rc)
{
	return rc->path;
}

unsigned bpfnicd_runconf_generation(const struct bpfnicd_runconf *rc)
{
	return rc->generation;
}

void bpfnicd_log_config_errors(const struct bpfnicd_config_errors *errs, const char *mid)
{
	for (unsigned i = 0; i < errs->n; i++)
		bpfnicd_log_struct(LOG_ERR, 0, mid, NULL, "%s", errs->msg[i]);
	if (errs->total > errs->n)
		bpfnicd_log_struct(LOG_ERR, 0, mid, NULL, "... and %u more errors",
				   errs->total - errs->n);
}

static int __attribute__((format(printf, 3, 4)))
one_error(struct bpfnicd_config_errors *errs, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errs->msg[0], sizeof(errs->msg[0]), fmt, ap);
	va_end(ap);
	errs->n = errs->total = 1;
	return r;
}

/* The next configuration: the file's, with the running values of the restart keys. */
static int next_config(struct bpfnicd_runconf *rc, struct bpfnicd_config *next,
		       struct bpfnicd_reload_result *res)
{
	const char *param;
	char why[200];
	int r = load(rc->path, next, &res->errs);

	if (r < 0)
		return res->errs.n ? r : one_error(&res->errs, r, "%s: %s", rc->path, strerror(-r));
	res->n_restart_needed = bpfnicd_config_restart_needed(&rc->cfg, next, res->restart_needed,
							      BPFNICD_RELOAD_MAX_NAMES);
	bpfnicd_config_keep_restart_keys(next, &rc->cfg);
	if (next->policy.max_cpus > next->cpus.n)
		next->policy.max_cpus = next->cpus.n;
	if (bpfnic_policy_check(&next->policy, next->cpus.n, &param, why, sizeof(why)) < 0)
		return one_error(&res->errs, -EINVAL, "%s: %s: %s (with the running Cpus=, which "
				 "changes only with a restart)", rc->path, param, why);
	return 0;
}

static void log_reloaded(const struct bpfnicd_runconf *rc, const struct bpfnicd_reload_result *res,
			 const char *by)
{
	char msg[160] = "";

	for (unsigned i = 0; i < res->n_restart_needed; i++) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, "%s%s=", i ? ", " : "", res->restart_needed[i]);
	}
	if (res->n_restart_needed)
		log_warning("reloaded %s; changes to %s take effect only after a restart", rc->path, msg);
	else
		log_info("reloaded %s (requested by %s)", rc->path, by);
}

static bool access_changed(const struct bpfnicd_config *a, const struct bpfnicd_config *b)
{
	return strcmp(a->admin_group, b->admin_group) || strcmp(a->socket_group, b->socket_group) ||
	       a->socket_mode != b->socket_mode;
}

int bpfnicd_reload(struct bpfnicd_runconf *rc, const char *by, struct bpfnicd_reload_result *res)
{
	struct bpfnicd_config *next = malloc(sizeof(*next));
	int r;

	memset(res, 0, sizeof(*res));
	rc->generation++;
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s\nMONOTONIC_USEC=%llu", rc->path,
		   (unsigned long long)bpfnic_mono_usec());
	r = next ? next_config(rc, next, res) : one_error(&res->errs, -ENOMEM, "out of memory");
	if (r >= 0) {
		r = bpfnicd_policy_apply(rc->policy, next, &next->policy, by);
		if (r < 0)
			one_error(&res->errs, r, "%s: the data path refused the new settings: %s",
				  rc->path, strerror(-r));
	}
	if (r < 0) {
		bpfnicd_log_struct(LOG_ERR, 0, BPFNICD_MID_RELOAD_FAILED, NULL,
				   "reload requested by %s failed, keeping the running configuration:", by);
		bpfnicd_log_config_errors(&res->errs, BPFNICD_MID_RELOAD_FAILED);
	} else {
		if (access_changed(&rc->cfg, next))
			bpfnicd_control_set_access(rc->control, next->socket_group, next->admin_group,
						   next->socket_mode);
		if (rc->workers)
			bpfnicd_workers_set(rc->workers, &next->worker_sched, bpfnic_mono_usec());
		rc->cfg = *next;
		log_reloaded(rc, res, by);
	}
	free(next);
	sd_notify(0, "READY=1");
	return r;
}
