/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-loadgen merge: the runs of several client hosts, each a --json document,
 * merged step by step into one run, as if one client had sent it all. Steps are
 * matched by index, and must have the same measured duration; per step, counts add,
 * client counts and offered and achieved rates add, the histograms (send lag, per
 * class RTT and queuing delay) add bucket by bucket, exactly, and every percentile is
 * computed again from the sums. The wall-clock window spans the earliest start to
 * the latest end. A merged step is valid when every input step was and the validity
 * rule (validity.h) holds for the merged figures.
 *
 * No I/O: documents come parsed, so unit tests reach it directly.
 */
#ifndef BPFNIC_LG_MERGE_H
#define BPFNIC_LG_MERGE_H

#include <stddef.h>
#include "engine.h"
#include "options.h"

struct json_object;

struct lg_merged {
	unsigned nsteps;
	struct lg_step_result *steps; /* [nsteps], their histograms owned */
	struct lg_config cfg;         /* what the outputs need: a class is in the mix when in
					 any input's */
};

/*
 * Merge the documents docs[0..n), named names[i] in messages. 0 with *out filled, or
 * -EINVAL (a message in err naming the file and what is wrong: not a document of
 * bpfnic-loadgen, no histograms, step lists that differ) or -ENOMEM.
 */
int lg_merge(struct json_object *const *docs, const char *const *names, unsigned n,
	     struct lg_merged *out, char *err, size_t errlen);
void lg_merged_free(struct lg_merged *m);

/*
 * One step of a document read back: counts, rates, times, validity and the sparse
 * histograms (summaries are left for the caller to compute). 0, or -EINVAL with what
 * is wrong in err ("classes.short.rtt_hist: ..."), or -ENOMEM.
 */
int lg_step_from_json(struct json_object *o, struct lg_step_result *r, char *err, size_t errlen);

/* The merged document: the inputs' names, configs and environments, and the steps. */
struct json_object *lg_merged_json(const struct lg_merged *m, struct json_object *const *docs,
				   const char *const *names, unsigned n);

#endif
