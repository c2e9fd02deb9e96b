/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The scheduler's load-aware and hash picks and the load bookkeeping, through
 * BPF_PROG_TEST_RUN: each crafted state of tests/support/pickref.c goes into the maps
 * (a group, the round-robin cursor, every CPU's load), one request goes through
 * bpfnic_sched, and the CPU it is redirected to must be the one worked out by hand and
 * by the plain-way reference; the request's work must then be in that CPU's load and
 * nowhere else. The worker takes back what the scheduler added (bpfnic_worker_xdp,
 * which runs the cpumap worker's code as a plain XDP program). Pinned to CPU 0: the
 * per-CPU cursor and random state are one, and the worker's CPU is 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfnic.skel.h"
#include "clock.h"
#include "tests/support/dptest.h"
#include "tests/support/pickref.h"
#include "tests/support/pkt.h"

#define PORT 7777
#define SHORT_NS 2000 /* dpt_default_settings(): short requests' service time */

static uint8_t frame[PKT_MAX], out[PKT_MAX];

/* ------------------------------------------------------------------------------
 * Writing the state
 */
static void set_settings(enum bpfnic_policy policy, unsigned choices)
{
	struct bpfnic_settings cfg = dpt_default_settings();

	cfg.policy = (__u8)policy;
	cfg.choices = (__u8)choices;
	assert_int_equal(bpfnic_dp_set_settings(dpt_fixture.dp, &cfg), 0);
}

/* The main group as slots naming CPUs (one CPU in several slots too: the data path's
 * own bpfnic_dp_set_group() admits each CPU once, so straight into the maps). */
static void set_group(const unsigned *cpus, unsigned n)
{
	struct bpfnic_bpf *skel = dpt_fixture.skel;
	struct bpfnic_group_cpus g = { 0 };
	__u32 key = BPFNIC_GROUP_MAIN, size = n;

	for (unsigned i = 0; i < n; i++)
		g.cpu[i] = cpus[i];
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.bpfnic_group_cpus), &key, &g,
					     BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.bpfnic_group_size), &key,
					     &size, BPF_ANY), 0);
}

/* A per-CPU map's one value, the same on every CPU. */
static void set_percpu(struct bpf_map *map, __u32 key, const void *v, size_t size)
{
	uint8_t vals[BPFNIC_MAX_CPUS * 8];

	assert_true(size <= 8 && dpt_fixture.nr_cpus <= BPFNIC_MAX_CPUS);
	memset(vals, 0, sizeof(vals));
	for (unsigned c = 0; c < dpt_fixture.nr_cpus; c++)
		memcpy(vals + c * 8, v, size);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(map), &key, vals, BPF_ANY), 0);
}

static void set_cursor(unsigned cursor)
{
	__u32 v = cursor;

	set_percpu(dpt_fixture.skel->maps.bpfnic_rr, BPFNIC_GROUP_MAIN, &v, sizeof(v));
}

static struct bpfnic_loads loads;

static void set_loads(const struct pickref_load by_cpu[PICKREF_CPUS])
{
	__u32 zero = 0;
	uint64_t now = bpfnic_mono_ns();

	memset(&loads, 0, sizeof(loads));
	for (unsigned c = 0; c < PICKREF_CPUS; c++)
		pickref_set_load(&loads.cpu[c], &by_cpu[c], now);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(dpt_fixture.skel->maps.bpfnic_cpu_load),
					     &zero, &loads, BPF_ANY), 0);
}

static void get_loads(struct bpfnic_loads *l)
{
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(dpt_fixture.skel->maps.bpfnic_cpu_load),
					     &zero, l), 0);
}

/* ------------------------------------------------------------------------------
 * Running requests
 */
static size_t request(int family, uint16_t sport, uint8_t class)
{
	uint8_t pl[BPFNIC_REQ_LEN];
	struct pkt_spec s = { .family = family, .sport = sport, .dport = PORT, .payload = pl,
			      .payload_len = pkt_fill_request(pl, false, class, 1, 1, 0) };

	return pkt_build(frame, sizeof(frame), &s);
}

/* One request through the scheduler: the CPU it went to, -1 when it was dropped. */
static int schedule(size_t len)
{
	struct dpt_sums a, b;
	size_t out_len = sizeof(out);
	uint32_t ret = 0;
	int target = -1;

	assert_int_equal(dpt_read(&dpt_fixture, &a), 0);
	assert_int_equal(dpt_run(dpt_prog_fd_sched(&dpt_fixture), frame, len, out, &out_len, &ret,
				 NULL), 0);
	assert_int_equal(dpt_read(&dpt_fixture, &b), 0);
	if (ret == XDP_DROP)
		return -1;
	assert_int_equal(ret, XDP_REDIRECT);
	for (unsigned c = 0; c < dpt_fixture.nr_cpus && c < BPFNIC_MAX_CPUS; c++)
		if (b.handed[c] != a.handed[c])
			target = (int)c;
	return target;
}

