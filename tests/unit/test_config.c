/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/config: good files, and every kind of bad file with its message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/support/unit.h"

#include "daemon/config.h"

static struct bpfnic_cpuset present, online;

static int setup(void **state)
{
	(void)state;
	/* A four-CPU machine whose CPU 2 is offline. */
	memset(&present, 0, sizeof(present));
	memset(&online, 0, sizeof(online));
	for (unsigned c = 0; c < 4; c++)
		present.has[c] = true;
	online.has[0] = online.has[1] = online.has[3] = true;
	return 0;
}

static int parse(const char *text, struct bpfnicd_config *c, struct bpfnicd_config_errors *e)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = bpfnicd_config_parse(f, "t.conf", &present, &online, c, e);
	fclose(f);
	return r;
}

/* The file must be refused with exactly one message, equal to want. */
static void expect_error(const char *text, const char *want)
{
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;

	assert_int_equal(parse(text, &c, &e), -EINVAL);
	if (e.n != 1 || strcmp(e.msg[0], want) != 0) {
		for (unsigned i = 0; i < e.n; i++)
			print_message("# got: %s\n", e.msg[i]);
		print_message("# want: %s\n", want);
		fail();
	}
}

struct bad_file {
	const char *text, *want;
};

static void test_minimal_file_gets_defaults(void **state)
{
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;
	(void)state;

	assert_int_equal(parse("[Daemon]\nInterface=vethA\n", &c, &e), 0);
	assert_string_equal(c.interface, "vethA");
	assert_int_equal(c.port, 7777);
	assert_int_equal(c.xdp_mode, BPFNIC_XDP_AUTO);
	assert_int_equal(c.cpus.n, 3); /* every online CPU */
	assert_int_equal(c.cpus.cpu[2], 3);
	assert_int_equal(c.queue_size, 4096);
	assert_string_equal(c.control_socket, BPFNIC_DEFAULT_SOCKET);
	assert_string_equal(c.socket_group, "bpfnic");
	assert_string_equal(c.admin_group, ""); /* root only */
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.short_us, 6);
	assert_int_equal(c.long_us, 60);
	assert_int_equal(c.policy.policy, BPFNIC_POLICY_RR);
	assert_int_equal(c.policy.threshold_us, 20);
	assert_int_equal(c.policy.shrink_below_us, 10);
	assert_int_equal(c.policy.min_cpus, 1);
	assert_int_equal(c.policy.max_cpus, 3);
	assert_int_equal(c.policy.metric, BPFNIC_METRIC_AVG);
}

static void test_full_file(void **state)
{
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;
	static const char text[] =
		"# full\n"
		"; also a comment\n"
		"\n"
		"[Daemon]\n"
		"Interface = lab-s\n"
		"Port=9000\n"
		"XdpMode=generic\n"
		"Cpus=0-1,3\n"
		"QueueSize=512\n"
		"ControlSocket=/tmp/x.sock\n"
		"SocketGroup=adm\n"
		"AdminGroup=wheel\n"
		"SocketMode=0666\n"
		"[Workload]\n"
		"ShortUs=10\n"
		"LongUs=100\n"
		"MaxUs=500\n"
		"[Policy]\n"
		"Policy=dynamic\n"
		"[Split]\n"
		"LongCpus=2\n"
		"[Dynamic]\n"
		"ThresholdUs=50\n"
		"Metric=p99\n"
		"MinCpus=2\n"
		"MaxCpus=3\n"
		"CooldownMs=0\n"
		"ShrinkBelowUs=0\n"
		"IntervalMs=10\n"
		"[Daemon]\n"      /* a section may come back */
		"Port=\n";        /* empty: the default again (and not a duplicate of nothing) */
	(void)state;

	/* Port= twice is a duplicate even when the second one is empty. */
	assert_int_equal(parse(text, &c, &e), -EINVAL);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "t.conf:31: Port=: set twice (first on line 6)");

	char fixed[sizeof(text)];
	strcpy(fixed, text);
	*strstr(fixed, "[Daemon]\nPort=\n") = '\0';
	assert_int_equal(parse(fixed, &c, &e), 0);
	assert_string_equal(c.interface, "lab-s");
	assert_int_equal(c.port, 9000);
	assert_int_equal(c.xdp_mode, BPFNIC_XDP_GENERIC);
	assert_int_equal(c.cpus.n, 3);
	assert_int_equal(c.queue_size, 512);
	assert_string_equal(c.control_socket, "/tmp/x.sock");
	assert_string_equal(c.socket_group, "adm");
	assert_string_equal(c.admin_group, "wheel");
	assert_int_equal(c.socket_mode, 0666);
	assert_int_equal(c.max_us, 500);
	assert_int_equal(c.policy.policy, BPFNIC_POLICY_DYNAMIC);
	assert_int_equal(c.policy.long_cpus, 2);
	assert_int_equal(c.policy.metric, BPFNIC_METRIC_P99);
	assert_int_equal(c.policy.min_cpus, 2);
	assert_int_equal(c.policy.max_cpus, 3);
	assert_int_equal(c.policy.cooldown_ms, 0);
	assert_int_equal(c.policy.shrink_below_us, 0);
	assert_false(c.policy.shrink_below_auto);
	assert_int_equal(c.policy.interval_ms, 10);
}

