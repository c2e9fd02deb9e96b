/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared by the BPF tests and the data-path benchmarks: open the data path with its
 * test programs (nothing attached), run a program once on a frame through
 * BPF_PROG_TEST_RUN, and read the statistics summed over CPUs.
 */
#ifndef BPFNIC_TEST_DPTEST_H
#define BPFNIC_TEST_DPTEST_H

#include <stddef.h>
#include <stdint.h>

#include "bpfnic.h"
#include "datapath/datapath.h"

struct dpt {
	struct bpfnic_dp *dp;
	struct bpfnic_bpf *skel;
	struct bpfnic_dp_stats st;
	unsigned nr_cpus;
};

/* Config every test starts from: port 7777, rr, short 2 µs, long 20 µs, max 1 ms. */
struct bpfnic_settings dpt_default_settings(void);

/*
 * Open with candidates cpus[0..n) (all in the main group), test programs loaded and
 * replies "sent" to devmap_ifindex (1 = loopback is enough for BPF_PROG_TEST_RUN,
 * which never transmits). 0 or -errno.
 */
int dpt_open(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus, unsigned n,
	     int devmap_ifindex);
/* The same, taking requests only to addrs[0..n_addrs) (Address=). */
int dpt_open_addrs(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus,
		   unsigned n, int devmap_ifindex, const struct bpfnic_addr *addrs, unsigned n_addrs);
void dpt_close(struct dpt *t);

/*
 * A BPF test group's setup: libbpf silenced, the calling thread pinned to pin_cpu
 * (dpt_pin), then dpt_open with replies "sent" to loopback. Says why on stderr when it
 * fails. 0 or -1, as a cmocka group setup returns.
 */
int dpt_group_open(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus,
		   unsigned n, unsigned pin_cpu);

/*
 * The cmocka group fixture of the BPF tests that run on the default settings with
 * candidates {0, 1}, pinned to CPU 0: dpt_fixture_setup opens dpt_fixture (by
 * dpt_group_open), dpt_fixture_teardown closes it. A test that needs another data path
 * for a while may swap dpt_fixture out and back.
 */
extern struct dpt dpt_fixture;
int dpt_fixture_setup(void **state);
int dpt_fixture_teardown(void **state);

/* Run prog_fd once on in[0..len); out gets the frame afterwards. 0 or -errno. */
int dpt_run(int prog_fd, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len,
	    uint32_t *retval, uint32_t *duration_ns);

/* Statistics summed over every CPU (qdelay_max_ns: the maximum over CPUs). */
struct dpt_sums {
	struct bpfnic_sched_stats sched;
	struct bpfnic_worker_stats worker;
	uint64_t handed[BPFNIC_MAX_CPUS]; /* by target CPU, read from bpfnic_sched_target */
};
int dpt_read(struct dpt *t, struct dpt_sums *s);

/* Pin the calling thread to one CPU: the per-CPU round-robin cursors stay one. */
int dpt_pin(unsigned cpu);

int dpt_prog_fd_sched(struct dpt *t);
int dpt_prog_fd_worker_xdp(struct dpt *t);
int dpt_prog_fd_ref_sched(struct dpt *t);
int dpt_prog_fd_sched_vft(struct dpt *t);

#endif
