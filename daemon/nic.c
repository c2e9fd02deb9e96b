/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The interface as bpfnicd sees it: see nic.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cpulist.h"
#include "daemon/log.h"
#include "daemon/nic.h"
#include "datapath/ifcheck.h"

#define MAX_WARNINGS 8

struct bpfnicd_nic {
	char ifname[IF_NAMESIZE];
	struct bpfnic_netdev nd;
	struct bpfnic_cpus cpus;
	enum bpfnic_xdp_mode mode;
	char fallback[sizeof(((struct bpfnic_dp_info *)0)->fallback)];
	bool windows_seen;        /* a window closed: drops_exact below is known */
	bool drops_exact;         /* the tracers count drops */
	/* the transmit-drop episode */
	uint64_t seen_drops;      /* drops_transmit at the last window */
	bool dropping;
	uint64_t episode_drops, episode_start_usec, last_drop_usec;
	char drop_reason[512];
};

static const char *ifname_of(const struct bpfnicd_nic *n)
{
	return n->ifname;
}

/* The worker CPUs that also take the interface's RX interrupts, as a list. */
static unsigned irq_overlap(const struct bpfnicd_nic *n, char *list, size_t size)
{
	unsigned cpus[BPFNIC_MAX_CPUS], k = bpfnic_ifcheck_irq_overlap(&n->nd, n->cpus.cpu,
								       n->cpus.n, cpus);

	if (k && bpfnic_cpulist_format(cpus, k, list, size) < 0)
		snprintf(list, size, "%u CPUs", k);
	return k;
}

/* Every condition that needs an operator's eye now, one line each, in w[0..max). */
static unsigned warnings(const struct bpfnicd_nic *n, char (*w)[640], unsigned max)
{
	unsigned k = 0, beyond[BPFNIC_MAX_CPUS], nb;
	char list[256], why[512];

	if (n->fallback[0] && k < max)
		snprintf(w[k++], sizeof(w[0]), "XdpMode=auto attached in generic mode: %s",
			 n->fallback);
	if (!n->nd.xdp_features_known && k < max)
		snprintf(w[k++], sizeof(w[0]), "the kernel does not report XDP features (Linux "
			 "6.3): what %s can do was not checked", ifname_of(n));
	if (n->mode == BPFNIC_XDP_NATIVE &&
	    bpfnic_ifcheck_replies(&n->nd, ifname_of(n), why, sizeof(why)) < 0 && k < max)
		snprintf(w[k++], sizeof(w[0]), "%s", why);
	nb = n->mode == BPFNIC_XDP_NATIVE ?
		     bpfnic_ifcheck_cpus_beyond_queues(&n->nd, n->cpus.cpu, n->cpus.n, beyond) : 0;
	if (nb && bpfnic_cpulist_format(beyond, nb, list, sizeof(list)) == 0 && k < max)
		snprintf(w[k++], sizeof(w[0]), "worker CPUs %s are at or above %s's %u TX queues: "
			 "drivers with one XDP transmit queue per channel drop their replies "
			 "(ethtool -L %s combined N, or lower Cpus=)", list, ifname_of(n),
			 n->nd.tx_queues, ifname_of(n));
	if (irq_overlap(n, list, sizeof(list)) && k < max)
		snprintf(w[k++], sizeof(w[0]), "worker CPUs %s also take %s's RX interrupts: "
			 "interrupts and softirq processing delay the requests queued there "
			 "(the thesis kept them apart); route the IRQs elsewhere "
			 "(/proc/irq/N/smp_affinity_list) or leave those CPUs out of Cpus=",
			 list, ifname_of(n));
	if (n->windows_seen && !n->drops_exact && k < max)
		snprintf(w[k++], sizeof(w[0]), "queue and transmit drops are not exact: the "
			 "tracing programs could not be loaded (they need CAP_PERFMON); a "
			 "reply the interface drops counts as sent");
	if (n->dropping && k < max)
		snprintf(w[k++], sizeof(w[0]), "replies are being dropped: %llu since this "
			 "episode began; %s", (unsigned long long)n->episode_drops, n->drop_reason);
	return k;
}

struct bpfnicd_nic *bpfnicd_nic_new(const char *ifname, const struct bpfnic_netdev *nd,
				    const struct bpfnic_cpus *cpus, const struct bpfnic_dp_info *info)
{
	struct bpfnicd_nic *n = calloc(1, sizeof(*n));
	char (*w)[640] = malloc(MAX_WARNINGS * sizeof(*w)), feats[160];
	unsigned k;

	if (!n || !w) {
		free(n);
		free(w);
		return NULL;
	}
	snprintf(n->ifname, sizeof(n->ifname), "%s", ifname);
	n->nd = *nd;
	n->cpus = *cpus;
	n->mode = info->mode;
	snprintf(n->fallback, sizeof(n->fallback), "%s", info->fallback);
	log_info("%s: driver %s, MTU %u, %u RX / %u TX queues, XDP features: %s, %s", ifname,
		 nd->driver[0] ? nd->driver : "unknown", nd->mtu, nd->rx_queues, nd->tx_queues,
		 nd->xdp_features_known ? bpfnic_xdp_features_format(nd->xdp_features, feats,
								      sizeof(feats)) : "not reported",
		 nd->hw_device ? "hardware IRQs" : "no hardware IRQs");
	k = warnings(n, w, MAX_WARNINGS);
	for (unsigned i = 0; i < k; i++)
		bpfnicd_log_struct(LOG_WARNING, 0, i == 0 && n->fallback[0] ?
				   BPFNICD_MID_XDP_FALLBACK : NULL, NULL, "%s", w[i]);
	free(w);
	return n;
}

