/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The unit tests' view of what a module wrote on stderr (bpfnicd's log, in tests):
 * everything between capture_stderr_begin() and capture_stderr_end() goes to a
 * temporary file and comes back as one string.
 */
#ifndef BPFNIC_TEST_CAPTURE_H
#define BPFNIC_TEST_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

struct capture {
	FILE *file;
	int saved_stderr;
};

/* 0, or -1 when stderr cannot be redirected. */
int capture_stderr_begin(struct capture *c);
/* What was written, in buf (cut at size - 1 bytes); stderr is itself again. */
const char *capture_stderr_end(struct capture *c, char *buf, size_t size);

#endif
