/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon/log: errors are 0 or -errno; the caller's error comes back unchanged. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/log.h"
#include "tests/support/capture.h"

/* Run f with stderr going to a file; returns what it wrote. */
static const char *capture_stderr(int (*f)(void), int *ret)
{
	static char text[1024];
	struct capture c;

	assert_int_equal(capture_stderr_begin(&c), 0);
	*ret = f();
	return capture_stderr_end(&c, text, sizeof(text));
}

static int log_eio(void)
{
	return log_error_errno(-EIO, "cannot do %s", "it");
}

static int log_plain(void)
{
	return log_error("no errno here");
}

static void test_negative_errno_comes_back(void **state)
{
	int r;
	const char *text;
	(void)state;

	bpfnicd_log_open(BPFNICD_LOG_STDERR, LOG_DEBUG);
	text = capture_stderr(log_eio, &r);
	assert_int_equal(r, -EIO);
	assert_string_equal(text, "bpfnicd: error: cannot do it: Input/output error\n");
	text = capture_stderr(log_plain, &r);
	assert_int_equal(r, 0);
	assert_string_equal(text, "bpfnicd: error: no errno here\n");
}

/* A positive errno is a caller's bug: it must not pass silently as either sign. */
static void test_positive_errno_is_a_bug(void **state)
{
	pid_t pid;
	int status;
	(void)state;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bpfnicd_log_open(BPFNICD_LOG_STDERR, LOG_DEBUG);
		freopen("/dev/null", "w", stderr);
		log_error_errno(EIO, "wrong sign");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negative_errno_comes_back),
		cmocka_unit_test(test_positive_errno_is_a_bug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
