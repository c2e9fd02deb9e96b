// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfnicctl: steer bpfnicd over its control socket.
 *
 * Exit codes, for scripts: 0 ok, 1 the daemon refused (its error name and reason on
 * stderr), 2 usage (one line naming the bad argument), 3 the daemon cannot be reached
 * (no socket, no reply within --timeout, connection closed, unreadable reply).
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bpfnic.h"
#include "ctl/args.h"
#include "vlclient.h"
#include "ctl/format.h"
#include "ctl/since.h"
#include "protocol.h"
#include "clock.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static const char *const help_main =
	"usage: bpfnicctl [--socket PATH] [--json] [--timeout MS] COMMAND [OPTIONS]\n"
	"\n"
	"Steer bpfnicd, the eBPF receive-side-scaling daemon, over its control socket.\n"
	"\n"
	"commands:\n"
	"  status                 policy, core groups, traffic totals, drops, last changes\n"
	"  stats                  per-worker-CPU rates and queuing delay (--watch to follow,\n"
	"                         --since TIME for the history)\n"
	"  policy POLICY [OPTIONS]  switch the scheduling policy live (bpfnicctl help policy)\n"
	"  reload                 make bpfnicd re-read its configuration file\n"
	"  version                client and daemon versions\n"
	"  help [COMMAND]         this text, or a command's\n"
	"\n"
	"global options (anywhere on the line):\n"
	"  --socket PATH          control socket (default $BPFNIC_SOCKET, else " BPFNIC_DEFAULT_SOCKET ")\n"
	"  --json                 print the daemon's reply parameters verbatim, one line (for jq)\n"
	"  --timeout MS           give up on a daemon that does not answer (default 5000)\n"
	"  --version              print bpfnicctl's own version and exit\n"
	"  -h, --help             help (after a command: that command's help)\n"
	"\n"
	"exit status: 0 ok, 1 the daemon refused (error on stderr), 2 usage error,\n"
	"             3 the daemon cannot be reached\n";

static const char *const help_status =
	"usage: bpfnicctl [--json] status\n"
	"\n"
	"Show the interface (XDP mode, addresses, driver, MTU, queues, XDP features, the CPUs\n"
	"of its RX interrupts), the active policy and its parameters, the workload, the core\n"
	"groups, incoming vs outgoing requests/s over the last statistics window, totals,\n"
	"drops by cause, warnings, and the last 16 changes: grow, shrink, policy\n"
	"(io.bpfnic.GetStatus; all of them: stats --since).\n"
	"Anyone the socket admits may read it.\n";

static const char *const help_stats =
	"usage: bpfnicctl [--json] stats [--watch [--interval MS]] [--count N]\n"
	"       bpfnicctl [--json] stats --since TIME\n"
	"\n"
	"The CPUs the scheduler ran on; per worker CPU: group, requests/s, queuing delay\n"
	"avg/p50/p99/max (µs), service time, cpumap kernel-thread utilisation, requests handed\n"
	"and processed, replies the interface dropped (io.bpfnic.GetStats).\n"
	"\n"
	"  --watch          follow: one table per interval (io.bpfnic.Monitor) until\n"
	"                   interrupted (Ctrl-C) or the reader goes away\n"
	"  --interval MS    show at most one table per MS (default: every sample; the\n"
	"                   daemon sends one per statistics interval, [Dynamic] IntervalMs=)\n"
	"  --count N        stop after N tables (implies --watch)\n"
	"  --since TIME     also the daemon's history after TIME: one line per statistics\n"
	"                   window (end time, policy, group sizes, in/out requests/s, queuing\n"
	"                   delay p50/p99), then every grow, shrink and policy change. TIME\n"
	"                   is a Unix time in seconds (1764160000.25) or -DURATION back from\n"
	"                   now (-60s, -500ms; ns, us, ms, s). The daemon keeps [Daemon]\n"
	"                   HistoryWindows= windows and HistoryChanges= changes; older ones\n"
	"                   are gone (\"truncated\": true)\n"
	"With --json every table is one JSON object on its own line; with --since, the\n"
	"daemon's replies (as many as the span takes) joined into one object.\n";

static const char *const help_reload =
	"usage: bpfnicctl reload\n"
	"\n"
	"Make bpfnicd re-read and validate its whole configuration file (like SIGHUP). On any\n"
	"error the running configuration stays and the reason is printed (exit 1). Keys\n"
	"that only a restart applies (Interface=, XdpMode=) are listed. Needs root or the\n"
	"daemon's AdminGroup.\n";

