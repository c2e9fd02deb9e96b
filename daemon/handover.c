/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data path across restarts, through the service manager's fd store: see handover.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/handover.h"

int bpfnicd_handover_receive(struct bpfnic_dp_handover *received)
{
	char **names = NULL;
	/* The environment stays: other fds passed (a socket of the unit's) are another
	 * module's to take. */
	int n = sd_listen_fds_with_names(0, &names);

	memset(received, 0, sizeof(*received));
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		const char *name = names && names[i] ? names[i] : "";

		if (strncmp(name, BPFNIC_DP_NAME_PREFIX, strlen(BPFNIC_DP_NAME_PREFIX)) != 0)
			continue;
		if (received->n == BPFNIC_DP_MAX_HANDOVER) {
			close(fd);
			continue;
		}
		snprintf(received->name[received->n], sizeof(received->name[0]), "%s", name);
		received->fd[received->n++] = fd;
	}
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

/*
 * One FDSTORE message: the fd (or none: remove) under name. FDPOLL=0: systemd would
 * otherwise poll each stored fd and drop it on EPOLLERR, which a BPF map (but a ring
 * buffer) reports to any poll.
 */
static int notify(const char *what, const char *name, int fd)
{
	char msg[sizeof("FDSTOREREMOVE=1\nFDPOLL=0\nFDNAME=") + BPFNIC_DP_NAME_MAX];

	snprintf(msg, sizeof(msg), "%s=1\n%sFDNAME=%s", what, fd >= 0 ? "FDPOLL=0\n" : "", name);
	return sd_pid_notify_with_fds(0, 0, msg, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
}

int bpfnicd_handover_store(const struct bpfnic_dp_handover *now,
			   const struct bpfnic_dp_handover *received)
{
	const char *max = getenv("FDSTORE"); /* systemd >= 254 says FileDescriptorStoreMax= */
	int r = 0;

	if (!getenv("NOTIFY_SOCKET") || (max && !strcmp(max, "0")))
		return 0;
	for (unsigned i = 0; i < now->n && r >= 0; i++) {
		int had = bpfnic_dp_handover_find(received, now->name[i]);

		if (had >= 0 && bpfnic_dp_same_object(received->fd[had], now->fd[i]))
			continue;
		if (had >= 0)
			r = notify("FDSTOREREMOVE", now->name[i], -1);
		if (r >= 0)
			r = notify("FDSTORE", now->name[i], now->fd[i]);
	}
	for (unsigned i = 0; i < received->n && r >= 0; i++)
		if (bpfnic_dp_handover_find(now, received->name[i]) < 0)
			r = notify("FDSTOREREMOVE", received->name[i], -1);
	return r < 0 ? r : 1;
}

void bpfnicd_handover_close(struct bpfnic_dp_handover *h)
{
	for (unsigned i = 0; i < h->n; i++)
		if (h->fd[i] >= 0)
			close(h->fd[i]);
	h->n = 0;
}