static void test_missing_interface(void **state)
{
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;
	(void)state;

	assert_int_equal(parse("[Daemon]\nPort=1\n", &c, &e), -EINVAL);
	assert_true(e.missing_interface);
	assert_string_equal(e.msg[0], "t.conf: no Interface= in [Daemon]: bpfnicd needs the "
			    "network interface to attach to");
	assert_int_equal(parse("", &c, &e), -EINVAL);
	assert_true(e.missing_interface);
}

#define D "[Daemon]\nInterface=eth9\n"

/* Each refused with exactly its message. */
static const struct bad_file bad_files[] = {
	/* one bad value each */
	{ D "Port=0\n", "t.conf:3: Port=0: must be an integer between 1 and 65535" },
	{ D "Port=70000\n", "t.conf:3: Port=70000: must be an integer between 1 and 65535" },
	{ D "Port=12ab\n", "t.conf:3: Port=12ab: must be an integer between 1 and 65535" },
	{ D "Port=-5\n", "t.conf:3: Port=-5: must be an integer between 1 and 65535" },
	{ D "Port=80 # web\n", "t.conf:3: Port=80 # web: must be an integer between 1 and 65535" },
	{ D "XdpMode=turbo\n", "t.conf:3: XdpMode=turbo: must be auto, native or generic" },
	{ D "Cpus=7\n", "t.conf:3: Cpus=7: CPU 7 does not exist" },
	{ D "Cpus=1-2\n", "t.conf:3: Cpus=1-2: CPU 2 is offline" },
	{ D "Cpus=1,x\n", "t.conf:3: Cpus=1,x: expected CPU numbers and ranges like 1-3,6 (each CPU once, at most 256)" },
	{ D "Cpus=0,300\n", "t.conf:3: Cpus=0,300: CPU 300 is beyond what bpfnic supports (CPUs 0-255)" },
	{ D "QueueSize=100000\n", "t.conf:3: QueueSize=100000: must be an integer between 1 and 16384" },
	{ D "ControlSocket=run/x\n", "t.conf:3: ControlSocket=run/x: must be an absolute path" },
	{ D "AdminGroup=Bad Group\n", "t.conf:3: AdminGroup=Bad Group: not a valid group name" },
	{ D "SocketGroup=Bad Group\n", "t.conf:3: SocketGroup=Bad Group: not a valid group name" },
	{ D "SocketMode=0777\n", "t.conf:3: SocketMode=0777: must be an octal mode like 0660 with read and write for the owner and no execute or special bits" },
	{ "[Daemon]\nInterface=a/b\n", "t.conf:2: Interface=a/b: not a valid interface name (1-15 characters, no '/', ':' or spaces)" },
	{ "[Daemon]\nInterface=abcdefghijklmnopq\n", "t.conf:2: Interface=abcdefghijklmnopq: not a valid interface name (1-15 characters, no '/', ':' or spaces)" },
	{ D "[Workload]\nShortUs=200000\n", "t.conf:4: ShortUs=200000: must be an integer between 0 and 10000" },
	{ D "[Policy]\nPolicy=fifo\n", "t.conf:4: Policy=fifo: must be rr, lwl, jsq, p2c, hash, split or dynamic" },
	{ D "[Dynamic]\nMetric=p50\n", "t.conf:4: Metric=p50: must be avg or p99" },
	{ D "[Dynamic]\nThresholdUs=0\n", "t.conf:4: ThresholdUs=0: must be an integer between 1 and 1000000" },
	{ D "[Dynamic]\nIntervalMs=5\n", "t.conf:4: IntervalMs=5: must be an integer between 10 and 60000" },
	{ D "[Dynamic]\nCooldownMs=1.5\n", "t.conf:4: CooldownMs=1.5: must be an integer between 0 and 3600000" },
	/* values right alone, wrong together */
	{ D "[Workload]\nLongUs=600\nMaxUs=500\n", "t.conf:5: MaxUs=500: must be at least ShortUs= (6) and LongUs= (600)" },
	{ D "[Dynamic]\nThresholdUs=20\nShrinkBelowUs=20\n", "t.conf:5: ShrinkBelowUs=: must be below threshold_us (20)" },
	{ D "[Dynamic]\nMaxCpus=4\n", "t.conf:4: MaxCpus=: must be between 1 and 3, the number of CPUs in Cpus=" },
	{ D "[Dynamic]\nMinCpus=3\nMaxCpus=2\n", "t.conf:4: MinCpus=: must be between 1 and max_cpus (2)" },
	{ D "Cpus=1\n[Policy]\nPolicy=split\n", "t.conf:5: Policy=: split needs at least two CPUs in Cpus=, there is 1" },
	{ D "Cpus=0-1\n[Split]\nLongCpus=2\n", "t.conf:5: LongCpus=: must be between 1 and 1 (Cpus= has 2 CPUs, one at least serves short requests) or auto" },
	{ D "[Split]\nLongCpus=256\n", "t.conf:4: LongCpus=256: must be an integer between 1 and 255 or auto" },
	/* not a key of its section, or not INI */
	{ D "Bogus=1\n", "t.conf:3: Bogus=: unknown key in [Daemon]" },
	{ D "port=1\n", "t.conf:3: port=: unknown key in [Daemon]" }, /* case matters */
	{ D "[Workload]\nPort=1\n", "t.conf:4: Port=: unknown key in [Workload]" },
	{ "Port=1\n" D, "t.conf:1: Port=: key outside of a section" },
	{ D "[Extra]\nA=1\nB=2\n", "t.conf:3: unknown section [Extra]" },
	{ D "[Daemon\n", "t.conf:3: malformed section header (expected [Section])" },
	{ D "just words\n", "t.conf:3: expected Key=Value, [Section] or a # comment" },
	{ D "=5\n", "t.conf:3: missing key name before '='" },
	{ D "Interface=eth1\n", "t.conf:3: Interface=: set twice (first on line 2)" },
	{ D "  Port=1\n  continued\n", "t.conf:4: expected Key=Value, [Section] or a # comment" },
};

