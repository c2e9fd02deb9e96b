/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "engine.h"
#include "wire.h"
#include "clock.h"

const char *const lg_class_names[LG_NR_CLASSES] = { "short", "long", "other" };

#define SEQ_STEP_SHIFT 40
#define SEQ_MASK       ((1ull << SEQ_STEP_SHIFT) - 1)
#define SLOT_REPLIED   0x80u
#define SLOT_CLASS     0x03u
#define MAX_SLOTS      (1ull << 31) /* per client and step: 2 G requests */
#define RX_BUF_LEN     2048         /* larger than any reply we accept, so MSG_TRUNC means foreign */
#define TX_BUF_LEN     64
/* A reply may carry a send time at most this far past our receive time (clock noise). */
#define FUTURE_SLACK_NS 1000000ull
/* A client never wakes more than this much early to absorb timer latency. */
#define MAX_OVERSLEEP_NS 1000000ull
/*
 * Reading replies must not make sends late. With more than RX_BUDGET_NS before the
 * next send, a client reads everything queued (stopping RX_BUDGET_NS/2 before that
 * send); with less, it still reads one small batch (RX_SMALL_BATCH) at most every
 * RX_EVERY_NS, which bounds the delay while keeping up with the rates it can send
 * on time.
 */
#define RX_EVERY_NS     50000ull
#define RX_BUDGET_NS    20000ull
#define RX_SMALL_BATCH  16u /* 16 per 50 us: 320 k replies/s */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Streaming estimate of the 95th percentile of the timer's wake-up latency ("frugal"
 * quantile tracking: up 19 steps for every step down). One outlier moves it by one
 * step only, so a rare millisecond hiccup does not make the client spin for long.
 */
static uint64_t track_p95(uint64_t est, uint64_t sample)
{
	if (sample > est)
		est = est + 950 < MAX_OVERSLEEP_NS ? est + 950 : MAX_OVERSLEEP_NS;
	else if (sample < est)
		est = est > 50 ? est - 50 : 0;
	return est;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, to bring kernel receive stamps onto our clock. */
static int64_t real_minus_mono(void)
{
	int64_t best = 0;
	uint64_t best_width = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t a = bpfnic_mono_ns(), real = bpfnic_clock_ns(CLOCK_REALTIME);
		uint64_t b = bpfnic_mono_ns();

		if (b - a < best_width) {
			best_width = b - a;
			best = (int64_t)real - (int64_t)(a + (b - a) / 2);
		}
	}
	return best;
}

struct __attribute__((aligned(64))) lg_client { /* no false sharing between clients */
	struct lg_engine *e;
	unsigned index;
	int cpu; /* -1: not pinned */
	int *fds;
	unsigned nfds;
	int epfd; /* with several sockets: epoll over them; else -1 */

	/* Step parameters, written before the threads start. */
	uint32_t step_id;
	uint64_t t0, measure_start, send_end, stop_at;
	int64_t real_minus_mono;

	/* Owned by the client's thread. */
	struct bpfnic_arrival arr;
	struct bpfnic_rng class_rng;
	uint64_t sent[2], failed[2], issued;
	struct bpfnic_hist lag;
	uint8_t *slots; /* ext: per sequence number, class | SLOT_REPLIED */
	uint64_t slot_cap;
	uint64_t received[2], invalid[LG_NR_CLASSES], stale, warm;
	uint64_t tx_ok, answered; /* every send / valid reply of the step, warm-up included */
	bool kernel_ts;
	struct bpfnic_hist rtt[2], qdelay[2];

	/* Progress, read by the main thread (relaxed). */
	_Atomic uint64_t prog_sent, prog_recv;
	_Atomic bool finished;
	int thread_err;
};

