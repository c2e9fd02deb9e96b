// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the data path needs from an interface: see ifcheck.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/ifcheck.h"

/* The netdev family's names for the bits (Documentation/netlink/specs/netdev.yaml). */
static const char *const act_names[BPFNIC_NR_XDP_ACTS] = {
	"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg",
};

const char *bpfnic_xdp_act_name(unsigned i)
{
	return i < BPFNIC_NR_XDP_ACTS ? act_names[i] : NULL;
}

const char *bpfnic_xdp_features_format(__u64 f, char *buf, size_t size)
{
	size_t used = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < 64 && used < size; i++) {
		const char *name = bpfnic_xdp_act_name(i);
		char other[16];

		if (!(f & (1ull << i)))
			continue;
		if (!name) {
			snprintf(other, sizeof(other), "bit%u", i);
			name = other;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", name);
	}
	if (!f)
		snprintf(buf, size, "none");
	return buf;
}

unsigned bpfnic_xdp_single_buffer_max_mtu(unsigned page_size, unsigned shinfo_size)
{
	/* SKB_DATA_ALIGN: the shared info is cache-line aligned (64 bytes). */
	unsigned tail = (shinfo_size + 63u) & ~63u, reserved = BPFNIC_XDP_HEADROOM + tail + 14u;

	return page_size > reserved ? page_size - reserved : 0;
}

static bool is_veth(const struct bpfnic_netdev *nd)
{
	return !strcmp(nd->driver, "veth");
}

static const char *driver_of(const struct bpfnic_netdev *nd)
{
	return nd->driver[0] ? nd->driver : "unknown";
}

int bpfnic_ifcheck_native(const struct bpfnic_netdev *nd, const char *ifname, char *why,
			  size_t size)
{
	const __u64 need = BPFNIC_XDP_ACT_BASIC | BPFNIC_XDP_ACT_REDIRECT;
	char have[128];

	if (!nd->xdp_features_known || (nd->xdp_features & need) == need)
		return 0;
	snprintf(why, size, "%s (driver %s) does not run XDP programs in its driver: its XDP "
		 "features are \"%s\", native mode needs basic and redirect", ifname,
		 driver_of(nd), bpfnic_xdp_features_format(nd->xdp_features, have, sizeof(have)));
	return -EOPNOTSUPP;
}

int bpfnic_ifcheck_replies(const struct bpfnic_netdev *nd, const char *ifname, char *why,
			   size_t size)
{
	char have[128];
	int n;

	if (!nd->xdp_features_known || (nd->xdp_features & BPFNIC_XDP_ACT_NDO_XMIT))
		return 0;
	n = snprintf(why, size, "%s (driver %s) does not transmit frames redirected to it by XDP "
		     "(its XDP features are \"%s\", without ndo-xmit): every reply would be "
		     "dropped; ", ifname, driver_of(nd),
		     bpfnic_xdp_features_format(nd->xdp_features, have, sizeof(have)));
	if (n < 0 || (size_t)n >= size)
		return -EOPNOTSUPP;
	if (is_veth(nd))
		snprintf(why + n, size - (size_t)n, "a veth transmits them only when its peer runs "
			 "NAPI: attach an XDP program to the peer or turn GRO on there (ethtool -K "
			 "PEER gro on), or use XdpMode=generic");
	else
		snprintf(why + n, size - (size_t)n, "use XdpMode=generic, whose replies take the "
			 "normal transmit path");
	return -EOPNOTSUPP;
}

void bpfnic_ifcheck_explain_attach(int err, const char *kmsg, const char *ifname,
				   const struct bpfnic_netdev *nd, unsigned max_mtu, char *why,
				   size_t size)
{
	bool mtu = (kmsg && strstr(kmsg, "MTU")) || (max_mtu && nd->mtu > max_mtu);
	size_t used;

	snprintf(why, size, "native XDP on %s (driver %s) refused: %s", ifname, driver_of(nd),
		 strerror(err < 0 ? -err : err));
	used = strlen(why);
	if (kmsg && kmsg[0] && used < size)
		used += (size_t)snprintf(why + used, size - used, "; the kernel says \"%s\"", kmsg);
	if (used >= size)
		return;
	if (mtu && max_mtu)
		snprintf(why + used, size - used, "; single-buffer XDP frames must fit one page: an "
			 "MTU of at most %u bytes (%s has %u; on a veth the limit bounds its "
			 "peer's MTU): lower it, or use XdpMode=generic", max_mtu, ifname, nd->mtu);
	else if (!kmsg || !kmsg[0])
		snprintf(why + used, size - used, "; common causes: an MTU above the single-buffer "
			 "limit (%u bytes here), LRO or hardware GRO on (ethtool -K %s lro off "
			 "rx-gro-hw off), too few queues for XDP", max_mtu, ifname);
}

