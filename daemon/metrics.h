/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnicd's statistics in the Prometheus text exposition format (version 0.0.4), for
 * the metrics endpoint (daemon/httpd). It computes nothing of its own: every figure
 * is a counter or setting the statistics module (daemon/stats, daemon/sampler), the
 * policy module or the configuration already holds, renamed by Prometheus' rules
 * (bpfnic_ prefix, seconds, _total for counters, labels cpu/class/group/cause/action).
 * The list of metrics and their meanings is bpfnicd-metrics(7). Pure: it writes into
 * memory only, so unit tests reach it directly.
 */
#ifndef BPFNICD_METRICS_H
#define BPFNICD_METRICS_H

#include <stddef.h>

#include "params.h"
#include "datapath/datapath.h"
#include "daemon/policy.h"
#include "daemon/sampler.h"
#include "daemon/stats.h"

#define BPFNICD_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What the exposition shows, each part owned by its module. */
struct bpfnicd_metrics_source {
	/* Counters since attach and the reading they came from (its histograms); both
	 * NULL before the data path could be read: only settings are shown then. */
	const struct bpfnicd_window *cum;
	const struct bpfnic_dp_stats *reading;
	const struct bpfnicd_config *config;
	const struct bpfnicd_policy *policy;
};

/* The exposition, NUL-terminated, in *text (free() it) of *len bytes. 0 or -ENOMEM. */
int bpfnicd_metrics_render(const struct bpfnicd_metrics_source *src, char **text, size_t *len);

/* The same from the modules that hold it: the sampler's last tick, the policy, config. */
int bpfnicd_metrics_page(const struct bpfnicd_sampler *sampler, const struct bpfnicd_config *config,
			 const struct bpfnicd_policy *policy, char **text, size_t *len);

#endif
