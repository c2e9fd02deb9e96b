// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The queuing model (model/sim.h) and the pick functions it shares with the data path
 * (bpf/bpfnic.h):
 *   - the pick functions give the CPU sequences the BPF tier expects (tests/bpf/
 *     test_sched.c) for the same groups and cursors;
 *   - the model against closed forms: M/M/1 and M/D/1 (one CPU), rr over 4 CPUs
 *     (each CPU's queue is E4/M/1: Poisson arrivals dealt round-robin reach a CPU
 *     every 4th, so its gaps are Erlang-4), and Erlang-C for M/M/4 with the shared-
 *     queue reference discipline (rr over 4 FIFOs is not M/M/4);
 *   - exact cases: drops at a full queue, the wake-up delay, the per-request
 *     overhead, one cursor per RX queue;
 *   - the same seed gives the same results bit for bit;
 *   - dynamic: the daemon's controller grows and shrinks the group on the windows;
 *   - bad configurations and steps are refused with a reason.
 * Closed-form runs are as short as their tolerance allows at the fixed seed they use
 * (run to run they are deterministic); each prints model and closed form.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "model/sim.h"
#include "tests/support/pickref.h"
#include "tests/support/unit.h"

#define US 1000ull
#define MS 1000000ull

static struct bpfnic_model_result R, R2;

/* ------------------------------------------------------------------------------
 * Pick functions, as the scheduler composes them (bpfnic.bpf.c, sched_pick_and_redirect)
 */
struct sched {
	uint8_t policy;
	uint32_t size[BPFNIC_NR_GROUPS];
	uint32_t cpu[BPFNIC_NR_GROUPS][4];
	uint32_t cursor[BPFNIC_NR_GROUPS];
};

/* The CPU the scheduler sends a request of class cls to, -1 for a drop (no_cpu). */
static int pick(struct sched *s, uint8_t cls)
{
	uint32_t g = bpfnic_pick_group(s->policy, cls);

	if (s->size[g] == 0)
		return -1;
	return (int)s->cpu[g][bpfnic_pick_rr(s->size[g], &s->cursor[g])];
}

static void set_group(struct sched *s, enum bpfnic_group g, const uint32_t *cpus, uint32_t n)
{
	memcpy(s->cpu[g], cpus, n * sizeof(*cpus));
	s->size[g] = n;
}

/* s as the scheduler finds it after a policy change: both groups set, cursors at 0. */
static void start(struct sched *s, uint8_t policy, const uint32_t *main_cpus, uint32_t n_main,
		  const uint32_t *long_cpus, uint32_t n_long)
{
	*s = (struct sched){ .policy = policy };
	set_group(s, BPFNIC_GROUP_MAIN, main_cpus, n_main);
	if (n_long)
		set_group(s, BPFNIC_GROUP_LONG, long_cpus, n_long);
}

static void expect_targets(struct sched *s, uint8_t cls, const int *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int got = pick(s, cls);

		if (got != want[i])
			fail_msg("request %u went to CPU %d, expected CPU %d", i, got, want[i]);
	}
}

static const uint32_t both[] = { 0, 1 }, rev[] = { 1, 0 }, cpu0[] = { 0 }, cpu1[] = { 1 };

static void pick_rr_orders(void **state)
{
	static const int alt[] = { 0, 1, 0, 1, 0, 1 }, alt_rev[] = { 1, 0, 1, 0, 1 }, zeros[] = { 0, 0, 0 };
	struct sched s;

	(void)state;
	start(&s, BPFNIC_POLICY_RR, both, 2, NULL, 0);
	expect_targets(&s, BPFNIC_CLASS_SHORT, alt, 6);
	start(&s, BPFNIC_POLICY_RR, rev, 2, NULL, 0);
	expect_targets(&s, BPFNIC_CLASS_SHORT, alt_rev, 5);
	/* rr: a long request stays in the one group, even when a long group exists. */
	start(&s, BPFNIC_POLICY_RR, cpu0, 1, cpu1, 1);
	expect_targets(&s, BPFNIC_CLASS_LONG, zeros, 3);
	/* dynamic is round-robin over the main group. */
	start(&s, BPFNIC_POLICY_DYNAMIC, both, 2, NULL, 0);
	expect_targets(&s, BPFNIC_CLASS_SHORT, alt, 4);
}

static void pick_group_resize(void **state)
{
	static const int one0[] = { 0, 0, 0 }, alt[] = { 0, 1, 0, 1 }, one1[] = { 1, 1, 1 };
	struct sched s = { .policy = BPFNIC_POLICY_RR };

	(void)state;
	/* The BPF tier's sequence: grow, shrink, and a shrink with the cursor past the end. */
	set_group(&s, BPFNIC_GROUP_MAIN, cpu0, 1);
	expect_targets(&s, 0, one0, 3);
	set_group(&s, BPFNIC_GROUP_MAIN, both, 2);
	s.cursor[BPFNIC_GROUP_MAIN] = 0;
	expect_targets(&s, 0, alt, 4);
	set_group(&s, BPFNIC_GROUP_MAIN, cpu1, 1);
	expect_targets(&s, 0, one1, 3);
	set_group(&s, BPFNIC_GROUP_MAIN, both, 2);
	s.cursor[BPFNIC_GROUP_MAIN] = 0;
	expect_targets(&s, 0, one0, 1);
	set_group(&s, BPFNIC_GROUP_MAIN, cpu0, 1); /* cursor 1, past the new end: wraps */
	expect_targets(&s, 0, one0, 2);
	/* An empty group: the request is dropped. */
	s.size[BPFNIC_GROUP_MAIN] = 0;
	assert_int_equal(pick(&s, 0), -1);
}

