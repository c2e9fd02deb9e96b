/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bpfnic server model: see sim.h.
 *
 * Why no event heap: every queue is FIFO, a worker serves one request at a time to
 * the end, and the scheduler decides when a request arrives. So the moment a request
 * is handed to a CPU fixes its pick-up (when the CPU's earlier work ends, or a wake-up
 * after its arrival if the CPU is idle) and its finish. The model keeps, per CPU, the
 * time its work ends and a ring of the requests not yet picked up; what happens later
 * (pick-ups and finishes, which the worker's statistics record) is replayed from the
 * ring when time passes it: at the next request for that CPU, and at every window's
 * end for all of them. The next event is then only the earlier of the next arrival
 * and the next window's end, and a request costs O(1).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "datapath/dpstats.h"
#include "model/sim.h"
#include "why.h"

#define NS_PER_MS 1000000ull
#define MAX_TIME_NS (1000000ull * 1000000000ull) /* 10^6 s: far from wrapping a u64 */
#define RING_MIN 16u

/* A request handed to a CPU and not yet picked up (as of the CPU's last replay). */
struct mreq {
	uint64_t pickup_ns;
	uint64_t qdelay_ns;
	uint32_t service_ns;  /* what it takes */
	uint32_t work_ns;     /* what the data path estimates it takes (bpfnic_service_ns) */
	uint32_t vft_wait_ns; /* the twin: the virtual wait it was handed with */
	uint8_t cls;
};

struct mcpu {
	struct mreq *ring;
	uint32_t head, count, mask;
	bool serving;              /* the last request picked up has not finished yet */
	uint8_t serving_cls;
	uint32_t serving_service_ns;
	uint64_t serving_finish_ns;
	uint64_t free_ns;          /* when all work handed to it so far is done */
	uint64_t win_in, win_drops;
	uint64_t life_max_ns;      /* lifetime maximum queuing delay, as the kernel keeps it */
	struct bpfnic_worker_stats win; /* what the worker recorded in this window */
};

struct mclient {
	struct bpfnic_arrival arr;
	struct bpfnic_rng class_rng;
	unsigned rxq;
	__u32 flow_hash; /* bpfnic_flow_hash of its flow, for hash */
};

struct bpfnic_model {
	struct bpfnic_model_config c;
	struct bpfnic_mix mix;
	struct bpfnic_rng service_rng;
	unsigned queue_len, n_clients, n_rxq;
	uint32_t group_size[BPFNIC_NR_GROUPS];
	struct bpfnic_group_cpus gcpu[BPFNIC_NR_GROUPS]; /* as the data path's map holds them */
	uint32_t (*cursor)[BPFNIC_NR_GROUPS]; /* [n_rxq]: per scheduler CPU, as in BPF */
	struct bpfnic_loads *loads; /* every CPU's load, as the data path keeps it */
	struct bpfnic_settings settings; /* what bpfnic_service_ns() reads */
	enum bpfnic_policy pick;   /* how the scheduler picks: the policy, or dynamic's spread */
	bool vft_twin;             /* lwl with the twin's bookkeeping */
	struct bpfnic_rng pick_rng; /* p2c's random bits */
	struct mcpu *cpu;
	struct mclient *client;
	struct bpfnic_model_scaler scaler;
	bool scaled; /* the scaler sizes the main group */
	struct bpfnic_model_split split;
	bool split_auto; /* split --long-cpus auto sizes the long group */
	uint64_t win_arrived[2];   /* requests that arrived in the window, per class */

	uint64_t now_ns;
	uint64_t interval_ns, window_start_ns, next_window_ns;
	uint64_t win_no_cpu;
	unsigned steps;

	struct bpfnic_model_result *res; /* the measured part is running */
	struct bpfnic_model_totals tot;

	bpfnic_model_window_fn *on_window;
	void *on_window_ctx;
	struct bpfnic_model_cpu_window *cpu_win;
	struct bpfnic_worker_stats win_all, win_tmp;
	char reason[160];
};

static const struct bpfnic_worker_stats zero_stats;

/* ---------------------------------------------------------------------------------
 * Set-up
 */
static int check_config(const struct bpfnic_model_config *c, char *why, size_t why_size)
{
	const char *param = "policy";
	char reason[160];

	if (c->cpus < 1 || c->cpus > BPFNIC_MAX_CPUS)
		return bpfnic_why(why, why_size, "cpus: must be between 1 and %u", BPFNIC_MAX_CPUS);
	if (c->rx_queues > BPFNIC_MAX_CPUS)
		return bpfnic_why(why, why_size, "rx_queues: must be at most %u", BPFNIC_MAX_CPUS);
	if (c->queue_len > BPFNIC_MODEL_MAX_QUEUE_LEN)
		return bpfnic_why(why, why_size, "queue_len: must be at most %u",
			       BPFNIC_MODEL_MAX_QUEUE_LEN);
	if (c->clients > BPFNIC_MODEL_MAX_CLIENTS)
		return bpfnic_why(why, why_size, "clients: must be at most %u",
			       BPFNIC_MODEL_MAX_CLIENTS);
	if (c->policy.policy >= BPFNIC_NR_POLICIES)
		return bpfnic_why(why, why_size, "policy: no policy has id %u", (unsigned)c->policy.policy);
	if (c->policy.interval_ms < 1)
		return bpfnic_why(why, why_size, "interval_ms: must be at least 1 ms");
	if (bpfnic_policy_check(&c->policy, c->cpus, &param, reason, sizeof(reason)) < 0) {
		snprintf(why, why_size, "%s: %s", param, reason);
		return -EINVAL;
	}
	if (c->queueing != BPFNIC_MODEL_PER_CPU && c->queueing != BPFNIC_MODEL_SHARED)
		return bpfnic_why(why, why_size, "queueing: no discipline has id %u",
			       (unsigned)c->queueing);
	if (c->service != BPFNIC_MODEL_SERVICE_CONSTANT &&
	    c->service != BPFNIC_MODEL_SERVICE_EXPONENTIAL)
		return bpfnic_why(why, why_size, "service: no distribution has id %u",
			       (unsigned)c->service);
	for (int k = 0; k < 2; k++)
		if (c->service_ns[k] > BPFNIC_MAX_SERVICE_NS)
			return bpfnic_why(why, why_size,
				       "service_ns: at most %llu ns, the longest the worker spins",
				       (unsigned long long)BPFNIC_MAX_SERVICE_NS);
	if (c->overhead_ns > BPFNIC_MAX_SERVICE_NS || c->wakeup_ns > BPFNIC_MAX_SERVICE_NS)
		return bpfnic_why(why, why_size, "overhead_ns, wakeup_ns: at most %llu ns",
			       (unsigned long long)BPFNIC_MAX_SERVICE_NS);
	if (c->arrivals != BPFNIC_ARRIVALS_POISSON && c->arrivals != BPFNIC_ARRIVALS_CONSTANT)
		return bpfnic_why(why, why_size, "arrivals: no process has id %u",
			       (unsigned)c->arrivals);
	if (c->mix[0] == 0 && c->mix[1] == 0)
		return bpfnic_why(why, why_size, "mix: one class at least needs a weight above 0");
	return 0;
}

/* Groups as the daemon makes them from Cpus= (here 0..cpus-1): main the first n_main,
 * the long group (split) the last n_long. */
static void set_groups(struct bpfnic_model *m, unsigned n_main, unsigned n_long)
{
	unsigned n = m->c.cpus;

	for (unsigned i = 0; i < n_main; i++)
		m->gcpu[BPFNIC_GROUP_MAIN].cpu[i] = i;
	for (unsigned i = 0; i < n_long; i++)
		m->gcpu[BPFNIC_GROUP_LONG].cpu[i] = n - n_long + i;
	m->group_size[BPFNIC_GROUP_MAIN] = n_main;
	m->group_size[BPFNIC_GROUP_LONG] = n_long;
}

/* The groups at start: dynamic at MinCpus=, split --long-cpus auto at half of the CPUs
 * (daemon/policy.c). */
static void make_groups(struct bpfnic_model *m)
{
	const struct bpfnic_policy_params *p = &m->c.policy;
	unsigned n = m->c.cpus, n_long = 0;

	if (p->policy == BPFNIC_POLICY_SPLIT) {
		n_long = p->long_cpus;
		if (p->long_cpus == BPFNIC_LONG_CPUS_AUTO) {
			n_long = n / 2 ? n / 2 : 1;
			m->split_auto = true;
			bpfnic_model_split_start(&m->split, 0);
		}
	}
	set_groups(m, n - n_long, n_long);
	if (m->scaled) {
		m->group_size[BPFNIC_GROUP_MAIN] = p->min_cpus;
		bpfnic_model_scaler_start(&m->scaler, p, 0, &m->group_size[BPFNIC_GROUP_MAIN]);
	}
}

/* A client thread's flow as the lab has it: 198.18.0.2, an ephemeral port drawn from
 * the seed, to 198.18.0.1 port 7777; its hash as the scheduler computes it. */
static __u32 client_flow_hash(uint64_t seed, unsigned i)
{
	struct bpfnic_rng r;
	uint16_t sport;

	bpfnic_rng_seed(&r, seed ^ 0x666c6f77ull, i);
	sport = (uint16_t)(32768 + bpfnic_rng_next(&r) % 28232); /* Linux's ephemeral range */
	return bpfnic_flow_hash(htonl(0xc6120002u), htonl(0xc6120001u), htons(sport), htons(7777));
}

int bpfnic_model_new(const struct bpfnic_model_config *c, struct bpfnic_model **out, char *why,
		     size_t why_size)
{
	struct bpfnic_model *m;
	int r;

	*out = NULL;
	if (why_size)
		why[0] = '\0';
	if ((r = check_config(c, why, why_size)) < 0)
		return r;
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	m->c = *c;
	m->queue_len = c->queue_len ? c->queue_len : BPFNIC_MODEL_DEFAULT_QUEUE_LEN;
	m->n_clients = c->clients ? c->clients : 1;
	m->n_rxq = c->rx_queues ? c->rx_queues : 1;
	m->scaled = bpfnic_policies[c->policy.policy].scaler;
	m->pick = bpfnic_policy_pick(&c->policy);
	m->vft_twin = c->vft && m->pick == BPFNIC_POLICY_LWL;
	m->settings = (struct bpfnic_settings){
		.policy = (__u8)m->pick, .choices = (__u8)c->policy.choices,
		.service_ns = { c->service_ns[0], c->service_ns[1] },
		.max_service_ns = BPFNIC_MAX_SERVICE_NS,
	};
	bpfnic_rng_seed(&m->pick_rng, c->seed ^ 0x7069636bull, ~1ull);
	bpfnic_mix_init(&m->mix, c->mix[0], c->mix[1]);
	bpfnic_rng_seed(&m->service_rng, c->seed, ~0ull); /* a stream no client uses */
	m->interval_ns = (uint64_t)c->policy.interval_ms * NS_PER_MS;
	m->next_window_ns = m->interval_ns;
	m->cpu = calloc(c->cpus, sizeof(*m->cpu));
	m->cpu_win = calloc(c->cpus, sizeof(*m->cpu_win));
	m->cursor = calloc(m->n_rxq, sizeof(*m->cursor));
	m->client = calloc(m->n_clients, sizeof(*m->client));
	m->loads = aligned_alloc(_Alignof(struct bpfnic_loads), sizeof(*m->loads));
	if (!m->cpu || !m->cpu_win || !m->cursor || !m->client || !m->loads) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < c->cpus; i++) {
		m->cpu[i].mask = RING_MIN - 1;
		if (!(m->cpu[i].ring = malloc(RING_MIN * sizeof(struct mreq)))) {
			r = -ENOMEM;
			goto fail;
		}
	}
	memset(m->loads, 0, sizeof(*m->loads));
	for (unsigned i = 0; i < m->n_clients; i++) {
		m->client[i].rxq = i % m->n_rxq;
		m->client[i].flow_hash = client_flow_hash(c->seed, i);
	}
	make_groups(m);
	*out = m;
	return 0;
fail:
	bpfnic_model_free(m);
	return r;
}