void bpfnicd_nic_free(struct bpfnicd_nic *n)
{
	free(n);
}

void bpfnicd_nic_features(struct bpfnicd_nic *n, int r, uint64_t features)
{
	char was[160], now[160], why[512];

	if (r < 0 || (n->nd.xdp_features_known && n->nd.xdp_features == features))
		return;
	if (n->nd.xdp_features_known)
		log_notice("%s's XDP features changed from \"%s\" to \"%s\"", n->ifname,
			   bpfnic_xdp_features_format(n->nd.xdp_features, was, sizeof(was)),
			   bpfnic_xdp_features_format(features, now, sizeof(now)));
	n->nd.xdp_features_known = true;
	n->nd.xdp_features = features;
	if (n->mode == BPFNIC_XDP_NATIVE &&
	    bpfnic_ifcheck_replies(&n->nd, n->ifname, why, sizeof(why)) < 0)
		log_warning("%s", why);
}

void bpfnicd_nic_window(struct bpfnicd_nic *n, const struct bpfnicd_window *w, uint64_t now_usec)
{
	uint64_t dropped = w->drops_transmit >= n->seen_drops ? w->drops_transmit - n->seen_drops : 0;

	if (!n->windows_seen && !w->drops_transmit_exact)
		log_warning("queue and transmit drops are not exact: the tracing programs could "
			    "not be loaded (they need CAP_PERFMON)");
	n->windows_seen = true;
	n->drops_exact = w->drops_transmit_exact;
	n->seen_drops = w->drops_transmit;
	if (dropped) {
		if (!n->dropping) {
			bpfnic_ifcheck_tx_drop_reason(&n->nd, n->ifname, n->cpus.cpu, n->cpus.n,
						      n->drop_reason, sizeof(n->drop_reason));
			bpfnicd_log_struct(LOG_WARNING, 0, BPFNICD_MID_TX_DROPPING, NULL,
					   "replies are being dropped by %s: %llu in the last %.0f ms "
					   "were not transmitted; likely reason: %s", n->ifname,
					   (unsigned long long)dropped, w->window_ms, n->drop_reason);
			n->dropping = true;
			n->episode_drops = 0;
			n->episode_start_usec = now_usec;
		}
		n->episode_drops += dropped;
		n->last_drop_usec = now_usec;
	} else if (n->dropping && now_usec - n->last_drop_usec >= BPFNICD_TX_QUIET_USEC) {
		bpfnicd_log_struct(LOG_NOTICE, 0, BPFNICD_MID_TX_RECOVERED, NULL,
				   "replies leave %s again: %llu were dropped in %.1f s", n->ifname,
				   (unsigned long long)n->episode_drops,
				   (double)(n->last_drop_usec - n->episode_start_usec) / 1e6);
		n->dropping = false;
	}
}

bool bpfnicd_nic_dropping(const struct bpfnicd_nic *n)
{
	return n->dropping;
}

static struct json_object *cpu_list(const bool *has)
{
	struct json_object *a = json_object_new_array();

	for (unsigned c = 0; c < BPFNIC_MAX_CPUS; c++)
		if (has[c])
			json_object_array_add(a, json_object_new_int64(c));
	return a;
}

struct json_object *bpfnicd_nic_json(const struct bpfnicd_nic *n)
{
	struct json_object *o = json_object_new_object(), *f = NULL;
	const struct bpfnic_netdev *nd = &n->nd;

	if (nd->xdp_features_known) {
		f = json_object_new_array();
		for (unsigned i = 0; i < 64; i++)
			if (nd->xdp_features & (1ull << i) && bpfnic_xdp_act_name(i))
				json_object_array_add(f, json_object_new_string(bpfnic_xdp_act_name(i)));
	}
	json_object_object_add(o, "driver", json_object_new_string(nd->driver));
	json_object_object_add(o, "mtu", json_object_new_int64(nd->mtu));
	json_object_object_add(o, "rx_queues", json_object_new_int64(nd->rx_queues));
	json_object_object_add(o, "tx_queues", json_object_new_int64(nd->tx_queues));
	json_object_object_add(o, "xdp_features", f);
	json_object_object_add(o, "rx_vlan_offload", nd->rx_vlan_offload < 0 ? NULL :
			       json_object_new_boolean(nd->rx_vlan_offload));
	json_object_object_add(o, "rx_irq_cpus", nd->hw_device ? cpu_list(nd->irq_cpu) : NULL);
	json_object_object_add(o, "fallback", n->fallback[0] ?
			       json_object_new_string(n->fallback) : NULL);
	return o;
}

struct json_object *bpfnicd_nic_warnings_json(const struct bpfnicd_nic *n)
{
	char (*w)[640] = malloc(MAX_WARNINGS * sizeof(*w));
	struct json_object *a = json_object_new_array();
	unsigned k = w ? warnings(n, w, MAX_WARNINGS) : 0;

	for (unsigned i = 0; i < k; i++)
		json_object_array_add(a, json_object_new_string(w[i]));
	free(w);
	return a;
}
