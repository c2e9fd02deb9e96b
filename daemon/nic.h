/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The interface as bpfnicd sees it: what it can do (datapath/netdev.h, read by the
 * caller), what needs an operator's eye (the warnings of status), and replies it
 * drops, logged once per episode with the count and the likely reason. No I/O of its
 * own besides the log: the caller reads the kernel and hands the facts over, so the
 * unit tests reach all of it.
 */
#ifndef BPFNICD_NIC_H
#define BPFNICD_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "params.h"
#include "datapath/datapath.h"
#include "datapath/netdev.h"
#include "daemon/stats.h"

/* An episode of dropped replies ends after this long without a drop. */
#define BPFNICD_TX_QUIET_USEC (5ull * 1000000)

struct bpfnicd_nic;
struct json_object;

/*
 * The interface ifname as read at start (nd), the worker CPUs, and where the data
 * path is attached (info: the mode, and why auto did not use native). Logs, once,
 * whatever needs an operator's eye. NULL when out of memory.
 */
struct bpfnicd_nic *bpfnicd_nic_new(const char *ifname, const struct bpfnic_netdev *nd,
				    const struct bpfnic_cpus *cpus, const struct bpfnic_dp_info *info);
void bpfnicd_nic_free(struct bpfnicd_nic *n);

/*
 * The interface's XDP features now (r: bpfnic_netdev_xdp_features()'s result; < 0
 * keeps what was known): a change is logged, and in native mode a lost ndo-xmit is a
 * warning, since replies then have no way out.
 */
void bpfnicd_nic_features(struct bpfnicd_nic *n, int r, uint64_t features);

/*
 * A statistics window closed at now_usec (w's counters since attach): replies dropped
 * on their way out start an episode (a warning with the count and the likely reason),
 * and a quiet BPFNICD_TX_QUIET_USEC ends it (with the episode's count).
 */
void bpfnicd_nic_window(struct bpfnicd_nic *n, const struct bpfnicd_window *w, uint64_t now_usec);

/* Whether replies are being dropped now (an episode is open). */
bool bpfnicd_nic_dropping(const struct bpfnicd_nic *n);

/* Status: the "nic" object and the "warnings" array. */
struct json_object *bpfnicd_nic_json(const struct bpfnicd_nic *n);
struct json_object *bpfnicd_nic_warnings_json(const struct bpfnicd_nic *n);

#endif