struct lg_engine {
	const struct lg_config *cfg;
	struct bpfnic_mix mix;
	unsigned max_clients;
	struct lg_client *clients;
	int *all_fds;
	unsigned n_fds;
	struct bpfnic_hist *scratch; /* for merging */
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

int lg_engine_open(struct lg_engine **ep, const struct lg_config *c, unsigned max_clients)
{
	struct lg_engine *e = calloc(1, sizeof(*e));
	unsigned flows = c->flows ? c->flows : max_clients, k = 0;
	int r;

	if (!e)
		return -ENOMEM;
	e->cfg = c;
	e->max_clients = max_clients;
	bpfnic_mix_init(&e->mix, c->mix[0], c->mix[1]);
	/* calloc only promises 16-byte alignment; clients are cache-line aligned. */
	if (posix_memalign((void **)&e->clients, 64, max_clients * sizeof(*e->clients)))
		e->clients = NULL;
	if (e->clients) {
		memset(e->clients, 0, max_clients * sizeof(*e->clients));
		for (unsigned i = 0; i < max_clients; i++)
			e->clients[i].epfd = -1;
	}
	e->all_fds = calloc(flows, sizeof(int));
	e->scratch = malloc(sizeof(*e->scratch));
	if (!e->clients || !e->all_fds || !e->scratch) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < flows; i++)
		e->all_fds[i] = -1;
	for (unsigned i = 0; i < flows; i++) {
		int fd = open_socket(c);

		if (fd < 0) {
			r = fd;
			goto fail;
		}
		e->all_fds[i] = fd;
		e->n_fds++;
	}
	for (unsigned i = 0; i < max_clients; i++) {
		struct lg_client *cl = &e->clients[i];

		cl->e = e;
		cl->index = i;
		cl->cpu = c->n_cpus ? (int)c->cpus[i % c->n_cpus] : -1;
		cl->nfds = flows / max_clients + (i < flows % max_clients);
		cl->fds = &e->all_fds[k];
		k += cl->nfds;
		cl->epfd = -1;
		if (cl->nfds > 1) {
			cl->epfd = epoll_create1(EPOLL_CLOEXEC);
			if (cl->epfd < 0) {
				r = -errno;
				goto fail;
			}
			for (unsigned f = 0; f < cl->nfds; f++) {
				struct epoll_event ev = { .events = EPOLLIN, .data.u32 = f };

				if (epoll_ctl(cl->epfd, EPOLL_CTL_ADD, cl->fds[f], &ev)) {
					r = -errno;
					goto fail;
				}
			}
		}
	}
	*ep = e;
	return 0;
fail:
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
		for (unsigned i = 0; i < e->max_clients; i++) {
			free(e->clients[i].slots);
			if (e->clients[i].epfd >= 0)
				close(e->clients[i].epfd);
		}
	free(e->all_fds);
	free(e->clients);
	free(e->scratch);
	free(e);
}

static void pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* ------------------------------------------------------------------------------------
 * Receiving: drain every socket without blocking. Receive times come from the kernel
 * (SO_TIMESTAMPNS, taken when the reply reached our stack), so a reply that waited in
 * the socket while the client slept or sent is still timed exactly.
 */
struct rx_state {
	struct mmsghdr msgs[LG_MAX_BATCH];
	struct iovec iov[LG_MAX_BATCH];
	uint8_t bufs[LG_MAX_BATCH][RX_BUF_LEN];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctrl[LG_MAX_BATCH];
	struct epoll_event events[LG_MAX_FLOWS];
};

static void handle_reply(struct lg_client *cl, const uint8_t *buf, size_t len, bool truncated,
			 uint64_t rx_ns)
{
	const struct lg_config *c = cl->e->cfg;
	struct bpfnic_msg m;
	int err = bpfnic_reply_decode(buf, len, c->format, &m);
	unsigned k;

	if (truncated) {
		cl->invalid[LG_CLASS_OTHER]++;
		return;
	}
	if (err != BPFNIC_DECODE_OK) {
		cl->invalid[m.class <= BPFNIC_CLASS_LONG ? m.class : LG_CLASS_OTHER]++;
		return;
	}
	k = m.class;
	if (m.client_send_ns < cl->t0) {
		cl->stale++; /* an earlier step's request, counted lost there */
		return;
	}
	if (m.client_send_ns > rx_ns + FUTURE_SLACK_NS) {
		cl->invalid[k]++; /* a send time we have not used yet: foreign */
		return;
	}
	if (cl->slots) {
		uint64_t n = m.seq & SEQ_MASK;

		if ((m.seq >> SEQ_STEP_SHIFT) != cl->step_id || n >= cl->issued ||
		    (cl->slots[n] & SLOT_REPLIED) || (cl->slots[n] & SLOT_CLASS) != k) {
			cl->invalid[k]++; /* never sent, a duplicate, or its class was changed */
			return;
		}
		cl->slots[n] |= SLOT_REPLIED;
	}
	if (m.client_send_ns < cl->measure_start) {
		cl->warm++;
		cl->answered++;
		return;
	}
	cl->received[k]++;
	cl->answered++;
	bpfnic_hist_record(&cl->rtt[k], rx_ns > m.client_send_ns ? rx_ns - m.client_send_ns : 0);
	bpfnic_hist_record(&cl->qdelay[k], m.worker_pickup_ns - m.sched_arrival_ns);
}

