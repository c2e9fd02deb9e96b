/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control socket's way in: varlink framing (lib/varlink.c: the input buffer, the
 * NUL delimiters, the size limit), parsing and validation of each message, the method
 * table's dispatch and checks against the interface description (daemon/methods.c),
 * and the handlers, SetPolicy's parameters (lib/params.c) and Reload included. It all
 * runs as bpfnicd runs it, through bpfnicd_control_answer(), on a daemon made for the
 * test: its own config, the in-memory data path of the unit tests, a statistics
 * window with traffic in it, a short history of windows for GetStats' since_usec, and
 * the worker threads' module (GetStatus, Reload's WorkerScheduling=).
 *
 * Input: byte 0 picks the caller (bit 0: admin, as root; else a reader) and how the
 * stream is cut into reads (bits 1-7: 1 to 128 bytes per read); the rest is the byte
 * stream a client sends. Properties: every message gets exactly the reply varlink
 * asks for (none when oneway), and every reply or error is what the interface
 * description declares for it; a message over the limit ends the stream.
 */
#include <errno.h>
#include <unistd.h>

#include "fuzz.h"
#include "idl.h"
#include "protocol.h"
#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/history.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "daemon/nic.h"
#include "tests/unit/fake_datapath.h"
#include "tests/unit/methods_daemon.h"

/* What Reload reads: written once, valid on any machine (CPU 0 exists). */
static char conf_path[] = "/tmp/bpfnic-fuzz-control.XXXXXX";
static const char conf_text[] = "[Daemon]\nInterface=fz0\nCpus=0\nAdminGroup=wheel\n";
static struct bpfnic_idl *idl[2]; /* io.bpfnic, org.varlink.service */
#define MAX_CALLS 16 /* answered per input */

static void remove_conf(void)
{
	unlink(conf_path);
}

/* The daemon's configuration, and its statistics: one window read at start, shared
 * (the methods only read them). */
static struct bpfnicd_config cfg;
static struct bpfnicd_sampler *sampler;
static struct bpfnicd_nic *nic;
static const struct bpfnic_dp_info info = { .ifindex = 7, .mode = BPFNIC_XDP_NATIVE,
					    .requested = BPFNIC_XDP_AUTO };

static void load_daemon_config(void)
{
	static const char text[] = "[Daemon]\nInterface=fz0\nCpus=0-3\nAdminGroup=wheel\n"
				   "[Policy]\nPolicy=dynamic\n";
	struct bpfnic_cpuset cpus = { 0 };
	struct bpfnicd_config_errors errs;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	for (unsigned c = 0; c < 4; c++)
		cpus.has[c] = true;
	if (!f || bpfnicd_config_parse(f, "fuzz.conf", &cpus, &cpus, &cfg, &errs) < 0)
		abort();
	fclose(f);
}

static void free_shared(void)
{
	bpfnicd_sampler_free(sampler);
	bpfnicd_nic_free(nic);
}

static void start_sampler(void)
{
	struct bpfnic_dp_opts opts = { 0 };
	struct bpfnicd_policy *p = bpfnicd_policy_new(&cfg, 0, NULL); /* no history kept */

	if (!p)
		abort();
	bpfnicd_policy_dp_opts(p, &opts);
	fake_dp_open(&opts);
	bpfnicd_policy_free(p);
	fake_dp.served[1] = 1000;
	if (bpfnicd_sampler_new(FAKE_DP, &cfg.cpus, -1, 0, &sampler) < 0 ||
	    bpfnicd_sampler_tick(sampler, 200000) < 0)
		abort();
}

/* The interface, as read at start: a NIC with an IRQ on a worker CPU (a warning). */
static void start_nic(void)
{
	struct bpfnic_netdev nd = { .ifindex = 7, .driver = "ixgbe", .mtu = 1500, .rx_queues = 4,
				    .tx_queues = 4, .xdp_features_known = true,
				    .xdp_features = BPFNIC_XDP_ACT_BASIC | BPFNIC_XDP_ACT_REDIRECT |
						    BPFNIC_XDP_ACT_NDO_XMIT,
				    .hw_device = true, .n_irqs = 1, .irq_cpu = { [3] = true } };

	nic = bpfnicd_nic_new("fz0", &nd, &cfg.cpus, &info);
	if (!nic)
		abort();
}