/* ------------------------------------------------------------------------------
 * The crafted states
 */
static void test_case(void **state)
{
	const struct pickref_case *c = *state;
	struct bpfnic_loads after;
	int got, ref = c->size ? (int)c->cpus[pickref_case_slot(c)] : -1;

	set_settings(c->policy, 2);
	set_group(c->cpus, c->size);
	set_cursor(c->cursor);
	set_loads(c->load);
	got = schedule(request(4, 40000, BPFNIC_CLASS_SHORT));
	if (got != c->want_cpu || ref != c->want_cpu)
		fail_msg("%s: went to CPU %d, the reference says %d, by hand %d", c->name, got, ref,
			 c->want_cpu);
	/* Its work and one more in flight on that CPU, nothing anywhere else. */
	get_loads(&after);
	for (unsigned cpu = 0; cpu < PICKREF_CPUS; cpu++) {
		uint64_t add = (int)cpu == got ? (1ull << BPFNIC_LOAD_COUNT_SHIFT) | SHORT_NS : 0;

		assert_int_equal(after.cpu[cpu].outstanding, loads.cpu[cpu].outstanding + add);
	}
}

/* p2c's draws, from the per-CPU random state the test sets, against the reference. */
static void test_p2c_draws(void **state)
{
	static const unsigned cpus[] = { 0, 0, 0, 1, 0, 0 };
	static const struct pickref_load by_cpu[PICKREF_CPUS] = { { 1, 500, 0 }, { 1, 100, 0 } };
	unsigned seen[2] = { 0 };

	(void)state;
	for (unsigned choices = 2; choices <= 3; choices++) {
		set_settings(BPFNIC_POLICY_P2C, choices);
		set_group(cpus, 6);
		for (uint64_t s = 1; s <= 40; s++) {
			__u64 state_bits = s * 0x9e3779b97f4a7c15ull, rnd = state_bits;
			int want, got;

			set_loads(by_cpu);
			set_percpu(dpt_fixture.skel->maps.bpfnic_rng, 0, &state_bits, sizeof(state_bits));
			rnd = bpfnic_xorshift64(&rnd);
			want = (int)cpus[pickref_p2c(cpus, 6, choices, rnd, by_cpu)];
			got = schedule(request(4, 40000, BPFNIC_CLASS_SHORT));
			if (got != want)
				fail_msg("p2c of %u, state %#llx: CPU %d, the reference says %d", choices,
					 (unsigned long long)state_bits, got, want);
			seen[got]++;
		}
	}
	/* CPU 1 is one slot of six, drawn a third of the time with two choices and half of
	 * it with three: both outcomes come up. */
	printf("# p2c over slots {0,0,0,1,0,0}: CPU 0 %u times, CPU 1 %u times\n", seen[0], seen[1]);
	assert_true(seen[0] > 0 && seen[1] > 0);
}

/* hash: a flow stays on one CPU, its reverse too, and it is the CPU user space computes
 * from the same addresses and ports (the model's). */
static void test_hash_flows(void **state)
{
	static const unsigned cpus[] = { 0, 1, 1, 0, 1, 0, 0, 1 };
	unsigned per_cpu[2] = { 0 };

	(void)state;
	set_settings(BPFNIC_POLICY_HASH, 2);
	set_group(cpus, 8);
	for (int family = 4; family <= 6; family += 2)
		for (uint16_t sport = 40000; sport < 40016; sport++) {
			size_t len = request(family, sport, BPFNIC_CLASS_SHORT);
			struct pkt_layout lo;
			uint32_t a, b;
			int first = schedule(len), want;

			assert_int_equal(pkt_parse(frame, len, &lo), 0);
			if (family == 4) {
				memcpy(&a, frame + lo.l3 + 12, 4);
				memcpy(&b, frame + lo.l3 + 16, 4);
			} else {
				uint32_t w[8];

				memcpy(w, frame + lo.l3 + 8, 32);
				a = w[0] ^ w[1] ^ w[2] ^ w[3];
				b = w[4] ^ w[5] ^ w[6] ^ w[7];
			}
			want = (int)cpus[bpfnic_pick_hash(bpfnic_flow_hash(a, b, htons(sport),
									    htons(PORT)), 8)];
			assert_int_equal(first, want);
			for (int i = 0; i < 3; i++)
				assert_int_equal(schedule(len), first);
			/* The reverse flow: the hash sorts each pair, so the same CPU. */
			assert_int_equal(bpfnic_flow_hash(b, a, htons(PORT), htons(sport)),
					 bpfnic_flow_hash(a, b, htons(sport), htons(PORT)));
			per_cpu[first]++;
		}
	printf("# 32 flows: CPU 0 %u, CPU 1 %u\n", per_cpu[0], per_cpu[1]);
	/* 32 flows over two CPUs: neither gets more than twice its share. */
	assert_true(per_cpu[0] <= 32 && per_cpu[1] <= 32 && per_cpu[0] && per_cpu[1]);
}