void bpfnic_model_free(struct bpfnic_model *m)
{
	if (!m)
		return;
	if (m->cpu)
		for (unsigned i = 0; i < m->c.cpus; i++)
			free(m->cpu[i].ring);
	free(m->loads);
	free(m->cpu);
	free(m->cpu_win);
	free(m->cursor);
	free(m->client);
	free(m);
}

void bpfnic_model_policy_defaults(struct bpfnic_policy_params *p, unsigned n_cpus)
{
	struct bpfnic_cpuset none = { 0 };
	struct bpfnicd_config c;

	bpfnic_config_defaults(&c, &none);
	*p = c.policy;
	if (p->max_cpus == 0)
		p->max_cpus = n_cpus;
	bpfnic_policy_resolve(p);
}

void bpfnic_model_on_window(struct bpfnic_model *m, bpfnic_model_window_fn *fn, void *ctx)
{
	m->on_window = fn;
	m->on_window_ctx = ctx;
}

void bpfnic_model_totals(const struct bpfnic_model *m, struct bpfnic_model_totals *t)
{
	*t = m->tot;
	t->now_ns = m->now_ns;
}

const struct bpfnic_loads *bpfnic_model_loads(const struct bpfnic_model *m)
{
	return m->loads;
}

/* ---------------------------------------------------------------------------------
 * Workers
 */