static void pick_split(void **state)
{
	static const int zeros[] = { 0, 0, 0 }, ones[] = { 1, 1, 1 }, long_want[] = { 1, 0, 1, 0 };
	struct sched s;

	(void)state;
	start(&s, BPFNIC_POLICY_SPLIT, cpu0, 1, cpu1, 1);
	expect_targets(&s, BPFNIC_CLASS_SHORT, zeros, 3);
	expect_targets(&s, BPFNIC_CLASS_LONG, ones, 3);
	/* Any class byte but long is served as short. */
	expect_targets(&s, 7, zeros, 2);
	expect_targets(&s, 255, zeros, 1);
	/* Swapped groups follow the group contents. */
	set_group(&s, BPFNIC_GROUP_MAIN, cpu1, 1);
	set_group(&s, BPFNIC_GROUP_LONG, cpu0, 1);
	expect_targets(&s, BPFNIC_CLASS_LONG, zeros, 2);
	expect_targets(&s, BPFNIC_CLASS_SHORT, ones, 2);
	/* Each group keeps its own cursor: short requests in between do not move it. */
	start(&s, BPFNIC_POLICY_SPLIT, cpu0, 1, rev, 2);
	expect_targets(&s, BPFNIC_CLASS_LONG, long_want, 2);
	expect_targets(&s, BPFNIC_CLASS_SHORT, zeros, 2);
	expect_targets(&s, BPFNIC_CLASS_LONG, long_want + 2, 2);
	/* An empty long group drops long requests only. */
	s.size[BPFNIC_GROUP_LONG] = 0;
	assert_int_equal(pick(&s, BPFNIC_CLASS_LONG), -1);
	assert_int_equal(pick(&s, BPFNIC_CLASS_SHORT), 0);
}

static void pick_least_walk(void **state)
{
	static const __u64 load[] = { 5, 3, 7, 3 };
	struct bpfnic_pick_least b;
	uint32_t cursor = 2, start;

	(void)state;
	/* The walk from slot 2 of 4: 2 3 0 1. */
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(bpfnic_pick_walk_slot(2, i, 4), (i + 2) % 4);
	/* Least load, the first offered of a tie: from 2, slot 3 before slot 1. */
	start = bpfnic_pick_rr(4, &cursor);
	bpfnic_pick_least_init(&b);
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t slot = bpfnic_pick_walk_slot(start, i, 4);

		bpfnic_pick_least_offer(&b, slot, load[slot]);
	}
	assert_int_equal(b.slot, 3);
	assert_int_equal(b.load, 3);
	/* All equal: the walk's start wins, so ties go round-robin. */
	for (uint32_t round = 0; round < 6; round++) {
		start = bpfnic_pick_rr(4, &cursor);
		bpfnic_pick_least_init(&b);
		for (uint32_t i = 0; i < 4; i++)
			bpfnic_pick_least_offer(&b, bpfnic_pick_walk_slot(start, i, 4), 9);
		assert_int_equal(b.slot, (3 + round) % 4);
	}
}

/* The load-aware picks on the crafted states (tests/support/pickref.c, the same the
 * BPF tier runs through the scheduler) and on random ones, against the reference. */
static const struct bpfnic_loads *loads_of(const struct pickref_load *by_cpu, unsigned n,
					   uint64_t now)
{
	static struct bpfnic_loads l;

	memset(&l, 0, sizeof(l));
	for (unsigned c = 0; c < n; c++)
		pickref_set_load(&l.cpu[c], &by_cpu[c], now);
	return &l;
}

static void pick_load_aware_cases(void **state)
{
	const uint64_t now = 1000000000;

	(void)state;
	for (unsigned i = 0; i < pickref_n_cases; i++) {
		const struct pickref_case *c = &pickref_cases[i];
		struct bpfnic_group_cpus g = { 0 };
		uint32_t cursor = c->cursor, slot;
		__u64 load;

		if (c->size == 0)
			continue; /* the scheduler drops before any pick */
		for (unsigned k = 0; k < c->size; k++)
			g.cpu[k] = c->cpus[k];
		slot = bpfnic_pick_least_walk(c->policy == BPFNIC_POLICY_JSQ ? BPFNIC_MEASURE_INFLIGHT :
					      BPFNIC_MEASURE_WORK, &g, c->size,
					      bpfnic_pick_rr(c->size, &cursor),
					      loads_of(c->load, PICKREF_CPUS, now), now, &load);
		if ((int)g.cpu[slot] != c->want_cpu || slot != pickref_case_slot(c))
			fail_msg("%s: slot %u (CPU %u), the reference says slot %u (by hand CPU %d)",
				 c->name, slot, g.cpu[slot], pickref_case_slot(c), c->want_cpu);
	}
}

