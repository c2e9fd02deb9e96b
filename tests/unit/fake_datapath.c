/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The in-memory data path of the daemon's unit tests: see fake_datapath.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake_datapath.h"

#define FAKE_NR_CPUS 8u

struct fake_dp fake_dp;

/* One map write: fails when it is the one the test chose. */
static int write_fails(void)
{
	fake_dp.writes++;
	if (fake_dp.fail_at && fake_dp.writes == fake_dp.fail_at)
		return fake_dp.fail_err ? fake_dp.fail_err : -EIO;
	return 0;
}

void fake_dp_open(const struct bpfnic_dp_opts *opts)
{
	memset(&fake_dp, 0, sizeof(fake_dp));
	fake_dp.settings = opts->settings;
	memcpy(fake_dp.cpus[BPFNIC_GROUP_MAIN], opts->main_cpus, opts->n_main * sizeof(unsigned));
	fake_dp.n[BPFNIC_GROUP_MAIN] = opts->n_main;
	memcpy(fake_dp.cpus[BPFNIC_GROUP_LONG], opts->long_cpus, opts->n_long * sizeof(unsigned));
	fake_dp.n[BPFNIC_GROUP_LONG] = opts->n_long;
}

int bpfnic_dp_set_group(struct bpfnic_dp *dp, enum bpfnic_group g, const unsigned *cpus,
			unsigned n)
{
	int r = write_fails();

	if (dp != FAKE_DP || (unsigned)g >= BPFNIC_NR_GROUPS || n > BPFNIC_MAX_CPUS)
		return -EINVAL;
	if (r < 0)
		return r;
	memcpy(fake_dp.cpus[g], cpus, n * sizeof(unsigned));
	fake_dp.n[g] = n;
	return 0;
}

int bpfnic_dp_set_settings(struct bpfnic_dp *dp, const struct bpfnic_settings *cfg)
{
	int r = write_fails();

	if (dp != FAKE_DP)
		return -EINVAL;
	if (r < 0)
		return r;
	fake_dp.settings = *cfg;
	return 0;
}

int bpfnic_dp_stats_alloc(struct bpfnic_dp_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->nr_cpus = FAKE_NR_CPUS;
	st->sched = calloc(FAKE_NR_CPUS, sizeof(*st->sched));
	st->worker = calloc(FAKE_NR_CPUS, sizeof(*st->worker));
	st->handed = calloc(FAKE_NR_CPUS, sizeof(*st->handed));
	st->queue_drops = calloc(FAKE_NR_CPUS, sizeof(*st->queue_drops));
	if (!st->sched || !st->worker || !st->handed || !st->queue_drops) {
		bpfnic_dp_stats_free(st);
		return -ENOMEM;
	}
	return 0;
}

void bpfnic_dp_stats_free(struct bpfnic_dp_stats *st)
{
	free(st->sched);
	free(st->worker);
	free(st->handed);
	free(st->queue_drops);
	memset(st, 0, sizeof(*st));
}

int bpfnic_dp_read_stats(struct bpfnic_dp *dp, struct bpfnic_dp_stats *st)
{
	if (dp != FAKE_DP)
		return -EINVAL;
	for (unsigned c = 0; c < st->nr_cpus; c++) {
		st->worker[c].processed[BPFNIC_CLASS_SHORT] = fake_dp.served[c];
		st->worker[c].tx = fake_dp.served[c];
		st->handed[c] = fake_dp.served[c];
		st->sched[c].requests[BPFNIC_CLASS_SHORT] = fake_dp.served[c];
	}
	return 0;
}
