/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/nic: what bpfnicd says about its interface. Replies dropped on their way out
 * are logged once per episode, with the count and the likely reason, and the end of
 * the episode with its total; a lost ndo-xmit is a warning in native mode only; what
 * needs an operator's eye is in status' warnings while it lasts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/support/unit.h"

#include <json-c/json.h>

#include "daemon/log.h"
#include "daemon/nic.h"
#include "tests/support/capture.h"

#define SEC 1000000ull
#define VETH (BPFNIC_XDP_ACT_BASIC | BPFNIC_XDP_ACT_REDIRECT | BPFNIC_XDP_ACT_RX_SG)
#define XMIT (BPFNIC_XDP_ACT_NDO_XMIT | BPFNIC_XDP_ACT_NDO_XMIT_SG)

static struct capture log_capture;

/* Everything logged from now until logged() is kept. */
static void capture(void)
{
	assert_int_equal(capture_stderr_begin(&log_capture), 0);
}

static const char *logged(void)
{
	static char text[8192];

	return capture_stderr_end(&log_capture, text, sizeof(text));
}

static unsigned count(const char *text, const char *part)
{
	unsigned n = 0;

	for (const char *s = text; (s = strstr(s, part)); s++)
		n++;
	return n;
}

static struct bpfnicd_nic *veth_nic(enum bpfnic_xdp_mode mode, const char *fallback)
{
	struct bpfnic_netdev nd = { .ifindex = 3, .driver = "veth", .mtu = 1500, .rx_queues = 1,
				    .tx_queues = 1, .xdp_features_known = true,
				    .xdp_features = VETH | XMIT, .rx_vlan_offload = 1 };
	struct bpfnic_dp_info info = { .ifindex = 3, .mode = mode, .requested = BPFNIC_XDP_AUTO };
	struct bpfnic_cpus cpus = { .n = 2, .cpu = { 0, 1 } };
	struct bpfnicd_nic *n;

	snprintf(info.fallback, sizeof(info.fallback), "%s", fallback);
	n = bpfnicd_nic_new("s0", &nd, &cpus, &info);
	assert_non_null(n);
	return n;
}

static struct bpfnicd_window window(uint64_t transmit_drops)
{
	return (struct bpfnicd_window){ .window_ms = 100, .drops_transmit = transmit_drops,
					.drops_transmit_exact = true };
}

static char *warnings_text(const struct bpfnicd_nic *n)
{
	static char text[4096];
	struct json_object *w = bpfnicd_nic_warnings_json(n);

	snprintf(text, sizeof(text), "%s", json_object_to_json_string(w));
	json_object_put(w);
	return text;
}

static void drops_logged_once_per_episode(void **state)
{
	struct bpfnicd_nic *n = veth_nic(BPFNIC_XDP_NATIVE, "");
	struct bpfnicd_window w;
	const char *text;

	(void)state;
	capture();
	w = window(0);
	bpfnicd_nic_window(n, &w, 1 * SEC);
	assert_false(bpfnicd_nic_dropping(n));
	/* The peer stops taking frames: the features say so, and replies fail. */
	bpfnicd_nic_features(n, 0, VETH);
	w = window(30);
	bpfnicd_nic_window(n, &w, 2 * SEC);
	assert_true(bpfnicd_nic_dropping(n));
	w = window(70);
	bpfnicd_nic_window(n, &w, 3 * SEC);
	w = window(70);
	bpfnicd_nic_window(n, &w, 4 * SEC);
	assert_non_null(strstr(warnings_text(n), "replies are being dropped: 70 since this episode"));
	/* Quiet, but not long enough yet. */
	bpfnicd_nic_window(n, &w, 3 * SEC + BPFNICD_TX_QUIET_USEC - 1);
	assert_true(bpfnicd_nic_dropping(n));
	bpfnicd_nic_window(n, &w, 3 * SEC + BPFNICD_TX_QUIET_USEC);
	assert_false(bpfnicd_nic_dropping(n));
	/* A second episode. */
	w = window(75);
	bpfnicd_nic_window(n, &w, 20 * SEC);
	text = logged();
	assert_int_equal(count(text, "replies are being dropped by s0"), 2);
	assert_non_null(strstr(text, "replies are being dropped by s0: 30 in the last 100 ms were "
				     "not transmitted; likely reason: s0 (driver veth) does not "
				     "transmit frames redirected to it by XDP"));
	assert_non_null(strstr(text, "dropped by s0: 5 in the last 100 ms"));
	assert_int_equal(count(text, "replies leave s0 again: 70 were dropped in 1.0 s"), 1);
	assert_int_equal(count(text, "s0's XDP features changed from \"basic redirect ndo-xmit "
				     "rx-sg ndo-xmit-sg\" to \"basic redirect rx-sg\""), 1);
	assert_non_null(strstr(warnings_text(n), "without ndo-xmit"));
	bpfnicd_nic_free(n);
}

