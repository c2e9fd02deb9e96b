/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The data path across restarts, through the service manager's file descriptor store
 * (systemd: FDSTORE=1 with FDNAME=, FileDescriptorStoreMax= in the unit). bpfnicd
 * hands the fds of its running data path (datapath/datapath.h: the link, the worker,
 * the tracer, the maps) to the store; the next bpfnicd receives them at start
 * (LISTEN_FDS, LISTEN_FDNAMES) and takes the data path over: a restart, a crash with
 * Restart=on-failure or an upgrade loses no request. When the service is stopped, or
 * systemd gives up restarting it, the store is released and the program goes with
 * the last fd (fail-open). Outside systemd (no NOTIFY_SOCKET, no LISTEN_FDS) nothing
 * is stored or received, and the data path lives exactly as long as the process.
 */
#ifndef BPFNICD_HANDOVER_H
#define BPFNICD_HANDOVER_H

#include <stdbool.h>

#include "datapath/datapath.h"

/*
 * What the service manager passed in: the fds named BPFNIC_DP_NAME_PREFIX..., owned
 * by the caller (bpfnicd_handover_close). Other fds passed, and LISTEN_FDS itself, are
 * left for whoever else takes fds from the service manager (sd_listen_fds). 0 or -errno.
 */
int bpfnicd_handover_receive(struct bpfnic_dp_handover *received);

/*
 * Put what runs now in the store, each fd under its name: what the store already holds
 * (the same object under the same name, received at start) is left alone; a name whose
 * object changed is removed, then stored again; a name received and gone now is removed.
 * Returns 1 when the fds went to a service manager, 0 when there is none (no
 * NOTIFY_SOCKET) or it says its store is disabled (FDSTORE=0, systemd 254 and later;
 * 252 does not say, and drops them with a warning), -errno.
 */
int bpfnicd_handover_store(const struct bpfnic_dp_handover *now,
			   const struct bpfnic_dp_handover *received);

void bpfnicd_handover_close(struct bpfnic_dp_handover *h);

#endif