static void pick_load_aware_random(void **state)
{
	struct bpfnic_rng r;
	const uint64_t now = 5000000;

	(void)state;
	bpfnic_rng_seed(&r, 11, 0);
	for (int n = 0; n < 20000; n++) {
		struct pickref_load by_cpu[BPFNIC_MAX_CPUS];
		struct bpfnic_group_cpus g = { 0 };
		unsigned size = 1 + (unsigned)(bpfnic_rng_next(&r) % 40), ncpu = 1 + size / 2;
		unsigned start = (unsigned)(bpfnic_rng_next(&r) % size), cpus[64];
		enum bpfnic_policy policy = bpfnic_rng_next(&r) % 2 ? BPFNIC_POLICY_LWL : BPFNIC_POLICY_JSQ;
		uint64_t rnd = bpfnic_rng_next(&r);
		const struct bpfnic_loads *l;
		__u64 load;
		unsigned got, want;

		for (unsigned c = 0; c < ncpu; c++) /* few distinct values: many ties */
			by_cpu[c] = (struct pickref_load){ bpfnic_rng_next(&r) % 3, bpfnic_rng_next(&r) % 3 * 1000,
							   bpfnic_rng_next(&r) % 2 * 500 };
		for (unsigned k = 0; k < size; k++)
			g.cpu[k] = cpus[k] = (unsigned)(bpfnic_rng_next(&r) % ncpu);
		l = loads_of(by_cpu, ncpu, now);
		got = bpfnic_pick_least_walk(policy == BPFNIC_POLICY_JSQ ? BPFNIC_MEASURE_INFLIGHT :
					     BPFNIC_MEASURE_WORK, &g, size, start, l, now, &load);
		want = pickref_least(policy, cpus, size, start, by_cpu);
		if (got != want)
			fail_msg("%s over %u slots from %u: slot %u, the reference says %u",
				 policy == BPFNIC_POLICY_JSQ ? "jsq" : "lwl", size, start, got, want);
		for (unsigned choices = 2; choices <= 3; choices++) {
			got = bpfnic_pick_p2c(&g, size, choices, rnd, l, now, &load);
			want = pickref_p2c(cpus, size, choices, rnd, by_cpu);
			if (got != want)
				fail_msg("p2c of %u over %u slots: slot %u, the reference says %u", choices,
					 size, got, want);
		}
	}
}

/*
 * hash: a flow and its reverse on one CPU. 16 flows (the lab's 16 client threads) over
 * 2, 4 and 8 CPUs: with ports 40000-40015, no CPU gets more than twice its share; with
 * random ephemeral ports, the worst CPU is no worse than with CPUs drawn at random
 * (16 flows into 4 CPUs put 9 or more on one about 3 % of the time by chance alone).
 */
static unsigned most_flows(unsigned n, const __u16 *ports, bool by_hash, struct bpfnic_rng *r)
{
	const __u32 client = htonl(0xc6120002u), server = htonl(0xc6120001u);
	unsigned per_cpu[8] = { 0 }, most = 0;

	for (int f = 0; f < 16; f++) {
		unsigned slot = by_hash ? bpfnic_pick_hash(bpfnic_flow_hash(client, server, ports[f],
									    htons(7777)), n) :
				(unsigned)(bpfnic_rng_next(r) % n);

		if (by_hash)
			assert_int_equal(slot, bpfnic_pick_hash(bpfnic_flow_hash(server, client, htons(7777),
										  ports[f]), n));
		per_cpu[slot]++;
	}
	for (unsigned c = 0; c < n; c++)
		most = per_cpu[c] > most ? per_cpu[c] : most;
	return most;
}

static void pick_hash_flows(void **state)
{
	static const unsigned sizes[] = { 2, 4, 8 };
	struct bpfnic_rng r;
	__u16 ports[16];

	(void)state;
	bpfnic_rng_seed(&r, 3, 0);
	for (unsigned s = 0; s < 3; s++) {
		unsigned n = sizes[s], over_hash = 0, over_chance = 0, most;

		for (int f = 0; f < 16; f++)
			ports[f] = htons((uint16_t)(40000 + f));
		most = most_flows(n, ports, true, &r);
		printf("# 16 flows, ports 40000-40015, over %u CPUs: at most %u on one\n", n, most);
		assert_true(most <= 2 * 16 / n);
		for (int trial = 0; trial < 2000; trial++) {
			for (int f = 0; f < 16; f++)
				ports[f] = htons((uint16_t)(32768 + bpfnic_rng_next(&r) % 28232));
			over_hash += most_flows(n, ports, true, &r) > 2 * 16 / n;
			over_chance += most_flows(n, ports, false, &r) > 2 * 16 / n;
		}
		printf("# 16 random flows over %u CPUs, 2000 trials: more than twice the share on one "
		       "CPU %u times by hash, %u times at random\n", n, over_hash, over_chance);
		assert_true(over_hash <= 2 * over_chance + 10);
	}
}

/* ------------------------------------------------------------------------------
 * Model helpers
 */

/* One class of service_us, constant, Poisson arrivals, the daemon's defaults. */
static struct bpfnic_model_config config(unsigned cpus, enum bpfnic_policy policy, double service_us)
{
	struct bpfnic_model_config c = {
		.cpus = cpus, .mix = { 1, 0 }, .seed = 1,
		.service_ns = { (uint64_t)(service_us * US), (uint64_t)(service_us * US) },
	};

	bpfnic_model_policy_defaults(&c.policy, cpus);
	c.policy.policy = policy;
	return c;
}

static struct bpfnic_model *model(const struct bpfnic_model_config *c)
{
	struct bpfnic_model *m;
	char why[200];
	int r = bpfnic_model_new(c, &m, why, sizeof(why));

	if (r < 0)
		fail_msg("bpfnic_model_new: %s (%d)", why, r);
	return m;
}

/* A step of about n measured requests at rate, after warm requests' worth of warm-up. */
static void step(struct bpfnic_model *m, double rate, double n, double warm, uint64_t drain_ns,
		 struct bpfnic_model_result *r)
{
	struct bpfnic_model_step s = {
		.rate_rps = rate, .warmup_ns = (uint64_t)(warm / rate * 1e9),
		.duration_ns = (uint64_t)(n / rate * 1e9), .drain_ns = drain_ns,
	};

	assert_int_equal(bpfnic_model_run_step(m, &s, r), 0);
}

/* One step of c, on a model of its own, into r. */
static void run_once(const struct bpfnic_model_config *c, double rate, double n, double warm,
		     struct bpfnic_model_result *r)
{
	struct bpfnic_model *m = model(c);

