/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's configuration file: /etc/bpfnic/bpfnicd.conf, systemd-style INI read with
 * libinih; every key's meaning (range, default, restart or live) is in the one table
 * of lib/params.h. The parser collects every problem it finds as
 * "FILE:LINE: Key=: what is wrong" so one run of --check-config shows them all.
 * Parsing is pure apart from reading the given stream; the set of CPUs that exist
 * and are online is passed in, so the tests control it.
 */
#ifndef BPFNICD_CONFIG_H
#define BPFNICD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "params.h"

/* The kernel's lists of the CPUs that exist and of those online now. */
#define BPFNIC_CPUS_PRESENT_PATH "/sys/devices/system/cpu/present"
#define BPFNIC_CPUS_ONLINE_PATH  "/sys/devices/system/cpu/online"

/*
 * Read a sysfs CPU list file (/sys/devices/system/cpu/{present,online}) into a set.
 * CPUs beyond BPFNIC_MAX_CPUS are left out: they exist, but are never candidates.
 */
int bpfnic_cpuset_read(const char *path, struct bpfnic_cpuset *set);

/* Problems found while parsing, in file order. */
#define BPFNICD_CONFIG_MAX_ERRORS 32
struct bpfnicd_config_errors {
	unsigned n;            /* errors kept (at most BPFNICD_CONFIG_MAX_ERRORS) */
	unsigned total;        /* errors found */
	bool missing_interface;
	char msg[BPFNICD_CONFIG_MAX_ERRORS][256];
};

/*
 * Parse the config from f (named filename in messages) on top of the defaults and
 * validate it whole. present/online: the machine's CPUs. Returns 0, -EINVAL with
 * errs filled, or -errno when the stream cannot be read.
 */
int bpfnicd_config_parse(FILE *f, const char *filename, const struct bpfnic_cpuset *present,
			 const struct bpfnic_cpuset *online, struct bpfnicd_config *c,
			 struct bpfnicd_config_errors *errs);

/* Same, from a path; a missing file is an error like any other. */
int bpfnicd_config_load(const char *path, const struct bpfnic_cpuset *present,
			const struct bpfnic_cpuset *online, struct bpfnicd_config *c,
			struct bpfnicd_config_errors *errs);

/*
 * Keys whose change needs a restart (the table's restart ones) that differ between
 * running and next: writes up to max names to names[], returns the count.
 */
unsigned bpfnicd_config_restart_needed(const struct bpfnicd_config *running,
				       const struct bpfnicd_config *next, const char **names,
				       unsigned max);

/* A reload: next keeps the running values of the keys that need a restart. */
void bpfnicd_config_keep_restart_keys(struct bpfnicd_config *next,
				      const struct bpfnicd_config *running);

#endif