static const char *const help_version =
	"usage: bpfnicctl [--json] version\n"
	"\n"
	"Print bpfnicctl's version and the running daemon's (io.bpfnic.GetInfo): version,\n"
	"pid, interface, XDP mode, port, candidate CPUs. With --json, the daemon's reply.\n"
	"bpfnicctl --version prints the client's version without contacting the daemon.\n";

static const char *const help_help = "usage: bpfnicctl help [COMMAND]\n";

static const char *help_text(enum ctl_command topic)
{
	switch (topic) {
	case CTL_CMD_STATUS: return help_status;
	case CTL_CMD_STATS: return help_stats;
	case CTL_CMD_RELOAD: return help_reload;
	case CTL_CMD_VERSION: return help_version;
	case CTL_CMD_HELP: return help_help;
	case CTL_CMD_POLICY: /* from the table: ctl_print_policy_help() */
	case CTL_CMD_NONE: break;
	}
	return help_main;
}

/* Set by SIGINT/SIGTERM during --watch; the handler also shuts the socket down so that
 * a blocked receive returns at once. */
static volatile sig_atomic_t interrupted;
static int watch_fd = -1;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
	if (watch_fd >= 0)
		shutdown(watch_fd, SHUT_RDWR);
}

static int unreachable(const struct ctl_args *a, const char *what, int err)
{
	if (err == -ETIMEDOUT)
		fprintf(stderr, "bpfnicctl: bpfnicd at %s did not answer within %u ms (%s)\n",
			a->socket_path, a->timeout_ms, what);
	else if (err == -ECONNRESET || err == -EPIPE)
		fprintf(stderr, "bpfnicctl: bpfnicd at %s closed the connection (%s)\n",
			a->socket_path, what);
	else if (err == -EBADMSG || err == -EILSEQ || err == -ELOOP || err == -EMSGSIZE)
		fprintf(stderr, "bpfnicctl: unreadable reply from bpfnicd at %s (%s): %s\n",
			a->socket_path, what, bpfnic_vl_strerror(err));
	else
		fprintf(stderr, "bpfnicctl: cannot reach bpfnicd at %s (%s): %s\n", a->socket_path,
			what, strerror(-err));
	return EXIT_UNREACHABLE;
}

static int refused(const struct bpfnic_vl_reply *r)
{
	struct json_object *reason = NULL, *param = NULL;
	const char *why = NULL;

	if (json_object_object_get_ex(r->parameters, "reason", &reason) &&
	    json_object_is_type(reason, json_type_string))
		why = json_object_get_string(reason);
	if (json_object_object_get_ex(r->parameters, "parameter", &param) &&
	    json_object_is_type(param, json_type_string))
		fprintf(stderr, "bpfnicctl: bpfnicd refused: %s: %s: %s\n", r->error,
			json_object_get_string(param), why ? why : "(no reason given)");
	else if (why)
		fprintf(stderr, "bpfnicctl: bpfnicd refused: %s: %s\n", r->error, why);
	else
		fprintf(stderr, "bpfnicctl: bpfnicd refused: %s %s\n", r->error,
			json_object_to_json_string_ext(r->parameters, JSON_C_TO_STRING_PLAIN));
	return EXIT_REFUSED;
}

/* Write stdout's buffer; a reader that went away (EPIPE) ends output quietly. */
static int flush_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	return errno == EPIPE ? -EPIPE : -EIO;
}