	step(m, rate, n, warm, 0, r);
	bpfnic_model_free(m);
}

/* R's first class: count requests measured, each waiting from min_ns to max_ns. */
static void expect_waits(uint64_t count, uint64_t min_ns, uint64_t max_ns)
{
	assert_int_equal(R.cls[0].qdelay.count, count);
	assert_int_equal(R.cls[0].qdelay.min, min_ns);
	assert_int_equal(R.cls[0].qdelay.max, max_ns);
}

static void expect_close(const char *what, double got, double want, double tolerance)
{
	double err = (got - want) / want;

	printf("# %s: model %.2f, closed form %.2f (%+.2f %%)\n", what, got, want, 100 * err);
	if (!(fabs(err) <= tolerance))
		fail_msg("%s: model %.2f is %.2f %% off the closed form %.2f (tolerance %.0f %%)", what,
			 got, 100 * err, want, 100 * tolerance);
}

/* The mean queuing delay (us) of a single-class run through queueing on cpus CPUs. */
static double mean_wait_us(struct bpfnic_model_config *c, double rate, double n)
{
	c->queue_len = BPFNIC_MODEL_MAX_QUEUE_LEN; /* no drops: the closed forms have none */
	run_once(c, rate, n, n / 50, &R);
	assert_int_equal(R.cls[0].drop_queue, 0);
	return bpfnic_hist_mean(&R.cls[0].qdelay) / 1e3;
}

/* ------------------------------------------------------------------------------
 * Closed forms
 */
static void mm1_mean_wait(void **state)
{
	struct bpfnic_model_config c = config(1, BPFNIC_POLICY_RR, 100);
	double rho = 0.5, s = 100;

	(void)state;
	c.service = BPFNIC_MODEL_SERVICE_EXPONENTIAL;
	/* W = rho S / (1 - rho) */
	expect_close("M/M/1 rho 0.5, mean wait us", mean_wait_us(&c, rho / s * 1e6, 800000),
		     rho * s / (1 - rho), 0.02);
}

static void md1_mean_wait(void **state)
{
	struct bpfnic_model_config c = config(1, BPFNIC_POLICY_RR, 100);
	static const double rhos[] = { 0.5, 0.8 }, lengths[] = { 400000, 600000 };
	double s = 100;

	(void)state;
	/* Pollaczek-Khinchine with constant service: W = rho S / (2 (1 - rho)). */
	for (int i = 0; i < 2; i++) {
		char what[64];

		snprintf(what, sizeof(what), "M/D/1 rho %.1f, mean wait us", rhos[i]);
		expect_close(what, mean_wait_us(&c, rhos[i] / s * 1e6, lengths[i]),
			     rhos[i] * s / (2 * (1 - rhos[i])), 0.02);
	}
}

/*
 * rr over k CPUs with Poisson arrivals of rate lambda and exponential service: each
 * CPU is a GI/M/1 queue whose gaps are Erlang-k (k phases of rate lambda), whose mean
 * wait is sigma / (mu (1 - sigma)), sigma the root in (0, 1) of
 * sigma = A*(mu (1 - sigma)), A*(s) = (lambda / (lambda + s))^k.
 */
static double ekm1_wait_us(unsigned k, double lambda, double mu)
{
	double sigma = 0.5;

	for (int i = 0; i < 1000; i++)
		sigma = pow(lambda / (lambda + mu * (1 - sigma)), k);
	return sigma / (mu * (1 - sigma)) * 1e6;
}

static void rr_is_ek_m_1(void **state)
{
	struct bpfnic_model_config c = config(4, BPFNIC_POLICY_RR, 100);
	double rho = 0.5, mu = 1e4, lambda = rho * 4 * mu;

	(void)state;
	c.service = BPFNIC_MODEL_SERVICE_EXPONENTIAL;
	expect_close("rr over 4 CPUs = E4/M/1 rho 0.5, mean wait us",
		     mean_wait_us(&c, lambda, 800000), ekm1_wait_us(4, lambda, mu), 0.02);
}

/* Erlang's C: the probability that a request waits in M/M/k at offered load a = lambda/mu. */
static double erlang_c(unsigned k, double a)
{
	double term = 1, sum = 0, top;

	for (unsigned i = 0; i < k; i++) {
		sum += term;         /* a^i / i! */
		term *= a / (i + 1);
	}
	top = term * k / (k - a); /* a^k / k! * k / (k - a) */
	return top / (sum + top);
}

static void shared_queue_is_erlang_c(void **state)
{
	static const double rhos[] = { 0.5, 0.7, 0.85 };
	double mu = 1e4;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct bpfnic_model_config c = config(4, BPFNIC_POLICY_RR, 100);
		double lambda = rhos[i] * 4 * mu, pw = erlang_c(4, lambda / mu), waited;
		char what[80];

		c.service = BPFNIC_MODEL_SERVICE_EXPONENTIAL;
		c.queueing = BPFNIC_MODEL_SHARED;
		c.seed = 3;
		mean_wait_us(&c, lambda, 500000);
		/* Waited: anything but a delay of exactly 0 (bucket 0 holds only 0). */
		waited = 1.0 - (double)R.cls[0].qdelay.buckets[0] / (double)R.cls[0].qdelay.count;
		snprintf(what, sizeof(what), "M/M/4 rho %.2f, P(wait) %%", rhos[i]);
		expect_close(what, 100 * waited, 100 * pw, 0.02);
		/* Its mean wait C / (k mu - lambda) is noisier at this length. */
		snprintf(what, sizeof(what), "M/M/4 rho %.2f, mean wait us", rhos[i]);
		expect_close(what, bpfnic_hist_mean(&R.cls[0].qdelay) / 1e3,
			     pw / (4 * mu - lambda) * 1e6, 0.05);
	}
}