/* A finished request: the worker's statistics, and its CPU's load. */
static void finish(struct bpfnic_model *m, unsigned i, struct mcpu *c)
{
	bpfnic_worker_record_done(&c->win, c->serving_cls, c->serving_service_ns);
	if (!m->vft_twin)
		bpfnic_load_done(&m->loads->cpu[i]);
	c->serving = false;
}

/* The worker's statistics and its CPU's load for everything that happened on CPU i up
 * to time t, at the points the worker records them. */
static void replay(struct bpfnic_model *m, unsigned i, uint64_t t)
{
	struct mcpu *c = &m->cpu[i];
	struct bpfnic_cpu_load *l = &m->loads->cpu[i];

	while (c->count && c->ring[c->head].pickup_ns <= t) {
		const struct mreq *q = &c->ring[c->head];

		/* The one in service finished before this pick-up. */
		if (c->serving)
			finish(m, i, c);
		bpfnic_worker_record_qdelay(&c->win, q->qdelay_ns);
		if (m->vft_twin)
			bpfnic_vft_pickup(l, q->qdelay_ns, q->vft_wait_ns);
		else
			bpfnic_load_pickup(l, q->work_ns, q->pickup_ns);
		c->serving = true;
		c->serving_cls = q->cls;
		c->serving_service_ns = q->service_ns;
		c->serving_finish_ns = q->pickup_ns + q->service_ns;
		c->head = (c->head + 1) & c->mask;
		c->count--;
	}
	if (c->serving && c->serving_finish_ns <= t)
		finish(m, i, c);
}

