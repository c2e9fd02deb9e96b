/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One client of bpfnic-loadgen: see client.h. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "client.h"
#include "clock.h"
#include "wire.h"

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

void lg_sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
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
	const struct lg_config *c = cl->cfg;
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

/*
 * The time a reply reached our stack: the kernel's SO_TIMESTAMPNS stamp (realtime,
 * brought onto CLOCK_MONOTONIC) when it is there and sane, else when we read it.
 */
static uint64_t receive_time(struct lg_client *cl, struct msghdr *h, uint64_t t_user)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
		struct timespec ts;
		int64_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SO_TIMESTAMPNS)
			continue;
		memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
		k = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec - cl->real_minus_mono;
		if (k > 0 && (uint64_t)k <= t_user) {
			cl->kernel_ts = true;
			return (uint64_t)k;
		}
	}
	return t_user;
}

/* Reads everything queued on socket f; returns the number of replies. */
static unsigned drain_socket(struct lg_client *cl, struct rx_state *rx, unsigned f,
			     unsigned batch, uint64_t deadline)
{
	unsigned total = 0;

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

			handle_reply(cl, rx->bufs[i], rx->msgs[i].msg_len,
				     (h->msg_flags & MSG_TRUNC) != 0, receive_time(cl, h, t_user));
		}
		total += (unsigned)n;
		if ((unsigned)n < batch || t_user >= deadline)
			break;
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

	if (batch > cl->cfg->batch)
		batch = cl->cfg->batch;
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
 * Sending: before each intended send time the client sleeps (TIMER_ABSTIME) until
 * shortly before, then spins the rest; it sends everything already due, never early,
 * in one sendmmsg. After the window it waits for the last replies (poll).
 */
struct tx_state {
	struct mmsghdr msgs[LG_MAX_BATCH];
	struct iovec iov[LG_MAX_BATCH];
	uint8_t bufs[LG_MAX_BATCH][TX_BUF_LEN];
	uint64_t intended[LG_MAX_BATCH]; /* each request's intended send time */
	uint8_t cls[LG_MAX_BATCH];
	unsigned sock;                   /* the socket of the next batch (round robin) */
};

/* A client's buffers: too large for a thread's stack. */
struct client_io {
	struct tx_state tx;
	struct rx_state rx;
};

/* Where the client is in its schedule. */
struct pacing {
	uint64_t next;      /* intended time of the next request */
	uint64_t oversleep; /* how much earlier than needed to wake (timer latency, p95) */
	uint64_t last_rx;   /* when replies were last read */
};

static struct client_io *client_io_new(const struct lg_client *cl)
{
	struct client_io *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	for (unsigned i = 0; i < cl->cfg->batch; i++) {
		io->tx.iov[i].iov_base = io->tx.bufs[i];
		io->tx.iov[i].iov_len = bpfnic_format_len(cl->cfg->format);
		io->tx.msgs[i].msg_hdr.msg_iov = &io->tx.iov[i];
		io->tx.msgs[i].msg_hdr.msg_iovlen = 1;
		io->rx.iov[i].iov_base = io->rx.bufs[i];
		io->rx.iov[i].iov_len = RX_BUF_LEN;
	}
	return io;
}

/*
 * Waits until the next request is due. Idle time goes to reading replies (they are
 * stamped by the kernel anyway), then to sleeping until shortly before, learning
 * the timer's wake-up latency; the last stretch is spun. Returns the time.
 */
static uint64_t wait_until_due(struct lg_client *cl, struct client_io *io, struct pacing *pc,
			       uint64_t now)
{
	uint64_t lead = cl->cfg->spin_ns + pc->oversleep;

	if (pc->next - now > RX_BUDGET_NS) {
		drain_replies(cl, &io->rx, LG_MAX_BATCH, pc->next - RX_BUDGET_NS / 2);
		pc->last_rx = now = bpfnic_mono_ns();
	} else if (now - pc->last_rx >= RX_EVERY_NS) {
		drain_replies(cl, &io->rx, RX_SMALL_BATCH, 0);
		pc->last_rx = now = bpfnic_mono_ns();
	}
	if (pc->next > now && pc->next - now > lead) {
		uint64_t wake = pc->next - lead;

		lg_sleep_until(wake);
		now = bpfnic_mono_ns();
		pc->oversleep = track_p95(pc->oversleep, now > wake ? now - wake : 0);
	}
	while ((now = bpfnic_mono_ns()) < pc->next)
		cpu_relax();
	return now;
}

/*
 * Encodes every request due by now (at most a batch) and advances the schedule.
 * Returns how many; *full when the sequence-number slots ran out.
 */
