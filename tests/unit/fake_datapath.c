/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The in-memory data path of the daemon's unit tests: see fake_datapath.h. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
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

int bpfnic_dp_clear_load(struct bpfnic_dp *dp, unsigned cpu)
{
	if (dp != FAKE_DP || cpu >= BPFNIC_MAX_CPUS)
		return -EINVAL;
	fake_dp.cleared[cpu]++;
	return 0;
}

/* Readings live in a few static slots: no allocation to get wrong in a fake. */
static struct fake_stats {
	bool used;
	struct bpfnic_sched_stats sched[FAKE_NR_CPUS];
	struct bpfnic_worker_stats worker[FAKE_NR_CPUS];
	__u64 handed[FAKE_NR_CPUS], queue_drops[FAKE_NR_CPUS];
	struct bpfnic_cpu_load load[FAKE_NR_CPUS];
	struct bpfnic_load_acc acc[FAKE_NR_CPUS];
} slots[8];

int bpfnic_dp_stats_alloc(struct bpfnic_dp_stats *st)
{
	for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		struct fake_stats *f = &slots[i];

		if (f->used)
			continue;
		memset(f, 0, sizeof(*f));
		f->used = true;
		*st = (struct bpfnic_dp_stats){ .nr_cpus = FAKE_NR_CPUS, .sched = f->sched,
						 .worker = f->worker, .handed = f->handed,
						 .queue_drops = f->queue_drops, .load = f->load,
						 .acc = f->acc };
		return 0;
	}
	return -ENOMEM;
}

void bpfnic_dp_stats_free(struct bpfnic_dp_stats *st)
{
	if (st->sched)
		((struct fake_stats *)((char *)st->sched - offsetof(struct fake_stats, sched)))->used = false;
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