/* Reads everything queued on socket f; returns the number of replies. */
static unsigned drain_socket(struct lg_client *cl, struct rx_state *rx, unsigned f,
			     unsigned batch, uint64_t deadline)
{
	unsigned total = 0;

	{
		for (;;) {
			int n;
			uint64_t t_user;

			for (unsigned i = 0; i < batch; i++) {
				memset(&rx->msgs[i].msg_hdr, 0, sizeof(rx->msgs[i].msg_hdr));
				rx->msgs[i].msg_hdr.msg_iov = &rx->iov[i];
				rx->msgs[i].msg_hdr.msg_iovlen = 1;
				rx->msgs[i].msg_hdr.msg_control = rx->ctrl[i].buf;
				rx->msgs[i].msg_hdr.msg_controllen = sizeof(rx->ctrl[i].buf);
			}
			n = recvmmsg(cl->fds[f], rx->msgs, batch, MSG_DONTWAIT, NULL);
			if (n < 0 && errno == ECONNREFUSED)
				continue; /* an ICMP error from the target, consumed: read on */
			if (n <= 0)
				break;    /* EAGAIN: empty */
			t_user = bpfnic_mono_ns();
			for (int i = 0; i < n; i++) {
				struct msghdr *h = &rx->msgs[i].msg_hdr;
				uint64_t t = t_user;

				for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
					if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPNS) {
						struct timespec ts;
						int64_t k;

						memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
						k = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec -
						    cl->real_minus_mono;
						/* Trust the kernel stamp only when it is sane. */
						if (k > 0 && (uint64_t)k <= t_user) {
							t = (uint64_t)k;
							cl->kernel_ts = true;
						}
					}
				}
				handle_reply(cl, rx->bufs[i], rx->msgs[i].msg_len,
					     (h->msg_flags & MSG_TRUNC) != 0, t);
			}
			total += (unsigned)n;
			if ((unsigned)n < batch || t_user >= deadline)
				break;
		}
	}
	return total;
}

/*
 * Reads everything queued on the client's sockets. With several sockets, one
 * epoll_wait finds the readable ones, so many flows do not cost a syscall each.
 */
static unsigned drain_replies(struct lg_client *cl, struct rx_state *rx, unsigned batch,
			      uint64_t deadline)
{
	unsigned total = 0;

	if (batch > cl->e->cfg->batch)
		batch = cl->e->cfg->batch;
	if (cl->epfd < 0) {
		total = drain_socket(cl, rx, 0, batch, deadline);
	} else {
		int n = epoll_wait(cl->epfd, rx->events, (int)cl->nfds, 0);

		for (int i = 0; i < n && (i == 0 || bpfnic_mono_ns() < deadline); i++)
			total += drain_socket(cl, rx, rx->events[i].data.u32, batch, deadline);
	}
	atomic_fetch_add_explicit(&cl->prog_recv, total, memory_order_relaxed);
	return total;
}

/* Waits up to timeout_ms for a reply on any socket; 0 or -errno. */
static int wait_replies(struct lg_client *cl, struct rx_state *rx, int timeout_ms)
{
	int r;

	if (cl->epfd < 0) {
		struct pollfd p = { .fd = cl->fds[0], .events = POLLIN };

		r = poll(&p, 1, timeout_ms);
	} else {
		r = epoll_wait(cl->epfd, rx->events, (int)cl->nfds, timeout_ms);
	}
	return r < 0 && errno != EINTR ? -errno : 0;
}

