/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control protocol's names and limits, for bpfnicd and its clients. What the
 * methods take and reply, every type and field, is the interface description
 * lib/io.bpfnic.varlink.in (installed as /usr/share/bpfnic/io.bpfnic.varlink and
 * returned by org.varlink.service.GetInterfaceDescription): the one reference.
 *
 * Framing is varlink's: each message is one JSON object followed by a NUL byte, over
 * the Unix stream socket (default BPFNIC_DEFAULT_SOCKET).
 *
 *   call   {"method": "io.bpfnic.GetStatus", "parameters": {...}, "more": true?}
 *   reply  {"parameters": {...}}                       (+ "continues": true while streaming)
 *   error  {"error": "org.varlink.service.InvalidParameter", "parameters": {"parameter":
 *           "...", "reason": "human-readable text"}}
 */
#ifndef BPFNIC_PROTOCOL_H
#define BPFNIC_PROTOCOL_H

#define BPFNIC_DEFAULT_SOCKET "/run/bpfnic/control.sock"
#define BPFNIC_DEFAULT_CONFIG "/etc/bpfnic/bpfnicd.conf"

#define BPFNIC_INTERFACE "io.bpfnic"
#define BPFNIC_VARLINK_SERVICE "org.varlink.service"
#define BPFNIC_M_VARLINK_GET_INFO "org.varlink.service.GetInfo"
#define BPFNIC_M_VARLINK_DESCRIBE "org.varlink.service.GetInterfaceDescription"
#define BPFNIC_M_GET_INFO   "io.bpfnic.GetInfo"
#define BPFNIC_M_GET_STATUS "io.bpfnic.GetStatus"
#define BPFNIC_M_GET_STATS  "io.bpfnic.GetStats"
#define BPFNIC_M_SET_POLICY "io.bpfnic.SetPolicy"
#define BPFNIC_M_RELOAD     "io.bpfnic.Reload"
#define BPFNIC_M_MONITOR    "io.bpfnic.Monitor"

#define BPFNIC_E_METHOD_NOT_FOUND   "org.varlink.service.MethodNotFound"
#define BPFNIC_E_INTERFACE_NOT_FOUND "org.varlink.service.InterfaceNotFound"
#define BPFNIC_E_INVALID_PARAMETER  "org.varlink.service.InvalidParameter"
#define BPFNIC_E_PERMISSION_DENIED  "org.varlink.service.PermissionDenied"
#define BPFNIC_E_EXPECTED_MORE      "org.varlink.service.ExpectedMore"
#define BPFNIC_E_INVALID_MESSAGE    "io.bpfnic.InvalidMessage"   /* not JSON, bad UTF-8, too deep */
#define BPFNIC_E_MESSAGE_TOO_LARGE  "io.bpfnic.MessageTooLarge"
#define BPFNIC_E_RELOAD_FAILED      "io.bpfnic.ReloadFailed"
#define BPFNIC_E_FAILED             "io.bpfnic.Failed"           /* the data path refused */

/* Limits the daemon enforces (and the client respects). */
#define BPFNIC_MAX_MESSAGE     (64u * 1024u) /* bytes, including the NUL */
#define BPFNIC_MAX_JSON_DEPTH  8
#define BPFNIC_MAX_CLIENTS     64
#define BPFNIC_CLIENT_IDLE_MS  5000 /* a client that sends nothing for this long is closed */

#endif
