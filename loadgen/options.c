/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cpulist.h"
#include "numparse.h"
#include "options.h"

const char lg_usage_text[] =
"NAME\n"
"    bpfnic-loadgen - open-loop, microsecond-accurate UDP load generator for bpfnic\n"
"\n"
"SYNOPSIS\n"
"    bpfnic-loadgen --target HOST:PORT [--rate RPS | --sweep START:STOP:STEP |\n"
"                   --clients START:STOP] [OPTIONS]\n"
"    bpfnic-loadgen --target HOST:PORT --calibrate [OPTIONS]\n"
"    bpfnic-loadgen merge RUN.json... [--json FILE] [--csv FILE] [--quiet]\n"
"\n"
"DESCRIPTION\n"
"    Sends bpfnic requests (bpf/bpfnic.h: the thesis' 25-byte request, or the\n"
"    extended one) over UDP to a bpfnic server and measures, per request class,\n"
"    the round-trip time and the server's queuing delay.\n"
"\n"
"    Arrivals follow an absolute open-loop schedule (Poisson or constant): a\n"
"    request's time is fixed before the run and never waits for a reply. Each\n"
"    request carries its INTENDED send time, and the round-trip time is measured\n"
"    from it (receive - intended send), so a generator that falls behind shows up\n"
"    as latency instead of hiding it (no coordinated omission). The send lag\n"
"    (actual - intended send) is measured separately. The queuing delay is read\n"
"    from the reply: worker pick-up - scheduler arrival, both on the server clock.\n"
"    Client and server clocks are never subtracted from each other.\n"
"\n"
"    A run is one or more steps. Each step sends for --warmup (not measured), then\n"
"    for --duration (measured), then waits up to --drain for the last replies. A\n"
"    request sent in the measured window and not back by then is lost.\n"
"\n"
"    Each client thread has its own UDP socket(s) and its own histograms. It\n"
"    sends with sendmmsg(2), sleeping with clock_nanosleep(TIMER_ABSTIME) and\n"
"    spinning the last microseconds before each send, and whenever it is not\n"
"    due to send it reads its replies with recvmmsg(2). Receive times are the\n"
"    kernel's (SO_TIMESTAMPNS, taken when the reply reached the client's\n"
"    stack), so reading a reply later never changes its round-trip time.\n"
"\n"
"TARGET\n"
"    --target HOST:PORT\n"
"        Server address (required): a numeric IPv4 address (198.18.0.1:7777) or a\n"
"        bracketed IPv6 address ([2001:2::1]:7777).\n"
"\n"
"LOAD\n"
"    --rate RPS\n"
"        Offered load in requests/s for a single step, summed over all client\n"
"        threads (default 10000). With --clients: the rate of EACH client.\n"
"    --sweep START:STOP:STEP\n"
"        One step per total rate START, START+STEP, ... up to STOP (requests/s),\n"
"        the thesis' stepped experiments.\n"
"    --clients START:STOP\n"
"        One step per client count START..STOP, each client sending at --rate\n"
"        (the thesis' x-axis: ~225000 requests/s per client). --threads is then\n"
"        the client count of the step; do not give both.\n"
"    --duration TIME\n"
"        Measured time per step (default 2s). TIME is a number with an optional\n"
"        unit: ns, us, ms, s (default s), e.g. 500ms, 1.5s.\n"
"    --warmup TIME\n"
"        Sending time before each measured window; its replies are ignored\n"
"        (default 500ms; 0 allowed).\n"
"    --drain TIME\n"
"        Longest wait for replies after the last send of a step (default 500ms);\n"
"        the step ends sooner once every request has its reply.\n"
"\n"
"ARRIVALS\n"
"    --arrivals poisson|constant\n"
"        Exponential gaps (default) or fixed gaps of 1/rate.\n"
"    --seed N\n"
"        Seed of the arrival and class draws (default 1): equal seeds give equal\n"
"        schedules.\n"
"\n"
"TRAFFIC\n"
"    --mix short=W,long=W\n"
"        Bimodal traffic: each request is short or long with these weights, e.g.\n"
"        --mix short=90,long=10 (the thesis' bimodal traffic).\n"
"    --class short|long\n"
"        Unimodal traffic, every request of one class (default short).\n"
"    --format paper|ext\n"
"        paper: the thesis' exact 25-byte request; replies are matched by count\n"
"        after the drain. ext (default): 25 bytes plus the extension of\n"
"        bpf/bpfnic.h, whose sequence number gives exact matching: duplicates and\n"
"        replies to requests never sent are counted invalid.\n"
"    --service short=TIME,long=TIME\n"
"        With --format ext: ask the server for this service time per class\n"
"        (the extension's requested service time; e.g. short=3us for the\n"
"        thesis' unimodal runs). A class left out, or 0, gets the server's\n"
"        configured time. At most 10ms (the data path's longest workload); the\n"
"        server may cap it lower.\n"
"\n"
"THREADS AND FLOWS\n"
"    --threads N\n"
"        Client threads (default 1, at most 64); the rate is split evenly.\n"
"    --cpus LIST\n"
"        Pin client thread i to the i-th CPU of LIST,\n"
"        wrapping (e.g. 1 or 0,1 or 0-3). Default: not pinned.\n"
"    --flows N\n"
"        UDP source ports (sockets) in total, spread over the client threads so\n"
"        that flow-hashing policies see N flows (default: one per thread; at\n"
"        least the thread count, at most 1024). With --clients they are spread\n"
"        over STOP clients, so steps with fewer clients use fewer flows.\n"
"    --batch N\n"
"        Most messages per sendmmsg/recvmmsg call (default 32, 1..256). A sender\n"
"        only batches requests that are already due; it never sends early.\n"
"    --spin TIME\n"
"        Busy-wait at least this long before each intended send instead of\n"
"        sleeping (default 20us). Each client adds the timer's wake-up latency it\n"
"        observes (a running 95th percentile), so that it wakes early enough.\n"
"\n"
"OUTPUT\n"
"    A table per step on stdout: per class sent, received, lost, invalid\n"
"    replies, send failures, then RTT and queuing-delay percentiles (p50, p90,\n"
"    p99, p99.9, p99.99, max, mean) in microseconds, and the send lag.\n"
"    A progress line goes to stderr when stderr is a terminal.\n"
"    --csv FILE\n"
"        One row per step and class with the columns:\n"
"        step,clients,offered_rps,achieved_rps,class,sent,received,lost,invalid,\n"
"        send_failures,rtt_p50_us,rtt_p90_us,rtt_p99_us,rtt_p999_us,rtt_p9999_us,\n"
"        rtt_max_us,rtt_mean_us,qdelay_p50_us,qdelay_p90_us,qdelay_p99_us,\n"
"        qdelay_p999_us,qdelay_p9999_us,qdelay_max_us,qdelay_mean_us,\n"
"        sendlag_p99_us,client_rx_drops,wall_start_ns,wall_end_ns,valid,reason\n"
"        (class: short, long, or other for replies too broken to have a class;\n"
"        client_rx_drops: replies the client's own sockets dropped; wall_start_ns,\n"
"        wall_end_ns: the measured window, CLOCK_REALTIME ns; valid: 1 or 0;\n"
"        reason: why not, in double quotes).\n"
"    --json FILE\n"
"        The whole run: \"config\" (every option), \"environment\" (kernel, CPU\n"
"        model, CPU count, frequency governor, clock source), and \"steps\", each\n"
"        with offered/achieved rate, validity and reason, the wall-clock times\n"
"        (CLOCK_REALTIME ns) of the warm-up's start (warmup_start_ns) and of the\n"
"        measured window (wall_start_ns, wall_end_ns), the replies the client's\n"
"        sockets dropped (client_rx_drops), send lag and per-class counts and\n"
"        RTT/queuing-delay percentiles (us), and the histograms they come from\n"
"        (send_lag_hist; per class rtt_hist, qdelay_hist): the non-empty buckets\n"
"        of the log-linear histogram, [[bucket, count], ...] with its sub_bits,\n"
"        count, min_ns, max_ns and sum_ns, so that runs merge exactly (MERGE).\n"
"    --plot FILE.svg\n"
"        Draw p99 queuing delay and p99 RTT against offered load (against the\n"
"        client count with --clients), per class, with gnuplot (the thesis'\n"
"        figures 5.1/5.2). A name ending in .png gives a PNG instead.\n"
"    --quiet\n"
"        No table on stdout (files are still written).\n"
"\n"
"ACCOUNTING AND VALIDITY\n"
"    Per class and step: sent = received + lost, exactly. invalid counts replies\n"
"    that are truncated, of the wrong length, foreign (bad magic, unknown class,\n"
"    missing server time stamps, a send time this step never used), or\n"
"    duplicates; they are never measured. send_failures counts requests the\n"
"    socket refused (EAGAIN, partial batches) or that the sender could not send\n"
"    before the end of the window; they are not \"sent\".\n"
"    A step is NOT VALID when the client, not the server, made its figures; the\n"
"    reasons are given (table, CSV, JSON). Any of:\n"
"      - it sent less than 95 % of the requests its schedule called for (the\n"
"        schedule's count, not the nominal rate: a Poisson schedule's count\n"
"        varies, and that is no fault of the client);\n"
"      - its send-lag p99 is above 25 % of the smallest RTT p99 of a class with\n"
"        replies. The RTT is measured from the intended send time, so the lag is\n"
"        in every RTT already: below a quarter of the tail, the tail is the\n"
"        server's and the network's; above it, the client is a large part of\n"
"        it. (Lag p99 above the mean gap between one thread's requests, the rule\n"
"        before, capped valid steps at ~100k requests/s per thread on a 2-CPU\n"
"        machine while a lag of microseconds changed nothing a step reports.)\n"
"      - the client's own sockets dropped replies (the socket drop counter that\n"
"        SO_RXQ_OVFL reports, read with SO_MEMINFO before and after the step):\n"
"        those requests count as lost although the server answered them.\n"
"\n"
"CALIBRATION\n"
"    --calibrate\n"
"        Measure the generator itself against a server replying at zero service\n"
"        time (e.g. the data path with --short-us 0), with one thread (pinned to\n"
"        the first of --cpus, if given): first the CPU's own timing noise (a\n"
"        thread spinning on the clock for 1 s: how often and how long it is not\n"
"        running), then a probe at 1000 requests/s for the timing floor (RTT and\n"
"        send-lag percentiles at idle), then doubling and bisecting rates to\n"
"        within 5 % to find the ceiling: the highest VALID rate per thread, and\n"
"        the highest rate sent on schedule whatever the send lag. Probe length:\n"
"        --duration (default 1s here), --warmup and --drain (200ms here).\n"
"\n"
"MERGE\n"
"    bpfnic-loadgen merge RUN.json... [--json FILE] [--csv FILE] [--quiet]\n"
"        Merge the --json documents of runs made at the same time from several\n"
"        client hosts, step by step, into one run: steps are matched by index\n"
"        and must measure the same duration (else: an error naming the files,\n"
"        exit 1). Counts, client counts, offered and achieved rates add; the\n"
"        histograms add bucket by bucket, exactly, and every percentile is\n"
"        computed from the sums; the measured window runs from the earliest\n"
"        start to the latest end. A merged step is valid when each input step\n"
"        was and the rule above holds for the merged figures. Prints the table,\n"
"        and writes the same CSV and JSON as a run (the JSON names the inputs,\n"
"        with their configs and environments, under \"merged_from\"; it can be\n"
"        merged again).\n"
"\n"
"OTHER\n"
"    --help, -h  this text.\n"
"    --version   the version.\n"
"\n"
"EXIT STATUS\n"
"    0 done (even when steps are not valid or lose requests: see the output);\n"
"    1 the run failed (socket, thread or file error), or merge could not read or\n"
"    merge its runs; 2 bad usage: one line on stderr names the flag or value.\n"
"\n"
"EXAMPLES\n"
"    bpfnic-loadgen --target 198.18.0.1:7777 --rate 50000 --duration 5s\n"
"    bpfnic-loadgen --target 198.18.0.1:7777 --sweep 25000:200000:25000 \\\n"
"        --mix short=90,long=10 --csv out.csv --plot out.svg\n"
"    bpfnic-loadgen --target [2001:2::1]:7777 --clients 1:4 --rate 50000 \\\n"
"        --cpus 0,1 --json run.json\n"
"    bpfnic-loadgen --target 198.18.0.1:7777 --calibrate --cpus 1\n"
"    bpfnic-loadgen merge host1.json host2.json --json all.json --csv all.csv\n";