/* What a call can change, fresh per input as bpfnicd starts: a finding replays alone. */
struct daemon {
	struct methods_daemon core; /* the running config, policy, worker threads, methods */
	struct bpfnicd_history *history;
};

/* A small history, so that GetStats' since_usec meets full rings and budgets: windows
 * at 1 s steps from HISTORY_T0 (any since_usec before, inside or after them). */
#define HISTORY_WINDOWS 6
#define HISTORY_CHANGES 4
#define HISTORY_T0 1000000000000000ull

static void fill_history(struct daemon *d)
{
	const int group[4] = { BPFNIC_GROUP_MAIN, BPFNIC_GROUP_MAIN, -1, -1 };
	const struct bpfnicd_window *w = bpfnicd_sampler_window(sampler);

	for (unsigned i = 0; i < HISTORY_WINDOWS + 2; i++)
		bpfnicd_history_add_window(d->history, HISTORY_T0 + i * 1000000ull, w,
					   BPFNIC_POLICY_DYNAMIC, group);
}

static void daemon_start(struct daemon *d)
{
	struct bpfnic_dp_opts opts = { 0 };
	struct bpfnicd_policy *policy;

	if (bpfnicd_history_new(&cfg.cpus, HISTORY_WINDOWS, HISTORY_CHANGES, &d->history) < 0)
		abort();
	fill_history(d);
	policy = bpfnicd_policy_new(&cfg, 0, d->history);
	if (!policy)
		abort();
	bpfnicd_policy_dp_opts(policy, &opts);
	fake_dp_open(&opts);
	fake_dp.served[1] = 1000;
	bpfnicd_policy_attach(policy, FAKE_DP);
	if (methods_daemon_start(&d->core, conf_path, &cfg, policy,
				 (struct bpfnicd_methods_deps){ .sampler = sampler,
								.history = d->history,
								.info = info, .nic = nic }) < 0)
		abort();
}

static void daemon_stop(struct daemon *d)
{
	methods_daemon_stop(&d->core);
	bpfnicd_history_free(d->history);
}

/* The IDL a qualified name ("io.bpfnic.GetStatus") belongs to, and its short name. */
static const struct bpfnic_idl *idl_of(const char *qualified, const char **short_name)
{
	const char *dot = strrchr(qualified, '.');

	for (unsigned i = 0; dot && i < 2; i++) {
		const char *iface = bpfnic_idl_name(idl[i]);

		if (strlen(iface) == (size_t)(dot - qualified) &&
		    !strncmp(qualified, iface, strlen(iface))) {
			*short_name = dot + 1;
			return idl[i];
		}
	}
	return NULL;
}

/* The message as a call, if it is one: the method the reply must match. */
static const char *method_of(const char *msg, size_t len, struct json_object **obj, bool *oneway)
{
	struct bpfnic_vl_call call;
	const char *why;

	*obj = NULL;
	*oneway = false;
	if (bpfnic_vl_parse(msg, len, obj) < 0 || bpfnic_vl_call_from_json(*obj, &call, &why) < 0)
		return NULL;
	*oneway = call.oneway;
	return call.method;
}

