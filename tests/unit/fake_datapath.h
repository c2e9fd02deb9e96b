/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A data path in memory for the daemon's unit tests: bpfnic_dp_set_group(),
 * bpfnic_dp_set_settings() and the statistics calls of datapath/datapath.h, on maps
 * that are plain arrays the tests read, and any write can be made to fail. The real
 * data path is tested by the BPF and integration tiers.
 */
#ifndef BPFNIC_FAKE_DATAPATH_H
#define BPFNIC_FAKE_DATAPATH_H

#include "datapath/datapath.h"

struct fake_dp {
	unsigned cpus[BPFNIC_NR_GROUPS][BPFNIC_MAX_CPUS]; /* the group maps */
	unsigned n[BPFNIC_NR_GROUPS];
	struct bpfnic_settings settings;                  /* the settings map */
	unsigned writes;   /* map writes so far (a group or the settings: one each) */
	unsigned fail_at;  /* make the write numbered this fail (1 = the next one); 0: none */
	int fail_err;      /* ... with this -errno */
	unsigned served[BPFNIC_MAX_CPUS]; /* what read_stats reports as processed per CPU */
	unsigned cleared[BPFNIC_MAX_CPUS]; /* bpfnic_dp_clear_load() calls per CPU */
};

extern struct fake_dp fake_dp;

/* The handle the daemon's modules are given: every call goes to fake_dp. */
#define FAKE_DP ((struct bpfnic_dp *)&fake_dp)

/* Load the maps with what bpfnic_dp_open() would have written from opts. */
void fake_dp_open(const struct bpfnic_dp_opts *opts);

#endif