/* ------------------------------------------------------------------------------
 * Exact cases
 */
static void drops_exactly_what_overflows(void **state)
{
	struct bpfnic_model_config c = config(1, BPFNIC_POLICY_RR, 10);
	struct bpfnic_model_totals t;
	struct bpfnic_model *m;

	(void)state;
	/*
	 * A request every 1 us from 0 to 999 us, 10 us each, 8 may wait. Taken: the first
	 * (served at once), 8 that fill the queue (1..8 us), then one per pick-up (at 10,
	 * 20, ..., 990 us: 99): 108. Every other one finds the queue full: 892. The last
	 * one taken waits for the 8 ahead of it: 80 us.
	 */
	c.arrivals = BPFNIC_ARRIVALS_CONSTANT;
	c.queue_len = 8;
	m = model(&c);
	step(m, 1e6, 1000, 0, 0, &R);
	assert_int_equal(R.cls[0].sent, 1000);
	assert_int_equal(R.cls[0].drop_queue, 892);
	assert_int_equal(R.cls[0].drop_no_cpu, 0);
	expect_waits(108, 0, 80 * US);
	bpfnic_model_totals(m, &t);
	assert_int_equal(t.drop_queue[0], 892);
	assert_int_equal(t.served[0], 108);
	bpfnic_model_free(m);
}

static void wakeup_and_overhead(void **state)
{
	struct bpfnic_model_config c = config(1, BPFNIC_POLICY_RR, 10);

	(void)state;
	c.arrivals = BPFNIC_ARRIVALS_CONSTANT;
	/* Every request finds the worker idle: it waits the wake-up, exactly. */
	c.wakeup_ns = 5 * US;
	run_once(&c, 1e4, 100, 0, &R);
	expect_waits(100, 5 * US, 5 * US);
	/* 10 us of work and 50 of overhead every 50 us: each waits 10 us more than the last. */
	c.wakeup_ns = 0;
	c.overhead_ns = 50 * US;
	run_once(&c, 2e4, 10, 0, &R);
	expect_waits(10, 0, 90 * US);
	assert_true(fabs(bpfnic_hist_mean(&R.cls[0].qdelay) - 45 * US) < 1e-6);
}

static void cursor_per_rx_queue(void **state)
{
	struct bpfnic_model_config c = config(2, BPFNIC_POLICY_RR, 15);

	(void)state;
	/*
	 * Two clients, a request every 20 us each, taking turns (0, 10, 20, ... us), 15 us
	 * of work. One RX queue deals them to CPU 0, 1, 0, 1: nobody waits. One RX queue per
	 * client: each queue's cursor starts at CPU 0, so CPU 0 gets the requests at 0 and
	 * 10 us, CPU 1 those at 20 and 30 us, ...: every second one waits 5 us.
	 */
	c.arrivals = BPFNIC_ARRIVALS_CONSTANT;
	c.clients = 2;
	run_once(&c, 1e5, 1000, 0, &R);
	expect_waits(1000, 0, 0);
	c.rx_queues = 2;
	run_once(&c, 1e5, 1000, 0, &R);
	expect_waits(1000, 0, 5 * US);
	assert_int_equal(R.cls[0].qdelay.buckets[0], 500);
}

/* ------------------------------------------------------------------------------
 * Determinism, windows
 */
#define MAX_WINDOWS 512

struct series {
	unsigned n;
	struct bpfnic_model_window w[MAX_WINDOWS];
	struct bpfnic_model_cpu_window cpu[MAX_WINDOWS][16];
	unsigned grows, shrinks;
	unsigned last_changed_cpu;
	char last_reason[160];
	uint64_t in, out, drops;
	bool balanced; /* rr: per window, CPUs' in counts differ by at most one */
};

static void on_window(void *ctx, const struct bpfnic_model_window *w)
{
	struct series *s = ctx;
	uint64_t lo = UINT64_MAX, hi = 0;

	assert_true(w->n_cpus <= 16);
	if (s->n < MAX_WINDOWS) {
		s->w[s->n] = *w;
		s->w[s->n].cpu = NULL;
		s->w[s->n].reason = NULL;
		memcpy(s->cpu[s->n], w->cpu, w->n_cpus * sizeof(*w->cpu));
	}
	/* Windows follow each other, one interval long. */
	if (s->n)
		assert_int_equal(w->start_ns, s->w[s->n - 1].end_ns);
	s->n++;
	s->in += w->in;
	s->out += w->out;
	s->drops += w->drops_queue;
	for (unsigned i = 0; i < w->n_cpus; i++) {
		lo = w->cpu[i].in < lo ? w->cpu[i].in : lo;
		hi = w->cpu[i].in > hi ? w->cpu[i].in : hi;
	}
	if (hi - lo > 1)
		s->balanced = false;
	if (w->change != BPFNIC_MODEL_HOLD) {
		assert_true(w->reason[0] != '\0');
		*(w->change == BPFNIC_MODEL_GROW ? &s->grows : &s->shrinks) += 1;
		s->last_changed_cpu = w->changed_cpu;
		snprintf(s->last_reason, sizeof(s->last_reason), "%s", w->reason);
	}
}

static struct series S1, S2;