/* The reply is what varlink and the interface description say it must be. */
static void check_reply(struct json_object *reply, const char *method)
{
	const struct bpfnic_idl *where;
	struct bpfnic_vl_reply r;
	const char *why, *name, *member;
	char reason[300];
	char *text;
	size_t len;
	int s;

	FUZZ_ASSERT(bpfnic_vl_reply_from_json(reply, &r, &why) == 0);
	where = idl_of(r.error ? r.error : method, &name);
	/* An error is declared by its interface; a reply, by the method called. */
	FUZZ_ASSERT(where != NULL);
	if (bpfnic_idl_check(where, r.error ? BPFNIC_IDL_ERROR : BPFNIC_IDL_OUT, name,
			     r.parameters, &member, reason, sizeof(reason)) != 0) {
		fprintf(stderr, "reply to %s not as declared: %s\n%s\n", method ? method : "?",
			reason, json_object_to_json_string(reply));
		abort();
	}
	/* It goes out: it serializes, or the socket's own size error replaces it. */
	s = bpfnic_vl_serialize(reply, &text, &len);
	FUZZ_ASSERT(s == 0 || s == -EMSGSIZE);
	if (s == 0) {
		FUZZ_ASSERT(len > 0 && text[len - 1] == '\0' && strlen(text) == len - 1);
		free(text);
	}
}

static void answer(struct daemon *d, const struct bpfnicd_caller *who, const char *msg, size_t len)
{
	struct json_object *reply, *obj;
	bool monitor, oneway;
	const char *method = method_of(msg, len, &obj, &oneway);

	reply = bpfnicd_control_answer(msg, len, who, bpfnicd_methods_dispatch, d->core.methods, &monitor);
	FUZZ_ASSERT((reply == NULL) == oneway);
	if (reply)
		check_reply(reply, method);
	/* A subscriber gets Monitor's samples, each what GetStats replies. */
	if (monitor) {
		struct json_object *sample = bpfnicd_methods_monitor_sample(d->core.methods);
		struct json_object *wrapped = bpfnic_vl_reply_new(sample, true);

		check_reply(wrapped, "io.bpfnic.Monitor");
		json_object_put(wrapped);
	}
	json_object_put(reply);
	json_object_put(obj);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[200];
	int fd = mkstemp(conf_path);

	(void)argc, (void)argv;
	if (fd < 0 || write(fd, conf_text, sizeof(conf_text) - 1) != (ssize_t)sizeof(conf_text) - 1)
		abort();
	close(fd);
	atexit(remove_conf);
	bpfnicd_log_open(BPFNICD_LOG_STDERR, LOG_CRIT);
	if (bpfnic_idl_parse(bpfnic_idl_io_bpfnic, &idl[0], err, sizeof(err)) < 0 ||
	    bpfnic_idl_parse(bpfnic_idl_varlink_service, &idl[1], err, sizeof(err)) < 0)
		abort();
	load_daemon_config();
	start_sampler();
	start_nic();
	atexit(free_shared);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfnic_vl_input in = BPFNIC_VL_INPUT_INIT;
	struct bpfnicd_caller who = { .pid = 42 };
	struct daemon d = { 0 };
	size_t chunk, off;
	unsigned calls = 0;
	bool broken = false;

	if (size < 1)
		return 0;
	who.admin = data[0] & 1;
	who.uid = who.admin ? 0 : 1000;
	chunk = (size_t)(data[0] >> 1) + 1;
	daemon_start(&d);
	for (off = 1; off < size && !broken; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		int r = bpfnic_vl_input_feed(&in, data + off, n);
		const char *msg;
		size_t len;
		int got;

		FUZZ_ASSERT(r == 0 || r == -EMSGSIZE);
		while ((got = bpfnic_vl_input_next(&in, &msg, &len)) == 1) {
			FUZZ_ASSERT(len + 1 <= BPFNIC_MAX_MESSAGE && memchr(msg, '\0', len) == NULL &&
				    msg[len] == '\0');
			/* Past a few calls an input only repeats itself, slowly: frame the
			 * rest, answer none of it. */
			if (++calls <= MAX_CALLS)
				answer(&d, &who, msg, len);
		}
		FUZZ_ASSERT(got == 0 || got == -EMSGSIZE);
		/* The socket closes a stream that broke the limit: nothing more is read. */
		broken = r == -EMSGSIZE || got == -EMSGSIZE;
		if (broken)
			FUZZ_ASSERT(bpfnic_vl_input_pending(&in) > BPFNIC_MAX_MESSAGE - 1 ||
				    got == -EMSGSIZE);
	}
	bpfnic_vl_input_free(&in);
	daemon_stop(&d);
	return 0;
}