static int ring_grow(struct mcpu *c)
{
	uint32_t cap = c->mask + 1;
	struct mreq *r = malloc(2 * (size_t)cap * sizeof(*r));

	if (!r)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->count; i++)
		r[i] = c->ring[(c->head + i) & c->mask];
	free(c->ring);
	c->ring = r;
	c->head = 0;
	c->mask = 2 * cap - 1;
	return 0;
}

static uint32_t draw_service(struct bpfnic_model *m, unsigned cls)
{
	double v;

	if (m->c.service == BPFNIC_MODEL_SERVICE_CONSTANT)
		return (uint32_t)m->c.service_ns[cls];
	v = -log1p(-bpfnic_rng_uniform(&m->service_rng)) * (double)m->c.service_ns[cls];
	return v < 4e9 ? (uint32_t)(v + 0.5) : 4000000000u;
}

/* ---------------------------------------------------------------------------------
 * The scheduler
 */

/* The shared queue: the group's CPU whose work ends first, walking from the cursor. */
static uint32_t pick_first_free(struct bpfnic_model *m, uint32_t group, uint32_t size,
				uint32_t *cursor, uint64_t t)
{
	uint32_t start = bpfnic_pick_rr(size, cursor);
	struct bpfnic_pick_least best;

	bpfnic_pick_least_init(&best);
	for (uint32_t i = 0; i < size && best.load; i++) {
		uint32_t slot = bpfnic_pick_walk_slot(start, i, size);
		uint64_t free_ns = m->cpu[m->gcpu[group].cpu[slot]].free_ns;

		bpfnic_pick_least_offer(&best, slot, free_ns > t ? free_ns - t : 0);
	}
	return best.slot;
}

