/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control protocol between bpfnicd and its clients: the one definition of every
 * name on the wire. Framing is varlink's: each message is one JSON object followed by
 * a NUL byte, over the Unix stream socket (default BPFNIC_DEFAULT_SOCKET).
 *
 *   call   {"method": "io.bpfnic.GetStatus", "parameters": {...}, "more": true?}
 *   reply  {"parameters": {...}}                       (+ "continues": true while streaming)
 *   error  {"error": "io.bpfnic.InvalidParameter", "parameters": {"parameter": "...",
 *           "reason": "human-readable text"}}
 *
 * Methods and their reply parameters (times in µs unless the name says otherwise,
 * rates in requests per second over the last controller window):
 *
 *   org.varlink.service.GetInfo  {vendor, product, version, url, interfaces: [...]}
 *   io.bpfnic.GetInfo    {version, interface, ifindex, xdp_mode, port, pid,
 *                         candidate_cpus: [int]}
 *   io.bpfnic.GetStatus  {version, interface, xdp_mode, port, uptime_sec,
 *                         policy: {name, long_cpus, threshold_us, metric, min_cpus,
 *                                  max_cpus, cooldown_ms, shrink_below_us, interval_ms},
 *                         workload: {short_us, long_us, max_us},
 *                         groups: {main: [int], long: [int]},
 *                         totals: {in_rps, out_rps, requests, replies, passed,
 *                                  drops: {queue, no_cpu, redirect_err, tx_err, short_payload}},
 *                         history: [{time_usec (CLOCK_REALTIME), action: "grow"|"shrink",
 *                                    cpu, group_size, metric_us, reason}]}
 *   io.bpfnic.GetStats   {window_ms, totals: {...as above},
 *                         cpus: [{cpu, group: "main"|"long"|null, rps,
 *                                 qdelay_us: {avg, p50, p99, max}, service_us,
 *                                 kthread_util (0..1), handed, processed}]}
 *   io.bpfnic.SetPolicy  params {policy: "rr"|"split"|"dynamic", long_cpus?, threshold_us?,
 *                         metric?: "avg"|"p99", min_cpus?, max_cpus?, cooldown_ms?,
 *                         shrink_below_us?, interval_ms?}  -> reply: {policy: {...}}
 *                         (admin only)
 *   io.bpfnic.Reload     {} -> {restart_needed: [key names]}; error ReloadFailed
 *                         (admin only)
 *   io.bpfnic.Monitor    needs "more": true; a GetStats object every interval, each
 *                         with "continues": true, until the client closes.
 */
#ifndef BPFNIC_PROTOCOL_H
#define BPFNIC_PROTOCOL_H

#define BPFNIC_DEFAULT_SOCKET "/run/bpfnic/control.sock"
#define BPFNIC_DEFAULT_CONFIG "/etc/bpfnic/bpfnicd.conf"

#define BPFNIC_INTERFACE "io.bpfnic"
#define BPFNIC_M_VARLINK_GET_INFO "org.varlink.service.GetInfo"
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

/* Names of policies and metrics, indexed by enum bpfnic_policy / bpfnic_metric. */
static const char *const bpfnic_policy_names[] __attribute__((unused)) = { "rr", "split", "dynamic" };

enum bpfnic_metric { BPFNIC_METRIC_AVG = 0, BPFNIC_METRIC_P99 = 1 };
static const char *const bpfnic_metric_names[] __attribute__((unused)) = { "avg", "p99" };

#endif