static unsigned fill_batch(struct lg_client *cl, struct tx_state *tx, struct pacing *pc,
			   uint64_t now, bool *full)
{
	const struct lg_config *c = cl->cfg;
	uint64_t seq_base = (uint64_t)cl->step_id << SEQ_STEP_SHIFT;
	unsigned k = 0;

	*full = false;
	while (k < c->batch && pc->next <= now && pc->next < cl->send_end) {
		if (cl->slots && cl->issued >= cl->slot_cap) {
			*full = true;
			break;
		}
		tx->cls[k] = (uint8_t)bpfnic_mix_pick(cl->mix, &cl->class_rng);
		tx->intended[k] = bpfnic_arrival_next(&cl->arr);
		pc->next = bpfnic_arrival_peek(&cl->arr);
		bpfnic_req_encode(tx->bufs[k], TX_BUF_LEN, c->format, tx->intended[k], tx->cls[k],
				  seq_base | cl->issued, c->service_ns[tx->cls[k]]);
		if (cl->slots)
			cl->slots[cl->issued] = tx->cls[k];
		cl->issued++;
		k++;
	}
	return k;
}

/* Sends the k encoded requests; what the socket refuses is counted failed. */
static void send_batch(struct lg_client *cl, struct tx_state *tx, unsigned k)
{
	uint64_t t_send = bpfnic_mono_ns();
	unsigned done = 0;

	while (done < k) {
		int r = sendmmsg(cl->fds[tx->sock], tx->msgs + done, k - done, MSG_DONTWAIT);

		if (r <= 0) {
			/* EAGAIN, ENOBUFS, a queued ICMP error...: this one is lost to us. */
			if (tx->intended[done] >= cl->measure_start)
				cl->failed[tx->cls[done]]++;
			done++;
			continue;
		}
		for (unsigned i = done; i < done + (unsigned)r; i++) {
			if (tx->intended[i] >= cl->measure_start) {
				cl->sent[tx->cls[i]]++;
				bpfnic_hist_record(&cl->lag, t_send - tx->intended[i]);
			}
		}
		done += (unsigned)r;
		cl->tx_ok += (unsigned)r;
	}
	atomic_fetch_add_explicit(&cl->prog_sent, k, memory_order_relaxed);
	tx->sock = (tx->sock + 1) % cl->nfds;
}

/*
 * What the schedule still called for in the window was never sent: a failure of the
 * generator, counted so that scheduled = sent + failed holds exactly.
 */
static void count_unsent(struct lg_client *cl, uint64_t next)
{
	while (next < cl->send_end) {
		unsigned k = bpfnic_mix_pick(cl->mix, &cl->class_rng);
		uint64_t t = bpfnic_arrival_next(&cl->arr);

		if (t >= cl->measure_start)
			cl->failed[k]++;
		next = bpfnic_arrival_peek(&cl->arr);
	}
}

/* Sends the step's schedule until the window ends. */
static void send_schedule(struct lg_client *cl, struct client_io *io)
{
	struct pacing pc = { .next = bpfnic_arrival_peek(&cl->arr) };

	while (pc.next < cl->send_end) {
		uint64_t now = bpfnic_mono_ns();
		unsigned k;
		bool full;

		if (now >= cl->send_end)
			break; /* behind at the end of the window: the rest is never sent */
		if (pc.next > now)
			now = wait_until_due(cl, io, &pc, now);
		k = fill_batch(cl, &io->tx, &pc, now, &full);
		send_batch(cl, &io->tx, k);
		/* Busy sending: still read replies now and then, so no socket overflows; a
		 * client already behind reads a full batch (its sends are late anyway). */
		now = bpfnic_mono_ns();
		if (now - pc.last_rx >= RX_EVERY_NS) {
			drain_replies(cl, &io->rx, pc.next <= now ? LG_MAX_BATCH : RX_SMALL_BATCH, 0);
			pc.last_rx = bpfnic_mono_ns();
		}
		if (full)
			break;
	}
	count_unsent(cl, pc.next);
}

/*
 * Waits for the last replies until the step's end, or until every request sent in
 * this step (warm-up included) has its valid reply. 0 or -errno.
 */
static int wait_last_replies(struct lg_client *cl, struct client_io *io)
{
	for (;;) {
		uint64_t now = bpfnic_mono_ns();
		int timeout_ms, r;

		drain_replies(cl, &io->rx, LG_MAX_BATCH, UINT64_MAX);
		if (now >= cl->stop_at || cl->answered >= cl->tx_ok)
			return 0;
		timeout_ms = (int)((cl->stop_at - now + 999999) / 1000000);
		r = wait_replies(cl, &io->rx, timeout_ms > 50 ? 50 : timeout_ms);
		if (r)
			return r;
	}
}