/* ------------------------------------------------------------------------------------
 * A client: one thread that sends on an absolute schedule and, whenever it is not due
 * to send, drains its replies. Before each intended send time it sleeps (TIMER_ABSTIME)
 * until shortly before, then spins the rest; it sends everything already due, never
 * early, in one sendmmsg. After the window it waits for the last replies (poll).
 */
static void *client_main(void *arg)
{
	struct lg_client *cl = arg;
	const struct lg_config *c = cl->e->cfg;
	const struct bpfnic_mix *mix = &cl->e->mix;
	unsigned batch = c->batch, sock = 0;
	struct mmsghdr msgs[LG_MAX_BATCH];
	struct iovec iov[LG_MAX_BATCH];
	uint8_t (*bufs)[TX_BUF_LEN];
	uint64_t intended[LG_MAX_BATCH];
	uint8_t cls[LG_MAX_BATCH];
	uint64_t next, seq_base = (uint64_t)cl->step_id << SEQ_STEP_SHIFT;
	uint64_t oversleep = 0, last_rx = 0;
	struct rx_state *rx = malloc(sizeof(*rx));

	bufs = malloc(sizeof(*bufs) * LG_MAX_BATCH);
	if (!rx || !bufs) {
		cl->thread_err = -ENOMEM;
		free(rx);
		free(bufs);
		return NULL;
	}
	{
		sigset_t all;

		/* Signals are the main thread's business; a client is never interrupted. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
	}
	pin_self(cl->cpu);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake-ups on time, not 50 us late */

	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < batch; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = bpfnic_format_len(c->format);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		rx->iov[i].iov_base = rx->bufs[i];
		rx->iov[i].iov_len = RX_BUF_LEN;
	}

	next = bpfnic_arrival_peek(&cl->arr);
	while (next < cl->send_end) {
		uint64_t now = bpfnic_mono_ns(), t_send;
		unsigned k = 0, done = 0;
		bool full = false;

		if (now >= cl->send_end)
			break; /* behind at the end of the window: the rest is never sent */
		if (next > now) {
			uint64_t lead = c->spin_ns + oversleep;

			/* Idle: read replies first (they are stamped by the kernel anyway). */
			if (next - now > RX_BUDGET_NS) {
				drain_replies(cl, rx, LG_MAX_BATCH, next - RX_BUDGET_NS / 2);
				last_rx = now = bpfnic_mono_ns();
			} else if (now - last_rx >= RX_EVERY_NS) {
				drain_replies(cl, rx, RX_SMALL_BATCH, 0);
				last_rx = now = bpfnic_mono_ns();
			}
			if (next > now && next - now > lead) {
				uint64_t wake = next - lead, late;

				sleep_until(wake);
				now = bpfnic_mono_ns();
				/* Learn the timer's wake-up latency and wake that much earlier
				 * next time, so the spin absorbs it. */
				late = now > wake ? now - wake : 0;
				oversleep = track_p95(oversleep, late);
			}
			while ((now = bpfnic_mono_ns()) < next)
				cpu_relax();
		}
		while (k < batch && next <= now && next < cl->send_end) {
			if (cl->slots && cl->issued >= cl->slot_cap) {
				full = true;
				break;
			}
			cls[k] = (uint8_t)bpfnic_mix_pick(mix, &cl->class_rng);
			intended[k] = bpfnic_arrival_next(&cl->arr);
			next = bpfnic_arrival_peek(&cl->arr);
			bpfnic_req_encode(bufs[k], TX_BUF_LEN, c->format, intended[k], cls[k],
					  seq_base | cl->issued, c->service_ns[cls[k]]);
			if (cl->slots)
				cl->slots[cl->issued] = cls[k];
			cl->issued++;
			k++;
		}
		t_send = bpfnic_mono_ns();
		while (done < k) {
			int r = sendmmsg(cl->fds[sock], msgs + done, k - done, MSG_DONTWAIT);

			if (r > 0) {
				for (unsigned i = done; i < done + (unsigned)r; i++) {
					if (intended[i] >= cl->measure_start) {
						cl->sent[cls[i]]++;
						bpfnic_hist_record(&cl->lag, t_send - intended[i]);
					}
				}
				done += (unsigned)r;
				cl->tx_ok += (unsigned)r;
			} else {
				/* EAGAIN, ENOBUFS, a queued ICMP error...: this one is lost to us. */
				if (intended[done] >= cl->measure_start)
					cl->failed[cls[done]]++;
				done++;
			}
		}
		atomic_fetch_add_explicit(&cl->prog_sent, k, memory_order_relaxed);
		sock = (sock + 1) % cl->nfds;
		/* Busy sending: still read replies now and then, so no socket overflows; a
		 * client already behind reads a full batch (its sends are late anyway). */
		now = bpfnic_mono_ns();
		if (now - last_rx >= RX_EVERY_NS) {
			drain_replies(cl, rx, next <= now ? LG_MAX_BATCH : RX_SMALL_BATCH, 0);
			last_rx = bpfnic_mono_ns();
		}
		if (full)
			break;
	}
	/* What the schedule still called for in the window was never sent: a failure of
	 * the generator, counted so that scheduled = sent + failed holds exactly. */
	while (next < cl->send_end) {
		unsigned k = bpfnic_mix_pick(mix, &cl->class_rng);
		uint64_t t = bpfnic_arrival_next(&cl->arr);

		if (t >= cl->measure_start)
			cl->failed[k]++;
		next = bpfnic_arrival_peek(&cl->arr);
	}
	/* Drain: wait for the last replies until the step's end, or until every request
	 * sent in this step (warm-up included) has its valid reply. */
	for (;;) {
		uint64_t now = bpfnic_mono_ns();
		int timeout_ms, r;

		drain_replies(cl, rx, LG_MAX_BATCH, UINT64_MAX);
		if (now >= cl->stop_at || cl->answered >= cl->tx_ok)
			break;
		timeout_ms = (int)((cl->stop_at - now + 999999) / 1000000);
		if (timeout_ms > 50)
			timeout_ms = 50;
		r = wait_replies(cl, rx, timeout_ms);
		if (r) {
			cl->thread_err = r;
			break;
		}
	}
	free(rx);
	free(bufs);
	atomic_store_explicit(&cl->finished, true, memory_order_release);
	return NULL;
}