/* The thesis' bimodal load on 16 CPUs, split 8 + 8, 40 % for 0.8 s and 80 % for 0.8 s. */
static void bimodal_run(uint64_t seed, struct series *s, struct bpfnic_model_result *r)
{
	struct bpfnic_model_config c = config(16, BPFNIC_POLICY_SPLIT, 60);
	double capacity = 16 / 114e-6;
	struct bpfnic_model *m;

	c.policy.long_cpus = 8;
	c.mix[0] = 90;
	c.mix[1] = 10;
	c.service_ns[1] = 600 * US;
	c.seed = seed;
	c.clients = 3;
	memset(s, 0, sizeof(*s));
	m = model(&c);
	bpfnic_model_on_window(m, on_window, s);
	step(m, 0.4 * capacity, 0.4 * capacity * 0.6, 0.4 * capacity * 0.2, 0, r);
	step(m, 0.8 * capacity, 0.8 * capacity * 0.6, 0.8 * capacity * 0.2, 0, r);
	bpfnic_model_free(m);
}

static void same_seed_same_results(void **state)
{
	(void)state;
	bimodal_run(7, &S1, &R);
	bimodal_run(7, &S2, &R2);
	assert_true(R.cls[0].sent > 50000 && R.cls[1].sent > 5000);
	assert_memory_equal(&R, &R2, sizeof(R));
	assert_int_equal(S1.n, S2.n);
	assert_memory_equal(S1.w, S2.w, sizeof(S1.w));
	assert_memory_equal(S1.cpu, S2.cpu, sizeof(S1.cpu));
	/* Another seed, other results. */
	bimodal_run(8, &S2, &R2);
	assert_true(memcmp(&R.cls[0].qdelay, &R2.cls[0].qdelay, sizeof(R.cls[0].qdelay)) != 0);
	assert_true(R.cls[0].sent != R2.cls[0].sent);
}

static void windows_add_up(void **state)
{
	struct bpfnic_model_config c = config(4, BPFNIC_POLICY_RR, 100);
	struct bpfnic_model_totals t;
	struct bpfnic_model *m;

	(void)state;
	memset(&S1, 0, sizeof(S1));
	S1.balanced = true;
	c.queue_len = 16;
	m = model(&c);
	bpfnic_model_on_window(m, on_window, &S1);
	/* 2 s at 120 % of capacity (drops), then a drain of 1 s: 15 windows of 200 ms. */
	step(m, 1.2 * 4e4, 1.2 * 4e4 * 2, 0, 1000 * MS, &R);
	bpfnic_model_totals(m, &t);
	bpfnic_model_free(m);
	assert_int_equal(S1.n, 15);
	assert_int_equal(S1.w[14].end_ns, 3000 * MS);
	assert_true(R.cls[0].drop_queue > 0);
	assert_int_equal(S1.drops, t.drop_queue[0]);
	assert_int_equal(S1.in, t.served[0] + t.drop_queue[0]);
	assert_int_equal(S1.out, t.served[0]); /* all served by the end of the drain */
	assert_true(S1.balanced);
	/* Saturated windows: every CPU busy all along, queues full at the window's end. */
	for (unsigned i = 0; i < 4; i++) {
		assert_true(S1.cpu[5][i].waiting >= 15 && S1.cpu[5][i].waiting <= 16);
		assert_true(S1.cpu[5][i].out >= 1999 && S1.cpu[5][i].out <= 2000);
		assert_true(fabs(S1.cpu[5][i].service_us - 100) < 1e-9);
		assert_true(S1.cpu[5][i].qdelay_p50_us > 1400 && S1.cpu[5][i].qdelay_p50_us < 1700);
	}
	assert_int_equal(S1.cpu[14][0].out, 0);
}

static void dynamic_grows_and_shrinks(void **state)
{
	struct bpfnic_model_config c = config(4, BPFNIC_POLICY_DYNAMIC, 100);
	struct bpfnic_model *m;

	(void)state;
	memset(&S1, 0, sizeof(S1));
	m = model(&c);
	bpfnic_model_on_window(m, on_window, &S1);
	/* 2.5 CPUs' worth: the group starts at MinCpus=1 and must grow to 3 at least. */
	step(m, 2.5e4, 2.5e4 * 8, 0, 0, &R);
	printf("# dynamic at 2.5 CPUs of load: group %u -> %u, %u grows\n",
	       R.group_start[BPFNIC_GROUP_MAIN], R.group_end[BPFNIC_GROUP_MAIN], R.grows);
	assert_int_equal(R.group_start[BPFNIC_GROUP_MAIN], 1);
	assert_true(R.group_end[BPFNIC_GROUP_MAIN] >= 3);
	assert_int_equal(R.grows - R.shrinks, R.group_end[BPFNIC_GROUP_MAIN] - 1);
	assert_int_equal(S1.grows, R.grows);
	assert_int_equal(S1.last_changed_cpu, R.group_end[BPFNIC_GROUP_MAIN] - 1);
	assert_non_null(strstr(S1.last_reason, "above threshold"));
	/* Almost idle for 6 s: back to one CPU, one shrink per cooldown. */
	step(m, 1000, 6000, 0, 0, &R);
	printf("# then almost idle: group %u -> %u, %u shrinks\n", R.group_start[BPFNIC_GROUP_MAIN],
	       R.group_end[BPFNIC_GROUP_MAIN], R.shrinks);
	assert_int_equal(R.group_end[BPFNIC_GROUP_MAIN], 1);
	assert_int_equal(S1.shrinks, R.shrinks);
	assert_int_equal(S1.last_changed_cpu, 1);
	assert_non_null(strstr(S1.last_reason, "below"));
	bpfnic_model_free(m);
}

/* ------------------------------------------------------------------------------
 * The policies beyond the thesis
 */

/* The thesis' bimodal load (90 % of 60 us, 10 % of 600 us) on cpus CPUs. */
static struct bpfnic_model_config bimodal(unsigned cpus, enum bpfnic_policy policy)
{
	struct bpfnic_model_config c = config(cpus, policy, 60);

