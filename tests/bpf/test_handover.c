/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The data path's handover (datapath/datapath.h): a second bpfnic_dp_open() on the
 * fds of a first takes its maps over (the counters go on), keeps its cpumap entries
 * when the worker is the same code and replaces them when it is not, keeps its
 * tracer, and refuses maps of another layout or shape (new maps, and says why).
 * Nothing is attached here: the link's takeover is the integration tier's
 * (tests/integration/daemon_restart.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/support/unit.h"
#include "bpfnic.skel.h"
#include "tests/support/dptest.h"
#include "tests/support/pkt.h"

static const unsigned cpus[] = { 0, 1 };

static struct bpfnic_dp *open_dp(const struct bpfnic_dp_handover *adopt,
				 struct bpfnic_dp_adopted *adopted)
{
	struct bpfnic_dp_opts o = {
		.cpus = cpus, .n_cpus = 2, .settings = dpt_default_settings(), .test_progs = true,
		.devmap_ifindex = 1, .adopt = adopt, .adopted = adopted,
	};
	struct bpfnic_dp *dp = NULL;

	assert_int_equal(bpfnic_dp_open(&o, &dp), 0);
	return dp;
}

/* The handover's fds, duplicated: they outlive the data path that gave them. */
static void keep(struct bpfnic_dp *dp, struct bpfnic_dp_handover *h)
{
	assert_int_equal(bpfnic_dp_handover(dp, h), 0);
	for (unsigned i = 0; i < h->n; i++) {
		h->fd[i] = fcntl(h->fd[i], F_DUPFD_CLOEXEC, 3);
		assert_true(h->fd[i] >= 0);
	}
}

static void drop(struct bpfnic_dp_handover *h)
{
	for (unsigned i = 0; i < h->n; i++)
		close(h->fd[i]);
	h->n = 0;
}

static uint64_t scheduled(struct bpfnic_dp *dp)
{
	struct bpfnic_dp_stats st;
	uint64_t rx = 0;

	assert_int_equal(bpfnic_dp_stats_alloc(&st), 0);
	assert_int_equal(bpfnic_dp_read_stats(dp, &st), 0);
	for (unsigned c = 0; c < st.nr_cpus; c++)
		rx += st.sched[c].rx;
	bpfnic_dp_stats_free(&st);
	return rx;
}

/* Run n frames (ARP: passed, counted in rx) through the scheduler. */
static void traffic(struct bpfnic_dp *dp, unsigned n)
{
	uint8_t frame[64];
	size_t len = pkt_build_arp(frame, sizeof(frame));
	uint32_t ret;

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(dpt_run(bpf_program__fd(bpfnic_dp_skel(dp)->progs.bpfnic_sched), frame,
					 len, NULL, NULL, &ret, NULL), 0);
}

/* What a stopping daemon leaves behind: a data path that scheduled n frames, its
 * handover kept (the fds keep the maps alive, as the store does), the data path closed. */
static void left_behind(struct bpfnic_dp_handover *h, unsigned n)
{
	struct bpfnic_dp *first = open_dp(NULL, NULL);

	traffic(first, n);
	assert_int_equal(scheduled(first), n);
	keep(first, h);
	bpfnic_dp_close(first);
}

static int named(const struct bpfnic_dp_handover *h, const char *name)
{
	int i = bpfnic_dp_handover_find(h, name);

	assert_true(i >= 0);
	return i;
}

static void test_handover_names_every_map(void **state)
{
	struct bpfnic_dp *dp = open_dp(NULL, NULL);
	struct bpfnic_dp_handover h;
	struct bpf_map *map;
	(void)state;

	assert_int_equal(bpfnic_dp_handover(dp, &h), 0);
	named(&h, BPFNIC_DP_NAME_PREFIX "worker");
	assert_int_equal(bpfnic_dp_handover_find(&h, BPFNIC_DP_NAME_PREFIX "link"), -1); /* none */
	bpf_object__for_each_map(map, bpfnic_dp_skel(dp)->obj) {
		char name[BPFNIC_DP_NAME_MAX];

		if (bpf_map__is_internal(map))
			continue;
		snprintf(name, sizeof(name), BPFNIC_DP_NAME_PREFIX "v%d.%s", BPFNIC_DP_LAYOUT,
			 bpf_map__name(map));
		assert_true(bpfnic_dp_same_object(h.fd[named(&h, name)], bpf_map__fd(map)));
	}
	for (unsigned i = 0; i < h.n; i++) /* valid FDNAME= values */
		assert_null(strchr(h.name[i], ':'));
	bpfnic_dp_close(dp);
}

static void test_takeover_keeps_counters_and_workers(void **state)
{
	struct bpfnic_dp_adopted a;
	struct bpfnic_dp_handover h, h2;
	struct bpfnic_dp *second;
	int settings;
	(void)state;

	left_behind(&h, 5);
	second = open_dp(&h, &a);
	assert_true(a.maps);
	assert_true(a.workers);
	/* No interface: the tracers' filters fit no attachment; ours are loaded. */
	assert_false(a.tracer);
	assert_false(a.link);
	assert_string_equal(a.why_not, "");
	assert_int_equal(scheduled(second), 5); /* the counters went on */
	traffic(second, 2);
	assert_int_equal(scheduled(second), 7);
	/* Its handover is the same objects: the store needs no change. */
	assert_int_equal(bpfnic_dp_handover(second, &h2), 0);
	settings = named(&h, BPFNIC_DP_NAME_PREFIX "v1.bpfnic_settings");
	assert_true(bpfnic_dp_same_object(h.fd[settings], h2.fd[named(&h2, h.name[settings])]));
	assert_true(bpfnic_dp_same_object(h.fd[named(&h, BPFNIC_DP_NAME_PREFIX "worker")],
					  h2.fd[named(&h2, BPFNIC_DP_NAME_PREFIX "worker")]));
	bpfnic_dp_close(second);
	drop(&h);
}

static void test_takeover_replaces_another_worker(void **state)
{
	struct bpfnic_dp_adopted a;
	struct bpfnic_dp_handover h, h2;
	struct bpfnic_dp *first = open_dp(NULL, NULL), *second;
	int w;
	(void)state;

	keep(first, &h);
	/* As if the running worker were another version's: any other program will do. */
	w = named(&h, BPFNIC_DP_NAME_PREFIX "worker");
	close(h.fd[w]);
	h.fd[w] = fcntl(bpf_program__fd(bpfnic_dp_skel(first)->progs.bpfnic_ref_sched), F_DUPFD_CLOEXEC, 3);
	bpfnic_dp_close(first);

	second = open_dp(&h, &a);
	assert_true(a.maps);
	assert_false(a.workers);
	assert_int_equal(bpfnic_dp_handover(second, &h2), 0);
	assert_false(bpfnic_dp_same_object(h.fd[w], h2.fd[named(&h2, BPFNIC_DP_NAME_PREFIX "worker")]));
	bpfnic_dp_close(second);
	drop(&h);
}

static void test_takeover_refuses_other_layouts(void **state)
{
	struct bpfnic_dp_adopted a;
	struct bpfnic_dp_handover h;
	struct bpfnic_dp *second;
	int settings, rr;
	(void)state;

	left_behind(&h, 3);
	/* Another layout's name: not ours to reuse. */
	settings = named(&h, BPFNIC_DP_NAME_PREFIX "v1.bpfnic_settings");
	snprintf(h.name[settings], sizeof(h.name[0]), BPFNIC_DP_NAME_PREFIX "v0.bpfnic_settings");
	second = open_dp(&h, &a);
	assert_false(a.maps);
	assert_false(a.workers);
	assert_non_null(strstr(a.why_not, "new maps"));
	assert_int_equal(scheduled(second), 0);
	bpfnic_dp_close(second);

	/* A map of another shape under the right name: libbpf refuses to reuse it. */
	snprintf(h.name[settings], sizeof(h.name[0]), BPFNIC_DP_NAME_PREFIX "v1.bpfnic_settings");
	rr = named(&h, BPFNIC_DP_NAME_PREFIX "v1.bpfnic_rr");
	close(h.fd[settings]);
	h.fd[settings] = fcntl(h.fd[rr], F_DUPFD_CLOEXEC, 3);
	second = open_dp(&h, &a);
	assert_false(a.maps);
	assert_non_null(strstr(a.why_not, "do not fit"));
	bpfnic_dp_close(second);
	drop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handover_names_every_map),
		cmocka_unit_test(test_takeover_keeps_counters_and_workers),
		cmocka_unit_test(test_takeover_replaces_another_worker),
		cmocka_unit_test(test_takeover_refuses_other_layouts),
	};

	libbpf_set_print(NULL);
	if (dpt_pin(0) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
