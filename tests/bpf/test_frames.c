/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The frame fuzzer on the data path (tests/support/framefuzz.h): seeded random and
 * mutated frames (Ethernet, one to three VLAN tags, ARP, IPv4 with options and
 * fragments, IPv6 with extension headers, short, long, padded, noise), and
 * well-formed requests, tagged ones too, cut at every length, each through the
 * scheduler and the worker by BPF_PROG_TEST_RUN and held to the RFC-based verdict of
 * pkt_classify(). The same seed gives the same
 * frames: a failure names the seed and the frame's number, and prints the frame.
 * FRAMES_SEED and FRAMES_COUNT change them (the count is bounded: the BPF tier stays
 * a few seconds).
 */
#include <stdlib.h>
#include <stdio.h>

#include "tests/support/unit.h"
#include "tests/support/framefuzz.h"

static struct framefuzz FF;

static int group_setup(void **state)
{
	(void)state;
	return framefuzz_open(&FF) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	framefuzz_close(&FF);
	return 0;
}

static void dump(const uint8_t *f, size_t len)
{
	for (size_t i = 0; i < len; i++)
		print_message("%s%02x", i % 32 ? "" : "\n# ", f[i]);
	print_message("\n");
}

static unsigned long env_or(const char *name, unsigned long dflt, unsigned long max)
{
	const char *v = getenv(name);
	unsigned long x = v && *v ? strtoul(v, NULL, 0) : dflt;

	return x > max ? max : x;
}

static void test_random_frames(void **state)
{
	uint64_t seed = env_or("FRAMES_SEED", 15, ~0ul);
	unsigned long count = env_or("FRAMES_COUNT", 100000, 100000000);
	uint8_t frame[FRAMEFUZZ_MAX];
	struct bpfnic_rng rng;
	char why[300];
	(void)state;

	bpfnic_rng_seed(&rng, seed, 0);
	for (unsigned long i = 0; i < count; i++) {
		size_t len = framefuzz_generate(&rng, frame, sizeof(frame));

		if (framefuzz_check(&FF, frame, len, why, sizeof(why)) < 0) {
			print_message("# seed %llu frame %lu (%zu bytes, verdict %d): %s", (unsigned long long)seed,
				      i, len, pkt_classify(frame, len, FRAMEFUZZ_PORT, NULL), why);
			dump(frame, len);
			fail();
		}
	}
	/* The generator reaches every verdict, or the test proves less than it says. */
	print_message("# %lu frames: %llu not ours, %llu too long, %llu short, %llu requests, "
		      "%llu under 14 bytes\n", count, (unsigned long long)FF.verdicts[PKT_NOT_OURS],
		      (unsigned long long)FF.verdicts[PKT_TOO_LONG],
		      (unsigned long long)FF.verdicts[PKT_SHORT],
		      (unsigned long long)FF.verdicts[PKT_REQUEST], (unsigned long long)FF.refused);
	for (int v = 0; v < 4 && count >= 1000; v++)
		assert_true(FF.verdicts[v] >= count / 100);
}

static void test_requests_cut_at_every_length(void **state)
{
	uint8_t frame[FRAMEFUZZ_MAX];
	char why[300];
	(void)state;

	for (unsigned i = 0; i < framefuzz_n_requests; i++) {
		size_t full = framefuzz_request(i, frame, sizeof(frame));

		assert_true(full > 0);
		assert_int_equal(pkt_classify(frame, full, FRAMEFUZZ_PORT, NULL), PKT_REQUEST);
		for (size_t len = 14; len <= full; len++)
			if (framefuzz_check(&FF, frame, len, why, sizeof(why)) < 0) {
				print_message("# request %u cut to %zu of %zu bytes: %s\n", i, len, full, why);
				dump(frame, len);
				fail();
			}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_frames),
		cmocka_unit_test(test_requests_cut_at_every_length),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
