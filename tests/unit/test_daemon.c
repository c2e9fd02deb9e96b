/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's modules together on an in-memory data path (fake_datapath.c) that can be
 * made to fail: a policy change reaches every map or none (the rollback), the scaler
 * grows the group as a prefix of Cpus=, and every control method answers what the
 * interface description declares, refusals included. The method table is held
 * against the IDL too.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "idl.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "tests/unit/fake_datapath.h"

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
	static const char text[] = "[Daemon]\nInterface=lo\nCpus=0\nAdminGroup=wheel\n";

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
static struct bpfnicd_policy *start_policy(void)
{
	struct bpfnic_dp_opts opts = { 0 };
	struct bpfnicd_policy *p;

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
	assert_int_equal(fake_dp.settings.policy, policy);
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

	load_config("[Daemon]\nInterface=eth9\nCpus=0-3\n[Split]\nLongCpus=1\n");
	p = start_policy();
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

	load_config("[Daemon]\nInterface=eth9\nCpus=0-3\n[Split]\nLongCpus=2\n");
	p = start_policy();
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

static void test_scaler_grows_the_prefix(void **state)
{
	struct bpfnicd_policy *p;
	struct bpfnicd_window w = { .traffic = true, .qdelay_avg_us = 500 };
	const struct bpfnicd_change *h;
	(void)state;

	load_config("[Daemon]\nInterface=eth9\nCpus=2,0,3\n[Policy]\nPolicy=dynamic\n"
		    "[Dynamic]\nThresholdUs=20\nCooldownMs=0\n");
	p = start_policy();
	expect_state(p, "2", "", BPFNIC_POLICY_DYNAMIC);
	/* A failed write: no change, and the next window tries again. */
	fake_dp.writes = 0;
	fake_dp.fail_at = 1;
	bpfnicd_policy_tick(p, &w, 10000);
	expect_state(p, "2", "", BPFNIC_POLICY_DYNAMIC);
	assert_int_equal(bpfnicd_history_n_changes(history), 0);
	fake_dp.fail_at = 0;
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

/* ---- the methods ------------------------------------------------------------------------- */

struct daemon {
	struct bpfnicd_runconf *conf;
	struct bpfnicd_policy *policy;
	struct bpfnicd_nic *nic;
	struct bpfnicd_sampler *sampler;
	struct bpfnicd_methods *methods;
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
	struct bpfnicd_methods_deps deps;
	char err[200];

	load_config("[Daemon]\nInterface=eth9\nCpus=0-3\nAdminGroup=wheel\n"
		    "Address=198.18.0.1 2001:2::1\n");
	assert_int_equal(bpfnicd_runconf_new(conf_path, &cfg, &d->conf), 0);
	d->policy = start_policy();
	assert_int_equal(bpfnicd_sampler_new(FAKE_DP, &cfg.cpus, -1, bpfnic_mono_usec(), &d->sampler), 0);
	bpfnicd_runconf_bind(d->conf, d->policy, NULL);
	d->nic = bpfnicd_nic_new("eth9", &nd, &cfg.cpus, &info);
	assert_non_null(d->nic);
	deps = (struct bpfnicd_methods_deps){
		.conf = d->conf, .policy = d->policy, .sampler = d->sampler, .history = history,
		.info = info, .nic = d->nic, .start_usec = bpfnic_mono_usec(),
	};
	assert_int_equal(bpfnicd_methods_new(&deps, &d->methods), 0);
	assert_int_equal(bpfnic_idl_parse(bpfnic_idl_io_bpfnic, &d->idl[0], err, sizeof(err)), 0);
	assert_int_equal(bpfnic_idl_parse(bpfnic_idl_varlink_service, &d->idl[1], err, sizeof(err)), 0);
}

static void daemon_stop(struct daemon *d)
{
	bpfnicd_methods_free(d->methods);
	bpfnicd_nic_free(d->nic);
	bpfnicd_sampler_free(d->sampler);
	stop_policy(d->policy);
	bpfnicd_runconf_free(d->conf);
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

	*msg = bpfnicd_methods_dispatch(d->methods, &who, &c, &monitor);
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
	bpfnicd_policy_cpu_groups(d.policy, cfg.cpus.cpu, cfg.cpus.n, group);
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
	msg = bpfnicd_methods_monitor_sample(d.methods);
	assert_int_equal(bpfnic_idl_check(d.idl[0], BPFNIC_IDL_OUT, "Monitor", msg, (const char **)&p,
					  (char[200]){ 0 }, 200), 0);
	json_object_put(msg);
	p = call(&d, "io.bpfnic.SetPolicy", "{\"policy\":\"split\",\"long_cpus\":2}", true, false,
		 NULL, &msg);
	json_object_put(msg);
	expect_state(d.policy, "0,1", "2,3", BPFNIC_POLICY_SPLIT);
	p = call(&d, "io.bpfnic.Reload", NULL, true, false, NULL, &msg);
	assert_true(json_object_object_get_ex(p, "restart_needed", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "Interface");
	json_object_put(msg);
	expect_state(d.policy, "0,1,2,3", "", BPFNIC_POLICY_RR); /* the file's policy */
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
	json_object_put(msg);
	daemon_stop(&d);
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
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
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
	expect_state(d.policy, "0,1,2,3", "", BPFNIC_POLICY_RR);
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
	expect_state(d.policy, "0,1,2", "3", BPFNIC_POLICY_SPLIT);
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
		cmocka_unit_test(test_every_method_against_the_idl),
		cmocka_unit_test(test_refusals_against_the_idl),
		cmocka_unit_test(test_method_table_is_the_idl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