	c.mix[0] = 90;
	c.mix[1] = 10;
	c.service_ns[1] = 600 * US;
	c.policy.long_cpus = cpus / 2;
	c.clients = 4;
	return c;
}

static double worst_p99_us(const struct bpfnic_model_result *r)
{
	double a = bpfnic_hist_quantile(&r->cls[0].qdelay, 0.99), b = bpfnic_hist_quantile(&r->cls[1].qdelay, 0.99);

	return (a > b ? a : b) / 1e3;
}

/* Runs a and b at rate for n requests (R, R2): every request waits as long in both. */
static void same_waits(const struct bpfnic_model_config *a, const struct bpfnic_model_config *b,
		       double rate, double n)
{
	run_once(a, rate, n, n / 10, &R);
	run_once(b, rate, n, n / 10, &R2);
	for (int k = 0; k < 2; k++)
		assert_memory_equal(&R.cls[k].qdelay, &R2.cls[k].qdelay, sizeof(R.cls[k].qdelay));
}

/*
 * With service times as estimated and no overhead, the data path's estimate of work
 * left is exact, so lwl over FIFOs per CPU is the shared queue (M/G/k): every request
 * waits exactly as long, ties broken alike.
 */
static void lwl_is_the_shared_queue(void **state)
{
	struct bpfnic_model_config c = bimodal(8, BPFNIC_POLICY_LWL), shared = c;

	(void)state;
	shared.queueing = BPFNIC_MODEL_SHARED;
	shared.policy.policy = BPFNIC_POLICY_RR;
	same_waits(&c, &shared, 0.8 * 8 / 114e-6, 200000);
	/* The estimate was right each time. */
	assert_int_equal(R.acc.abs_err_sum_ns, 0);
	assert_true(R.acc.n > 200000 * 9 / 10);
	printf("# 8 CPUs, 80 %%: lwl p99 %.1f / %.1f us, as the shared queue\n",
	       bpfnic_hist_quantile(&R.cls[0].qdelay, 0.99) / 1e3,
	       bpfnic_hist_quantile(&R.cls[1].qdelay, 0.99) / 1e3);
}

/* The goal at the thesis' scale: at 16 CPUs and 70 %, lwl's worst class waits
 * at p99 at least 5 times less than under the better of rr and split (8 long). */
static void lwl_beats_the_thesis_policies_at_16(void **state)
{
	static const enum bpfnic_policy policies[] = { BPFNIC_POLICY_RR, BPFNIC_POLICY_SPLIT,
						       BPFNIC_POLICY_LWL };
	double rate = 0.7 * 16 / 114e-6, worst[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct bpfnic_model_config c = bimodal(16, policies[i]);

		run_once(&c, rate, 1500000, 100000, &R);
		worst[i] = worst_p99_us(&R);
	}
	printf("# 16 CPUs, 70 %%: worst-class p99 rr %.0f us, split %.0f us, lwl %.0f us\n",
	       worst[0], worst[1], worst[2]);
	assert_true(5 * worst[2] <= (worst[0] < worst[1] ? worst[0] : worst[1]));
}

/* dynamic spreading with lwl over a group it may not resize is lwl over that group. */
static void dynamic_spreads_with_its_policy(void **state)
{
	struct bpfnic_model_config c = bimodal(4, BPFNIC_POLICY_LWL), dyn = c;

	(void)state;
	dyn.policy.policy = BPFNIC_POLICY_DYNAMIC;
	dyn.policy.spread = BPFNIC_POLICY_LWL;
	dyn.policy.min_cpus = dyn.policy.max_cpus = 4;
	same_waits(&c, &dyn, 0.8 * 4 / 114e-6, 50000);
}

/*
 * No lost or doubled bookkeeping: several RX queues handing out, queues overflowing
 * (the drop tracer takes the count back), then a drain: every CPU's load is back to 0,
 * under each policy (the data path keeps it under all of them).
 */
static void bookkeeping_drains_to_zero(void **state)
{
	(void)state;
	for (unsigned p = 0; p < BPFNIC_NR_POLICIES; p++) {
		struct bpfnic_model_config c = bimodal(6, (enum bpfnic_policy)p);
		const struct bpfnic_loads *l;
		struct bpfnic_model *m;

		c.rx_queues = 3;
		c.clients = 7;
		c.queue_len = 8;
		c.policy.min_cpus = 3;
		m = model(&c);
		step(m, 1.5 * 6 / 114e-6, 20000, 0, 50 * MS, &R);
		l = bpfnic_model_loads(m);
		for (unsigned cpu = 0; cpu < 6; cpu++)
			if (l->cpu[cpu].outstanding || l->cpu[cpu].busy_until_ns)
				fail_msg("%s: CPU %u has %#llx outstanding after the drain",
					 bpfnic_policy_name(p), cpu, (unsigned long long)l->cpu[cpu].outstanding);
		if (p != BPFNIC_POLICY_HASH) /* hash: the flows may fit */
			assert_true(R.cls[0].drop_queue > 0);
		bpfnic_model_free(m);
	}
}

/* split --long-cpus auto on the model's windows: the thesis' load wants 8.42 of 16
 * CPUs for long requests, half short and half long 14.5 of 16. */
static void split_auto_sizes_by_the_work(void **state)
{
	struct bpfnic_model_config c = bimodal(16, BPFNIC_POLICY_SPLIT);

	(void)state;
	c.policy.long_cpus = BPFNIC_LONG_CPUS_AUTO;
	c.policy.cooldown_ms = 200;
	run_once(&c, 0.5 * 16 / 114e-6, 20000, 20000, &R);
	assert_int_equal(R.group_end[BPFNIC_GROUP_LONG], 8);
	assert_int_equal(R.group_end[BPFNIC_GROUP_MAIN], 8);
	c.mix[0] = c.mix[1] = 50;
	run_once(&c, 0.5 * 16 / 330e-6, 20000, 20000, &R);
	printf("# split auto, 16 CPUs: 90/10 -> 8 long, 50/50 -> %u long\n",
	       R.group_end[BPFNIC_GROUP_LONG]);
	assert_int_equal(R.group_end[BPFNIC_GROUP_LONG], 15);
	assert_int_equal(R.group_end[BPFNIC_GROUP_MAIN], 1);
}