/*
 * The scheduler's pick for a request of a client at time t (as sched_pick_and_redirect
 * composes the pick functions), with the loads brought up to t first; *est gets the
 * work left it estimated on the chosen CPU (lwl, p2c).
 */
static uint32_t pick(struct bpfnic_model *m, const struct mclient *cl, uint32_t group,
		     uint32_t size, uint64_t t, __u64 *est)
{
	const struct bpfnic_group_cpus *g = &m->gcpu[group];
	uint32_t *cursor = &m->cursor[cl->rxq][group], slot;
	uint64_t rnd;

	*est = 0;
	switch (m->pick) {
	case BPFNIC_POLICY_LWL:
	case BPFNIC_POLICY_JSQ:
		for (uint32_t i = 0; i < size; i++)
			replay(m, g->cpu[i], t);
		slot = bpfnic_pick_least_walk(m->pick == BPFNIC_POLICY_JSQ ? BPFNIC_MEASURE_INFLIGHT :
					      m->vft_twin ? BPFNIC_MEASURE_VFT : BPFNIC_MEASURE_WORK,
					      g, size, bpfnic_pick_rr(size, cursor), m->loads, t, est);
		if (m->pick == BPFNIC_POLICY_JSQ)
			*est = 0;
		return slot;
	case BPFNIC_POLICY_P2C:
		/* Only the CPUs it draws need to be up to date: the same draws as its pick. */
		rnd = bpfnic_rng_next(&m->pick_rng);
		slot = bpfnic_pick_choice(size, 0, (__u32)rnd, 0);
		replay(m, g->cpu[slot], t);
		for (uint32_t i = 1; i < 3; i++)
			replay(m, g->cpu[bpfnic_pick_choice(size, slot, (__u32)(rnd >> (16 * i)), i)], t);
		return bpfnic_pick_p2c(g, size, m->settings.choices, rnd, m->loads, t, est);
	case BPFNIC_POLICY_HASH:
		return bpfnic_pick_hash(cl->flow_hash, size);
	default:
		return bpfnic_pick_rr(size, cursor);
	}
}

