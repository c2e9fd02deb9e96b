/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The measuring engine: see engine.h; one client's thread is in client.c. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>
#include "client.h"
#include "clock.h"
#include "engine.h"

const char *const lg_class_names[LG_NR_CLASSES] = { "short", "long", "other" };

struct lg_engine {
	const struct lg_config *cfg;
	struct bpfnic_mix mix;
	unsigned max_clients;
	struct lg_client *clients;
	int *all_fds;
	unsigned n_fds;
	struct step_hists *merged;   /* the clients' histograms of the last step, merged */
};

/* A step's histograms: the send lag, and per class RTT and queuing delay. */
struct step_hists {
	struct bpfnic_hist lag, rtt[2], qdelay[2];
};

void lg_summarize(const struct bpfnic_hist *h, struct lg_summary *s)
{
	s->count = h->count;
	s->p50 = bpfnic_hist_quantile(h, 0.50);
	s->p90 = bpfnic_hist_quantile(h, 0.90);
	s->p99 = bpfnic_hist_quantile(h, 0.99);
	s->p999 = bpfnic_hist_quantile(h, 0.999);
	s->p9999 = bpfnic_hist_quantile(h, 0.9999);
	s->max = h->count ? (double)h->max : 0;
	s->min = h->count ? (double)h->min : 0;
	s->mean = bpfnic_hist_mean(h);
}