/* ------------------------------------------------------------------------------------
 * One step.
 */
static int client_prepare(struct lg_client *cl, const struct lg_config *c, unsigned index,
			  unsigned nclients, double rate_total, uint64_t t0, uint64_t warmup_ns,
			  uint64_t duration_ns, uint64_t drain_ns)
{
	double rate = rate_total / nclients;
	int r;

	cl->step_id = (index + 1) & 0xffffff;
	cl->t0 = t0;
	cl->measure_start = t0 + warmup_ns;
	cl->send_end = cl->measure_start + duration_ns;
	cl->stop_at = cl->send_end + drain_ns;
	cl->real_minus_mono = real_minus_mono();
	/* Constant arrivals: clients take turns (phase i/n of the gap) instead of all
	 * sending at the same instants; Poisson clients are independent anyway. */
	r = bpfnic_arrival_init(&cl->arr, c->arrivals, rate,
				c->arrivals == BPFNIC_ARRIVALS_CONSTANT ?
				t0 + (uint64_t)(1e9 / rate * cl->index / nclients) : t0,
				c->seed, (uint64_t)index << 20 | cl->index);
	if (r)
		return r;
	bpfnic_rng_seed(&cl->class_rng, c->seed ^ 0x636c617373ull, (uint64_t)index << 20 | cl->index);
	memset(cl->sent, 0, sizeof(cl->sent));
	memset(cl->failed, 0, sizeof(cl->failed));
	memset(cl->received, 0, sizeof(cl->received));
	memset(cl->invalid, 0, sizeof(cl->invalid));
	cl->issued = cl->stale = cl->warm = cl->tx_ok = cl->answered = 0;
	atomic_store(&cl->finished, false);
	cl->kernel_ts = false;
	cl->thread_err = 0;
	atomic_store(&cl->prog_sent, 0);
	atomic_store(&cl->prog_recv, 0);
	bpfnic_hist_init(&cl->lag);
	for (int k = 0; k < 2; k++) {
		bpfnic_hist_init(&cl->rtt[k]);
		bpfnic_hist_init(&cl->qdelay[k]);
	}
	free(cl->slots);
	cl->slots = NULL;
	cl->slot_cap = 0;
	if (c->format == BPFNIC_FORMAT_EXT) {
		/* Room for the expected count plus a margin far above Poisson's spread. */
		double expect = rate * (double)(warmup_ns + duration_ns) / 1e9;
		double cap = expect * 1.2 + 10.0 * sqrt(expect) + 4096;

		cl->slot_cap = cap > (double)MAX_SLOTS ? MAX_SLOTS : (uint64_t)cap;
		cl->slots = calloc(cl->slot_cap, 1);
		if (!cl->slots)
			return -ENOMEM;
	}
	return 0;
}

