// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the data path needs from an interface (datapath/ifcheck.c) and where it runs
 * (datapath/support.c's message): the feature checks and what they tell the user,
 * the single-buffer MTU limit, another program in the way, the likely reason for
 * dropped replies, and which IRQs take RX interrupts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "tests/support/unit.h"
#include "datapath/ifcheck.h"
#include "datapath/support.h"

#define VETH_FEATURES (BPFNIC_XDP_ACT_BASIC | BPFNIC_XDP_ACT_REDIRECT | BPFNIC_XDP_ACT_RX_SG)

static struct bpfnic_netdev veth(__u64 features)
{
	struct bpfnic_netdev nd = { .ifindex = 3, .driver = "veth", .mtu = 1500, .rx_queues = 1,
				    .tx_queues = 1, .xdp_features_known = true,
				    .xdp_features = features, .rx_vlan_offload = 1 };
	return nd;
}

static void contains(const char *text, const char *part)
{
	if (!strstr(text, part)) {
		print_message("# \"%s\" lacks \"%s\"\n", text, part);
		fail();
	}
}

static void names_the_features(void **state)
{
	char buf[160];

	(void)state;
	assert_string_equal(bpfnic_xdp_features_format(VETH_FEATURES | BPFNIC_XDP_ACT_NDO_XMIT |
						       BPFNIC_XDP_ACT_NDO_XMIT_SG, buf, sizeof(buf)),
			    "basic redirect ndo-xmit rx-sg ndo-xmit-sg");
	assert_string_equal(bpfnic_xdp_features_format(0, buf, sizeof(buf)), "none");
	assert_string_equal(bpfnic_xdp_features_format(1ull << 9 | BPFNIC_XDP_ACT_HW_OFFLOAD |
						       BPFNIC_XDP_ACT_XSK_ZEROCOPY, buf, sizeof(buf)),
			    "xsk-zerocopy hw-offload bit9");
	assert_string_equal(bpfnic_xdp_act_name(2), "ndo-xmit");
	assert_null(bpfnic_xdp_act_name(BPFNIC_NR_XDP_ACTS));
}

static void native_needs_basic_and_redirect(void **state)
{
	struct bpfnic_netdev nd = veth(VETH_FEATURES);
	char why[512] = "";

	(void)state;
	assert_int_equal(bpfnic_ifcheck_native(&nd, "nic9", why, sizeof(why)), 0);
	nd.xdp_features = 0; /* what a veth reports with fewer RX queues than its peer's TX */
	assert_int_equal(bpfnic_ifcheck_native(&nd, "nic9", why, sizeof(why)), -EOPNOTSUPP);
	contains(why, "nic9 (driver veth) does not run XDP programs in its driver");
	contains(why, "\"none\"");
	nd.xdp_features = BPFNIC_XDP_ACT_BASIC;
	assert_int_equal(bpfnic_ifcheck_native(&nd, "nic9", why, sizeof(why)), -EOPNOTSUPP);
	contains(why, "its XDP features are \"basic\"");
	/* A kernel that does not say: nothing to hold against the interface. */
	nd.xdp_features_known = false;
	assert_int_equal(bpfnic_ifcheck_native(&nd, "nic9", why, sizeof(why)), 0);
}

static void replies_need_ndo_xmit(void **state)
{
	struct bpfnic_netdev nd = veth(VETH_FEATURES | BPFNIC_XDP_ACT_NDO_XMIT);
	char why[512] = "";

	(void)state;
	assert_int_equal(bpfnic_ifcheck_replies(&nd, "v0", why, sizeof(why)), 0);
	nd.xdp_features = VETH_FEATURES;
	assert_int_equal(bpfnic_ifcheck_replies(&nd, "v0", why, sizeof(why)), -EOPNOTSUPP);
	contains(why, "v0 (driver veth) does not transmit frames redirected to it by XDP");
	contains(why, "without ndo-xmit): every reply would be dropped");
	contains(why, "turn GRO on there (ethtool -K PEER gro on)");
	/* Another driver: generic mode is the way out. */
	snprintf(nd.driver, sizeof(nd.driver), "e1000e");
	assert_int_equal(bpfnic_ifcheck_replies(&nd, "eth1", why, sizeof(why)), -EOPNOTSUPP);
	contains(why, "use XdpMode=generic");
	assert_null(strstr(why, "GRO"));
	/* A short buffer still gets a terminated message. */
	assert_int_equal(bpfnic_ifcheck_replies(&nd, "eth1", why, 20), -EOPNOTSUPP);
	assert_int_equal(strlen(why), 19);
}

static void single_buffer_mtu_limit(void **state)
{
	(void)state;
	/* veth on x86-64: 4096 - 256 - 320 - 14, what the kernel's veth_xdp_set() allows. */
	assert_int_equal(bpfnic_xdp_single_buffer_max_mtu(4096, 320), 3506);
	/* The shared info is cache-line aligned. */
	assert_int_equal(bpfnic_xdp_single_buffer_max_mtu(4096, 300), 3506);
	assert_int_equal(bpfnic_xdp_single_buffer_max_mtu(65536, 320), 64946);
	assert_int_equal(bpfnic_xdp_single_buffer_max_mtu(512, 320), 0);
}

static void explains_a_refused_attach(void **state)
{
	struct bpfnic_netdev nd = veth(VETH_FEATURES | BPFNIC_XDP_ACT_NDO_XMIT);
	char why[1024];

	(void)state;
	bpfnic_ifcheck_explain_attach(-ERANGE, "Peer MTU is too large to set XDP", "s0", &nd, 3506,
				      why, sizeof(why));
	contains(why, "native XDP on s0 (driver veth) refused: Numerical result out of range");
	contains(why, "the kernel says \"Peer MTU is too large to set XDP\"");
	contains(why, "an MTU of at most 3506 bytes");
	/* Too large an MTU of its own, without the kernel's word. */
	nd.mtu = 9000;
	bpfnic_ifcheck_explain_attach(-EINVAL, "", "s0", &nd, 3506, why, sizeof(why));
	contains(why, "refused: Invalid argument");
	contains(why, "at most 3506 bytes (s0 has 9000");
	/* Nothing known: the usual suspects. */
	nd.mtu = 1500;
	bpfnic_ifcheck_explain_attach(-EOPNOTSUPP, NULL, "s0", &nd, 3506, why, sizeof(why));
	contains(why, "common causes: an MTU above the single-buffer limit (3506 bytes here)");
	contains(why, "ethtool -K s0 lro off");
	/* The kernel's own reason, when it is not the MTU, is all there is to say. */
	bpfnic_ifcheck_explain_attach(-ENOSPC, "XDP expects number of rx queues not less than "
				      "peer tx queues", "s0", &nd, 3506, why, sizeof(why));
	contains(why, "the kernel says \"XDP expects number of rx queues");
	assert_null(strstr(why, "MTU"));
}

static void names_the_program_in_the_way(void **state)
{
	struct bpfnic_xdp_holder h = { .prog_id = 42, .name = "xdp_dispatcher", .mode = "native",
				       .link_known = true };
	char why[1024];

	(void)state;
	bpfnic_ifcheck_explain_busy("nic9", &h, why, sizeof(why));
	contains(why, "another XDP program is attached to nic9: id 42 \"xdp_dispatcher\", native mode");
	contains(why, "ip link set dev nic9 xdpdrv off");
	contains(why, "no libxdp multi-program dispatch");
	h.mode = "generic";
	bpfnic_ifcheck_explain_busy("nic9", &h, why, sizeof(why));
	contains(why, "xdpgeneric off");
	h.link_id = 7;
	h.name[0] = '\0';
	bpfnic_ifcheck_explain_busy("nic9", &h, why, sizeof(why));
	contains(why, "id 42 \"?\", generic mode, held by bpf_link 7");
	contains(why, "bpftool link show id 7");
	assert_null(strstr(why, "ip link"));
	/* Links cannot be listed (no CAP_SYS_ADMIN): both ways out. */
	h.link_id = 0;
	h.link_known = false;
	bpfnic_ifcheck_explain_busy("nic9", &h, why, sizeof(why));
	contains(why, "id 42 \"?\", generic mode, attached over netlink or held by a bpf_link");
	contains(why, "ip link set dev nic9 xdpgeneric off");
	contains(why, "stop the process that owns the link");
}

static void likely_reason_for_dropped_replies(void **state)
{
	struct bpfnic_netdev nd = veth(VETH_FEATURES);
	const unsigned cpus[] = { 0, 1, 5, 6 };
	unsigned beyond[4];
	char why[512];

	(void)state;
	bpfnic_ifcheck_tx_drop_reason(&nd, "s0", cpus, 2, why, sizeof(why));
	contains(why, "without ndo-xmit");
	/* A NIC with 4 channels: workers 5 and 6 cannot transmit on most drivers. */
	nd = veth(VETH_FEATURES | BPFNIC_XDP_ACT_NDO_XMIT);
	snprintf(nd.driver, sizeof(nd.driver), "mlx5_core");
	nd.hw_device = true;
	nd.tx_queues = 4;
	assert_int_equal(bpfnic_ifcheck_cpus_beyond_queues(&nd, cpus, 4, beyond), 2);
	assert_int_equal(beyond[0], 5);
	assert_int_equal(beyond[1], 6);
	bpfnic_ifcheck_tx_drop_reason(&nd, "nic9", cpus, 4, why, sizeof(why));
	contains(why, "worker CPU 5 and others is at or above nic9's 4 TX queues");
	contains(why, "ethtool -L nic9 combined N");
	bpfnic_ifcheck_tx_drop_reason(&nd, "nic9", cpus, 2, why, sizeof(why));
	contains(why, "nic9 (driver mlx5_core) refused them in its XDP transmit");
	/* A veth has no such limit (it picks a queue modulo its count). */
	nd.hw_device = false;
	assert_int_equal(bpfnic_ifcheck_cpus_beyond_queues(&nd, cpus, 4, beyond), 0);
}

static const char interrupts[] =
	"           CPU0       CPU1\n"
	"  0:         28          0   IO-APIC   2-edge      timer\n"
	" 24:          0          0  PCI-MSIX-0000:00:03.0   0-edge      i40e-0000:00:03.0:misc\n"
	" 25:       1234       5678  PCI-MSIX-0000:00:03.0   1-edge      i40e-nic9-TxRx-0\n"
	" 26:       1234       5678  PCI-MSIX-0000:00:03.0   2-edge      i40e-nic9-TxRx-1\n"
	" 27:          1          2  PCI-MSIX-0000:00:04.0   0-edge      virtio0-config\n"
	" 28:          1          2  PCI-MSIX-0000:00:04.0   1-edge      virtio0-input.0\n"
	" 29:          1          2  PCI-MSIX-0000:00:04.0   2-edge      virtio0-output.0\n"
	" 30:          1          2  PCI-MSIX-0000:00:05.0   0-edge      mlx5_async0@pci:0000:00:05.0\n"
	" 31:          1          2  PCI-MSIX-0000:00:05.0   1-edge      mlx5_comp0@pci:0000:00:05.0\n"
	"NMI:          0          0   Non-maskable interrupts\n";

static void picks_the_rx_irqs(void **state)
{
	const unsigned i40e[] = { 24, 25, 26 }, virtio[] = { 27, 28, 29 }, mlx5[] = { 30, 31 };
	const unsigned unknown[] = { 99 };
	bool rx[3];

	(void)state;
	bpfnic_irqs_pick_rx(interrupts, i40e, 3, rx);
	assert_false(rx[0]);
	assert_true(rx[1] && rx[2]);
	bpfnic_irqs_pick_rx(interrupts, virtio, 3, rx);
	assert_false(rx[0] || rx[2]);
	assert_true(rx[1]);
	/* No name says which: every IRQ of the device counts. */
	bpfnic_irqs_pick_rx(interrupts, mlx5, 2, rx);
	assert_true(rx[0] && rx[1]);
	bpfnic_irqs_pick_rx("", unknown, 1, rx);
	assert_true(rx[0]);
}

static void worker_cpus_taking_rx_irqs(void **state)
{
	struct bpfnic_netdev nd = veth(0);
	const unsigned cpus[] = { 2, 3, 4 };
	unsigned out[3];

	(void)state;
	assert_int_equal(bpfnic_ifcheck_irq_overlap(&nd, cpus, 3, out), 0);
	nd.irq_cpu[0] = nd.irq_cpu[3] = true;
	assert_int_equal(bpfnic_ifcheck_irq_overlap(&nd, cpus, 3, out), 1);
	assert_int_equal(out[0], 3);
}

static void names_missing_kernel_features(void **state)
{
	struct bpfnic_support s;
	char msg[512];

	(void)state;
	for (unsigned i = 0; i < BPFNIC_NR_FEATURES; i++)
		s.have[i] = true;
	assert_false(bpfnic_support_missing(&s, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	/* Optional ones missing: still enough. */
	s.have[BPFNIC_FEAT_XDP_FEATURES] = s.have[BPFNIC_FEAT_ATTACH_MSG] = false;
	s.have[BPFNIC_FEAT_TRACEPOINTS] = false;
	assert_false(bpfnic_support_missing(&s, msg, sizeof(msg)));
	s.have[BPFNIC_FEAT_BPF_LOOP] = s.have[BPFNIC_FEAT_XDP_LINK] = false;
	assert_true(bpfnic_support_missing(&s, msg, sizeof(msg)));
	assert_string_equal(msg, "this system lacks XDP attached through a bpf_link (Linux 5.9), "
			    "bpf_loop (Linux 5.17): bpfnic needs Linux 5.17 and libbpf 1.0 or later");
	s.have[BPFNIC_FEAT_BPF_LOOP] = s.have[BPFNIC_FEAT_XDP_LINK] = true;
	s.have[BPFNIC_FEAT_LIBBPF] = false;
	assert_true(bpfnic_support_missing(&s, msg, sizeof(msg)));
	contains(msg, "this system lacks libbpf 1.0 or later (libbpf 1.0)");
	/* The oldest kernel is the newest required feature's. */
	unsigned newest = 0, major, minor;

	for (unsigned i = 0; i < BPFNIC_NR_FEATURES; i++)
		if (bpfnic_features[i].required && i != BPFNIC_FEAT_LIBBPF) {
			assert_int_equal(sscanf(bpfnic_features[i].since, "%u.%u", &major, &minor), 2);
			if (major * 1000 + minor > newest)
				newest = major * 1000 + minor;
		}
	assert_int_equal(sscanf(BPFNIC_OLDEST_KERNEL, "%u.%u", &major, &minor), 2);
	assert_int_equal(major * 1000 + minor, newest);
}

UNIT_TEST_MAIN(cmocka_unit_test(names_the_features), cmocka_unit_test(native_needs_basic_and_redirect),
	       cmocka_unit_test(replies_need_ndo_xmit), cmocka_unit_test(single_buffer_mtu_limit),
	       cmocka_unit_test(explains_a_refused_attach), cmocka_unit_test(names_the_program_in_the_way),
	       cmocka_unit_test(likely_reason_for_dropped_replies), cmocka_unit_test(picks_the_rx_irqs),
	       cmocka_unit_test(worker_cpus_taking_rx_irqs), cmocka_unit_test(names_missing_kernel_features))