static int open_socket(const struct lg_config *c)
{
	int fd = socket(c->target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, rcv = 8 << 20, snd = 4 << 20;

	if (fd < 0)
		return -errno;
	/* Big buffers so a burst of replies is not dropped by our own socket. FORCE needs
	 * CAP_NET_ADMIN; without it the plain option is capped by rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&c->target, c->target_len)) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The engine's memory: clients (cache-line aligned, every epfd -1), fd slots, scratch. */
static struct lg_engine *engine_alloc(const struct lg_config *c, unsigned max_clients,
				      unsigned flows)
{
	struct lg_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = c;
	e->max_clients = max_clients;
	bpfnic_mix_init(&e->mix, c->mix[0], c->mix[1]);
	/* calloc only promises 16-byte alignment. */
	if (posix_memalign((void **)&e->clients, 64, max_clients * sizeof(*e->clients)) == 0) {
		memset(e->clients, 0, max_clients * sizeof(*e->clients));
		for (unsigned i = 0; i < max_clients; i++)
			e->clients[i].epfd = -1;
	} else {
		e->clients = NULL;
	}
	e->all_fds = calloc(flows, sizeof(int));
	e->merged = malloc(sizeof(*e->merged));
	if (!e->clients || !e->all_fds || !e->merged) {
		lg_engine_close(e);
		return NULL;
	}
	return e;
}

/* One socket per flow, spread over the clients (the first ones take the remainder). */
static int engine_connect(struct lg_engine *e, unsigned flows)
{
	unsigned k = 0;
	int r;

	for (; e->n_fds < flows; e->n_fds++) {
		r = open_socket(e->cfg);
		if (r < 0)
			return r;
		e->all_fds[e->n_fds] = r;
	}
	for (unsigned i = 0; i < e->max_clients; i++) {
		unsigned nfds = flows / e->max_clients + (i < flows % e->max_clients);

		r = lg_client_init(&e->clients[i], e->cfg, &e->mix, i, &e->all_fds[k], nfds);
		if (r)
			return r;
		k += nfds;
	}
	return 0;
}

int lg_engine_open(struct lg_engine **ep, const struct lg_config *c, unsigned max_clients)
{
	unsigned flows = c->flows ? c->flows : max_clients;
	struct lg_engine *e = engine_alloc(c, max_clients, flows);
	int r;

	if (!e)
		return -ENOMEM;
	r = engine_connect(e, flows);
	if (r == 0)
		*ep = e;
	else
		lg_engine_close(e);
	return r;
}

void lg_engine_close(struct lg_engine *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i < e->n_fds; i++)
		close(e->all_fds[i]);
	if (e->clients)
		for (unsigned i = 0; i < e->max_clients; i++)
			lg_client_close(&e->clients[i]);
	free(e->all_fds);
	free(e->clients);
	free(e->merged);
	free(e);
}


/* ------------------------------------------------------------------------------------
 * One step: prepare the clients, run their threads while reporting progress, merge.
 */
static void step_init(struct lg_step_result *out, const struct lg_step_plan *plan)
{
	memset(out, 0, sizeof(*out));
	out->index = plan->index;
	out->clients = plan->nclients;
	out->offered_rps = plan->rate_total;
	out->duration_ns = plan->duration_ns;
	out->warmup_ns = plan->warmup_ns;
	out->drain_ns = plan->drain_ns;
	out->mean_gap_ns = 1e9 * plan->nclients / plan->rate_total;
	{
		int64_t real = bpfnic_real_minus_mono_ns();

		out->warmup_start_ns = (uint64_t)((int64_t)plan->t0 + real);
		out->wall_start_ns = out->warmup_start_ns + plan->warmup_ns;
		out->wall_end_ns = out->wall_start_ns + plan->duration_ns;
	}
}

/*
 * Replies the kernel dropped at the sockets of the step's clients so far (the
 * counter SO_RXQ_OVFL reports with each datagram, read directly with SO_MEMINFO, so
 * that drops after the last reply are counted too). The kernel's counter is 32 bits:
 * differences are taken modulo 2^32.
 */
static uint32_t socket_drops(const struct lg_engine *e, unsigned nclients)
{
	uint32_t total = 0;

	for (unsigned i = 0; i < nclients; i++)
		for (unsigned f = 0; f < e->clients[i].nfds; f++) {
			uint32_t mem[SK_MEMINFO_VARS] = { 0 };
			socklen_t len = sizeof(mem);

			if (getsockopt(e->clients[i].fds[f], SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
			    len > SK_MEMINFO_DROPS * sizeof(mem[0]))
				total += mem[SK_MEMINFO_DROPS];
		}
	return total;
}

/*
 * Until the step's end, or until every client finished early (all answered): every
 * 250 ms, the progress callback with the clients' counters.
 */
static void supervise(struct lg_engine *e, const struct lg_step_plan *plan,
		      const struct lg_step_result *out, lg_progress_fn progress, void *ctx)
{
	uint64_t stop_at = e->clients[0].stop_at, now;
	uint64_t next_progress = bpfnic_mono_ns() + 250000000ull;
	double total_s = (double)(stop_at - plan->t0) / 1e9;

	while ((now = bpfnic_mono_ns()) < stop_at) {
		uint64_t wake = now + 20000000ull, sent = 0, received = 0;
		bool all_finished = true;

		lg_sleep_until(wake < stop_at ? wake : stop_at);
		for (unsigned i = 0; i < plan->nclients && all_finished; i++)
			all_finished = atomic_load_explicit(&e->clients[i].finished,
							    memory_order_acquire);
		if (all_finished)
			break;
		if (!progress || bpfnic_mono_ns() < next_progress)
			continue;
		next_progress += 250000000ull;
		for (unsigned i = 0; i < plan->nclients; i++) {
			sent += atomic_load_explicit(&e->clients[i].prog_sent, memory_order_relaxed);
			received += atomic_load_explicit(&e->clients[i].prog_recv, memory_order_relaxed);
		}
		now = bpfnic_mono_ns();
		progress(ctx, out, now > plan->t0 ? (double)(now - plan->t0) / 1e9 : 0, total_s, sent,
			 received);
	}
}

/* Starts a thread per client, supervises the step, joins them. 0 or -errno. */
static int run_clients(struct lg_engine *e, const struct lg_step_plan *plan,
		       const struct lg_step_result *out, lg_progress_fn progress, void *ctx)
{
	pthread_t threads[LG_MAX_THREADS];
	unsigned started = 0;
	int r = 0;

	for (; started < plan->nclients; started++) {
		r = -pthread_create(&threads[started], NULL, lg_client_main, &e->clients[started]);
		if (r)
			break;
	}
	if (!r)
		supervise(e, plan, out, progress, ctx);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	return r;
}

/* Adds up the clients' counters; the first client's error, if one failed. */
static int merge_counts(struct lg_engine *e, unsigned nclients, struct lg_step_result *out,
			unsigned *failed_client)
{
	for (unsigned i = 0; i < nclients; i++) {
		const struct lg_client *cl = &e->clients[i];

		if (cl->thread_err) {
			*failed_client = i;
			return cl->thread_err;
		}
		for (unsigned k = 0; k < 2; k++) {
			out->cls[k].counts.sent += cl->sent[k];
			out->cls[k].counts.received += cl->received[k];
			out->cls[k].counts.send_failures += cl->failed[k];
		}
		for (unsigned k = 0; k < LG_NR_CLASSES; k++)
			out->cls[k].counts.invalid += cl->invalid[k];
		out->stale += cl->stale;
		out->warmup_replies += cl->warm;
		out->kernel_timestamps |= cl->kernel_ts;
	}
	return 0;
}

/* The clients' histograms, merged into the engine's. */
static void merge_hists(struct lg_engine *e, unsigned nclients)
{
	struct step_hists *m = e->merged;

	bpfnic_hist_init(&m->lag);
	for (unsigned k = 0; k < 2; k++) {
		bpfnic_hist_init(&m->rtt[k]);
		bpfnic_hist_init(&m->qdelay[k]);
	}
	for (unsigned i = 0; i < nclients; i++) {
		const struct lg_client *cl = &e->clients[i];

		bpfnic_hist_merge(&m->lag, &cl->lag);
		for (unsigned k = 0; k < 2; k++) {
			bpfnic_hist_merge(&m->rtt[k], &cl->rtt[k]);
			bpfnic_hist_merge(&m->qdelay[k], &cl->qdelay[k]);
		}
	}
}

void lg_step_result_free(struct lg_step_result *r)
{
	bpfnic_hist_sparse_free(&r->send_lag_hist);
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		bpfnic_hist_sparse_free(&r->cls[k].rtt_hist);
		bpfnic_hist_sparse_free(&r->cls[k].qdelay_hist);
	}
}

/* The smallest p99 RTT of a class with replies, 0 when none had any. */
static double smallest_rtt_p99(const struct lg_step_result *r)
{
	double p99 = 0;

	for (unsigned k = 0; k < 2; k++)
		if (r->cls[k].counts.received && (p99 == 0 || r->cls[k].rtt.p99 < p99))
			p99 = r->cls[k].rtt.p99;
	return p99;
}

int lg_step_finish(struct lg_step_result *r, const struct bpfnic_hist *send_lag,
		   const struct bpfnic_hist rtt[2], const struct bpfnic_hist qdelay[2])
{
	struct lg_validity_in v;
	int err = 0;

	lg_summarize(send_lag, &r->send_lag);
	err |= bpfnic_hist_sparse_from(&r->send_lag_hist, send_lag);
	for (unsigned k = 0; k < 2; k++) {
		struct lg_class_result *cr = &r->cls[k];

		lg_summarize(&rtt[k], &cr->rtt);
		lg_summarize(&qdelay[k], &cr->qdelay);
		err |= bpfnic_hist_sparse_from(&cr->rtt_hist, &rtt[k]);
		err |= bpfnic_hist_sparse_from(&cr->qdelay_hist, &qdelay[k]);
		/* Paper format matches by count: surplus replies cannot be ours. */
		if (cr->counts.received > cr->counts.sent) {
			cr->counts.invalid += cr->counts.received - cr->counts.sent;
			cr->counts.received = cr->counts.sent;
		}
		cr->counts.lost = cr->counts.sent - cr->counts.received;
	}
	r->counts = (struct lg_counts){ 0 };
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		const struct lg_counts *n = &r->cls[k].counts;

		r->counts.sent += n->sent;
		r->counts.received += n->received;
		r->counts.lost += n->lost;
		r->counts.invalid += n->invalid;
		r->counts.send_failures += n->send_failures;
	}
	r->scheduled = r->counts.sent + r->counts.send_failures;
	r->achieved_rps = (double)r->counts.sent / ((double)r->duration_ns / 1e9);
	v = (struct lg_validity_in){
		.sent = r->counts.sent, .scheduled = r->scheduled, .send_lag_p99_ns = r->send_lag.p99,
		.rtt_p99_ns = smallest_rtt_p99(r), .rx_drops = r->rx_drops,
	};
	r->valid = lg_validity(&v, r->reason, sizeof(r->reason));
	if (err) {
		lg_step_result_free(r);
		return -ENOMEM;
	}
	return 0;
}

