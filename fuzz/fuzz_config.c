/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd.conf (daemon/config.c through the one table of lib/params.c): the input is
 * the file. The machine has CPUs 0-7, 0-5 online. Properties: the parser answers 0 or
 * -EINVAL (never another error for text), its messages are counted and terminated;
 * a config it accepts is one the daemon can run: an interface, candidate CPUs that
 * exist, a policy that passes the cross-checks, the workload within MaxUs=; a reload
 * of it from the defaults keeps exactly the restart keys.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfnic_cpuset present = { 0 }, online = { 0 };
	struct bpfnicd_config c, defaults, next;
	struct bpfnicd_config_errors errs;
	const char *names[BPFNIC_MAX_PARAMS], *param;
	char why[200];
	unsigned n;
	FILE *f;
	int r;

	for (unsigned cpu = 0; cpu < 8; cpu++) {
		present.has[cpu] = true;
		online.has[cpu] = cpu < 6;
	}
	/* fmemopen refuses a zero-sized buffer: the empty file is a one-byte newline. */
	f = fmemopen(size ? (void *)data : "\n", size ? size : 1, "r");
	if (!f)
		abort();
	r = bpfnicd_config_parse(f, "fuzz.conf", &present, &online, &c, &errs);
	fclose(f);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT((r == 0) == (errs.total == 0));
	FUZZ_ASSERT(errs.n <= BPFNICD_CONFIG_MAX_ERRORS && errs.n <= errs.total);
	for (unsigned i = 0; i < errs.n; i++)
		FUZZ_ASSERT(memchr(errs.msg[i], '\0', sizeof(errs.msg[i])) && errs.msg[i][0]);
	if (r < 0)
		return 0;

	FUZZ_ASSERT(c.interface[0] && memchr(c.interface, '\0', sizeof(c.interface)));
	FUZZ_ASSERT(c.cpus.n > 0 && c.cpus.n <= BPFNIC_MAX_CPUS);
	for (unsigned i = 0; i < c.cpus.n; i++)
		FUZZ_ASSERT(present.has[c.cpus.cpu[i]]);
	FUZZ_ASSERT(bpfnic_policy_check(&c.policy, c.cpus.n, &param, why, sizeof(why)) == 0);
	FUZZ_ASSERT(c.policy.policy < BPFNIC_NR_POLICIES && c.max_us >= c.short_us &&
		    c.max_us >= c.long_us && c.port > 0 && c.port <= 65535);
	FUZZ_ASSERT(c.control_socket[0] == '/');

	/* A reload from the defaults to this file: the restart keys stay as they ran. */
	bpfnic_config_defaults(&defaults, &online);
	n = bpfnicd_config_restart_needed(&defaults, &c, names, BPFNIC_MAX_PARAMS);
	next = c;
	bpfnicd_config_keep_restart_keys(&next, &defaults);
	FUZZ_ASSERT(bpfnicd_config_restart_needed(&defaults, &next, names, BPFNIC_MAX_PARAMS) == 0);
	FUZZ_ASSERT(n <= bpfnic_n_params);
	return 0;
}