static int arrive(struct bpfnic_model *m, struct mclient *cl)
{
	unsigned cls = bpfnic_mix_pick(&m->mix, &cl->class_rng);
	uint64_t t = bpfnic_arrival_next(&cl->arr), start, vft_wait = 0;
	__u64 est = 0;
	uint32_t group = bpfnic_pick_group((__u8)m->pick, (__u8)cls);
	uint32_t size = m->group_size[group], slot, service, work, cpu;
	struct bpfnic_model_class *rc = m->res ? &m->res->cls[cls] : NULL;
	struct bpfnic_cpu_load *l;
	struct mcpu *c;
	struct mreq *q;
	int r;

	/* Under split, the scheduler's pick_group() reads the policy itself. */
	if (m->c.policy.policy == BPFNIC_POLICY_SPLIT)
		group = bpfnic_pick_group(BPFNIC_POLICY_SPLIT, (__u8)cls);
	m->tot.sent[cls]++;
	m->win_arrived[cls]++;
	if (rc)
		rc->sent++;
	if (size == 0) {
		m->tot.drop_no_cpu[cls]++;
		m->win_no_cpu++;
		if (rc)
			rc->drop_no_cpu++;
		return 0;
	}
	if (m->c.queueing == BPFNIC_MODEL_SHARED)
		slot = pick_first_free(m, group, size, &m->cursor[cl->rxq][group], t);
	else
		slot = pick(m, cl, group, size, t, &est);
	cpu = m->gcpu[group].cpu[slot];
	c = &m->cpu[cpu];
	l = &m->loads->cpu[cpu];
	c->win_in++;

	replay(m, cpu, t);
	/* Handed out: into the CPU's load, as the scheduler does after its redirect. */
	work = (uint32_t)bpfnic_service_ns(&m->settings, (__u8)cls, 0);
	if (m->vft_twin) {
		vft_wait = bpfnic_vft_wait(l, t);
		bpfnic_vft_hand(l, work, t);
	} else {
		bpfnic_load_hand(l, work);
	}
	if (c->count >= m->queue_len) {
		/* The kernel drops it at the full queue; the drop tracer takes back its count. */
		if (!m->vft_twin)
			bpfnic_load_forget(l, 1);
		c->win_drops++;
		m->tot.drop_queue[cls]++;
		if (rc)
			rc->drop_queue++;
		return 0;
	}
	if (c->count > c->mask && (r = ring_grow(c)) < 0)
		return r;
	service = draw_service(m, cls);
	start = c->free_ns > t ? c->free_ns : t + m->c.wakeup_ns;
	c->free_ns = start + service + m->c.overhead_ns;
	q = &c->ring[(c->head + c->count) & c->mask];
	q->pickup_ns = start;
	q->qdelay_ns = start - t;
	q->service_ns = service;
	q->work_ns = work;
	q->vft_wait_ns = (uint32_t)(vft_wait < UINT32_MAX ? vft_wait : UINT32_MAX);
	q->cls = (uint8_t)cls;
	c->count++;
	m->tot.served[cls]++;
	if (rc) {
		bpfnic_hist_record(&rc->qdelay, start - t);
		if (bpfnic_policy_estimates_work((__u8)m->pick) && m->c.queueing == BPFNIC_MODEL_PER_CPU)
			bpfnic_load_acc_record(&m->res->acc, est, start - t);
	}
	return 0;
}

/* ---------------------------------------------------------------------------------
 * Windows: the daemon's statistics and its controller
 */
/* split --long-cpus auto on the window just closed (m->win_all holds its workers'
 * statistics), as daemon/policy.c's split_tick. */
static void split_window(struct bpfnic_model *m, struct bpfnic_model_window *w, uint64_t end)
{
	const struct bpfnic_worker_stats *a = &m->win_all;
	double secs = (double)(end - m->window_start_ns) / 1e9, rps[2], service_us[2];
	uint64_t served[2], n_long = m->group_size[BPFNIC_GROUP_LONG], next, n = m->c.cpus;
	uint64_t long_ns = a->service_sum_long_ns, all = bpfnic_worker_processed(a);

	served[1] = a->processed[BPFNIC_CLASS_LONG];
	served[0] = all - served[1];
	service_us[1] = served[1] ? (double)long_ns / (double)served[1] / 1000 : 0;
	service_us[0] = served[0] ? (double)(a->service_sum_ns - long_ns) / (double)served[0] / 1000 : 0;
	for (int k = 0; k < 2; k++)
		rps[k] = secs > 0 ? (double)m->win_arrived[k] / secs : 0;
	m->reason[0] = '\0';
	next = bpfnic_model_split_step(&m->split, &m->c.policy, end / NS_PER_MS, rps, service_us,
				       served, (unsigned)n, (unsigned)n_long, m->reason,
				       sizeof(m->reason));
	if (next == n_long)
		return;
	set_groups(m, (unsigned)(n - next), (unsigned)next);
	w->change = next > n_long ? BPFNIC_MODEL_GROW : BPFNIC_MODEL_SHRINK;
	w->changed_group = BPFNIC_GROUP_LONG;
	w->changed_cpu = (unsigned)(n - (next > n_long ? next : n_long));
	w->reason = m->reason;
	if (m->res)
		m->res->split_changes++;
}