int lg_engine_run_step(struct lg_engine *e, unsigned index, unsigned nclients, double rate_total,
		       uint64_t duration_ns, uint64_t warmup_ns, uint64_t drain_ns,
		       struct lg_step_result *out, lg_progress_fn progress, void *ctx,
		       char *err, size_t errlen)
{
	/* Start a little in the future so every thread is up before its first send. */
	struct lg_step_plan plan = {
		.index = index, .nclients = nclients, .rate_total = rate_total,
		.t0 = bpfnic_mono_ns() + 20000000ull, .warmup_ns = warmup_ns,
		.duration_ns = duration_ns, .drain_ns = drain_ns,
	};
	unsigned failed;
	uint32_t drops_before;
	int r;

	step_init(out, &plan);
	if (nclients > e->max_clients)
		return -EINVAL;
	drops_before = socket_drops(e, nclients);
	for (unsigned i = 0; i < nclients; i++) {
		r = lg_client_prepare(&e->clients[i], &plan);
		if (r) {
			snprintf(err, errlen, "cannot prepare client %u: %s", i, strerror(-r));
			return r;
		}
	}
	r = run_clients(e, &plan, out, progress, ctx);
	if (r) {
		snprintf(err, errlen, "cannot start client threads: %s", strerror(-r));
		return r;
	}
	r = merge_counts(e, nclients, out, &failed);
	if (r) {
		snprintf(err, errlen, "client %u failed: %s", failed, strerror(-r));
		return r;
	}
	out->rx_drops = (uint32_t)(socket_drops(e, nclients) - drops_before);
	merge_hists(e, nclients);
	r = lg_step_finish(out, &e->merged->lag, e->merged->rtt, e->merged->qdelay);
	if (r)
		snprintf(err, errlen, "cannot keep the step's histograms: %s", strerror(-r));
	return r;
}