static int print_json(struct json_object *params)
{
	puts(json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	return flush_stdout();
}

static int output_failed(int err)
{
	if (err == -EPIPE)
		return EXIT_OK; /* e.g. "bpfnicctl stats --watch | head" */
	fprintf(stderr, "bpfnicctl: cannot write the output: %s\n", strerror(-err));
	return EXIT_REFUSED;
}

/* One request, one reply: status, stats, policy, reload, version. */
static int run_simple(const struct ctl_args *a, struct bpfnic_vl_client *c, const char *method,
		      struct json_object *params, int (*print)(FILE *, struct json_object *))
{
	struct json_object *msg;
	struct bpfnic_vl_reply reply;
	int r = bpfnic_vl_client_call(c, method, params, false, a->timeout_ms, &msg, &reply);

	if (r < 0)
		return unreachable(a, method, r);
	if (reply.error) {
		r = refused(&reply);
	} else if (a->json) {
		r = print_json(reply.parameters);
		r = r ? output_failed(r) : EXIT_OK;
	} else {
		r = print(stdout, reply.parameters);
		if (!r)
			r = flush_stdout();
		r = r ? output_failed(r) : EXIT_OK;
	}
	json_object_put(msg);
	return r;
}

/* The daemon's statistics interval (Monitor's pace), from GetStatus; 0 if unknown. */
static unsigned daemon_interval_ms(const struct ctl_args *a, struct bpfnic_vl_client *c)
{
	struct json_object *msg, *policy, *iv;
	struct bpfnic_vl_reply reply;
	unsigned ms = 0;

	if (bpfnic_vl_client_call(c, BPFNIC_M_GET_STATUS, NULL, false, a->timeout_ms, &msg, &reply) < 0)
		return 0;
	if (!reply.error && json_object_object_get_ex(reply.parameters, "policy", &policy) &&
	    json_object_object_get_ex(policy, "interval_ms", &iv) &&
	    json_object_is_type(iv, json_type_int) && json_object_get_int64(iv) > 0 &&
	    json_object_get_int64(iv) <= 3600000)
		ms = (unsigned)json_object_get_int64(iv);
	json_object_put(msg);
	return ms;
}

/*
 * stats --watch: io.bpfnic.Monitor streams one statistics object per statistics
 * interval; --interval MS shows at most one of them per MS (the daemon sets the pace,
 * the window of each sample is its statistics interval).
 */
static int run_watch(const struct ctl_args *a, struct bpfnic_vl_client *c)
{
	struct sigaction sa = { .sa_handler = on_interrupt }; /* no SA_RESTART */
	struct json_object *msg = NULL;
	struct bpfnic_vl_reply reply;
	unsigned long long shown = 0;
	unsigned pace = daemon_interval_ms(a, c);
	/* Samples arrive every statistics interval: wait for one plus the usual timeout. */
	unsigned wait_ms = a->timeout_ms + (pace ? pace : 60000u);
	bool clear = !a->json && isatty(STDOUT_FILENO);
	long long last_shown = 0;
	int r;

	watch_fd = c->fd;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	r = bpfnic_vl_client_call(c, BPFNIC_M_MONITOR, NULL, true, wait_ms, &msg, &reply);
	for (;;) {
		long long now = (long long)bpfnic_mono_ms();

		if (interrupted) {
			r = EXIT_OK;
			break;
		}
		if (r < 0) {
			r = unreachable(a, BPFNIC_M_MONITOR, r);
			break;
		}
		if (reply.error) {
			r = refused(&reply);
			break;
		}
		if (!shown || !a->interval_ms.set ||
		    now - last_shown >= (long long)a->interval_ms.value) {
			if (a->json) {
				r = print_json(reply.parameters);
			} else {
				if (clear)
					fputs("\033[H\033[2J", stdout);
				else if (shown)
					fputc('\n', stdout);
				r = ctl_print_stats(stdout, reply.parameters);
				if (!r)
					r = flush_stdout();
			}
			if (r) {
				r = output_failed(r);
				break;
			}
			shown++;
			last_shown = now;
		}
		if ((a->count.set && shown >= a->count.value) || !reply.continues) {
			r = EXIT_OK;
			break;
		}
		json_object_put(msg);
		msg = NULL;
		r = bpfnic_vl_client_next(c, wait_ms, &msg, &reply);
	}
	json_object_put(msg);
	watch_fd = -1;
	return r;
}

/* The most pages a span may take: far more than the largest history needs. */
#define SINCE_MAX_PAGES 100000u

/*
 * stats --since: GetStats with since_usec, page after page (each reply is one
 * message; next_since_usec says where the next starts), joined into one reply.
 */
static int run_since(const struct ctl_args *a, struct bpfnic_vl_client *c)
{
	uint64_t now = bpfnic_realtime_usec(), since;
	struct json_object *acc = NULL;
	int r = -1;

	since = !a->since.relative ? a->since.usec : a->since.usec < now ? now - a->since.usec : 0;
	for (unsigned page = 0; page < SINCE_MAX_PAGES; page++) {
		struct json_object *msg, *params = json_object_new_object();
		struct bpfnic_vl_reply reply;
		uint64_t next;
		int e;

		json_object_object_add(params, "since_usec", json_object_new_int64((int64_t)since));
		e = bpfnic_vl_client_call(c, BPFNIC_M_GET_STATS, params, false, a->timeout_ms, &msg, &reply);
		if (e < 0) {
			r = unreachable(a, BPFNIC_M_GET_STATS, e);
			break;
		}
		if (reply.error) {
			r = refused(&reply);
			json_object_put(msg);
			break;
		}
		e = ctl_since_add_page(&acc, reply.parameters, since, &next);
		json_object_put(msg);
		if (e < 0) {
			r = unreachable(a, BPFNIC_M_GET_STATS, e);
			break;
		}
		if (!next) {
			e = a->json ? print_json(acc) : ctl_print_since(stdout, acc);
			if (!e && !a->json)
				e = flush_stdout();
			r = e ? output_failed(e) : EXIT_OK;
			break;
		}
		since = next;
	}
	if (r < 0) {
		fprintf(stderr, "bpfnicctl: bpfnicd at %s sent more than %u pages of history\n",
			a->socket_path, SINCE_MAX_PAGES);
		r = EXIT_UNREACHABLE;
	}
	json_object_put(acc);
	return r;
}

static int print_daemon_version(FILE *out, struct json_object *info)
{
	return ctl_print_version(out, NULL, info);
}

/* The client's own version first, so it shows even when the daemon does not answer. */
static int run_version(const struct ctl_args *a, struct bpfnic_vl_client *c)
{
	if (!a->json) {
		printf("bpfnicctl %s\n", BPFNIC_VERSION);
		if (flush_stdout())
			return EXIT_OK;
	}
	return run_simple(a, c, BPFNIC_M_GET_INFO, NULL, print_daemon_version);
}

int main(int argc, char **argv)
{
	struct bpfnic_vl_client client;
	struct ctl_args a;
	char err[256];
	int r;

	/* A closed stdout or socket is an error return, never a silent death. */
	signal(SIGPIPE, SIG_IGN);

	if (ctl_parse_args(argc, argv, getenv("BPFNIC_SOCKET"), &a, err, sizeof(err))) {
		fprintf(stderr, "bpfnicctl: %s\n", err);
		return EXIT_USAGE;
	}
	if (a.client_version_only) {
		printf("bpfnicctl %s\n", BPFNIC_VERSION);
		return flush_stdout() == -EIO ? EXIT_REFUSED : EXIT_OK;
	}
	if (a.cmd == CTL_CMD_HELP) {
		if (a.help_topic == CTL_CMD_POLICY)
			ctl_print_policy_help(stdout);
		else
			fputs(help_text(a.help_topic), stdout);
		return flush_stdout() == -EIO ? EXIT_REFUSED : EXIT_OK;
	}

	r = bpfnic_vl_client_connect(&client, a.socket_path, a.timeout_ms);
	if (r < 0) {
		if (a.cmd == CTL_CMD_VERSION && !a.json)
			printf("bpfnicctl %s\n", BPFNIC_VERSION);
		fflush(stdout);
		return unreachable(&a, "connect", r);
	}

	switch (a.cmd) {
	case CTL_CMD_STATUS:
		r = run_simple(&a, &client, BPFNIC_M_GET_STATUS, NULL, ctl_print_status);
		break;
	case CTL_CMD_STATS:
		r = a.watch ? run_watch(&a, &client) : a.since.set ? run_since(&a, &client) :
			      run_simple(&a, &client, BPFNIC_M_GET_STATS, NULL, ctl_print_stats);
		break;
	case CTL_CMD_POLICY: {
		struct json_object *params = ctl_policy_params(&a);

		if (!params) {
			fprintf(stderr, "bpfnicctl: out of memory\n");
			r = EXIT_REFUSED;
			break;
		}
		r = run_simple(&a, &client, BPFNIC_M_SET_POLICY, params, ctl_print_policy_reply);
		break;
	}
	case CTL_CMD_RELOAD:
		r = run_simple(&a, &client, BPFNIC_M_RELOAD, NULL, ctl_print_reload_reply);
		break;
	case CTL_CMD_VERSION:
		r = run_version(&a, &client);
		break;
	default:
		r = EXIT_USAGE;
		break;
	}
	bpfnic_vl_client_close(&client);
	return r;
}
