/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's modules together on an in-memory data path (fake_datapath.c) that can be
 * made to fail: a policy change reaches every map or none (the rollback), the scaler
 * grows the group as a prefix of Cpus=, and every control method answers what the
 * interface description declares, refusals included. The method table is held
 * against the IDL too.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/support/unit.h"

#include "clock.h"
#include "idl.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "tests/unit/fake_datapath.h"
#include "tests/unit/methods_daemon.h"

static struct bpfnicd_config cfg;
static char conf_path[] = "/tmp/bpfnic-test-daemon.XXXXXX";

/* A four-CPU machine; the config the daemon runs with. */
static void load_config(const char *text)
{
	struct bpfnic_cpuset cpus = { 0 };
	struct bpfnicd_config_errors errs;
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	for (unsigned c = 0; c < 4; c++)
		cpus.has[c] = true;
	assert_int_equal(bpfnicd_config_parse(f, "t.conf", &cpus, &cpus, &cfg, &errs), 0);
	fclose(f);
}

static int setup(void **state)
{
	int fd = mkstemp(conf_path);

	(void)state;
	bpfnicd_log_open(BPFNICD_LOG_STDERR, LOG_CRIT);
	/* What a Reload finds on disk: valid on any machine (CPU 0 exists). */
	assert_true(fd >= 0);
	static const char text[] = "[Daemon]\nInterface=lo\nCpus=0\nAdminGroup=wheel\n"
				   "WorkerScheduling=rr:7\n";

	assert_true(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(conf_path);
	return 0;
}

/* The history the running policy records its changes in. */
static struct bpfnicd_history *history;

/* The running policy on the fake maps, as bpfnicd starts it. */
/* The policy module started on the config text, over the in-memory data path. */
static struct bpfnicd_policy *start_policy(const char *config_text)
{
	struct bpfnic_dp_opts opts = { 0 };
	struct bpfnicd_policy *p;

	load_config(config_text);
	assert_int_equal(bpfnicd_history_new(&cfg.cpus, cfg.history_windows, cfg.history_changes,
					     &history), 0);
	p = bpfnicd_policy_new(&cfg, 0, history);

	assert_non_null(p);
	bpfnicd_policy_dp_opts(p, &opts);
	fake_dp_open(&opts);
	bpfnicd_policy_attach(p, FAKE_DP);
	return p;
}

static void stop_policy(struct bpfnicd_policy *p)
{
	bpfnicd_policy_free(p);
	bpfnicd_history_free(history);
	history = NULL;
}

/* The maps and the daemon's view agree, and hold main/long CPUs and policy. */
static void expect_state(const struct bpfnicd_policy *p, const char *main, const char *lng,
			 enum bpfnic_policy policy)
{
	char want[2][64], got[2][64];
	const char *lists[2] = { main, lng };

	for (int g = 0; g < BPFNIC_NR_GROUPS; g++) {
		unsigned n;
		const unsigned *cpus = bpfnicd_policy_group(p, (enum bpfnic_group)g, &n);
		size_t used = 0;

		assert_int_equal(n, fake_dp.n[g]);
		assert_memory_equal(cpus, fake_dp.cpus[g], n * sizeof(unsigned));
		got[g][0] = '\0';
		for (unsigned i = 0; i < n; i++)
			used += (size_t)snprintf(got[g] + used, sizeof(got[g]) - used, "%s%u", i ? "," : "",
						 cpus[i]);
		snprintf(want[g], sizeof(want[g]), "%s", lists[g]);
		assert_string_equal(got[g], want[g]);
	}
	assert_int_equal(bpfnicd_policy_params(p)->policy, policy);
	assert_int_equal(fake_dp.settings.policy, bpfnic_policy_pick(bpfnicd_policy_params(p)));
}

/* The configured parameters, with another policy. */
static struct bpfnic_policy_params with_policy(enum bpfnic_policy policy)
{
	struct bpfnic_policy_params next = cfg.policy;

	next.policy = policy;
	return next;
}

/* ---- the policy module ------------------------------------------------------------------ */

static void test_apply_and_groups(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnic_policy_params next;
	(void)state;

	p = start_policy("[Daemon]\nInterface=eth9\nCpus=0-3\n[Split]\nLongCpus=1\n");
	expect_state(p, "0,1,2,3", "", BPFNIC_POLICY_RR);
	next = with_policy(BPFNIC_POLICY_SPLIT);
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	expect_state(p, "0,1,2", "3", BPFNIC_POLICY_SPLIT);
	assert_int_equal(bpfnicd_policy_group_of(p, 3), BPFNIC_GROUP_LONG);
	/* Recorded as a change, with what it changed to and who asked. */
	assert_int_equal(bpfnicd_history_n_changes(history), 1);
	assert_int_equal(bpfnicd_history_change(history, 0)->action, BPFNICD_CHANGE_POLICY);
	assert_int_equal(bpfnicd_history_change(history, 0)->group_size, 3);
	assert_int_equal(bpfnicd_history_change(history, 0)->cpu, -1);
	assert_string_equal(bpfnicd_history_change(history, 0)->reason,
			    "policy split: 3 short CPUs, 1 long CPUs, by test");
	/* The same policy again changes nothing, and records nothing. */
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	assert_int_equal(bpfnicd_history_n_changes(history), 1);
	/* Entering dynamic keeps the group in use, within MinCpus..MaxCpus. */
	next = with_policy(BPFNIC_POLICY_DYNAMIC);
	next.max_cpus = 2;
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	expect_state(p, "0,1", "", BPFNIC_POLICY_DYNAMIC);
	assert_int_equal(bpfnicd_policy_group_of(p, 3), -1);
	assert_int_equal(bpfnicd_history_n_changes(history), 2);
	stop_policy(p);
}

/* Whichever write fails, the maps get their old contents back and nothing changes. */
static void test_apply_rolls_back(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnic_policy_params next;
	unsigned gen;
	(void)state;

	p = start_policy("[Daemon]\nInterface=eth9\nCpus=0-3\n[Split]\nLongCpus=2\n");
	gen = bpfnicd_policy_generation(p);
	/* rr -> split writes the long group, the main group, the settings: fail each. */
	for (unsigned fail = 1; fail <= 3; fail++) {
		next = with_policy(BPFNIC_POLICY_SPLIT);
		fake_dp.writes = 0;
		fake_dp.fail_at = fail;
		fake_dp.fail_err = -ENOSPC;
		assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), -ENOSPC);
		expect_state(p, "0,1,2,3", "", BPFNIC_POLICY_RR);
		assert_int_equal(bpfnicd_policy_generation(p), gen);
	}
	fake_dp.fail_at = 0;
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	expect_state(p, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	/* split -> rr: main, settings, then the long group emptied; fail each. */
	for (unsigned fail = 1; fail <= 3; fail++) {
		next = with_policy(BPFNIC_POLICY_RR);
		fake_dp.writes = 0;
		fake_dp.fail_at = fail;
		assert_true(bpfnicd_policy_apply(p, &cfg, &next, "test") < 0);
		expect_state(p, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	}
	fake_dp.fail_at = 0;
	/* Only the change that took effect is recorded. */
	assert_int_equal(bpfnicd_history_n_changes(history), 1);
	stop_policy(p);
}

/* A window whose fail_at-th map write fails with err (the writes after it succeed). */
static void tick_failing(struct bpfnicd_policy *p, const struct bpfnicd_window *w, uint64_t now_ms,
			 unsigned fail_at, int err)
{
	fake_dp.writes = 0;
	fake_dp.fail_at = fail_at;
	fake_dp.fail_err = err;
	bpfnicd_policy_tick(p, w, now_ms);
	fake_dp.fail_at = 0;
}

static void test_scaler_grows_the_prefix(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnicd_window w = { .traffic = true, .qdelay_avg_us = 500 };
	const struct bpfnicd_change *h;
	(void)state;

	p = start_policy("[Daemon]\nInterface=eth9\nCpus=2,0,3\n[Policy]\nPolicy=dynamic\n"
			 "[Dynamic]\nThresholdUs=20\nCooldownMs=0\n");
	expect_state(p, "2", "", BPFNIC_POLICY_DYNAMIC);
	/* A failed write: no change, and the next window tries again. */
	tick_failing(p, &w, 10000, 1, -EIO);
	expect_state(p, "2", "", BPFNIC_POLICY_DYNAMIC);
	assert_int_equal(bpfnicd_history_n_changes(history), 0);
	bpfnicd_policy_tick(p, &w, 10200);
	expect_state(p, "2,0", "", BPFNIC_POLICY_DYNAMIC);
	bpfnicd_policy_tick(p, &w, 10400);
	bpfnicd_policy_tick(p, &w, 10600);
	expect_state(p, "2,0,3", "", BPFNIC_POLICY_DYNAMIC);
	h = bpfnicd_history_change(history, 1);
	assert_non_null(h);
	assert_int_equal(h->action, BPFNICD_CHANGE_GROW);
	assert_int_equal(h->cpu, 3);
	assert_int_equal(h->group_size, 3);
	assert_true(h->metric_us == 500);
	stop_policy(p);
}

/* A window in which short requests arrive at rps_short and take 60 us, long ones at
 * rps_long and take 600 us, 100 of each served. */
static struct bpfnicd_window class_window(double rps_short, double rps_long)
{
	struct bpfnicd_window w = { .traffic = true };

	w.cls[0] = (struct bpfnicd_class_window){ rps_short, 60, rps_short > 0 ? 100 : 0 };
	w.cls[1] = (struct bpfnicd_class_window){ rps_long, 600, rps_long > 0 ? 100 : 0 };
	return w;
}

/* split --long-cpus auto: the long group moves with the work, CPUs come from the end of
 * the main group and go back to it, each change in the history; a failed write
 * changes nothing. */
static void test_split_auto_moves_cpus(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnicd_window w;
	const struct bpfnicd_change *h;
	(void)state;

	p = start_policy("[Daemon]\nInterface=eth9\nCpus=0-3\n[Policy]\nPolicy=split\n"
			 "[Split]\nLongCpus=auto\n[Dynamic]\nCooldownMs=0\n");
	expect_state(p, "0,1", "2,3", BPFNIC_POLICY_SPLIT); /* half at start */
	/* The thesis' mix: 4 * 60 / 114 = 2.1 long CPUs: stays. */
	w = class_window(900, 100);
	bpfnicd_policy_tick(p, &w, 1000);
	expect_state(p, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	assert_int_equal(bpfnicd_history_n_changes(history), 0);
	/* Half and half: 4 * 300 / 330 = 3.6, so 3 (one CPU stays short). A failed write
	 * first: nothing changes. */
	w = class_window(500, 500);
	tick_failing(p, &w, 2000, 2, -ENOSPC);
	expect_state(p, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	assert_int_equal(bpfnicd_history_n_changes(history), 0);
	bpfnicd_policy_tick(p, &w, 3000);
	expect_state(p, "0", "1,2,3", BPFNIC_POLICY_SPLIT);
	h = bpfnicd_history_change(history, 0);
	assert_non_null(h);
	assert_int_equal(h->group, BPFNIC_GROUP_LONG);
	assert_int_equal(h->action, BPFNICD_CHANGE_GROW);
	assert_int_equal(h->cpu, 1);
	assert_int_equal(h->cpus, 1);
	assert_int_equal(h->group_size, 3);
	assert_true(isnan(h->metric_us));
	assert_non_null(strstr(h->reason, "of the work"));
	/* Almost only short requests: the long group keeps one CPU. */
	w = class_window(1000, 1);
	bpfnicd_policy_tick(p, &w, 4000);
	expect_state(p, "0,1,2", "3", BPFNIC_POLICY_SPLIT);
	h = bpfnicd_history_change(history, 1);
	assert_int_equal(h->action, BPFNICD_CHANGE_SHRINK);
	assert_int_equal(h->group, BPFNIC_GROUP_LONG);
	assert_int_equal(h->cpu, 1);
	assert_int_equal(h->cpus, 2);
	assert_int_equal(h->group_size, 1);
	/* Applied again (a fixed size, then auto): auto picks up where it was. */
	struct bpfnic_policy_params next = *bpfnicd_policy_params(p);

	next.long_cpus = 2;
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	expect_state(p, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	next.long_cpus = BPFNIC_LONG_CPUS_AUTO;
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	expect_state(p, "0,1,2", "3", BPFNIC_POLICY_SPLIT);
	assert_int_equal(bpfnicd_policy_changes(p, BPFNICD_CHANGE_GROW), 1);
	assert_int_equal(bpfnicd_policy_changes(p, BPFNICD_CHANGE_SHRINK), 1);
	stop_policy(p);
}

/* Without the drop tracer, an idle window clears the load the data path still counts;
 * with it, or with traffic, nothing is touched. */
static void test_idle_window_clears_phantom_load(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnicd_window w = { .n = 2 };
	(void)state;

	p = start_policy("[Daemon]\nInterface=eth9\nCpus=0-1\n");
	memset(fake_dp.cleared, 0, sizeof(fake_dp.cleared));
	w.cpu[0] = (struct bpfnicd_cpu_window){ .cpu = 0, .in_flight = 3, .work_left_us = 18 };
	w.cpu[1] = (struct bpfnicd_cpu_window){ .cpu = 1 };
	w.drops_queue_exact = true;
	bpfnicd_policy_tick(p, &w, 1000);
	w.drops_queue_exact = false;
	w.traffic = true;
	bpfnicd_policy_tick(p, &w, 1200);
	w.traffic = false;
	w.in_rps = 10;
	bpfnicd_policy_tick(p, &w, 1400);
	assert_int_equal(fake_dp.cleared[0], 0);
	w.in_rps = 0;
	bpfnicd_policy_tick(p, &w, 1600);
	assert_int_equal(fake_dp.cleared[0], 1);
	assert_int_equal(fake_dp.cleared[1], 0);
	stop_policy(p);
}

/* What the data path runs: dynamic's spread, p2c's choices. */
static void test_dynamic_spread_reaches_the_data_path(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnic_policy_params next;
	(void)state;

	p = start_policy("[Daemon]\nInterface=eth9\nCpus=0-3\n");
	next = with_policy(BPFNIC_POLICY_DYNAMIC);
	next.spread = BPFNIC_POLICY_LWL;
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	assert_int_equal(fake_dp.settings.policy, BPFNIC_POLICY_LWL);
	next.spread = BPFNIC_POLICY_P2C;
	next.choices = 3;
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	assert_int_equal(fake_dp.settings.policy, BPFNIC_POLICY_P2C);
	assert_int_equal(fake_dp.settings.choices, 3);
	next = with_policy(BPFNIC_POLICY_HASH);
	assert_int_equal(bpfnicd_policy_apply(p, &cfg, &next, "test"), 0);
	assert_int_equal(fake_dp.settings.policy, BPFNIC_POLICY_HASH);
	expect_state(p, "0,1,2,3", "", BPFNIC_POLICY_HASH);
	stop_policy(p);
}

/* ---- the methods ------------------------------------------------------------------------- */

struct daemon {
	struct methods_daemon core; /* the running config, policy, worker threads, methods */
	struct bpfnicd_nic *nic;
	struct bpfnicd_sampler *sampler;
	struct bpfnic_idl *idl[2];
};

static void daemon_start(struct daemon *d)
{
	/* A NIC with hardware IRQs on CPU 3, one of the workers: a warning in status. */
	struct bpfnic_netdev nd = { .ifindex = 7, .driver = "ixgbe", .mtu = 1500, .rx_queues = 4,
				    .tx_queues = 4, .xdp_features_known = true,
				    .xdp_features = BPFNIC_XDP_ACT_BASIC | BPFNIC_XDP_ACT_REDIRECT |
						    BPFNIC_XDP_ACT_NDO_XMIT,
				    .rx_vlan_offload = 0, .hw_device = true, .n_irqs = 1,
				    .irq_cpu = { [3] = true } };
	struct bpfnic_dp_info info = { .ifindex = 7, .mode = BPFNIC_XDP_NATIVE,
				       .requested = BPFNIC_XDP_AUTO };
	struct bpfnicd_policy *policy;
	char err[200];

	policy = start_policy("[Daemon]\nInterface=eth9\nCpus=0-3\nAdminGroup=wheel\n"
			      "Address=198.18.0.1 2001:2::1\n");
	assert_int_equal(bpfnicd_sampler_new(FAKE_DP, &cfg.cpus, -1, bpfnic_mono_usec(), &d->sampler), 0);
	d->nic = bpfnicd_nic_new("eth9", &nd, &cfg.cpus, &info);
	assert_non_null(d->nic);
	assert_int_equal(methods_daemon_start(&d->core, conf_path, &cfg, policy,
					      (struct bpfnicd_methods_deps){
						.sampler = d->sampler, .history = history, .info = info,
						.nic = d->nic, .start_usec = bpfnic_mono_usec() }), 0);
	assert_int_equal(bpfnic_idl_parse(bpfnic_idl_io_bpfnic, &d->idl[0], err, sizeof(err)), 0);
	assert_int_equal(bpfnic_idl_parse(bpfnic_idl_varlink_service, &d->idl[1], err, sizeof(err)), 0);
}

static void daemon_stop(struct daemon *d)
{
	methods_daemon_stop(&d->core);
	bpfnicd_nic_free(d->nic);
	bpfnicd_sampler_free(d->sampler);
	bpfnicd_history_free(history);
	history = NULL;
	bpfnic_idl_free(d->idl[0]);
	bpfnic_idl_free(d->idl[1]);
}

/*
 * Call method as root (admin) or a reader, and check the reply against the IDL: the
 * method's reply, or want_error. Returns the reply's parameters (owned by *msg).
 */
static struct json_object *call(struct daemon *d, const char *method, const char *params,
				bool admin, bool more, const char *want_error, struct json_object **msg)
{
	struct bpfnicd_caller who = { .uid = admin ? 0 : 1000, .pid = 42, .admin = admin };
	struct json_object *p = json_tokener_parse(params ? params : "{}");
	struct bpfnic_vl_call c = { .method = method, .parameters = p, .more = more };
	struct bpfnic_vl_reply reply;
	const char *why, *name, *member;
	bool monitor = false;
	char reason[300];
	int i;

	*msg = bpfnicd_methods_dispatch(d->core.methods, &who, &c, &monitor);
	json_object_put(p);
	assert_non_null(*msg);
	assert_int_equal(bpfnic_vl_reply_from_json(*msg, &reply, &why), 0);
	if ((want_error == NULL) != (reply.error == NULL) ||
	    (want_error && strcmp(want_error, reply.error))) {
		print_message("# %s: want %s, got %s\n", method, want_error ? want_error : "a reply",
			      json_object_to_json_string(*msg));
		fail();
	}
	name = strrchr(reply.error ? reply.error : method, '.') + 1;
	i = !strncmp(reply.error ? reply.error : method, "org.varlink.service.", 20);
	if (bpfnic_idl_check(d->idl[i], reply.error ? BPFNIC_IDL_ERROR : BPFNIC_IDL_OUT, name,
			     reply.parameters, &member, reason, sizeof(reason)) < 0) {
		print_message("# %s: the reply is not what the IDL declares: %s\n# %s\n", method,
			      reason, json_object_to_json_string(*msg));
		fail();
	}
	assert_int_equal(monitor, !want_error && !strcmp(method, "io.bpfnic.Monitor"));
	return reply.parameters;
}

static void test_every_method_against_the_idl(void **state)
{
	struct daemon d = { 0 };
	struct json_object *msg, *p, *v;
	(void)state;

	int group[4];

	daemon_start(&d);
	fake_dp.served[1] = 1000;
	assert_int_equal(bpfnicd_sampler_tick(d.sampler, bpfnic_mono_usec() + 200000), 0);
	/* As bpfnicd keeps every window it closes. */
	bpfnicd_policy_cpu_groups(d.core.policy, cfg.cpus.cpu, cfg.cpus.n, group);
	bpfnicd_history_add_window(history, 1000, bpfnicd_sampler_window(d.sampler),
				   BPFNIC_POLICY_RR, group);
	call(&d, "org.varlink.service.GetInfo", NULL, false, false, NULL, &msg);
	json_object_put(msg);
	p = call(&d, "org.varlink.service.GetInterfaceDescription", "{\"interface\":\"io.bpfnic\"}",
		 false, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "description", &v));
	assert_string_equal(json_object_get_string(v), bpfnic_idl_io_bpfnic);
	json_object_put(msg);
	call(&d, "org.varlink.service.GetInterfaceDescription", "{\"interface\":\"x.y\"}", false,
	     false, "org.varlink.service.InterfaceNotFound", &msg);
	json_object_put(msg);
	call(&d, "io.bpfnic.GetInfo", NULL, false, false, NULL, &msg);
	json_object_put(msg);
	p = call(&d, "io.bpfnic.GetStatus", NULL, false, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "addresses", &v));
	assert_string_equal(json_object_to_json_string(v), "[ \"198.18.0.1\", \"2001:2::1\" ]");
	assert_true(json_object_object_get_ex(p, "xdp_mode_requested", &v));
	assert_string_equal(json_object_get_string(v), "auto");
	assert_true(json_object_object_get_ex(p, "nic", &v));
	assert_true(json_object_object_get_ex(v, "rx_irq_cpus", &v));
	assert_string_equal(json_object_to_json_string(v), "[ 3 ]");
	assert_true(json_object_object_get_ex(p, "warnings", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_non_null(strstr(json_object_get_string(json_object_array_get_idx(v, 0)),
			       "worker CPUs 3 also take eth9's RX interrupts"));
	/* Every candidate CPU, none of whose threads exists (cpumap id -1): said so. */
	assert_true(json_object_object_get_ex(p, "workers", &p));
	assert_true(json_object_object_get_ex(p, "scheduling", &v));
	assert_string_equal(json_object_get_string(v), "fifo:49");
	assert_true(json_object_object_get_ex(p, "problem", &v));
	assert_non_null(strstr(json_object_get_string(v), "no worker thread found for CPUs 0-3"));
	assert_true(json_object_object_get_ex(p, "threads", &v));
	assert_int_equal(json_object_array_length(v), 4);
	v = json_object_array_get_idx(v, 2);
	assert_true(json_object_object_get_ex(v, "cpu", &p));
	assert_int_equal(json_object_get_int(p), 2);
	assert_true(json_object_object_get_ex(v, "pid", &p) && p == NULL);
	json_object_put(msg);
	p = call(&d, "io.bpfnic.GetStats", NULL, false, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "cpus", &v));
	assert_int_equal(json_object_array_length(v), 4);
	v = json_object_array_get_idx(v, 1);
	assert_true(json_object_object_get_ex(v, "processed", &v));
	assert_int_equal(json_object_get_int(v), 1000);
	json_object_put(msg);
	call(&d, "io.bpfnic.Monitor", NULL, false, true, NULL, &msg);
	json_object_put(msg);
	msg = bpfnicd_methods_monitor_sample(d.core.methods);
	assert_int_equal(bpfnic_idl_check(d.idl[0], BPFNIC_IDL_OUT, "Monitor", msg, (const char **)&p,
					  (char[200]){ 0 }, 200), 0);
	json_object_put(msg);
	p = call(&d, "io.bpfnic.SetPolicy", "{\"policy\":\"split\",\"long_cpus\":2}", true, false,
		 NULL, &msg);
	json_object_put(msg);
	expect_state(d.core.policy, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	p = call(&d, "io.bpfnic.Reload", NULL, true, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "restart_needed", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "Interface");
	json_object_put(msg);
	expect_state(d.core.policy, "0,1,2,3", "", BPFNIC_POLICY_RR); /* the file's policy */
	/* The history: the window, and both policy changes (SetPolicy, then the reload). */
	p = call(&d, "io.bpfnic.GetStats", "{\"since_usec\":0}", false, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "windows", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(v, 0), "cpus", &v));
	assert_int_equal(json_object_array_length(v), 4);
	assert_true(json_object_object_get_ex(p, "changes", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(v, 1), "action", &v));
	assert_string_equal(json_object_get_string(v), "policy");
	assert_true(json_object_object_get_ex(p, "truncated", &v) && !json_object_get_boolean(v));
	assert_false(json_object_object_get_ex(p, "next_since_usec", &v));
	json_object_put(msg);
	/* After the last entry: empty lists. Without since_usec (or null): today's reply. */
	p = call(&d, "io.bpfnic.GetStats", "{\"since_usec\":9000000000000000}", false, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "windows", &v));
	assert_int_equal(json_object_array_length(v), 0);
	json_object_put(msg);
	p = call(&d, "io.bpfnic.GetStats", "{\"since_usec\":null}", false, false, NULL, &msg);
	assert_false(json_object_object_get_ex(p, "windows", &v));
	json_object_put(msg);
	/* Status lists the changes too. */
	p = call(&d, "io.bpfnic.GetStatus", NULL, false, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "history", &v));
	assert_int_equal(json_object_array_length(v), 2);
	/* ... and the file's WorkerScheduling=, which applies live. */
	assert_true(json_object_object_get_ex(p, "workers", &p));
	assert_true(json_object_object_get_ex(p, "scheduling", &v));
	assert_string_equal(json_object_get_string(v), "rr:7");
	json_object_put(msg);
	daemon_stop(&d);
}

/*
 * Anyone may call a process "cpumap/0/map:-2": only a kernel thread is taken for a
 * worker, or a user could have bpfnicd give it a real-time class.
 */
static void test_workers_take_only_kernel_threads(void **state)
{
	struct bpfnic_cpus cpus = { .n = 1, .cpu = { 0 } };
	struct bpfnic_worker_sched fifo = { .policy = SCHED_FIFO, .priority = 10 };
	struct bpfnicd_kthreads kt;
	struct bpfnicd_workers *w;
	char path[64], comm[32] = "";
	int fds[2], policy;
	pid_t child;
	(void)state;

	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "cpumap/0/map:-2");
		close(fds[0]);
		assert_true(write(fds[1], "x", 1) == 1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_true(read(fds[0], comm, 1) == 1); /* named */
	close(fds[0]);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	assert_string_equal(comm, "cpumap/0/map:-2\n");

	bpfnicd_kthreads_init(&kt, -2);
	assert_int_equal(bpfnicd_workers_new(&kt, &cpus, &fifo, bpfnic_mono_usec(), &w), 0);
	assert_int_equal(bpfnicd_kthread_pid(&kt, 0), 0);
	assert_non_null(strstr(bpfnicd_workers_problem(w), "no worker thread found for CPUs 0"));
	policy = sched_getscheduler(child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(policy, SCHED_OTHER);
	bpfnicd_workers_free(w);
}

static void test_workers_say_why(void **state)
{
	const struct bpfnic_worker_sched fifo49 = { .policy = SCHED_FIFO, .priority = 49 };
	const struct bpfnic_worker_sched other = { .policy = SCHED_OTHER, .priority = 0 };
	struct bpfnicd_privileges may = { .cap_sys_nice = false, .seccomp = true, .rtprio = 0 };
	char why[300];
	(void)state;

	assert_string_equal(bpfnicd_workers_why(-EPERM, &may, &fifo49, why, sizeof(why)),
			    "bpfnicd lacks CAP_SYS_NICE, and its RLIMIT_RTPRIO (0) is below "
			    "priority 49");
	assert_string_equal(bpfnicd_workers_why(-EPERM, &may, &other, why, sizeof(why)),
			    "bpfnicd lacks CAP_SYS_NICE");
	may.rtprio = 60; /* the limit allows 49: then it was not the limit */
	assert_string_equal(bpfnicd_workers_why(-EPERM, &may, &fifo49, why, sizeof(why)),
			    "bpfnicd lacks CAP_SYS_NICE");
	may.cap_sys_nice = true;
	assert_non_null(strstr(bpfnicd_workers_why(-EPERM, &may, &fifo49, why, sizeof(why)),
			       "RestrictRealtime="));
	may.seccomp = false;
	assert_non_null(strstr(bpfnicd_workers_why(-EPERM, &may, &fifo49, why, sizeof(why)),
			       "real-time group scheduling"));
	assert_string_equal(bpfnicd_workers_why(-ESRCH, &may, &fifo49, why, sizeof(why)),
			    strerror(ESRCH));
}

static void test_refusals_against_the_idl(void **state)
{
	struct daemon d = { 0 };
	struct json_object *msg, *p, *v;
	(void)state;

	static const struct {
		const char *method, *params;
		bool admin, more;
		const char *error, *parameter; /* the error, and the parameter it names */
	} refusals[] = {
		{ "io.bpfnic.Nope", NULL, true, false, "org.varlink.service.MethodNotFound", NULL },
		{ "com.example.Nope", NULL, true, false, "org.varlink.service.InterfaceNotFound", NULL },
		{ "io.bpfnic.Monitor", NULL, false, false, "org.varlink.service.ExpectedMore", NULL },
		{ "io.bpfnic.GetStatus", "{\"verbose\":true}", false, false,
		  "org.varlink.service.InvalidParameter", "verbose" },
		{ "io.bpfnic.GetStats", "{\"since_usec\":\"yesterday\"}", false, false,
		  "org.varlink.service.InvalidParameter", "since_usec" },
		{ "io.bpfnic.SetPolicy", "{\"policy\":\"split\"}", false, false,
		  "org.varlink.service.PermissionDenied", NULL },
		{ "io.bpfnic.Reload", NULL, false, false, "org.varlink.service.PermissionDenied", NULL },
		{ "io.bpfnic.SetPolicy", "{\"policy\":\"dynamic\",\"min_cpus\":99}", true, false,
		  "org.varlink.service.InvalidParameter", "min_cpus" },
		{ "io.bpfnic.SetPolicy", "{\"policy\":5}", true, false,
		  "org.varlink.service.InvalidParameter", "policy" },
	};

	daemon_start(&d);
	for (size_t i = 0; i < N_ELEMENTS(refusals); i++) {
		p = call(&d, refusals[i].method, refusals[i].params, refusals[i].admin, refusals[i].more,
			 refusals[i].error, &msg);
		if (refusals[i].parameter) {
			assert_true(json_object_object_get_ex(p, "parameter", &v));
			assert_string_equal(json_object_get_string(v), refusals[i].parameter);
		}
		json_object_put(msg);
	}
	/* The data path refuses: Failed, and nothing changed anywhere. */
	fake_dp.writes = 0;
	fake_dp.fail_at = 2;
	call(&d, "io.bpfnic.SetPolicy", "{\"policy\":\"split\"}", true, false, "io.bpfnic.Failed", &msg);
	json_object_put(msg);
	fake_dp.fail_at = 0;
	expect_state(d.core.policy, "0,1,2,3", "", BPFNIC_POLICY_RR);
	/* A reload the data path refuses: ReloadFailed, the running policy kept. */
	call(&d, "io.bpfnic.SetPolicy", "{\"policy\":\"split\"}", true, false, NULL, &msg);
	json_object_put(msg);
	fake_dp.writes = 0;
	fake_dp.fail_at = 1;
	p = call(&d, "io.bpfnic.Reload", NULL, true, false, "io.bpfnic.ReloadFailed", &msg);
	assert_true(json_object_object_get_ex(p, "errors", &v));
	assert_int_equal(json_object_array_length(v), 1);
	json_object_put(msg);
	fake_dp.fail_at = 0;
	expect_state(d.core.policy, "0,1,2", "3", BPFNIC_POLICY_SPLIT);
	daemon_stop(&d);
}

static void test_method_table_is_the_idl(void **state)
{
	struct daemon d = { 0 };
	unsigned n, found = 0;
	const struct bpfnicd_method *t = bpfnicd_methods_table(&n);
	(void)state;

	daemon_start(&d);
	for (int i = 0; i < 2; i++)
		for (unsigned m = 0; m < bpfnic_idl_n_methods(d.idl[i]); m++) {
			char name[128];
			const char *doc = bpfnic_idl_method_doc(d.idl[i], m);
			const struct bpfnicd_method *e = NULL;

			snprintf(name, sizeof(name), "%s.%s", bpfnic_idl_name(d.idl[i]),
				 bpfnic_idl_method_name(d.idl[i], m));
			for (unsigned k = 0; k < n; k++)
				if (!strcmp(t[k].name, name))
					e = &t[k];
			if (!e) {
				print_message("# %s is in the IDL, not in the table\n", name);
				fail();
			}
			/* The IDL says who may call it and how, in words the table must match. */
			assert_int_equal(e->admin, strstr(doc, "Needs root or AdminGroup=") != NULL);
			assert_int_equal(e->streams, strstr(doc, "\"more\": true") != NULL);
			found++;
		}
	assert_int_equal(found, n);
	daemon_stop(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_and_groups),
		cmocka_unit_test(test_apply_rolls_back),
		cmocka_unit_test(test_scaler_grows_the_prefix),
		cmocka_unit_test(test_split_auto_moves_cpus),
		cmocka_unit_test(test_dynamic_spread_reaches_the_data_path),
		cmocka_unit_test(test_idle_window_clears_phantom_load),
		cmocka_unit_test(test_every_method_against_the_idl),
		cmocka_unit_test(test_refusals_against_the_idl),
		cmocka_unit_test(test_method_table_is_the_idl),
		cmocka_unit_test(test_workers_take_only_kernel_threads),
		cmocka_unit_test(test_workers_say_why),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
