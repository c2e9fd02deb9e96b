/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the data path runs: every kernel and libbpf feature it uses, the release that
 * brought it, and a probe of the running kernel for each (a feature probe or the
 * kernel's own BTF, never its version string). The oldest kernel that has everything
 * required is BPFNIC_OLDEST_KERNEL; the oldest libbpf, BPFNIC_OLDEST_LIBBPF.
 * Library code: it never logs.
 */
#ifndef BPFNIC_SUPPORT_H
#define BPFNIC_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#define BPFNIC_OLDEST_KERNEL "5.17" /* bpf_loop, the newest required feature */
#define BPFNIC_OLDEST_LIBBPF "1.0"

enum bpfnic_feature {
	BPFNIC_FEAT_LIBBPF,        /* libbpf 1.0 at run time */
	BPFNIC_FEAT_BTF,           /* the kernel's own BTF: tracers, CO-RE */
	BPFNIC_FEAT_XDP,           /* XDP programs */
	BPFNIC_FEAT_CPUMAP,        /* cpumap */
	BPFNIC_FEAT_DEVMAP,        /* devmap */
	BPFNIC_FEAT_CPUMAP_PROG,   /* programs on cpumap entries (the worker) */
	BPFNIC_FEAT_XDP_LINK,      /* XDP attached through a bpf_link (fail-open) */
	BPFNIC_FEAT_BPF_LOOP,      /* bpf_loop (the workload's spin) */
	BPFNIC_FEAT_TRACEPOINTS,   /* tp_btf on the XDP tracepoints: exact drop counts */
	BPFNIC_FEAT_XDP_FEATURES,  /* XDP feature flags over netlink: know the interface */
	BPFNIC_FEAT_ATTACH_MSG,    /* the kernel's reason for a refused XDP attach */
	BPFNIC_NR_FEATURES,
};

struct bpfnic_feature_def {
	const char *name;    /* what it is, for messages */
	const char *since;   /* the kernel (or libbpf) release that brought it */
	bool required;       /* false: bpfnic runs without it, knowing less */
	const char *without; /* optional ones: what is lost without it */
};

extern const struct bpfnic_feature_def bpfnic_features[BPFNIC_NR_FEATURES];

struct bpfnic_support {
	bool have[BPFNIC_NR_FEATURES];
	unsigned shinfo_size; /* sizeof(struct skb_shared_info), from BTF; 0 unknown */
};

/* Probe the running kernel and libbpf (needs CAP_BPF). Never fails: a probe that
 * cannot run counts as the feature missing. */
void bpfnic_support_probe(struct bpfnic_support *s);

/*
 * The required features s lacks, as one message ("this kernel lacks bpf_loop (5.17),
 * ...; bpfnic needs Linux 5.17 and libbpf 1.0 or later"): true when one is missing.
 * Pure.
 */
bool bpfnic_support_missing(const struct bpfnic_support *s, char *buf, size_t size);

/* The size of the kernel's struct skb_shared_info from its BTF; 0 when unknown. */
unsigned bpfnic_support_shinfo_size(void);

#endif