int lg_engine_run_step(struct lg_engine *e, unsigned index, unsigned nclients, double rate_total,
		       uint64_t duration_ns, uint64_t warmup_ns, uint64_t drain_ns,
		       struct lg_step_result *out, lg_progress_fn progress, void *ctx,
		       char *err, size_t errlen)
{
	const struct lg_config *c = e->cfg;
	pthread_t threads[LG_MAX_THREADS];
	unsigned started = 0;
	uint64_t t0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->index = index;
	out->clients = nclients;
	out->offered_rps = rate_total;
	out->duration_ns = duration_ns;
	out->warmup_ns = warmup_ns;
	out->drain_ns = drain_ns;
	out->mean_gap_ns = 1e9 * nclients / rate_total;
	if (nclients > e->max_clients)
		return -EINVAL;

	/* Start a little in the future so every thread is up before its first send. */
	t0 = bpfnic_mono_ns() + 20000000ull;
	for (unsigned i = 0; i < nclients; i++) {
		r = client_prepare(&e->clients[i], c, index, nclients, rate_total, t0, warmup_ns,
				   duration_ns, drain_ns);
		if (r) {
			snprintf(err, errlen, "cannot prepare client %u: %s", i, strerror(-r));
			return r;
		}
	}
	for (unsigned i = 0; i < nclients; i++) {
		r = -pthread_create(&threads[i], NULL, client_main, &e->clients[i]);
		if (r)
			goto join;
		started++;
	}
	{
		uint64_t stop_at = e->clients[0].stop_at, now;
		double total_s = (double)(stop_at - t0) / 1e9;

		uint64_t next_progress = bpfnic_mono_ns() + 250000000ull;

		/* Until the step's end, or until every client finished early (all answered). */
		while ((now = bpfnic_mono_ns()) < stop_at) {
			uint64_t wake = now + 20000000ull;
			bool all_finished = true;

			sleep_until(wake < stop_at ? wake : stop_at);
			for (unsigned i = 0; i < nclients && all_finished; i++)
				all_finished = atomic_load_explicit(&e->clients[i].finished,
								    memory_order_acquire);
			if (all_finished)
				break;
			if (progress && bpfnic_mono_ns() >= next_progress) {
				uint64_t s = 0, rr = 0;

				next_progress += 250000000ull;
				for (unsigned i = 0; i < nclients; i++) {
					s += atomic_load_explicit(&e->clients[i].prog_sent, memory_order_relaxed);
					rr += atomic_load_explicit(&e->clients[i].prog_recv, memory_order_relaxed);
				}
				now = bpfnic_mono_ns();
				progress(ctx, out, now > t0 ? (double)(now - t0) / 1e9 : 0, total_s, s, rr);
			}
		}
	}
join:
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (r) {
		snprintf(err, errlen, "cannot start client threads: %s", strerror(-r));
		return r;
	}

	/* Merge: counts first, then each histogram kind through the scratch histogram. */
	for (unsigned i = 0; i < nclients; i++) {
		struct lg_client *cl = &e->clients[i];

		if (cl->thread_err) {
			snprintf(err, errlen, "client %u failed: %s", i, strerror(-cl->thread_err));
			return cl->thread_err;
		}
		for (unsigned k = 0; k < 2; k++) {
			out->cls[k].sent += cl->sent[k];
			out->cls[k].received += cl->received[k];
			out->cls[k].send_failures += cl->failed[k];
		}
		for (unsigned k = 0; k < LG_NR_CLASSES; k++)
			out->cls[k].invalid += cl->invalid[k];
		out->stale += cl->stale;
		out->warmup_replies += cl->warm;
		out->kernel_timestamps |= cl->kernel_ts;
	}
	for (unsigned kind = 0; kind < 5; kind++) {
		struct bpfnic_hist *h = e->scratch;

		bpfnic_hist_init(h);
		for (unsigned i = 0; i < nclients; i++) {
			struct lg_client *cl = &e->clients[i];

			bpfnic_hist_merge(h, kind == 0 ? &cl->lag : kind <= 2 ? &cl->rtt[kind - 1] :
					  &cl->qdelay[kind - 3]);
		}
		if (kind == 0)
			lg_summarize(h, &out->send_lag);
		else if (kind <= 2)
			lg_summarize(h, &out->cls[kind - 1].rtt);
		else
			lg_summarize(h, &out->cls[kind - 3].qdelay);
	}
	for (unsigned k = 0; k < 2; k++) {
		struct lg_class_result *cr = &out->cls[k];

		/* Paper format matches by count: surplus replies cannot be ours. */
		if (cr->received > cr->sent) {
			cr->invalid += cr->received - cr->sent;
			cr->received = cr->sent;
		}
		cr->lost = cr->sent - cr->received;
	}
	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		out->sent += out->cls[k].sent;
		out->received += out->cls[k].received;
		out->lost += out->cls[k].lost;
		out->invalid += out->cls[k].invalid;
		out->send_failures += out->cls[k].send_failures;
	}
	out->scheduled = out->sent + out->send_failures;
	out->achieved_rps = (double)out->sent / ((double)duration_ns / 1e9);
	out->valid = true;
	if ((double)out->sent < 0.95 * (double)out->scheduled) {
		out->valid = false;
		snprintf(out->reason, sizeof(out->reason),
			 "sent %llu of %llu scheduled requests (more than 5%% short)",
			 (unsigned long long)out->sent, (unsigned long long)out->scheduled);
	} else if (out->send_lag.p99 > out->mean_gap_ns) {
		out->valid = false;
		snprintf(out->reason, sizeof(out->reason),
			 "send lag p99 %.1f us exceeds the mean gap %.1f us",
			 out->send_lag.p99 / 1e3, out->mean_gap_ns / 1e3);
	}
	return 0;
}

