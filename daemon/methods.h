/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's control methods: the one table of them (name, whether it changes state,
 * whether it streams, its handler), the dispatcher that checks every call against
 * the table and the interface description (lib/io.bpfnic.varlink.in, built in), and
 * the handlers, which reach the daemon's state only through the getters and setters
 * of the modules that own it.
 */
#ifndef BPFNICD_METHODS_H
#define BPFNICD_METHODS_H

#include <stdbool.h>
#include <stdint.h>

#include "varlink.h"
#include "datapath/datapath.h"
#include "daemon/control.h"
#include "daemon/nic.h"
#include "daemon/history.h"
#include "daemon/policy.h"
#include "daemon/runconf.h"
#include "daemon/sampler.h"

/* The interface descriptions built into bpfnicd ($(BUILD)/gen/interfaces.c). */
extern const char bpfnic_idl_io_bpfnic[];
extern const char bpfnic_idl_varlink_service[];

/* What the methods read and change, each owned by its module. */
struct bpfnicd_methods_deps {
	struct bpfnicd_runconf *conf;
	struct bpfnicd_policy *policy;
	struct bpfnicd_sampler *sampler;
	struct bpfnicd_history *history;
	struct bpfnic_dp_info info;   /* where the data path is attached */
	struct bpfnicd_nic *nic;      /* the interface: what it can do, warnings */
	uint64_t start_usec;          /* CLOCK_MONOTONIC of the start, for the uptime */
};

struct bpfnicd_methods;

/* A method, as the table has it. */
struct bpfnicd_method {
	const char *name;  /* "interface.Method" */
	bool admin;        /* changes state: root or AdminGroup= only */
	bool streams;      /* replies until the caller hangs up: needs "more": true */
	struct json_object *(*handler)(struct bpfnicd_methods *m, const struct bpfnicd_caller *who,
				       struct json_object *params);
};

/* The table, for tests: *n entries. */
const struct bpfnicd_method *bpfnicd_methods_table(unsigned *n);

/* Parse the built-in interface descriptions. 0, -ENOMEM or -EINVAL (a build bug). */
int bpfnicd_methods_new(const struct bpfnicd_methods_deps *deps, struct bpfnicd_methods **out);
void bpfnicd_methods_free(struct bpfnicd_methods *m);

/* The control socket's dispatcher (userdata: struct bpfnicd_methods *). */
struct json_object *bpfnicd_methods_dispatch(void *userdata, const struct bpfnicd_caller *who,
					     const struct bpfnic_vl_call *call, bool *start_monitor);

/* The GetStats reply parameters of the last window: Monitor sends one per tick. */
struct json_object *bpfnicd_methods_monitor_sample(struct bpfnicd_methods *m);

#endif
