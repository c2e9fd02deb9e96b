/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The frame fuzzer of the data path, shared by the BPF tier (tests/bpf/test_frames.c:
 * seeded random and mutated frames, and requests cut at every length) and the libFuzzer
 * target fuzz/fuzz_frame.c (frames from the fuzzer's bytes). Each frame goes through
 * the scheduler and the worker's XDP twin by BPF_PROG_TEST_RUN and both are held to
 * pkt_classify(), the RFC-based verdict of tests/support/pkt.h:
 *   - a frame that is not a request leaves the scheduler with XDP_PASS, byte for byte,
 *     counted once (passed, short_payload or too_long by its verdict); the worker
 *     passes it too, counted malformed;
 *   - a request is redirected, its arrival stamp the only bytes written, counted once
 *     by class; the worker turns it into a reply (addresses and ports swapped, a valid
 *     UDP checksum over the whole datagram, the IPv4 header checksum as valid as it
 *     came) and redirects it;
 *   - nothing returns XDP_ABORTED or XDP_DROP (the groups are never empty here).
 */
#ifndef BPFNIC_TEST_FRAMEFUZZ_H
#define BPFNIC_TEST_FRAMEFUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "arrival.h"
#include "tests/support/dptest.h"
#include "tests/support/pkt.h"

#define FRAMEFUZZ_PORT 7777
#define FRAMEFUZZ_MAX  2048 /* frames up to a 1500-byte MTU and beyond */

struct framefuzz {
	struct dpt dp;
	struct dpt_sums last;   /* the counters after the previous frame */
	uint64_t verdicts[4];   /* frames checked, by enum pkt_verdict */
	uint64_t refused;       /* under 14 bytes: the kernel runs no program on them */
};

/* Open the data path (test programs, CPUs 0 and 1 in the main group; no workload spin). */
int framefuzz_open(struct framefuzz *ff);
void framefuzz_close(struct framefuzz *ff);

/* Check one frame. 0; -1 with why when the data path broke a rule (a finding). */
int framefuzz_check(struct framefuzz *ff, const uint8_t *frame, size_t len, char *why,
		    size_t why_size);

/* A random frame: a structured one of any kind, then maybe mutated. Its length. */
size_t framefuzz_generate(struct bpfnic_rng *rng, uint8_t *buf, size_t cap);

/* One of the well-formed requests the cut-at-every-length test starts from (i < n). */
size_t framefuzz_request(unsigned i, uint8_t *buf, size_t cap);
extern const unsigned framefuzz_n_requests;

#endif
