/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The plain-way picks and the crafted states: see pickref.h. */
#include <string.h>

#include "tests/support/pickref.h"

void pickref_set_load(struct bpfnic_cpu_load *slot, const struct pickref_load *l, uint64_t now)
{
	memset(slot, 0, sizeof(*slot));
	slot->outstanding = l->in_flight << 40 | l->work_ns;
	slot->busy_until_ns = l->busy_left_ns ? now + l->busy_left_ns : 0;
}

static uint64_t load_of(enum bpfnic_policy policy, const struct pickref_load *l)
{
	return policy == BPFNIC_POLICY_JSQ ? l->in_flight : l->work_ns + l->busy_left_ns;
}

unsigned pickref_least(enum bpfnic_policy policy, const unsigned *cpus, unsigned size,
		       unsigned start, const struct pickref_load *by_cpu)
{
	unsigned best = start;

	for (unsigned k = 1; k < size; k++) {
		unsigned slot = (start + k) % size;

		if (load_of(policy, &by_cpu[cpus[slot]]) < load_of(policy, &by_cpu[cpus[best]]))
			best = slot;
	}
	return best;
}

unsigned pickref_p2c(const unsigned *cpus, unsigned size, unsigned choices, uint64_t rnd,
		     const struct pickref_load *by_cpu)
{
	unsigned drawn[3], best;

	/* The first uniform over the group, each other one uniform over the rest. */
	drawn[0] = (unsigned)(((rnd & 0xffff) * size) >> 16);
	for (unsigned i = 1; i < 3; i++) {
		uint64_t r16 = rnd >> (16 * i) & 0xffff;

		drawn[i] = size < 2 ? drawn[0] : (drawn[0] + 1 + (unsigned)((r16 * (size - 1)) >> 16)) % size;
	}
	best = drawn[0];
	for (unsigned i = 1; i < (choices == 3 ? 3u : 2u); i++)
		if (load_of(BPFNIC_POLICY_P2C, &by_cpu[cpus[drawn[i]]]) <
		    load_of(BPFNIC_POLICY_P2C, &by_cpu[cpus[best]]))
			best = drawn[i];
	return best;
}

/*
 * Worked out by hand. Loads: { in flight, work not started (ns), left of the one in
 * service (ns) }; the cursor names the start slot (past the end: slot 0).
 */
const struct pickref_case pickref_cases[] = {
	{ "lwl: the CPU with less work", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 0, { { 2, 5000, 0 }, { 2, 3000, 0 } }, 1 },
	/* 40 ms against 30 ms: time passes between the test writing it and the pick. */
	{ "lwl: the one in service counts with what is left of it", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 0, { { 1, 0, 40000000 }, { 1, 30000000, 0 } }, 1 },
	{ "lwl: a tie goes to the cursor's slot (slot 1)", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 1, { { 1, 2000, 0 }, { 1, 2000, 0 } }, 1 },
	{ "lwl: a tie goes to the cursor's slot (slot 0)", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 0, { { 1, 2000, 0 }, { 1, 2000, 0 } }, 0 },
	{ "lwl: an idle CPU after the cursor's slot, walking round", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 1, { { 0, 0, 0 }, { 1, 100, 0 } }, 0 },
	{ "lwl: requests in flight do not count, their work does", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 0, { { 3, 0, 0 }, { 1, 9000, 0 } }, 0 },
	{ "jsq: requests in flight count, their work does not", BPFNIC_POLICY_JSQ, 2, { 0, 1 }, 0, { { 3, 0, 0 }, { 1, 9000, 0 } }, 1 },
	{ "jsq: a tie goes to the cursor's slot", BPFNIC_POLICY_JSQ, 2, { 1, 0 }, 1, { { 2, 0, 0 }, { 2, 50, 0 } }, 0 },
	{ "lwl: slots naming one CPU twice, a tie from slot 2", BPFNIC_POLICY_LWL, 4, { 1, 0, 1, 0 }, 2, { { 1, 100, 0 }, { 1, 100, 0 } }, 1 },
	{ "lwl: slots naming one CPU twice, the first less loaded from slot 3", BPFNIC_POLICY_LWL, 4, { 1, 0, 1, 0 }, 3, { { 1, 200, 0 }, { 1, 100, 0 } }, 1 },
	{ "lwl: a group that shrank below its cursor starts at slot 0", BPFNIC_POLICY_LWL, 1, { 1 }, 5, { { 0, 0, 0 }, { 9, 90000, 0 } }, 1 },
	{ "jsq: a group that shrank, the cursor past its end", BPFNIC_POLICY_JSQ, 2, { 1, 0 }, 7, { { 4, 0, 0 }, { 4, 0, 0 } }, 1 },
	{ "lwl: an empty group drops", BPFNIC_POLICY_LWL, 0, { 0 }, 0, { { 0, 0, 0 }, { 0, 0, 0 } }, -1 },
	{ "lwl: a stale counter (work of dropped requests, none in flight) keeps the CPU looking busy", BPFNIC_POLICY_LWL, 2, { 0, 1 }, 0, { { 0, 5000, 0 }, { 1, 2000, 0 } }, 1 },
	{ "p2c: two of two CPUs, the one with less work", BPFNIC_POLICY_P2C, 2, { 0, 1 }, 0, { { 1, 5000, 0 }, { 1, 1000, 0 } }, 1 },
	{ "p2c: an empty group drops", BPFNIC_POLICY_P2C, 0, { 0 }, 0, { { 0, 0, 0 }, { 0, 0, 0 } }, -1 },
};
const unsigned pickref_n_cases = sizeof(pickref_cases) / sizeof(pickref_cases[0]);

unsigned pickref_case_slot(const struct pickref_case *c)
{
	unsigned start = c->cursor < c->size ? c->cursor : 0;

	return pickref_least(c->policy, c->cpus, c->size, start, c->load);
}
