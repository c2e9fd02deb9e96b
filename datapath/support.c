// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Where the data path runs: see support.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "datapath/netdev.h"
#include "datapath/support.h"

#if !LIBBPF_MAJOR_VERSION || LIBBPF_MAJOR_VERSION < 1
#error "bpfnic needs libbpf 1.0 or later (BPFNIC_OLDEST_LIBBPF)"
#endif

const struct bpfnic_feature_def bpfnic_features[BPFNIC_NR_FEATURES] = {
	[BPFNIC_FEAT_LIBBPF] = { "libbpf " BPFNIC_OLDEST_LIBBPF " or later", "libbpf 1.0", true, NULL },
	[BPFNIC_FEAT_BTF] = { "the kernel's BTF (/sys/kernel/btf/vmlinux)", "5.5", true, NULL },
	[BPFNIC_FEAT_XDP] = { "XDP programs", "4.8", true, NULL },
	[BPFNIC_FEAT_CPUMAP] = { "cpumap", "4.15", true, NULL },
	[BPFNIC_FEAT_DEVMAP] = { "devmap", "4.14", true, NULL },
	[BPFNIC_FEAT_CPUMAP_PROG] = { "programs on cpumap entries", "5.9", true, NULL },
	[BPFNIC_FEAT_XDP_LINK] = { "XDP attached through a bpf_link", "5.9", true, NULL },
	[BPFNIC_FEAT_BPF_LOOP] = { "bpf_loop", "5.17", true, NULL },
	[BPFNIC_FEAT_TRACEPOINTS] = { "BTF tracepoints xdp_cpumap_enqueue and xdp_devmap_xmit",
				      "5.5", false, "queue and transmit drops are estimates" },
	[BPFNIC_FEAT_XDP_FEATURES] = { "XDP feature flags (netdev netlink family)", "6.3", false,
				       "what the interface can do is not known before attaching" },
	[BPFNIC_FEAT_ATTACH_MSG] = { "the bpf_xdp_link_attach_failed tracepoint", "6.5", false,
				     "a refused native attach is reported without the kernel's "
				     "reason" },
};

static unsigned shinfo_size_of(const struct btf *btf)
{
	__s32 id = btf ? btf__find_by_name_kind(btf, "skb_shared_info", BTF_KIND_STRUCT) : -1;

	return id > 0 ? btf__type_by_id(btf, (__u32)id)->size : 0;
}

/* A type the kernel's BTF has: what the feature brought with it. */
static bool btf_has(const struct btf *btf, const char *name, __u32 kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) > 0;
}

void bpfnic_support_probe(struct bpfnic_support *s)
{
	struct btf *btf = btf__load_vmlinux_btf(); /* NULL when there is none */

	memset(s, 0, sizeof(*s));
	s->have[BPFNIC_FEAT_LIBBPF] = libbpf_major_version() >= 1;
	s->have[BPFNIC_FEAT_BTF] = btf != NULL;
	s->have[BPFNIC_FEAT_XDP] = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) == 1;
	s->have[BPFNIC_FEAT_CPUMAP] = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_CPUMAP, NULL) == 1;
	s->have[BPFNIC_FEAT_DEVMAP] = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_DEVMAP, NULL) == 1;
	/* The value type that carries a cpumap entry's program, and the XDP link. */
	s->have[BPFNIC_FEAT_CPUMAP_PROG] = btf_has(btf, "bpf_cpumap_val", BTF_KIND_STRUCT);
	s->have[BPFNIC_FEAT_XDP_LINK] = btf_has(btf, "bpf_xdp_link", BTF_KIND_STRUCT);
	s->have[BPFNIC_FEAT_BPF_LOOP] = libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_loop,
								NULL) == 1;
	s->have[BPFNIC_FEAT_TRACEPOINTS] =
		btf_has(btf, "btf_trace_xdp_cpumap_enqueue", BTF_KIND_TYPEDEF) &&
		btf_has(btf, "btf_trace_xdp_devmap_xmit", BTF_KIND_TYPEDEF);
	s->have[BPFNIC_FEAT_XDP_FEATURES] = bpfnic_netdev_reports_xdp_features();
	s->have[BPFNIC_FEAT_ATTACH_MSG] =
		btf_has(btf, "btf_trace_bpf_xdp_link_attach_failed", BTF_KIND_TYPEDEF);
	s->shinfo_size = shinfo_size_of(btf);
	btf__free(btf);
}

bool bpfnic_support_missing(const struct bpfnic_support *s, char *buf, size_t size)
{
	size_t used = 0;
	bool any = false;

	if (!size)
		return false;
	buf[0] = '\0';
	for (unsigned i = 0; i < BPFNIC_NR_FEATURES && used < size; i++) {
		const struct bpfnic_feature_def *f = &bpfnic_features[i];

		if (!f->required || s->have[i])
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s (%s%s)",
					 any ? ", " : "this system lacks ", f->name,
					 i == BPFNIC_FEAT_LIBBPF ? "" : "Linux ", f->since);
		any = true;
	}
	if (any && used < size)
		snprintf(buf + used, size - used, ": bpfnic needs Linux %s and libbpf %s or later",
			 BPFNIC_OLDEST_KERNEL, BPFNIC_OLDEST_LIBBPF);
	return any;
}

unsigned bpfnic_support_shinfo_size(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	unsigned size = shinfo_size_of(btf);

	btf__free(btf);
	return size;
}
