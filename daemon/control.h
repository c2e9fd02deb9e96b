/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control socket: a Unix stream socket speaking varlink-framed JSON (lib/varlink.h,
 * lib/protocol.h). This module owns the listening socket and the connections on the
 * daemon's sd-event loop: framing, per-client limits (BPFNIC_MAX_CLIENTS, message size,
 * depth, UTF-8, BPFNIC_CLIENT_IDLE_MS, output backlog), peer credentials, and the
 * streaming of Monitor replies. What a method does is the dispatcher's business.
 */
#ifndef BPFNICD_CONTROL_H
#define BPFNICD_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "varlink.h"

struct bpfnicd_control;

/* Who called, from SO_PEERCRED (and SO_PEERGROUPS or /proc for the groups). */
struct bpfnicd_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool admin; /* uid 0, or AdminGroup= is its primary or a supplementary group */
};

/*
 * Handle one well-formed call. Returns the message to send back (a reply or an
 * error object, owned by the caller of this function), or NULL to send nothing.
 * Setting *start_monitor makes this client a Monitor subscriber.
 */
typedef struct json_object *(*bpfnicd_dispatch_fn)(void *userdata, const struct bpfnicd_caller *who,
						   const struct bpfnic_vl_call *call,
						   bool *start_monitor);

/*
 * One complete message, as the socket hands it out: parsed, taken apart as a call and
 * dispatched. Returns what to send back (owned by the caller): the dispatcher's reply,
 * an error for a malformed message, or NULL when the call was "oneway". Pure apart from
 * what dispatch does: the fuzz target fuzz/fuzz_control.c drives it as the socket does.
 */
struct json_object *bpfnicd_control_answer(const char *msg, size_t len,
					   const struct bpfnicd_caller *who,
					   bpfnicd_dispatch_fn dispatch, void *userdata,
					   bool *start_monitor);

/*
 * Create the socket at path (its directory is created if missing), mode and group
 * as given; a group that does not exist leaves the socket root-only (0600) with a
 * warning. Refuses (-EADDRINUSE) when another daemon answers on path.
 */
int bpfnicd_control_new(sd_event *e, const char *path, unsigned mode, const char *socket_group,
			const char *admin_group,
			bpfnicd_dispatch_fn dispatch, void *userdata, struct bpfnicd_control **out);

/*
 * Give the socket to socket_group with mode (its members may connect and read; a
 * missing group leaves the socket to root, 0600) and let admin_group change state
 * besides root ("" or a missing group: root only). Also on reload.
 */
int bpfnicd_control_set_access(struct bpfnicd_control *ctl, const char *socket_group,
			       const char *admin_group, unsigned mode);

/* Close every connection, remove the socket file, free. */
void bpfnicd_control_free(struct bpfnicd_control *ctl);

/* Send {"parameters": params, "continues": true} to every Monitor subscriber. */
void bpfnicd_control_monitor_send(struct bpfnicd_control *ctl, struct json_object *params);

unsigned bpfnicd_control_n_clients(const struct bpfnicd_control *ctl);
unsigned bpfnicd_control_n_monitors(const struct bpfnicd_control *ctl);

#endif
