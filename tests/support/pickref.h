/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The load-aware policies' picks written the plain way, as a reference for the pick
 * functions of bpf/bpfnic.h (which the BPF scheduler and the model run), and the
 * crafted states both test tiers check them on: tests/bpf/test_sched.c puts each
 * state into the maps and runs the scheduler, tests/unit/test_model.c calls the
 * functions. The reference shares nothing with bpfnic.h but its struct layouts.
 */
#ifndef BPFNIC_TEST_PICKREF_H
#define BPFNIC_TEST_PICKREF_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfnic.h"

/* A CPU's load as a test writes it: in flight, work not started (ns), and how long the
 * one in service still runs (ns after now; 0: none). */
struct pickref_load {
	uint64_t in_flight, work_ns, busy_left_ns;
};

/* Put l into a load slot, as of time now. */
void pickref_set_load(struct bpfnic_cpu_load *slot, const struct pickref_load *l, uint64_t now);

/* lwl or jsq over slots cpus[0..size) from start (size > 0): the least work left (or in
 * flight), the first from start on a tie. */
unsigned pickref_least(enum bpfnic_policy policy, const unsigned *cpus, unsigned size,
		       unsigned start, const struct pickref_load *by_cpu);

/* p2c with choices CPUs: the least work left of the slots its 16-bit draws name. */
unsigned pickref_p2c(const unsigned *cpus, unsigned size, unsigned choices, uint64_t rnd,
		     const struct pickref_load *by_cpu);

#define PICKREF_MAX_SLOTS 8
#define PICKREF_CPUS      2 /* the test machine's CPUs: slots name CPU 0 or 1 */

/* One crafted state: a group, the round-robin cursor, each CPU's load, the policy. */
struct pickref_case {
	const char *name;
	enum bpfnic_policy policy;
	unsigned size;                      /* 0: an empty group, the request is dropped */
	unsigned cpus[PICKREF_MAX_SLOTS];   /* slot -> CPU */
	unsigned cursor;                    /* may be past size: a group that shrank */
	struct pickref_load load[PICKREF_CPUS];
	int want_cpu;                       /* as worked out by hand; -1: dropped */
};

extern const struct pickref_case pickref_cases[];
extern const unsigned pickref_n_cases;

/* The slot the reference picks for case c (cursor as the scheduler reads it). */
unsigned pickref_case_slot(const struct pickref_case *c);

#endif
