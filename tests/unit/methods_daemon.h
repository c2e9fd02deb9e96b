/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's modules that its methods reach, made and bound as bpfnicd makes them,
 * on the in-memory data path (fake_datapath.h): the daemon of test_daemon's method
 * tests and of the control fuzzer.
 */
#ifndef BPFNIC_TEST_METHODS_DAEMON_H
#define BPFNIC_TEST_METHODS_DAEMON_H

#include "daemon/config.h"
#include "daemon/methods.h"

struct methods_daemon {
	struct bpfnicd_runconf *conf;
	struct bpfnicd_policy *policy;
	struct bpfnicd_workers *workers;
	struct bpfnicd_methods *methods;
};

/*
 * The running config cfg (Reload reads conf_path), the worker threads of the sampler's
 * cpumap, and the methods over them, policy (the caller's, started on the fake data
 * path; the daemon frees it) and what deps names besides (sampler, history, NIC, data
 * path info, start time). 0, or -errno with nothing left.
 */
int methods_daemon_start(struct methods_daemon *d, const char *conf_path,
			 const struct bpfnicd_config *cfg, struct bpfnicd_policy *policy,
			 struct bpfnicd_methods_deps deps);
void methods_daemon_stop(struct methods_daemon *d);

#endif