/* ------------------------------------------------------------------------------
 * Refusals
 */
static void expect_refused(const struct bpfnic_model_config *c, const char *param)
{
	struct bpfnic_model *m = (struct bpfnic_model *)1;
	char why[200];

	assert_int_equal(bpfnic_model_new(c, &m, why, sizeof(why)), -EINVAL);
	assert_null(m);
	if (!strstr(why, param))
		fail_msg("refusal '%s' does not name %s", why, param);
}

static void bad_configs_refused(void **state)
{
	struct bpfnic_model_config good = config(4, BPFNIC_POLICY_SPLIT, 10), c;
	struct bpfnic_model *m;
	char why[200];

	(void)state;
	good.policy.long_cpus = 1;
	c = good; c.cpus = 0; expect_refused(&c, "cpus");
	c = good; c.cpus = BPFNIC_MAX_CPUS + 1; expect_refused(&c, "cpus");
	c = good; c.policy.long_cpus = 4; expect_refused(&c, "long_cpus");
	c = good; c.policy.spread = BPFNIC_POLICY_SPLIT; expect_refused(&c, "spread");
	c = good; c.policy.policy = BPFNIC_NR_POLICIES; expect_refused(&c, "policy");
	c = good; c.policy.interval_ms = 0; expect_refused(&c, "interval_ms");
	c = good; c.policy.max_cpus = 5; expect_refused(&c, "max_cpus");
	c = good; c.mix[0] = c.mix[1] = 0; expect_refused(&c, "mix");
	c = good; c.service_ns[1] = BPFNIC_MAX_SERVICE_NS + 1; expect_refused(&c, "service_ns");
	c = good; c.queue_len = BPFNIC_MODEL_MAX_QUEUE_LEN + 1; expect_refused(&c, "queue_len");
	c = good; c.clients = BPFNIC_MODEL_MAX_CLIENTS + 1; expect_refused(&c, "clients");
	c = good; c.rx_queues = BPFNIC_MAX_CPUS + 1; expect_refused(&c, "rx_queues");
	c = good; c.wakeup_ns = BPFNIC_MAX_SERVICE_NS + 1; expect_refused(&c, "wakeup_ns");
	c = good; c.service = 2; expect_refused(&c, "service");
	c = good; c.queueing = 2; expect_refused(&c, "queueing");
	c = good; c.arrivals = 2; expect_refused(&c, "arrivals");
	assert_int_equal(bpfnic_model_new(&good, &m, why, sizeof(why)), 0);
	bpfnic_model_free(m);
}

static void bad_steps_refused(void **state)
{
	struct bpfnic_model_config c = config(2, BPFNIC_POLICY_RR, 10);
	const struct bpfnic_model_step bad[] = {
		{ .rate_rps = 0, .duration_ns = MS },
		{ .rate_rps = -5, .duration_ns = MS },
		{ .rate_rps = NAN, .duration_ns = MS },
		{ .rate_rps = INFINITY, .duration_ns = MS },
		{ .rate_rps = 1000, .duration_ns = 0 },
		{ .rate_rps = 1000, .duration_ns = MS, .warmup_ns = UINT64_MAX },
	};
	const struct bpfnic_model_step huge = { .rate_rps = 1e12, .duration_ns = 100 * MS };
	struct bpfnic_model *m = model(&c);

	(void)state;
	for (size_t i = 0; i < N_ELEMENTS(bad); i++)
		assert_int_equal(bpfnic_model_run_step(m, &bad[i], &R), -EINVAL);
	assert_int_equal(bpfnic_model_run_step(m, &huge, &R), -E2BIG);
	/* The model is as it was: a good step still runs from time 0. */
	step(m, 1e4, 100, 0, 0, &R);
	assert_int_equal(R.start_ns, 0);
	assert_true(R.cls[0].sent > 50);
	bpfnic_model_free(m);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(pick_rr_orders),
	cmocka_unit_test(pick_group_resize),
	cmocka_unit_test(pick_split),
	cmocka_unit_test(pick_least_walk),
	cmocka_unit_test(pick_load_aware_cases),
	cmocka_unit_test(pick_load_aware_random),
	cmocka_unit_test(pick_hash_flows),
	cmocka_unit_test(mm1_mean_wait),
	cmocka_unit_test(md1_mean_wait),
	cmocka_unit_test(rr_is_ek_m_1),
	cmocka_unit_test(shared_queue_is_erlang_c),
	cmocka_unit_test(drops_exactly_what_overflows),
	cmocka_unit_test(wakeup_and_overhead),
	cmocka_unit_test(cursor_per_rx_queue),
	cmocka_unit_test(same_seed_same_results),
	cmocka_unit_test(windows_add_up),
	cmocka_unit_test(dynamic_grows_and_shrinks),
	cmocka_unit_test(lwl_is_the_shared_queue),
	cmocka_unit_test(lwl_beats_the_thesis_policies_at_16),
	cmocka_unit_test(dynamic_spreads_with_its_policy),
	cmocka_unit_test(bookkeeping_drains_to_zero),
	cmocka_unit_test(split_auto_sizes_by_the_work),
	cmocka_unit_test(bad_configs_refused),
	cmocka_unit_test(bad_steps_refused))