void bpfnic_ifcheck_explain_busy(const char *ifname, const struct bpfnic_xdp_holder *h,
				 char *why, size_t size)
{
	const char *off = !strcmp(h->mode, "generic") ? "xdpgeneric" :
			  !strcmp(h->mode, "offload") ? "xdpoffload" : "xdpdrv";
	int n = snprintf(why, size, "another XDP program is attached to %s: id %u \"%s\", %s mode, ",
			 ifname, h->prog_id, h->name[0] ? h->name : "?", h->mode);

	if (n < 0 || (size_t)n >= size)
		return;
	if (h->link_id)
		snprintf(why + n, size - (size_t)n, "held by bpf_link %u: stop the process that owns "
			 "the link (bpftool link show id %u), then start bpfnicd again; bpfnicd "
			 "needs the interface's XDP hook to itself (no libxdp multi-program "
			 "dispatch)", h->link_id, h->link_id);
	else if (!h->link_known)
		snprintf(why + n, size - (size_t)n, "attached over netlink or held by a bpf_link: "
			 "remove it with \"ip link set dev %s %s off\", or if a link holds it "
			 "(bpftool link show), stop the process that owns the link; then start "
			 "bpfnicd again; bpfnicd needs the interface's XDP hook to itself (no libxdp "
			 "multi-program dispatch)", ifname, off);
	else
		snprintf(why + n, size - (size_t)n, "attached over netlink: remove it with \"ip link "
			 "set dev %s %s off\" if it may go, then start bpfnicd again; bpfnicd needs "
			 "the interface's XDP hook to itself (no libxdp multi-program dispatch)",
			 ifname, off);
}

unsigned bpfnic_ifcheck_cpus_beyond_queues(const struct bpfnic_netdev *nd, const unsigned *cpus,
					   unsigned n, unsigned *out)
{
	unsigned k = 0;

	if (!nd->hw_device || !nd->tx_queues)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (cpus[i] >= nd->tx_queues)
			out[k++] = cpus[i];
	return k;
}

void bpfnic_ifcheck_tx_drop_reason(const struct bpfnic_netdev *nd, const char *ifname,
				   const unsigned *cpus, unsigned n, char *why, size_t size)
{
	unsigned beyond[BPFNIC_MAX_CPUS], k;

	if (bpfnic_ifcheck_replies(nd, ifname, why, size) < 0)
		return;
	k = bpfnic_ifcheck_cpus_beyond_queues(nd, cpus, n < BPFNIC_MAX_CPUS ? n : BPFNIC_MAX_CPUS,
					      beyond);
	if (k) {
		snprintf(why, size, "worker CPU %u%s is at or above %s's %u TX queues: drivers with one "
			 "XDP transmit queue per channel refuse replies from such CPUs; raise the "
			 "channel count (ethtool -L %s combined N) or use lower Cpus=", beyond[0],
			 k > 1 ? " and others" : "", ifname, nd->tx_queues, ifname);
		return;
	}
	snprintf(why, size, "%s (driver %s) refused them in its XDP transmit: its transmit queues "
		 "full, or the link down", ifname, driver_of(nd));
}

/* "NN:" at the start of a /proc/interrupts line: the IRQ number, or -1. */
static long line_irq(const char *line)
{
	char *end;
	long irq;

	while (*line == ' ')
		line++;
	if (!isdigit((unsigned char)*line))
		return -1;
	irq = strtol(line, &end, 10);
	return *end == ':' ? irq : -1;
}

/* The name part of a line: its last word. */
static bool name_says_rx(const char *line, size_t len)
{
	size_t start = len;
	char name[128];

	while (start > 0 && !isspace((unsigned char)line[start - 1]))
		start--;
	if (len - start >= sizeof(name))
		return false;
	for (size_t i = start; i < len; i++)
		name[i - start] = (char)tolower((unsigned char)line[i]);
	name[len - start] = '\0';
	/* "rx" covers eth0-rx-0 and TxRx; virtio calls its RX queues "input". */
	return strstr(name, "rx") || strstr(name, "-input");
}

void bpfnic_irqs_pick_rx(const char *proc_interrupts, const unsigned *irqs, unsigned n, bool *rx)
{
	bool any = false;

	for (unsigned i = 0; i < n; i++)
		rx[i] = false;
	for (const char *line = proc_interrupts; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		long irq = line_irq(line);

		while (len && isspace((unsigned char)line[len - 1]))
			len--;
		for (unsigned i = 0; irq >= 0 && i < n; i++)
			if ((long)irqs[i] == irq && name_says_rx(line, len))
				rx[i] = any = true;
		line = nl ? nl + 1 : NULL;
	}
	if (!any)
		for (unsigned i = 0; i < n; i++)
			rx[i] = true;
}

unsigned bpfnic_ifcheck_irq_overlap(const struct bpfnic_netdev *nd, const unsigned *cpus,
				    unsigned n, unsigned *out)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		if (cpus[i] < BPFNIC_MAX_CPUS && nd->irq_cpu[cpus[i]])
			out[k++] = cpus[i];
	return k;
}