static void lost_ndo_xmit_matters_in_native_mode_only(void **state)
{
	struct bpfnicd_nic *native = veth_nic(BPFNIC_XDP_NATIVE, "");
	struct bpfnicd_nic *generic = veth_nic(BPFNIC_XDP_GENERIC, "s0 (driver veth) does not ...");
	const char *text;

	(void)state;
	capture();
	bpfnicd_nic_features(native, 0, VETH | XMIT);   /* no change: nothing said */
	bpfnicd_nic_features(native, -95, 0);           /* cannot tell: nothing changes */
	bpfnicd_nic_features(generic, 0, VETH);
	bpfnicd_nic_features(native, 0, VETH);
	text = logged();
	assert_int_equal(count(text, "XDP features changed"), 2);
	assert_int_equal(count(text, "does not transmit frames redirected"), 1);
	assert_null(strstr(warnings_text(generic), "without ndo-xmit"));
	assert_non_null(strstr(warnings_text(generic), "XdpMode=auto attached in generic mode: s0"));
	bpfnicd_nic_free(native);
	bpfnicd_nic_free(generic);
}

static void says_what_is_not_known(void **state)
{
	struct bpfnic_netdev nd = { .ifindex = 3, .driver = "", .mtu = 9000, .rx_vlan_offload = -1 };
	struct bpfnic_dp_info info = { .ifindex = 3, .mode = BPFNIC_XDP_NATIVE };
	struct bpfnic_cpus cpus = { .n = 1, .cpu = { 0 } };
	struct bpfnicd_window w = { .window_ms = 100 };
	struct bpfnicd_nic *n;
	struct json_object *o;
	const char *text;

	(void)state;
	capture();
	n = bpfnicd_nic_new("nic9", &nd, &cpus, &info);
	bpfnicd_nic_window(n, &w, SEC);
	bpfnicd_nic_window(n, &w, 2 * SEC);
	text = logged();
	assert_int_equal(count(text, "the kernel does not report XDP features"), 1);
	assert_int_equal(count(text, "drops are not exact"), 1);
	assert_non_null(strstr(text, "nic9: driver unknown, MTU 9000"));
	assert_non_null(strstr(warnings_text(n), "they need CAP_PERFMON"));
	o = bpfnicd_nic_json(n);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"driver\":\"\",\"mtu\":9000,\"rx_queues\":0,\"tx_queues\":0,"
			    "\"xdp_features\":null,\"rx_vlan_offload\":null,\"rx_irq_cpus\":null,"
			    "\"fallback\":null}");
	json_object_put(o);
	bpfnicd_nic_free(n);
}

static int setup(void **state)
{
	(void)state;
	bpfnicd_log_open(BPFNICD_LOG_STDERR, LOG_INFO);
	return 0;
}

UNIT_TEST_MAIN_GROUP(setup, NULL,
	cmocka_unit_test(drops_logged_once_per_episode),
	cmocka_unit_test(lost_ndo_xmit_matters_in_native_mode_only),
	cmocka_unit_test(says_what_is_not_known)
)
