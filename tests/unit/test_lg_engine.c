// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loadgen/engine end to end on loopback, under the sanitizers too: an in-process
 * echo stamps requests like the data path (tests/support/standin, which lg-echo
 * serves too); every step must account exactly
 * (sent = received + lost per class), measure what came back, and count broken
 * replies as invalid. Only counts are asserted, never a time.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tests/support/unit.h"
#include "loadgen/engine.h"
#include "tests/support/standin.h"

struct echo {
	int fd;
	unsigned port;
	unsigned mangle; /* every n-th reply broken; 0 = none */
	atomic_int stop;
	pthread_t thread;
};

static void *echo_main(void *arg)
{
	struct echo *e = arg;
	uint64_t n = 0;

	while (!atomic_load(&e->stop)) {
		struct pollfd p = { .fd = e->fd, .events = POLLIN };
		uint8_t buf[256];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t len;
		int copies;

		if (poll(&p, 1, 10) <= 0)
			continue;
		len = recvfrom(e->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (len < (ssize_t)BPFNIC_REQ_LEN)
			continue;
		len = standin_reply(buf, len, ++n, e->mangle, &copies);
		while (copies-- > 0)
			sendto(e->fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void echo_start(struct echo *e, unsigned mangle)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int rcv = 4 << 20;

	memset(e, 0, sizeof(*e));
	e->mangle = mangle;
	e->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(e->fd >= 0);
	setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	assert_int_equal(bind(e->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(e->fd, (struct sockaddr *)&a, &al), 0);
	e->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&e->thread, NULL, echo_main, e), 0);
}

static void echo_stop(struct echo *e)
{
	atomic_store(&e->stop, 1);
	pthread_join(e->thread, NULL);
	close(e->fd);
}

static void run(struct echo *echo, const char *format, const char *threads, const char *flows,
		struct lg_step_result *out, unsigned steps)
{
	char target[64], err[256];
	char *argv[] = { "x", "--target", target, "--format", (char *)format, "--threads",
			 (char *)threads, "--flows", (char *)flows, "--mix", "short=70,long=30", NULL };
	struct lg_config c;
	struct lg_engine *e = NULL;

	snprintf(target, sizeof(target), "127.0.0.1:%u", echo->port);
	assert_int_equal(lg_parse_args(11, argv, &c, err, sizeof(err)), LG_PARSE_RUN);
	assert_int_equal(lg_engine_open(&e, &c, c.threads), 0);
	for (unsigned i = 0; i < steps; i++) {
		/* A client thread that starts after its window (a loaded machine, valgrind)
		 * rightly sends nothing and counts every request as a failure; run the step
		 * again then, so that the counts below are about something. */
		for (unsigned attempt = 0; attempt < 5; attempt++) {
			assert_int_equal(lg_engine_run_step(e, i, c.threads, 2000, 300000000ull,
							    50000000ull, 300000000ull, &out[i], NULL,
							    NULL, err, sizeof(err)), 0);
			if (out[i].counts.sent > 0)
				break;
		}
	}
	lg_engine_close(e);
}

static void check_accounting(const struct lg_step_result *r)
{
	uint64_t sent = 0, received = 0;

	for (unsigned k = 0; k < LG_NR_CLASSES; k++) {
		const struct lg_class_result *cr = &r->cls[k];

		assert_int_equal(cr->counts.sent, cr->counts.received + cr->counts.lost);
		assert_int_equal(cr->rtt.count, cr->counts.received);
		assert_int_equal(cr->qdelay.count, cr->counts.received);
		/* The histograms the summaries came from are kept for the JSON (and merge). */
		assert_int_equal(cr->rtt_hist.count, cr->counts.received);
		assert_int_equal(cr->qdelay_hist.count, cr->counts.received);
		sent += cr->counts.sent;
		received += cr->counts.received;
	}
	assert_int_equal(r->counts.sent, sent);
	assert_int_equal(r->counts.received, received);
	assert_int_equal(r->scheduled, r->counts.sent + r->counts.send_failures);
	assert_true(r->counts.sent > 0);
	assert_int_equal(r->cls[LG_CLASS_OTHER].counts.sent, 0);
	assert_int_equal(r->send_lag_hist.count, r->counts.sent);
	/* The measured window on the wall clock, after the warm-up's start. */
	assert_true(r->wall_end_ns - r->wall_start_ns == r->duration_ns);
	assert_true(r->wall_start_ns - r->warmup_start_ns == r->warmup_ns);
	assert_true(r->wall_start_ns > 1600000000ull * 1000000000ull); /* a date after 2020 */
}

static void clean_replies_all_counted(void **state)
{
	static const char *const formats[] = { "ext", "paper" };
	static struct echo echo; /* outlives a failed assertion, whose thread may run on */
	struct lg_step_result r[2];

	(void)state;
	echo_start(&echo, 0);
	for (int f = 0; f < 2; f++) {
		run(&echo, formats[f], "2", "5", r, 2);
		for (int i = 0; i < 2; i++) {
			check_accounting(&r[i]);
			assert_int_equal(r[i].counts.invalid, 0);
			assert_true(r[i].counts.received > 0);
			assert_true(r[i].cls[0].counts.sent > 0 && r[i].cls[1].counts.sent > 0);
			/* read from the reply */
			assert_true(r[i].cls[0].qdelay.min == STANDIN_QDELAY_NS);
			assert_true(r[i].kernel_timestamps);
			lg_step_result_free(&r[i]);
		}
	}
	echo_stop(&echo);
}

static void broken_replies_are_invalid(void **state)
{
	static struct echo echo; /* outlives a failed assertion, whose thread may run on */
	struct lg_step_result r[1];

	(void)state;
	echo_start(&echo, 4);
	run(&echo, "ext", "1", "1", r, 1);
	check_accounting(&r[0]);
	assert_true(r[0].counts.invalid > 0);
	assert_true(r[0].cls[LG_CLASS_OTHER].counts.invalid > 0); /* truncated / unknown class */
	/* Every fourth reply broken, one kind in five only duplicated: ~4/20 lost. */
	assert_true(r[0].counts.lost > 0);
	assert_true(r[0].counts.invalid > r[0].counts.lost);
	lg_step_result_free(&r[0]);
	echo_stop(&echo);
}

UNIT_TEST_MAIN(
	cmocka_unit_test(clean_replies_all_counted),
	cmocka_unit_test(broken_replies_are_invalid))
