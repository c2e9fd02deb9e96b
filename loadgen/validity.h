/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whether the client distorted a step's figures: the validity rule, as pure logic
 * (unit tests reach it directly). A step is NOT VALID when any of these holds:
 *
 *   schedule   the client sent less than LG_VALID_MIN_SENT (95 %) of the requests
 *              its schedule called for in the window: the offered load was not
 *              offered. (Against the schedule, not the nominal rate: a Poisson
 *              schedule's own count varies, and that is no fault of the client.)
 *   send lag   its send-lag p99 is above LG_VALID_MAX_LAG_SHARE (25 %) of the
 *              smallest p99 RTT among the classes that got replies. RTT is measured
 *              from the intended send time, so the lag is part of every RTT: below
 *              a quarter of the tail it is the server and the network, not the
 *              client, that make the tail; above it, the client is a large part of
 *              what is reported. (The old rule, lag p99 above the mean gap between
 *              one thread's requests, capped valid steps at ~100k requests/s per
 *              thread although a lag of a few microseconds against a tail of tens
 *              changes nothing the step reports.)
 *   drops      the client's own sockets dropped replies (receive buffer full, or a
 *              bad checksum): those requests count as lost although the server
 *              answered them, so the loss figure is the client's.
 *
 * Each failed condition adds its reason; the reasons are joined with "; ".
 */
#ifndef BPFNIC_LG_VALIDITY_H
#define BPFNIC_LG_VALIDITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LG_VALID_MIN_SENT      0.95
#define LG_VALID_MAX_LAG_SHARE 0.25

/* What the rule looks at, from one step (or several steps merged). */
struct lg_validity_in {
	uint64_t sent, scheduled;  /* requests of the measured window */
	double send_lag_p99_ns;
	double rtt_p99_ns;         /* smallest p99 RTT of a class with replies; 0: no replies */
	uint64_t rx_drops;         /* replies dropped by the client's own sockets */
};

/* Valid or not; the reasons (or "") in reason. */
bool lg_validity(const struct lg_validity_in *in, char *reason, size_t size);

/* Whether a step sent its schedule (the first condition alone, for --calibrate). */
bool lg_sent_on_schedule(uint64_t sent, uint64_t scheduled);

#endif
