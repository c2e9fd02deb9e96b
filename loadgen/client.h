/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One client of bpfnic-loadgen: a thread with its own sockets, schedule, counters and
 * histograms. It sends on an absolute schedule (sendmmsg) and reads its replies
 * (recvmmsg, kernel receive time stamps) whenever it is not due to send. The engine
 * (engine.c) prepares the clients of a step, runs their threads and merges what they
 * counted; while the step runs nothing is shared but the progress counters.
 */
#ifndef BPFNIC_LG_CLIENT_H
#define BPFNIC_LG_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "arrival.h"
#include "engine.h"
#include "hist.h"

/* What one step asks of every client. */
struct lg_step_plan {
	unsigned index;      /* 0-based step number */
	unsigned nclients;
	double rate_total;   /* requests/s over all clients */
	uint64_t t0;         /* the first send of the step (warm-up starts), CLOCK_MONOTONIC */
	uint64_t warmup_ns, duration_ns, drain_ns;
};

struct __attribute__((aligned(64))) lg_client { /* no false sharing between clients */
	/* Set when the engine opens: fixed for the client's life. */
	const struct lg_config *cfg;
	const struct bpfnic_mix *mix;
	unsigned index;
	int cpu;  /* -1: not pinned */
	int *fds;
	unsigned nfds;
	int epfd; /* with several sockets: epoll over them; else -1 */

	/* The step, written by lg_client_prepare before the thread starts. */
	uint32_t step_id;
	uint64_t t0, measure_start, send_end, stop_at;
	int64_t real_minus_mono;
	uint8_t *slots; /* ext: per sequence number, class | SLOT_REPLIED */
	uint64_t slot_cap;

	/* Owned by the client's thread while the step runs. */
	struct bpfnic_arrival arr;
	struct bpfnic_rng class_rng;
	uint64_t issued;
	uint64_t sent[2], failed[2];
	uint64_t received[2], invalid[LG_NR_CLASSES], stale, warm;
	uint64_t tx_ok, answered; /* every send / valid reply of the step, warm-up included */
	bool kernel_ts;
	struct bpfnic_hist lag, rtt[2], qdelay[2];

	/* Read by the engine's thread while the step runs (relaxed). */
	_Atomic uint64_t prog_sent, prog_recv;
	_Atomic bool finished;
	int thread_err;
};

/*
 * Client index of an engine sending on fds[0..nfds) (the engine owns them); 0 or
 * -errno. lg_client_close releases what it took, also after a failure.
 */
int lg_client_init(struct lg_client *cl, const struct lg_config *c, const struct bpfnic_mix *mix,
		   unsigned index, int *fds, unsigned nfds);
void lg_client_close(struct lg_client *cl);

/* Resets the client's counters and schedule for a step; 0 or -errno. */
int lg_client_prepare(struct lg_client *cl, const struct lg_step_plan *plan);

/* The client's thread (pthread_create's start routine, argument the client). */
void *lg_client_main(void *arg);

/* Sleeps until CLOCK_MONOTONIC reads t (ns). */
void lg_sleep_until(uint64_t t);

/* Pins the calling thread to cpu (-1: leaves it). */
void lg_pin_self(int cpu);

#endif