static void window_end(struct bpfnic_model *m)
{
	uint64_t end = m->next_window_ns;
	struct bpfnic_model_window w = {
		.start_ns = m->window_start_ns, .end_ns = end, .n_cpus = m->c.cpus,
		.cpu = m->cpu_win, .drops_no_cpu = m->win_no_cpu, .reason = "",
	};
	double metric_us;

	memset(&m->win_all, 0, sizeof(m->win_all));
	for (unsigned i = 0; i < m->c.cpus; i++) {
		struct mcpu *c = &m->cpu[i];
		struct bpfnic_model_cpu_window *cw = &m->cpu_win[i];

		replay(m, i, end);
		/* The window as the daemon sees it: counters minus the last reading, whose
		 * maximum is bounded by the lifetime one the kernel keeps. */
		if (c->win.qdelay_max_ns > c->life_max_ns)
			c->life_max_ns = c->win.qdelay_max_ns;
		c->win.qdelay_max_ns = c->life_max_ns;
		bpfnic_worker_stats_delta(&m->win_tmp, &c->win, &zero_stats);
		*cw = (struct bpfnic_model_cpu_window){
			.in = c->win_in, .out = bpfnic_worker_processed(&m->win_tmp),
			.drops = c->win_drops, .waiting = c->count,
			.service_us = bpfnic_worker_processed(&m->win_tmp) ?
				      (double)m->win_tmp.service_sum_ns / 1000.0 /
					      (double)bpfnic_worker_processed(&m->win_tmp) : 0,
			.qdelay_p50_us = bpfnic_worker_qdelay_quantile_ns(&m->win_tmp, 0.50) / 1000.0,
			.qdelay_p99_us = bpfnic_worker_qdelay_quantile_ns(&m->win_tmp, 0.99) / 1000.0,
		};
		w.in += cw->in;
		w.out += cw->out;
		w.drops_queue += cw->drops;
		bpfnic_worker_stats_add(&m->win_all, &m->win_tmp);
		memset(&c->win, 0, sizeof(c->win));
		c->win_in = c->win_drops = 0;
	}
	w.qdelay_avg_us = bpfnic_worker_qdelay_avg_ns(&m->win_all) / 1000.0;
	w.qdelay_p50_us = bpfnic_worker_qdelay_quantile_ns(&m->win_all, 0.50) / 1000.0;
	w.qdelay_p99_us = bpfnic_worker_qdelay_quantile_ns(&m->win_all, 0.99) / 1000.0;

	if (m->scaled) {
		uint32_t *size = &m->group_size[BPFNIC_GROUP_MAIN];
		unsigned before = *size, after = before;

		metric_us = m->c.policy.metric == BPFNIC_METRIC_P99 ? w.qdelay_p99_us :
								       w.qdelay_avg_us;
		m->reason[0] = '\0';
		w.change = bpfnic_model_scaler_step(&m->scaler, &m->c.policy, end / NS_PER_MS, w.out > 0,
						    metric_us, &after, m->reason, sizeof(m->reason));
		if (w.change != BPFNIC_MODEL_HOLD) {
			bool grow = w.change == BPFNIC_MODEL_GROW;

			*size = after;
			w.changed_cpu = m->gcpu[BPFNIC_GROUP_MAIN].cpu[grow ? after - 1 : after];
			w.reason = m->reason;
			*(grow ? &m->tot.grows : &m->tot.shrinks) += 1;
			if (m->res)
				*(grow ? &m->res->grows : &m->res->shrinks) += 1;
		}
	}
	if (m->split_auto)
		split_window(m, &w, end);
	memcpy(w.group_size, m->group_size, sizeof(w.group_size));
	m->win_no_cpu = 0;
	m->win_arrived[0] = m->win_arrived[1] = 0;
	m->window_start_ns = end;
	m->next_window_ns = end + m->interval_ns;
	if (m->on_window)
		m->on_window(m->on_window_ctx, &w);
}

