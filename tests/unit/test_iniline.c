// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lib/iniline: the same lines, the same problems, from a stream and from a string. */
#include <stdio.h>
#include <string.h>
#include "tests/support/unit.h"
#include "iniline.h"

struct seen {
	char log[1024];
};

static void on_header(void *ctx, const char *name, size_t len)
{
	struct seen *s = ctx;
	size_t used = strlen(s->log);

	snprintf(s->log + used, sizeof(s->log) - used, "[%.*s]", (int)len, name);
}

static void on_error(void *ctx, unsigned line, const char *what)
{
	struct seen *s = ctx;
	size_t used = strlen(s->log);

	snprintf(s->log + used, sizeof(s->log) - used, "<%u:%s>", line, what);
}

/* Every line the source hands inih, joined with '|' (without their '\n'). */
static void read_all(struct bpfnic_ini_source *src, struct seen *s, char *lines, size_t size)
{
	char buf[16];

	lines[0] = '\0';
	memset(s, 0, sizeof(*s));
	src->header = on_header, src->error = on_error, src->ctx = s;
	while (bpfnic_ini_read_line(buf, sizeof(buf), src)) {
		buf[strcspn(buf, "\n")] = '\0';
		strncat(lines, buf, size - strlen(lines) - 1);
		strncat(lines, "|", size - strlen(lines) - 1);
	}
}

/* 16-byte buffer: lines of up to 14 characters and their '\n' fit. */
static const char text[] =
	"# note\n"
	"[Sec]\n"
	"Key=1\n"
	"Key:x=2\n"
	"=3\n"
	"words\n"
	"[Broken\n"
	"K=0123456789ab\n"
	"K=0123456789abc\n"
	"  [ Spaced ]  \n"
	"Last=1";

static const char want_lines[] = "# note|[Sec]|Key=1|||||K=0123456789ab||  [ Spaced ]  |Last=1|";
static const char want_log[] =
	"[Sec]<4:expected Key=Value, [Section] or a # comment><5:missing key name before '='>"
	"<6:expected Key=Value, [Section] or a # comment>"
	"<7:malformed section header (expected [Section])><9:line longer than 13 characters>"
	"[ Spaced ]";

static void string_and_stream_agree(void **state)
{
	struct bpfnic_ini_source src = { .text = text };
	struct seen s;
	char lines[512];
	FILE *f;

	(void)state;
	read_all(&src, &s, lines, sizeof(lines));
	assert_string_equal(lines, want_lines);
	assert_string_equal(s.log, want_log);
	assert_int_equal(src.line, 11);

	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	src = (struct bpfnic_ini_source){ .f = f };
	read_all(&src, &s, lines, sizeof(lines));
	fclose(f);
	assert_string_equal(lines, want_lines);
	assert_string_equal(s.log, want_log);
	assert_int_equal(src.line, 11);
}

static char msg[2][BPFNIC_INI_MSG_SIZE];
static unsigned n_msg, total_msg;

static const struct bpfnic_ini_errors errors = { msg, 2, &n_msg, &total_msg, "f.ini" };

static void errors_are_listed_with_their_line(void **state)
{
	(void)state;
	bpfnic_ini_error(&errors, 3, "Key=%s: %d", "x", 7);
	bpfnic_ini_error(&errors, 0, "whole file");
	bpfnic_ini_error(&errors, 9, "dropped");
	assert_int_equal(n_msg, 2);
	assert_int_equal(total_msg, 3);
	assert_string_equal(msg[0], "f.ini:3: Key=x: 7");
	assert_string_equal(msg[1], "f.ini: whole file");
}

UNIT_TEST_MAIN(
	cmocka_unit_test(string_and_stream_agree),
	cmocka_unit_test(errors_are_listed_with_their_line)
)
