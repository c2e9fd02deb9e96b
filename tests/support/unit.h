/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every cmocka unit test file starts and ends with: cmocka.h after the headers
 * it needs first (in the order it needs them), and main() running the file's tests
 * as one group:
 *
 *   UNIT_TEST_MAIN(cmocka_unit_test(parses), cmocka_unit_test(refuses))
 *   UNIT_TEST_MAIN_GROUP(setup, teardown, cmocka_unit_test(parses))
 */
#ifndef BPFNIC_TEST_UNIT_H
#define BPFNIC_TEST_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* How many elements the array a holds (an array, not a pointer). */
#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

#define UNIT_TEST_MAIN(...) UNIT_TEST_MAIN_GROUP(NULL, NULL, __VA_ARGS__)

/* The same with a group setup and teardown (either may be NULL). */
#define UNIT_TEST_MAIN_GROUP(setup, teardown, ...)                         \
	int main(void)                                                      \
	{                                                                   \
		const struct CMUnitTest unit_tests[] = { __VA_ARGS__ };     \
		return cmocka_run_group_tests(unit_tests, setup, teardown); \
	}

#endif