void *lg_client_main(void *arg)
{
	struct lg_client *cl = arg;
	struct client_io *io = client_io_new(cl);
	sigset_t all;

	if (!io) {
		cl->thread_err = -ENOMEM;
		atomic_store_explicit(&cl->finished, true, memory_order_release);
		return NULL;
	}
	/* Signals are the main thread's business; a client is never interrupted. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	lg_pin_self(cl->cpu);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake-ups on time, not 50 us late */

	send_schedule(cl, io);
	cl->thread_err = wait_last_replies(cl, io);
	free(io);
	atomic_store_explicit(&cl->finished, true, memory_order_release);
	return NULL;
}

/* ------------------------------------------------------------------------------------
 * A step's preparation, before the thread starts.
 */
static void reset_counters(struct lg_client *cl)
{
	memset(cl->sent, 0, sizeof(cl->sent));
	memset(cl->failed, 0, sizeof(cl->failed));
	memset(cl->received, 0, sizeof(cl->received));
	memset(cl->invalid, 0, sizeof(cl->invalid));
	cl->issued = cl->stale = cl->warm = cl->tx_ok = cl->answered = 0;
	cl->kernel_ts = false;
	cl->thread_err = 0;
	atomic_store(&cl->finished, false);
	atomic_store(&cl->prog_sent, 0);
	atomic_store(&cl->prog_recv, 0);
	bpfnic_hist_init(&cl->lag);
	for (int k = 0; k < 2; k++) {
		bpfnic_hist_init(&cl->rtt[k]);
		bpfnic_hist_init(&cl->qdelay[k]);
	}
}

static void free_slots(struct lg_client *cl)
{
	free(cl->slots);
	cl->slots = NULL;
	cl->slot_cap = 0;
}

/* ext: one slot per sequence number the step may use, for exact reply matching. */
static int alloc_slots(struct lg_client *cl, double rate, uint64_t send_ns)
{
	/* Room for the expected count plus a margin far above Poisson's spread. */
	double expect = rate * (double)send_ns / 1e9;
	double cap = expect * 1.2 + 10.0 * sqrt(expect) + 4096;

	free_slots(cl);
	if (cl->cfg->format != BPFNIC_FORMAT_EXT)
		return 0;
	cl->slot_cap = cap > (double)MAX_SLOTS ? MAX_SLOTS : (uint64_t)cap;
	cl->slots = calloc(cl->slot_cap, 1);
	return cl->slots ? 0 : -ENOMEM;
}

int lg_client_prepare(struct lg_client *cl, const struct lg_step_plan *plan)
{
	const struct lg_config *c = cl->cfg;
	double rate = plan->rate_total / plan->nclients;
	uint64_t stream = (uint64_t)plan->index << 20 | cl->index, start = plan->t0;
	int r;

	cl->step_id = (plan->index + 1) & 0xffffff;
	cl->t0 = plan->t0;
	cl->measure_start = plan->t0 + plan->warmup_ns;
	cl->send_end = cl->measure_start + plan->duration_ns;
	cl->stop_at = cl->send_end + plan->drain_ns;
	cl->real_minus_mono = bpfnic_real_minus_mono_ns();
	/* Constant arrivals: clients take turns (phase i/n of the gap) instead of all
	 * sending at the same instants; Poisson clients are independent anyway. */
	if (c->arrivals == BPFNIC_ARRIVALS_CONSTANT)
		start += (uint64_t)(1e9 / rate * cl->index / plan->nclients);
	r = bpfnic_arrival_init(&cl->arr, c->arrivals, rate, start, c->seed, stream);
	if (r)
		return r;
	bpfnic_rng_seed(&cl->class_rng, c->seed ^ 0x636c617373ull, stream);
	reset_counters(cl);
	return alloc_slots(cl, rate, plan->warmup_ns + plan->duration_ns);
}

/* ------------------------------------------------------------------------------------
 * Life.
 */
int lg_client_init(struct lg_client *cl, const struct lg_config *c, const struct bpfnic_mix *mix,
		   unsigned index, int *fds, unsigned nfds)
{
	cl->cfg = c;
	cl->mix = mix;
	cl->index = index;
	cl->cpu = c->n_cpus ? (int)c->cpus[index % c->n_cpus] : -1;
	cl->fds = fds;
	cl->nfds = nfds;
	cl->epfd = -1;
	if (nfds < 2)
		return 0;
	/* Several sockets: one epoll_wait finds the readable ones. */
	cl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cl->epfd < 0)
		return -errno;
	for (unsigned f = 0; f < nfds; f++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = f };

		if (epoll_ctl(cl->epfd, EPOLL_CTL_ADD, fds[f], &ev))
			return -errno;
	}
	return 0;
}

void lg_client_close(struct lg_client *cl)
{
	free_slots(cl);
	if (cl->epfd >= 0)
		close(cl->epfd);
	cl->epfd = -1;
}

void lg_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}