struct stall_job {
	uint64_t duration_ns;
	struct lg_stalls *out;
};

static void *stall_main(void *arg)
{
	struct stall_job *j = arg;
	struct lg_stalls *o = j->out;
	uint64_t start, prev, end, stalled = 0, max = 0;

	pin_self(o->cpu);
	start = prev = bpfnic_mono_ns();
	end = start + j->duration_ns;
	for (;;) {
		uint64_t t = bpfnic_mono_ns(), gap = t - prev;

		prev = t;
		if (t >= end)
			break;
		if (gap > 10000) {
			o->over_10us++;
			stalled += gap;
		}
		if (gap > 100000)
			o->over_100us++;
		if (gap > 1000000)
			o->over_1ms++;
		if (gap > max)
			max = gap;
	}
	o->seconds = (double)(prev - start) / 1e9;
	o->max_us = (double)max / 1e3;
	o->stalled_fraction = (double)stalled / (double)(prev - start);
	return NULL;
}

int lg_measure_stalls(int cpu, uint64_t duration_ns, struct lg_stalls *out)
{
	struct stall_job j = { .duration_ns = duration_ns, .out = out };
	pthread_t t;
	int r;

	memset(out, 0, sizeof(*out));
	out->cpu = cpu;
	r = pthread_create(&t, NULL, stall_main, &j);
	if (r)
		return -r;
	pthread_join(t, NULL);
	return 0;
}
