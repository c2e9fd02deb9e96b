/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-loadgen's command line (loadgen/options.c: durations, rates, sweeps, mixes,
 * service times, targets, CPU lists). Input: the arguments, separated by NUL bytes.
 * Properties: a result of the documented set, a message on -EINVAL
 * (quoting the argument as typed); a run it
 * accepts has a target, 1 to LG_MAX_STEPS steps of positive rate and client count, and
 * every limit its --help states.
 */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "loadgen/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 1], *buf, err[256] = "";
	struct lg_config c;
	int argc = fuzz_argv(data, size, "bpfnic-loadgen", argv, &buf), r;
	unsigned steps;

	r = lg_parse_args(argc, argv, &c, err, sizeof(err));
	FUZZ_ASSERT(r == -EINVAL || r == LG_PARSE_RUN || r == LG_PARSE_HELP || r == LG_PARSE_VERSION);
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
	if (r == -EINVAL)
		FUZZ_ASSERT(err[0]);
	if (r != LG_PARSE_RUN) {
		free(buf);
		return 0;
	}
	FUZZ_ASSERT(c.target_len > 0 && c.threads >= 1 && c.threads <= LG_MAX_THREADS);
	FUZZ_ASSERT(c.batch >= 1 && c.batch <= LG_MAX_BATCH && c.flows <= LG_MAX_FLOWS);
	FUZZ_ASSERT(c.mix[0] + c.mix[1] > 0 && c.n_cpus <= LG_MAX_THREADS);
	FUZZ_ASSERT(c.duration_ns >= 1000000 && c.service_ns[0] <= BPFNIC_MAX_SERVICE_NS &&
		    c.service_ns[1] <= BPFNIC_MAX_SERVICE_NS);
	steps = lg_config_steps(&c);
	FUZZ_ASSERT(steps >= 1 && steps <= LG_MAX_STEPS);
	for (unsigned i = 0; i < steps; i++) {
		unsigned clients;
		double rate;

		lg_config_step(&c, i, &clients, &rate);
		FUZZ_ASSERT(clients >= 1 && clients <= LG_MAX_THREADS && isfinite(rate) && rate > 0);
	}
	free(buf);
	return 0;
}
