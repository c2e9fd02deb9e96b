/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a module wrote on stderr: see capture.h. */
#include <unistd.h>

#include "tests/support/capture.h"

int capture_stderr_begin(struct capture *c)
{
	c->file = tmpfile();
	if (!c->file)
		return -1;
	fflush(stderr);
	c->saved_stderr = dup(STDERR_FILENO);
	if (c->saved_stderr < 0 || dup2(fileno(c->file), STDERR_FILENO) < 0) {
		if (c->saved_stderr >= 0)
			close(c->saved_stderr);
		fclose(c->file);
		return -1;
	}
	return 0;
}

const char *capture_stderr_end(struct capture *c, char *buf, size_t size)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_stderr, STDERR_FILENO);
	close(c->saved_stderr);
	rewind(c->file);
	n = fread(buf, 1, size - 1, c->file);
	buf[n] = '\0';
	fclose(c->file);
	return buf;
}
