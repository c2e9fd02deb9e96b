/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the data path needs from an interface, and what to tell the user when the
 * interface says no: the checks behind XdpMode=, the reasons a native attach failed,
 * another XDP program in the way, the likely reason replies are being dropped, and
 * which CPUs take the interface's RX interrupts. Pure: it reads only the facts it is
 * given (datapath/netdev.h reads them from the kernel), so unit tests reach it.
 */
#ifndef BPFNIC_IFCHECK_H
#define BPFNIC_IFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "datapath/netdev.h"

/* The kernel's name of XDP feature bit i ("basic", "ndo-xmit", ...); NULL past the end. */
const char *bpfnic_xdp_act_name(unsigned i);
/* The names of the bits set in f, space-separated ("none" for 0). Returns buf. */
const char *bpfnic_xdp_features_format(__u64 f, char *buf, size_t size);

/*
 * The largest MTU whose frames fit single-buffer XDP: a frame must fit one page with
 * the 256 bytes of XDP headroom and the skb_shared_info at its end (the size of which
 * is the kernel's: BTF says), Ethernet header included. Exact for veth (whose limit
 * bounds its peer's MTU); NIC drivers reserve about as much.
 */
#define BPFNIC_XDP_HEADROOM 256u
unsigned bpfnic_xdp_single_buffer_max_mtu(unsigned page_size, unsigned shinfo_size);

/*
 * Native mode needs the driver to run XDP programs and redirect (basic, redirect).
 * 0 when it does or when the kernel does not say; -EOPNOTSUPP with why otherwise.
 */
int bpfnic_ifcheck_native(const struct bpfnic_netdev *nd, const char *ifname, char *why,
			  size_t size);

/*
 * The replies leave through the interface's XDP transmit (ndo-xmit) in native mode:
 * checked once attached, since some drivers set it only then. 0 when the interface
 * transmits or the kernel does not say; -EOPNOTSUPP with why (and what to change).
 */
int bpfnic_ifcheck_replies(const struct bpfnic_netdev *nd, const char *ifname, char *why,
			   size_t size);

/*
 * Why a native attach failed: err (-errno), the kernel's own message (kmsg, "" when
 * unknown), and what may have caused it, with the single-buffer MTU limit (max_mtu,
 * 0 when unknown).
 */
void bpfnic_ifcheck_explain_attach(int err, const char *kmsg, const char *ifname,
				   const struct bpfnic_netdev *nd, unsigned max_mtu, char *why,
				   size_t size);

/* Another XDP program on the interface. */
struct bpfnic_xdp_holder {
	unsigned prog_id;
	char name[16];   /* the program's name; "" when it cannot be read */
	const char *mode; /* "native", "generic" or "offload" */
	unsigned link_id; /* the bpf_link that holds it; 0: none, or not known */
	bool link_known;  /* false: links could not be listed (that needs CAP_SYS_ADMIN) */
};
void bpfnic_ifcheck_explain_busy(const char *ifname, const struct bpfnic_xdp_holder *h,
				 char *why, size_t size);

/*
 * The likely reason the interface drops replies, from what it says now and the worker
 * CPUs cpus[0..n) (a driver may transmit XDP frames only from CPUs below its queue
 * count).
 */
void bpfnic_ifcheck_tx_drop_reason(const struct bpfnic_netdev *nd, const char *ifname,
				   const unsigned *cpus, unsigned n, char *why, size_t size);

/*
 * Of a hardware interface's worker CPUs, those at or above its TX queue count; a
 * driver with one XDP transmit queue per channel refuses their replies. Writes them
 * to out (room for n), returns how many; 0 when it cannot apply.
 */
unsigned bpfnic_ifcheck_cpus_beyond_queues(const struct bpfnic_netdev *nd, const unsigned *cpus,
					   unsigned n, unsigned *out);

/*
 * Which of a device's IRQs irqs[0..n) take RX interrupts, from the names
 * /proc/interrupts (its text) gives them: those whose name says rx (eth0-rx-0,
 * i40e-eth0-TxRx-3); when none does (mlx5_comp0, a single line), all of them.
 */
void bpfnic_irqs_pick_rx(const char *proc_interrupts, const unsigned *irqs, unsigned n, bool *rx);

/* The worker CPUs cpus[0..n) that also take the interface's RX interrupts: to out. */
unsigned bpfnic_ifcheck_irq_overlap(const struct bpfnic_netdev *nd, const unsigned *cpus,
				    unsigned n, unsigned *out);

#endif