/* ---------------------------------------------------------------------------------
 * Steps
 */
static struct mclient *next_client(struct bpfnic_model *m)
{
	struct mclient *best = &m->client[0];

	for (unsigned i = 1; i < m->n_clients; i++)
		if (bpfnic_arrival_peek(&m->client[i].arr) < bpfnic_arrival_peek(&best->arr))
			best = &m->client[i];
	return best;
}

/* Arrivals before end (when sending) and windows ending by end, in time order; a
 * window and an arrival at the same time: the window first. */
static int run_until(struct bpfnic_model *m, uint64_t end, bool sending)
{
	int r;

	for (;;) {
		struct mclient *cl = sending ? next_client(m) : NULL;
		uint64_t ta = cl ? bpfnic_arrival_peek(&cl->arr) : UINT64_MAX;

		if (ta >= end)
			ta = UINT64_MAX;
		if (m->next_window_ns <= end && m->next_window_ns <= ta)
			window_end(m);
		else if (ta != UINT64_MAX) {
			if ((r = arrive(m, cl)) < 0)
				return r;
		} else
			break;
	}
	/* Every worker up to now, so that its load is as the scheduler would read it. */
	for (unsigned i = 0; i < m->c.cpus; i++)
		replay(m, i, end);
	m->now_ns = end;
	return 0;
}

/* The clients for a step from t0, seeded and phased as bpfnic-loadgen's threads are. */
static int start_clients(struct bpfnic_model *m, double rate_rps, uint64_t t0)
{
	double rate = rate_rps / m->n_clients;
	int r;

	for (unsigned i = 0; i < m->n_clients; i++) {
		struct mclient *cl = &m->client[i];
		uint64_t stream = (uint64_t)m->steps << 20 | i;
		uint64_t start = t0;

		/* Constant arrivals: the clients take turns within the gap. */
		if (m->c.arrivals == BPFNIC_ARRIVALS_CONSTANT)
			start += (uint64_t)(1e9 / rate * i / m->n_clients);
		r = bpfnic_arrival_init(&cl->arr, m->c.arrivals, rate, start, m->c.seed, stream);
		if (r < 0)
			return r;
		bpfnic_rng_seed(&cl->class_rng, m->c.seed ^ 0x636c617373ull, stream);
	}
	return 0;
}

int bpfnic_model_run_step(struct bpfnic_model *m, const struct bpfnic_model_step *s,
			  struct bpfnic_model_result *r)
{
	uint64_t t0 = m->now_ns, measure, send_end;
	int e;

	if (!(s->rate_rps > 0) || !isfinite(s->rate_rps) || s->duration_ns == 0 ||
	    s->warmup_ns > MAX_TIME_NS || s->duration_ns > MAX_TIME_NS || s->drain_ns > MAX_TIME_NS ||
	    t0 > MAX_TIME_NS)
		return -EINVAL;
	if (s->rate_rps * ((double)s->warmup_ns + (double)s->duration_ns) / 1e9 >
	    BPFNIC_MODEL_MAX_STEP_REQUESTS)
		return -E2BIG;
	if ((e = start_clients(m, s->rate_rps, t0)) < 0)
		return e;
	m->steps++;
	measure = t0 + s->warmup_ns;
	send_end = measure + s->duration_ns;

	memset(r, 0, sizeof(*r));
	for (int k = 0; k < 2; k++)
		bpfnic_hist_init(&r->cls[k].qdelay);
	if ((e = run_until(m, measure, true)) < 0)
		return e;
	r->start_ns = measure;
	memcpy(r->group_start, m->group_size, sizeof(r->group_start));
	m->res = r;
	e = run_until(m, send_end, true);
	m->res = NULL;
	if (e < 0)
		return e;
	r->end_ns = send_end;
	memcpy(r->group_end, m->group_size, sizeof(r->group_end));
	return run_until(m, send_end + s->drain_ns, false);
}