static void test_bad_files(void **state)
{
	(void)state;
	for (unsigned i = 0; i < N_ELEMENTS(bad_files); i++)
		expect_error(bad_files[i].text, bad_files[i].want);
}

static void test_line_too_long(void **state)
{
	char longline[400] = D "ControlSocket=/";
	(void)state;

	memset(longline + strlen(longline), 'x', 250);
	strcat(longline, "\nPort=1\n");
	expect_error(longline, "t.conf:3: line longer than 197 characters");
}

static void test_all_errors_reported(void **state)
{
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;
	(void)state;

	assert_int_equal(parse("[Daemon]\nPort=0\nXdpMode=x\nFoo=1\n", &c, &e), -EINVAL);
	assert_int_equal(e.n, 4); /* three bad lines and no Interface= */
	assert_string_equal(e.msg[0], "t.conf:2: Port=0: must be an integer between 1 and 65535");
	assert_string_equal(e.msg[2], "t.conf:4: Foo=: unknown key in [Daemon]");
	assert_true(e.missing_interface);
}

static void test_restart_needed(void **state)
{
	struct bpfnicd_config a, b;
	struct bpfnicd_config_errors e;
	const char *names[8];
	(void)state;

	assert_int_equal(parse(D "Port=1\n", &a, &e), 0);
	assert_int_equal(parse("[Daemon]\nInterface=eth8\nXdpMode=native\nPort=2\n"
			       "[Policy]\nPolicy=dynamic\n", &b, &e), 0);
	assert_int_equal(bpfnicd_config_restart_needed(&a, &b, names, 8), 2);
	assert_string_equal(names[0], "Interface");
	assert_string_equal(names[1], "XdpMode");
	assert_int_equal(bpfnicd_config_restart_needed(&a, &a, names, 8), 0);
}

static void test_load_missing_file(void **state)
{
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;
	(void)state;

	assert_int_equal(bpfnicd_config_load("/nonexistent/bpfnicd.conf", &present, &online, &c, &e),
			 -ENOENT);
	assert_string_equal(e.msg[0], "/nonexistent/bpfnicd.conf: cannot open: No such file or directory");
}

/*
 * A machine with more possible CPUs than bpfnic supports (512): the sysfs lists name
 * them all, the ones beyond are simply never candidates, and the daemon still starts.
 */
static void test_many_cpus_machine(void **state)
{
	struct bpfnic_cpuset big_present, big_online;
	struct bpfnicd_config c;
	struct bpfnicd_config_errors e;
	char path[] = "/tmp/bpfnic-test-cpus.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0-511\n", 6), 6);
	close(fd);
	assert_int_equal(bpfnic_cpuset_read(path, &big_present), 0);
	assert_int_equal(bpfnic_cpuset_read(path, &big_online), 0);
	unlink(path);
	assert_true(big_present.has[0] && big_present.has[BPFNIC_MAX_CPUS - 1]);

	f = fmemopen((void *)D "Cpus=0-3\n", strlen(D "Cpus=0-3\n"), "r");
	assert_int_equal(bpfnicd_config_parse(f, "t.conf", &big_present, &big_online, &c, &e), 0);
	fclose(f);
	assert_int_equal(c.cpus.n, 4);
	/* Without Cpus=: every supported online CPU. */
	f = fmemopen((void *)D, strlen(D), "r");
	assert_int_equal(bpfnicd_config_parse(f, "t.conf", &big_present, &big_online, &c, &e), 0);
	fclose(f);
	assert_int_equal(c.cpus.n, BPFNIC_MAX_CPUS);
	assert_int_equal(bpfnic_cpuset_read("/nonexistent/online", &big_online), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_file_gets_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_missing_interface),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_restart_needed),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_many_cpus_machine),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
