/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's configuration: /etc/bpfnic/bpfnicd.conf, systemd-style INI read with
 * libinih. Every key is validated; the parser collects every problem it finds as
 * "FILE:LINE: Key=: what is wrong" so one run of --check-config shows them all.
 * Parsing is pure apart from reading the given stream; the set of CPUs that exist
 * and are online is passed in, so the tests control it.
 */
#ifndef BPFNICD_CONFIG_H
#define BPFNICD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/un.h>

#include "bpfnic.h"
#include "protocol.h"
#include "datapath/datapath.h"

/* An ordered list of CPU ids ("1-3,6" -> 1 2 3 6, lib/cpulist.h syntax), no duplicates. */
struct bpfnicd_cpus {
	unsigned n;
	unsigned cpu[BPFNIC_MAX_CPUS];
};

/* A set of CPU ids (which exist, which are online). */
struct bpfnic_cpuset {
	bool has[BPFNIC_MAX_CPUS];
};

/* Read a sysfs CPU list file (/sys/devices/system/cpu/{present,online}) into a set. */
int bpfnic_cpuset_read(const char *path, struct bpfnic_cpuset *set);

/* What SetPolicy and [Policy]/[Split]/[Dynamic] control: all of it changes live. */
struct bpfnicd_policy {
	enum bpfnic_policy policy;
	unsigned long_cpus;        /* split: the last long_cpus of Cpus= serve long requests */
	unsigned threshold_us;     /* dynamic: grow above this */
	enum bpfnic_metric metric; /* dynamic: avg or p99 of the window's queuing delay */
	unsigned min_cpus, max_cpus;
	unsigned cooldown_ms;
	unsigned shrink_below_us;  /* dynamic: shrink after a cooldown below this */
	bool shrink_below_auto;    /* not set by the user: kept at threshold_us / 2 */
	unsigned interval_ms;      /* the statistics window and controller tick */
};

/*
 * Cross-checks of a policy against the number of candidate CPUs. Returns 0 or
 * -EINVAL with a message in why naming the parameter at fault in *param (the
 * protocol's name, e.g. "min_cpus").
 */
int bpfnicd_policy_check(const struct bpfnicd_policy *p, unsigned n_cpus, const char **param,
			 char *why, size_t why_size);

struct bpfnicd_config {
	/* [Daemon] */
	char interface[IF_NAMESIZE];
	unsigned port;
	enum bpfnic_xdp_mode xdp_mode;
	struct bpfnicd_cpus cpus;
	unsigned queue_size;
	char control_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char socket_group[33]; /* owns the control socket: its members may read */
	char admin_group[33];  /* may change state besides root; "" = root only */
	unsigned socket_mode;
	/* [Workload] */
	unsigned short_us, long_us, max_us;
	/* [Policy] [Split] [Dynamic] */
	struct bpfnicd_policy policy;
};

#define BPFNICD_DEFAULT_PORT        7777u
#define BPFNICD_DEFAULT_QUEUE_SIZE  4096u
#define BPFNICD_MAX_QUEUE_SIZE      16384u /* the kernel's cpumap sanity limit */
#define BPFNICD_DEFAULT_SOCKET_GROUP "bpfnic"
#define BPFNICD_DEFAULT_ADMIN_GROUP  "" /* root only */
#define BPFNICD_DEFAULT_SOCKET_MODE 0660u

/* Problems found while parsing, in file order. */
#define BPFNICD_CONFIG_MAX_ERRORS 32
struct bpfnicd_config_errors {
	unsigned n;            /* errors kept (at most BPFNICD_CONFIG_MAX_ERRORS) */
	unsigned total;        /* errors found */
	bool missing_interface;
	char msg[BPFNICD_CONFIG_MAX_ERRORS][256];
};

/* Defaults for everything (no interface; Cpus= every online CPU). */
void bpfnicd_config_defaults(struct bpfnicd_config *c, const struct bpfnic_cpuset *online);

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
 * Keys whose change needs a restart (Interface, XdpMode, Cpus, QueueSize,
 * ControlSocket): writes up to max names to names[], returns the count.
 */
unsigned bpfnicd_config_restart_needed(const struct bpfnicd_config *running,
				       const struct bpfnicd_config *next, const char **names,
				       unsigned max);

#endif
