/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The methods' daemon of the tests: see methods_daemon.h. */
#include <string.h>

#include "daemon/policy.h"
#include "daemon/runconf.h"
#include "daemon/sampler.h"
#include "daemon/workers.h"
#include "tests/unit/methods_daemon.h"

int methods_daemon_start(struct methods_daemon *d, const char *conf_path,
			 const struct bpfnicd_config *cfg, struct bpfnicd_policy *policy,
			 struct bpfnicd_methods_deps deps)
{
	int r;

	memset(d, 0, sizeof(*d));
	d->policy = policy;
	r = bpfnicd_runconf_new(conf_path, cfg, &d->conf);
	/* The sampler's cpumap id is -1: no thread is ours, so status says none was found
	 * and a Reload's WorkerScheduling= has nothing to set. */
	if (r >= 0)
		r = bpfnicd_workers_new(bpfnicd_sampler_kthreads(deps.sampler), &cfg->cpus,
					&cfg->worker_sched, deps.start_usec, &d->workers);
	if (r >= 0) {
		bpfnicd_runconf_bind(d->conf, d->policy, NULL);
		bpfnicd_runconf_bind_workers(d->conf, d->workers);
		deps.conf = d->conf;
		deps.policy = d->policy;
		deps.workers = d->workers;
		r = bpfnicd_methods_new(&deps, &d->methods);
	}
	if (r < 0)
		methods_daemon_stop(d);
	return r;
}

void methods_daemon_stop(struct methods_daemon *d)
{
	bpfnicd_methods_free(d->methods);
	bpfnicd_workers_free(d->workers);
	bpfnicd_policy_free(d->policy);
	bpfnicd_runconf_free(d->conf);
	memset(d, 0, sizeof(*d));
}
