/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a network interface can do, read from the kernel: its XDP feature flags (the
 * netdev generic-netlink family, kernels from 6.3), driver, MTU, queue counts, VLAN
 * RX offload, and the CPUs that take its RX interrupts. Library code: it never logs,
 * returns 0 or -errno, and reads only (it changes nothing on the interface).
 *
 * The decisions taken on these facts (what the data path needs, what to tell the
 * user) are pure, in datapath/ifcheck.h.
 */
#ifndef BPFNIC_NETDEV_H
#define BPFNIC_NETDEV_H

#include <stdbool.h>
#include <linux/types.h>

#include "bpfnic.h"

/*
 * The kernel's XDP feature bits (enum netdev_xdp_act of uapi linux/netdev.h, 6.3;
 * Debian 12's kernel headers predate it), in bit order.
 */
enum bpfnic_xdp_act {
	BPFNIC_XDP_ACT_BASIC = 1u << 0,        /* XDP_PASS/DROP/ABORTED/TX in the driver */
	BPFNIC_XDP_ACT_REDIRECT = 1u << 1,     /* XDP_REDIRECT in the driver */
	BPFNIC_XDP_ACT_NDO_XMIT = 1u << 2,     /* transmits frames redirected to it */
	BPFNIC_XDP_ACT_XSK_ZEROCOPY = 1u << 3,
	BPFNIC_XDP_ACT_HW_OFFLOAD = 1u << 4,
	BPFNIC_XDP_ACT_RX_SG = 1u << 5,        /* multi-buffer frames on receive */
	BPFNIC_XDP_ACT_NDO_XMIT_SG = 1u << 6,  /* multi-buffer frames on transmit */
};
#define BPFNIC_NR_XDP_ACTS 7u

struct bpfnic_netdev {
	int ifindex;
	char driver[32];          /* ETHTOOL_GDRVINFO; "" when the driver does not say */
	unsigned mtu;
	unsigned rx_queues, tx_queues; /* in use; 0 when unknown */
	bool xdp_features_known;  /* false: the kernel does not report them (before 6.3) */
	__u64 xdp_features;       /* enum bpfnic_xdp_act bits */
	int rx_vlan_offload;      /* 1 on, 0 off, -1 unknown (ETHTOOL_GFLAGS) */
	bool hw_device;           /* backed by a device (/sys/class/net/IF/device) */
	unsigned n_irqs;          /* the device's IRQs that take its RX interrupts */
	bool irq_cpu[BPFNIC_MAX_CPUS]; /* the CPUs those IRQs are routed to */
};

/* Everything above for ifname, as far as the kernel says; 0, or -errno when the
 * interface does not exist (-ENODEV). Facts that cannot be read stay unknown. */
int bpfnic_netdev_read(const char *ifname, struct bpfnic_netdev *nd);

/* Only the XDP feature flags (cheap: one netlink round trip), e.g. to notice a
 * change. -EOPNOTSUPP when the kernel does not report them. */
int bpfnic_netdev_xdp_features(int ifindex, __u64 *features);

/* Whether this kernel reports XDP feature flags (it has the netdev family). */
bool bpfnic_netdev_reports_xdp_features(void);

#endif
