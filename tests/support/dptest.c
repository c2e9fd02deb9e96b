/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers for the BPF tests and benchmarks (see dptest.h). */
#include "tests/support/dptest.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfnic.skel.h"

struct bpfnic_settings dpt_default_settings(void)
{
	struct bpfnic_settings c = {
		.port = 7777,
		.policy = BPFNIC_POLICY_RR,
		.service_ns = { 2000, 20000 },
		.max_service_ns = 1000000,
	};
	return c;
}

int dpt_open(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus, unsigned n,
	     int devmap_ifindex)
{
	return dpt_open_addrs(t, cfg, cpus, n, devmap_ifindex, NULL, 0);
}

int dpt_open_addrs(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus,
		   unsigned n, int devmap_ifindex, const struct bpfnic_addr *addrs, unsigned n_addrs)
{
	struct bpfnic_dp_opts o = {
		.ifname = NULL,
		.cpus = cpus,
		.n_cpus = n,
		.settings = *cfg,
		.test_progs = true,
		.devmap_ifindex = devmap_ifindex,
		.addrs = addrs,
		.n_addrs = n_addrs,
	};
	int r;

	memset(t, 0, sizeof(*t));
	r = bpfnic_dp_open(&o, &t->dp);
	if (r < 0)
		return r;
	t->skel = bpfnic_dp_skel(t->dp);
	r = bpfnic_dp_stats_alloc(&t->st);
	if (r < 0) {
		bpfnic_dp_close(t->dp);
		t->dp = NULL;
		return r;
	}
	t->nr_cpus = t->st.nr_cpus;
	return 0;
}

void dpt_close(struct dpt *t)
{
	if (t->dp)
		bpfnic_dp_close(t->dp);
	bpfnic_dp_stats_free(&t->st);
	memset(t, 0, sizeof(*t));
}

int dpt_group_open(struct dpt *t, const struct bpfnic_settings *cfg, const unsigned *cpus,
		   unsigned n, unsigned pin_cpu)
{
	int r;

	libbpf_set_print(NULL);
	r = dpt_pin(pin_cpu);
	if (r < 0) {
		fprintf(stderr, "pin to CPU %u: %s\n", pin_cpu, strerror(-r));
		return -1;
	}
	r = dpt_open(t, cfg, cpus, n, 1 /* lo: test runs never transmit */);
	if (r < 0) {
		fprintf(stderr, "bpfnic_dp_open: %s\n", strerror(-r));
		return -1;
	}
	return 0;
}

struct dpt dpt_fixture;

int dpt_fixture_setup(void **state)
{
	static const unsigned both[] = { 0, 1 };
	struct bpfnic_settings cfg = dpt_default_settings();

	(void)state;
	return dpt_group_open(&dpt_fixture, &cfg, both, 2, 0);
}

int dpt_fixture_teardown(void **state)
{
	(void)state;
	dpt_close(&dpt_fixture);
	return 0;
}

int dpt_run(int prog_fd, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len,
	    uint32_t *retval, uint32_t *duration_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = out ? (__u32)*out_len : 0, .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return -errno;
	if (out_len)
		*out_len = o.data_size_out;
	if (retval)
		*retval = o.retval;
	if (duration_ns)
		*duration_ns = o.duration;
	return 0;
}

static void add_u64s(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

int dpt_read(struct dpt *t, struct dpt_sums *s)
{
	int r = bpfnic_dp_read_stats(t->dp, &t->st);

	if (r < 0)
		return r;
	memset(s, 0, sizeof(*s));
	/* Summed here field by field rather than through datapath/dpstats, so a bug there
	 * cannot hide one in the data path. Every field is a __u64 counter. */
	_Static_assert(sizeof(struct bpfnic_sched_stats) % 8 == 0, "u64 fields only");
	_Static_assert(sizeof(struct bpfnic_worker_stats) % 8 == 0, "u64 fields only");
	for (unsigned c = 0; c < t->nr_cpus; c++) {
		uint64_t max = s->worker.qdelay_max_ns;

		add_u64s((uint64_t *)&s->sched, (const uint64_t *)&t->st.sched[c],
			 sizeof(s->sched) / 8);
		add_u64s((uint64_t *)&s->worker, (const uint64_t *)&t->st.worker[c],
			 sizeof(s->worker) / 8);
		s->worker.qdelay_max_ns = max > t->st.worker[c].qdelay_max_ns ?
						  max : t->st.worker[c].qdelay_max_ns;
		if (c < BPFNIC_MAX_CPUS)
			s->handed[c] = t->st.handed[c];
	}
	return 0;
}

int dpt_pin(unsigned cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

int dpt_prog_fd_sched(struct dpt *t) { return bpf_program__fd(t->skel->progs.bpfnic_sched); }
int dpt_prog_fd_worker_xdp(struct dpt *t) { return bpf_program__fd(t->skel->progs.bpfnic_worker_xdp); }
int dpt_prog_fd_ref_sched(struct dpt *t) { return bpf_program__fd(t->skel->progs.bpfnic_ref_sched); }
int dpt_prog_fd_sched_vft(struct dpt *t) { return bpf_program__fd(t->skel->progs.bpfnic_sched_vft); }
