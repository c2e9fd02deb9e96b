/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-loadgen's command line: the configuration of a run and its parser. Pure
 * (no I/O besides name resolution of numeric addresses): unit tests reach it directly.
 */
#ifndef BPFNIC_LG_OPTIONS_H
#define BPFNIC_LG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <getopt.h>
#include <stdint.h>
#include <sys/socket.h>
#include "arrival.h"
#include "wire.h"

#define LG_MAX_THREADS 64u
#define LG_MAX_FLOWS   1024u
#define LG_MAX_STEPS   1000u
#define LG_MAX_BATCH   256u

enum lg_load_mode {
	LG_LOAD_RATE = 0,    /* one step at --rate */
	LG_LOAD_SWEEP = 1,   /* --sweep START:STOP:STEP, total rate */
	LG_LOAD_CLIENTS = 2, /* --clients START:STOP, --rate per client */
};

struct lg_config {
	char target_text[128];
	struct sockaddr_storage target;
	socklen_t target_len;

	enum lg_load_mode mode;
	double rate;                     /* total (rate mode) or per client (clients mode) */
	double sweep_start, sweep_stop, sweep_step;
	unsigned clients_start, clients_stop;
	uint64_t duration_ns, warmup_ns, drain_ns;

	enum bpfnic_arrivals arrivals;
	uint64_t seed;
	unsigned mix[2];                 /* weights: short, long */
	enum bpfnic_format format;
	uint64_t service_ns[2];          /* ext: requested service time per class, 0 = server's */

	unsigned threads;
	unsigned cpus[LG_MAX_THREADS];
	unsigned n_cpus;                 /* 0 = no pinning */
	unsigned flows;                  /* 0 = one per thread */
	unsigned batch;                  /* max messages per sendmmsg/recvmmsg */
	uint64_t spin_ns;                /* busy-wait this long before each send */

	const char *csv_path, *json_path, *plot_path;
	bool calibrate;
	bool quiet;                      /* no table on stdout */
	bool rate_set, duration_set, warmup_set, drain_set;
};

/* Fills *c with the defaults (documented in --help). */
void lg_config_defaults(struct lg_config *c);

enum lg_parse_result {
	LG_PARSE_RUN = 0,
	LG_PARSE_HELP = 1,
	LG_PARSE_VERSION = 2,
};

/*
 * Parses argv into *c. Returns an enum lg_parse_result, or -EINVAL with a one-line
 * message naming the offending flag in err.
 */
int lg_parse_args(int argc, char **argv, struct lg_config *c, char *err, size_t errlen);

/* Number of steps and, for step i, the client count and the total offered rate. */
unsigned lg_config_steps(const struct lg_config *c);
void lg_config_step(const struct lg_config *c, unsigned i, unsigned *clients, double *rate_total);

/* Parsers exposed for tests (CPU lists: lib/cpulist.h; times: lib/numparse.h). */
int lg_parse_target(const char *s, struct sockaddr_storage *ss, socklen_t *len);
int lg_parse_mix(const char *s, unsigned mix[2]);
int lg_parse_service(const char *s, uint64_t service_ns[2]);

/* bpfnic-loadgen merge FILE... [--json OUT] [--csv OUT] [--quiet] */
#define LG_MAX_MERGE 256u
struct lg_merge_args {
	const char *inputs[LG_MAX_MERGE];
	unsigned n;
	const char *json_path, *csv_path;
	bool quiet;
};

/*
 * Parse the arguments after "merge". Returns LG_PARSE_RUN or LG_PARSE_HELP, or
 * -EINVAL with a one-line message in err.
 */
int lg_parse_merge_args(int argc, char **argv, struct lg_merge_args *m, char *err, size_t errlen);

extern const char lg_usage_text[];
/* getopt_long's table: every flag, each documented in lg_usage_text. */
extern const struct option lg_long_options[];

#endif