/* ------------------------------------------------------------------------------
 * The worker's part
 */
static size_t worker_request(void)
{
	return request(4, 40000, BPFNIC_CLASS_SHORT);
}

static void run_worker(void)
{
	size_t len = worker_request(), out_len = sizeof(out);
	uint32_t ret = 0;

	assert_int_equal(dpt_run(dpt_prog_fd_worker_xdp(&dpt_fixture), frame, len, out, &out_len,
				 &ret, NULL), 0);
	assert_int_equal(ret, XDP_REDIRECT);
}

static void test_worker_takes_back(void **state)
{
	static const unsigned cpu0[] = { 0 };
	static const struct pickref_load none[PICKREF_CPUS];
	struct bpfnic_loads l;

	(void)state;
	/* Every policy: the scheduler adds, the worker (on CPU 0) takes back, to 0. */
	for (unsigned p = 0; p < BPFNIC_NR_POLICIES; p++) {
		set_settings((enum bpfnic_policy)p, 2);
		set_group(cpu0, 1);
		set_cursor(0);
		set_loads(none);
		for (int i = 0; i < 3; i++)
			assert_int_equal(schedule(worker_request()), 0);
		get_loads(&l);
		assert_int_equal(l.cpu[0].outstanding, 3ull << BPFNIC_LOAD_COUNT_SHIFT | 3 * SHORT_NS);
		for (int i = 0; i < 3; i++)
			run_worker();
		get_loads(&l);
		if (l.cpu[0].outstanding || l.cpu[0].busy_until_ns)
			fail_msg("policy %u: %#llx left after the workers", p,
				 (unsigned long long)l.cpu[0].outstanding);
	}
}

static void test_worker_clears_a_stale_counter(void **state)
{
	/* One in flight whose work is 2000 ns, and 5000 ns of dropped requests' work. */
	static const struct pickref_load stale[PICKREF_CPUS] = { { 1, SHORT_NS + 5000, 0 }, { 0 } };
	static const struct pickref_load lone[PICKREF_CPUS] = { { 0 } };
	struct bpfnic_loads l;

	(void)state;
	set_loads(stale);
	run_worker(); /* the last one in flight done: nothing in flight, so no work either */
	get_loads(&l);
	assert_int_equal(l.cpu[0].outstanding, 0);
	/* A worker that no scheduler handed a request (a test run of it alone) leaves 0. */
	set_loads(lone);
	run_worker();
	get_loads(&l);
	assert_int_equal(l.cpu[0].outstanding, 0);
	assert_int_equal(l.cpu[0].busy_until_ns, 0);
}

/* The daemon's way out without the drop tracer: one CPU's slot cleared, through the
 * map's memory mapping, the other untouched. */
static void test_clear_load(void **state)
{
	static const struct pickref_load busy[PICKREF_CPUS] = { { 4, 9000, 3000 }, { 2, 5000, 0 } };
	struct bpfnic_loads l;

	(void)state;
	set_loads(busy);
	assert_int_equal(bpfnic_dp_clear_load(dpt_fixture.dp, 0), 0);
	get_loads(&l);
	assert_int_equal(l.cpu[0].outstanding, 0);
	assert_int_equal(l.cpu[0].busy_until_ns, 0);
	assert_int_equal(l.cpu[1].outstanding, loads.cpu[1].outstanding);
	assert_int_equal(bpfnic_dp_clear_load(dpt_fixture.dp, BPFNIC_MAX_CPUS), -EINVAL);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		{ "p2c: draws from the per-CPU state, as the reference", test_p2c_draws, NULL, NULL, NULL },
		{ "hash: a flow on one CPU, its reverse alike, as user space computes", test_hash_flows, NULL, NULL, NULL },
		{ "bookkeeping: the worker takes back what the scheduler added, every policy", test_worker_takes_back, NULL, NULL, NULL },
		{ "bookkeeping: a drained CPU's stale work is cleared", test_worker_clears_a_stale_counter, NULL, NULL, NULL },
		{ "bookkeeping: the daemon clears one CPU's load alone", test_clear_load, NULL, NULL, NULL },
	};
	enum { N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };
	struct CMUnitTest tests[64];
	size_t n = 0;

	for (unsigned i = 0; i < pickref_n_cases && n < 64 - N_FIXED; i++)
		tests[n++] = (struct CMUnitTest){ .name = pickref_cases[i].name,
						  .test_func = test_case,
						  .initial_state = (void *)&pickref_cases[i] };
	memcpy(tests + n, fixed, sizeof(fixed));
	return _cmocka_run_group_tests("bpfnic_picks", tests, n + N_FIXED, dpt_fixture_setup,
				       dpt_fixture_teardown);
}