void lg_config_defaults(struct lg_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = LG_LOAD_RATE;
	c->rate = 10000;
	c->duration_ns = 2000000000ull;
	c->warmup_ns = 500000000ull;
	c->drain_ns = 500000000ull;
	c->arrivals = BPFNIC_ARRIVALS_POISSON;
	c->seed = 1;
	c->mix[0] = 1;
	c->mix[1] = 0;
	c->format = BPFNIC_FORMAT_EXT;
	c->threads = 1;
	c->batch = 32;
	c->spin_ns = 20000;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int lg_parse_target(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *port, *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	uint64_t p;
	size_t hl;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hl = (size_t)(close - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hl);
		port = close + 2;
		hints.ai_family = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL; /* IPv6 needs brackets */
		hl = (size_t)(colon - s);
		if (hl == 0 || hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		port = colon + 1;
		hints.ai_family = AF_INET;
	}
	host[hl] = 0;
	if (bpfnic_parse_u64(port, 0, 65535, &p) || p == 0)
		return -EINVAL;
	if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * Parses "short=X,long=Y" (either order, either may be left out, each at most once):
 * out[class] = parse(X), 0 for a class not named. 0 or -EINVAL.
 */
static int parse_class_values(const char *s, int (*parse)(const char *, uint64_t *),
			      uint64_t out[2])
{
	char buf[128], *save = NULL, *tok;
	bool named[2] = { false, false };

	out[0] = out[1] = 0;
	if (!*s || strlen(s) >= sizeof(buf) || s[strlen(s) - 1] == ',')
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int cls;

		if (!eq)
			return -EINVAL;
		*eq = 0;
		cls = strcmp(tok, "short") == 0 ? 0 : strcmp(tok, "long") == 0 ? 1 : -1;
		if (cls < 0 || named[cls] || parse(eq + 1, &out[cls]))
			return -EINVAL;
		named[cls] = true;
	}
	return 0;
}

static int parse_weight(const char *s, uint64_t *w)
{
	return bpfnic_parse_u64(s, 0, 1000000, w);
}

static int parse_service_time(const char *s, uint64_t *ns)
{
	return bpfnic_parse_duration_ns(s, ns) || *ns > BPFNIC_MAX_SERVICE_NS ? -EINVAL : 0;
}

int lg_parse_mix(const char *s, unsigned mix[2])
{
	uint64_t w[2];

	if (parse_class_values(s, parse_weight, w) || w[0] + w[1] == 0)
		return -EINVAL;
	mix[0] = (unsigned)w[0];
	mix[1] = (unsigned)w[1];
	return 0;
}

int lg_parse_service(const char *s, uint64_t service_ns[2])
{
	return parse_class_values(s, parse_service_time, service_ns);
}

static unsigned cpu_limit(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? (unsigned)n : 1;
}

static int parse_rate(const char *s, double *out)
{
	double v;

	if (parse_double(s, &v) || !(v > 0) || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The index of s among names[0..n), or -1. */
static int choice(const char *s, const char *const names[], int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Splits a copy of s (in buf) at ':' into exactly n fields; -EINVAL otherwise. */
static int split_colons(const char *s, char *buf, size_t size, char *fields[], unsigned n)
{
	unsigned k = 0;

	if (strlen(s) >= size)
		return -EINVAL;
	strcpy(buf, s);
	fields[k++] = buf;
	for (char *q = buf; (q = strchr(q, ':'));) {
		if (k == n)
			return -EINVAL;
		*q++ = 0;
		fields[k++] = q;
	}
	return k == n ? 0 : -EINVAL;
}

enum {
	OPT_TARGET = 256, OPT_RATE, OPT_SWEEP, OPT_CLIENTS, OPT_DURATION, OPT_WARMUP, OPT_DRAIN,
	OPT_ARRIVALS, OPT_SEED, OPT_MIX, OPT_CLASS, OPT_FORMAT, OPT_SERVICE, OPT_THREADS,
	OPT_CPUS, OPT_FLOWS, OPT_BATCH, OPT_SPIN, OPT_CSV, OPT_JSON, OPT_PLOT, OPT_CALIBRATE,
	OPT_QUIET, OPT_HELP, OPT_VERSION,
};

const struct option lg_long_options[] = {
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "sweep", required_argument, NULL, OPT_SWEEP },
	{ "clients", required_argument, NULL, OPT_CLIENTS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "drain", required_argument, NULL, OPT_DRAIN },
	{ "arrivals", required_argument, NULL, OPT_ARRIVALS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "mix", required_argument, NULL, OPT_MIX },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "spin", required_argument, NULL, OPT_SPIN },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "calibrate", no_argument, NULL, OPT_CALIBRATE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char *opt_name(int id)
{
	for (const struct option *o = lg_long_options; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

/* One run of lg_parse_args: the config it fills, where its message goes, what was given. */
struct parse_ctx {
	struct lg_config *c;
	char *err;
	size_t errlen;
	const char *flag; /* long name of the option being parsed; NULL between options */
	bool target, sweep, clients, threads, class, mix, service;
};

/*
 * The one-line message for bad usage: "--FLAG: ..." while an option is being parsed,
 * the text alone otherwise. Returns -EINVAL.
 */
static int fail(struct parse_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse_ctx *p, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (p->errlen == 0)
		return -EINVAL;
	if (p->flag) {
		int k = snprintf(p->err, p->errlen, "--%s: ", p->flag);

		n = k < 0 ? 0 : (size_t)k < p->errlen ? (size_t)k : p->errlen - 1;
	}
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_count(struct parse_ctx *p, const char *a, unsigned max, unsigned *out)
{
	if (bpfnic_parse_uint(a, 1, max, out))
		return fail(p, "'%s' is not a count from 1 to %u", a, max);
	return 0;
}

static int parse_sweep(struct parse_ctx *p, const char *a)
{
	struct lg_config *c = p->c;
	char buf[128], *f[3];

	if (split_colons(a, buf, sizeof(buf), f, 3) || parse_rate(f[0], &c->sweep_start) ||
	    parse_rate(f[1], &c->sweep_stop) || parse_rate(f[2], &c->sweep_step) ||
	    c->sweep_stop < c->sweep_start)
		return fail(p, "'%s' is not START:STOP:STEP with rates > 0 and STOP >= START", a);
	if ((c->sweep_stop - c->sweep_start) / c->sweep_step + 1 > LG_MAX_STEPS)
		return fail(p, "'%s' makes more than %u steps", a, LG_MAX_STEPS);
	p->sweep = true;
	return 0;
}

static int parse_clients(struct parse_ctx *p, const char *a)
{
	struct lg_config *c = p->c;
	char buf[64], *f[2];

	if (split_colons(a, buf, sizeof(buf), f, 2) ||
	    bpfnic_parse_uint(f[0], 1, LG_MAX_THREADS, &c->clients_start) ||
	    bpfnic_parse_uint(f[1], c->clients_start, LG_MAX_THREADS, &c->clients_stop))
		return fail(p, "'%s' is not START:STOP with 1 <= START <= STOP <= %u", a,
			    LG_MAX_THREADS);
	p->clients = true;
	return 0;
}

/* --duration, --warmup, --drain. */
static int parse_phase_time(struct parse_ctx *p, int opt, const char *a)
{
	struct lg_config *c = p->c;
	uint64_t ns, min = opt == OPT_WARMUP ? 0 : 1000000;

	if (bpfnic_parse_duration_ns(a, &ns) || ns < min)
		return fail(p, "'%s' is not a time such as 2s, 500ms, 100us (%s to 1 day)", a,
			    min ? "1ms" : "0");
	if (opt == OPT_DURATION) {
		c->duration_ns = ns;
		c->duration_set = true;
	} else if (opt == OPT_WARMUP) {
		c->warmup_ns = ns;
		c->warmup_set = true;
	} else {
		c->drain_ns = ns;
		c->drain_set = true;
	}
	return 0;
}

/* Where the load goes and how much of it: --target, --rate, --sweep, --clients, times. */
static int parse_load_option(struct parse_ctx *p, int opt, const char *a)
{
	struct lg_config *c = p->c;

	switch (opt) {
	case OPT_TARGET:
		if (lg_parse_target(a, &c->target, &c->target_len))
			return fail(p, "'%s' is not HOST:PORT with a numeric IPv4 address or "
				    "[IPv6]:PORT", a);
		snprintf(c->target_text, sizeof(c->target_text), "%s", a);
		p->target = true;
		return 0;
	case OPT_RATE:
		if (parse_rate(a, &c->rate))
			return fail(p, "'%s' is not a rate in requests/s (a number > 0, at most 1e9)", a);
		c->rate_set = true;
		return 0;
	case OPT_SWEEP:
		return parse_sweep(p, a);
	case OPT_CLIENTS:
		return parse_clients(p, a);
	default:
		return parse_phase_time(p, opt, a);
	}
}

/* What is sent: --arrivals, --seed, --mix, --class, --format, --service. */
static int parse_traffic_option(struct parse_ctx *p, int opt, const char *a)
{
	static const char *const classes[] = { "short", "long" };
	struct lg_config *c = p->c;
	int i;

	switch (opt) {
	case OPT_ARRIVALS:
		if ((i = choice(a, bpfnic_arrivals_names, 2)) < 0)
			return fail(p, "'%s' is neither poisson nor constant", a);
		c->arrivals = (enum bpfnic_arrivals)i;
		return 0;
	case OPT_SEED:
		if (bpfnic_parse_u64(a, 0, UINT64_MAX, &c->seed))
			return fail(p, "'%s' is not an unsigned integer", a);
		return 0;
	case OPT_MIX:
		if (lg_parse_mix(a, c->mix))
			return fail(p, "'%s' is not short=W,long=W with integer weights, not both 0", a);
		p->mix = true;
		return 0;
	case OPT_CLASS:
		if ((i = choice(a, classes, 2)) < 0)
			return fail(p, "'%s' is neither short nor long", a);
		c->mix[0] = i == 0;
		c->mix[1] = i == 1;
		p->class = true;
		return 0;
	case OPT_FORMAT:
		if ((i = choice(a, bpfnic_format_names, 2)) < 0)
			return fail(p, "'%s' is neither paper nor ext", a);
		c->format = (enum bpfnic_format)i;
		return 0;
	default: /* OPT_SERVICE */
		if (lg_parse_service(a, c->service_ns))
			return fail(p, "'%s' is not short=TIME,long=TIME with times up to %llums, "
				    "e.g. short=6us,long=60us", a, BPFNIC_MAX_SERVICE_NS / 1000000);
		p->service = true;
		return 0;
	}
}

/* How the clients send: --threads, --cpus, --flows, --batch, --spin. */
static int parse_client_option(struct parse_ctx *p, int opt, const char *a)
{
	struct lg_config *c = p->c;
	int r;

	switch (opt) {
	case OPT_THREADS:
		p->threads = true;
		return parse_count(p, a, LG_MAX_THREADS, &c->threads);
	case OPT_FLOWS:
		return parse_count(p, a, LG_MAX_FLOWS, &c->flows);
	case OPT_BATCH:
		return parse_count(p, a, LG_MAX_BATCH, &c->batch);
	case OPT_CPUS:
		r = bpfnic_cpulist_parse(a, c->cpus, LG_MAX_THREADS, cpu_limit());
		if (r < 0)
			return fail(p, "'%s' is not a list of distinct CPUs below %u such as 0,1 or "
				    "0-3%s", a, cpu_limit(), r == -E2BIG ? " (too many CPUs)" : "");
		c->n_cpus = (unsigned)r;
		return 0;
	default: /* OPT_SPIN */
		if (bpfnic_parse_duration_ns(a, &c->spin_ns) || c->spin_ns > 10000000)
			return fail(p, "'%s' is not a time from 0 to 10ms", a);
		return 0;
	}
}

/* What is written: --csv, --json, --plot; --calibrate and --quiet. */
static int parse_output_option(struct parse_ctx *p, int opt, const char *a)
{
	struct lg_config *c = p->c;

	if (opt == OPT_CALIBRATE) {
		c->calibrate = true;
		return 0;
	}
	if (opt == OPT_QUIET) {
		c->quiet = true;
		return 0;
	}
	if (!*a)
		return fail(p, "empty file name");
	if (opt == OPT_CSV)
		c->csv_path = a;
	else if (opt == OPT_JSON)
		c->json_path = a;
	else
		c->plot_path = a;
	return 0;
}

/* getopt_long's ':' (a value missing) or '?' (an unknown option). */
static int getopt_error(struct parse_ctx *p, int opt, char **argv)
{
	p->flag = NULL;
	if (opt == ':') {
		/* For a long option optopt is its id: name it by its long name. */
		if (optopt >= OPT_TARGET)
			return fail(p, "option '--%s' needs a value", opt_name(optopt));
		return fail(p, "option '%s' needs a value", argv[optind - 1]);
	}
	if (optopt > 0 && optopt < 256)
		return fail(p, "unknown option '-%c' (see --help)", optopt);
	return fail(p, "unknown option '%s' (see --help)", argv[optind - 1]);
}

/* What the options say together; sets the load mode. */
static int check_combination(struct parse_ctx *p)
{
	struct lg_config *c = p->c;
	unsigned max_clients;

	p->flag = NULL;
	if (!p->target)
		return fail(p, "--target: missing (e.g. --target 198.18.0.1:7777)");
	if (p->service && c->format != BPFNIC_FORMAT_EXT)
		return fail(p, "--service: needs --format ext (the paper's request has no field "
			    "for it)");
	if (p->mix && p->class)
		return fail(p, "--class: cannot be combined with --mix");
	if (p->sweep && p->clients)
		return fail(p, "--clients: cannot be combined with --sweep");
	if (p->sweep && c->rate_set)
		return fail(p, "--rate: cannot be combined with --sweep (give one load: --rate, "
			    "--sweep or --clients)");
	if (p->clients && p->threads)
		return fail(p, "--threads: cannot be combined with --clients (the step sets the "
			    "client count)");
	if (c->calibrate && (p->sweep || p->clients || c->rate_set || p->threads))
		return fail(p, "--calibrate: finds its own rates with one thread; drop "
			    "--rate/--sweep/--clients/--threads");
	c->mode = p->sweep ? LG_LOAD_SWEEP : p->clients ? LG_LOAD_CLIENTS : LG_LOAD_RATE;
	max_clients = p->clients ? c->clients_stop : c->threads;
	if (c->flows && c->flows < max_clients)
		return fail(p, "--flows: %u is fewer than the %u client threads", c->flows,
			    max_clients);
	return LG_PARSE_RUN;
}

int lg_parse_args(int argc, char **argv, struct lg_config *c, char *err, size_t errlen)
{
	struct parse_ctx p = { .c = c, .err = err, .errlen = errlen };
	int opt, r;

	lg_config_defaults(c);
	optind = 0; /* full re-initialisation (glibc), so the parser can run twice */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", lg_long_options, NULL)) != -1) {
		p.flag = opt_name(opt);
		switch (opt) {
		case OPT_TARGET: case OPT_RATE: case OPT_SWEEP: case OPT_CLIENTS:
		case OPT_DURATION: case OPT_WARMUP: case OPT_DRAIN:
			r = parse_load_option(&p, opt, optarg);
			break;
		case OPT_ARRIVALS: case OPT_SEED: case OPT_MIX: case OPT_CLASS: case OPT_FORMAT:
		case OPT_SERVICE:
			r = parse_traffic_option(&p, opt, optarg);
			break;
		case OPT_THREADS: case OPT_CPUS: case OPT_FLOWS: case OPT_BATCH: case OPT_SPIN:
			r = parse_client_option(&p, opt, optarg);
			break;
		case OPT_CSV: case OPT_JSON: case OPT_PLOT: case OPT_CALIBRATE: case OPT_QUIET:
			r = parse_output_option(&p, opt, optarg);
			break;
		case 'h':
		case OPT_HELP:
			return LG_PARSE_HELP;
		case OPT_VERSION:
			return LG_PARSE_VERSION;
		default:
			return getopt_error(&p, opt, argv);
		}
		if (r < 0)
			return r;
	}
	p.flag = NULL;
	if (optind < argc)
		return fail(&p, "unexpected argument '%s' (see --help)", argv[optind]);
	return check_combination(&p);
}

unsigned lg_config_steps(const struct lg_config *c)
{
	switch (c->mode) {
	case LG_LOAD_SWEEP:
		return (unsigned)floor((c->sweep_stop - c->sweep_start) / c->sweep_step + 1e-9) + 1;
	case LG_LOAD_CLIENTS:
		return c->clients_stop - c->clients_start + 1;
	default:
		return 1;
	}
}

void lg_config_step(const struct lg_config *c, unsigned i, unsigned *clients, double *rate_total)
{
	switch (c->mode) {
	case LG_LOAD_SWEEP:
		*clients = c->threads;
		*rate_total = c->sweep_start + c->sweep_step * i;
		break;
	case LG_LOAD_CLIENTS:
		*clients = c->clients_start + i;
		*rate_total = c->rate * *clients;
		break;
	default:
		*clients = c->threads;
		*rate_total = c->rate;
	}
}

int lg_parse_merge_args(int argc, char **argv, struct lg_merge_args *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **path = !strcmp(a, "--json") ? &m->json_path :
				    !strcmp(a, "--csv") ? &m->csv_path : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return LG_PARSE_HELP;
		if (!strcmp(a, "--quiet")) {
			m->quiet = true;
		} else if (path) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				snprintf(err, errlen, "merge: %s needs a file name", a);
				return -EINVAL;
			}
			*path = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			snprintf(err, errlen, "merge: unknown option '%s' (see --help)", a);
			return -EINVAL;
		} else if (m->n == LG_MAX_MERGE) {
			snprintf(err, errlen, "merge: more than %u runs", LG_MAX_MERGE);
			return -EINVAL;
		} else {
			m->inputs[m->n++] = a;
		}
	}
	if (m->n == 0) {
		snprintf(err, errlen, "merge: no run to merge (bpfnic-loadgen merge A.json B.json ...)");
		return -EINVAL;
	}
	return LG_PARSE_RUN;
}
