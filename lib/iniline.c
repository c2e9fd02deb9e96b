/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The INI line source: see iniline.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <ini.h>

#include "iniline.h"

/* The next line into str (at most num - 1 bytes); false at the end, *too_long when cut. */
static bool next_line(struct bpfnic_ini_source *s, char *str, int num, bool *too_long)
{
	*too_long = false;
	if (s->f) {
		size_t len;
		int ch;

		if (!fgets(str, num, s->f))
			return false;
		len = strlen(str);
		if (len > 0 && str[len - 1] != '\n' && !feof(s->f)) {
			*too_long = true;
			while ((ch = fgetc(s->f)) != EOF && ch != '\n')
				;
		}
	} else {
		const char *p = s->text + s->pos, *nl;
		size_t len;

		if (!*p)
			return false;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		s->pos += len;
		/* What fgets would cut: more than num - 1 bytes, the '\n' included. */
		if (len > (size_t)num - 1) {
			*too_long = true;
			len = 0;
		}
		memcpy(str, p, len);
		str[len] = '\0';
	}
	return true;
}

char *bpfnic_ini_read_line(char *str, int num, void *stream)
{
	struct bpfnic_ini_source *s = stream;
	char what[64];
	const char *p, *end;
	bool too_long;
	size_t key_len;

	if (!next_line(s, str, num, &too_long))
		return NULL;
	s->line++;
	if (too_long) {
		snprintf(what, sizeof(what), "line longer than %d characters", num - 3);
		s->error(s->ctx, s->line, what);
		goto blank;
	}
	for (p = str; *p == ' ' || *p == '\t' || *p == '\r'; p++)
		;
	end = p + strlen(p);
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == p || *p == '#' || *p == ';')
		return str;
	if (*p == '[') {
		if (end - p < 3 || end[-1] != ']') {
			s->error(s->ctx, s->line, "malformed section header (expected [Section])");
			goto blank;
		}
		s->header(s->ctx, p + 1, (size_t)(end - p) - 2);
		return str;
	}
	/* inih splits at the first '=' or ':': a ':' first would split the wrong way. */
	key_len = strcspn(p, "=:");
	if (p + key_len >= end || p[key_len] != '=') {
		s->error(s->ctx, s->line, "expected Key=Value, [Section] or a # comment");
		goto blank;
	}
	if (key_len == 0) {
		s->error(s->ctx, s->line, "missing key name before '='");
		goto blank;
	}
	return str;
blank:
	/* The message said it better: inih gets an empty line. */
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

void bpfnic_ini_error(const struct bpfnic_ini_errors *e, unsigned line, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	++*e->total;
	if (*e->n >= e->max)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(e->msg[(*e->n)++], BPFNIC_INI_MSG_SIZE, "%s:%u: %s", e->filename, line, text);
	else
		snprintf(e->msg[(*e->n)++], BPFNIC_INI_MSG_SIZE, "%s: %s", e->filename, text);
}

int bpfnic_ini_parse(struct bpfnic_ini_source *src, bpfnic_ini_handler handler, void *user,
		     const struct bpfnic_ini_errors *log)
{
	int r;

	ini_allow_multiline = false;
	ini_allow_inline_comments = false;
	r = ini_parse_stream(bpfnic_ini_read_line, src, handler, user);
	if (r == -2)
		return -ENOMEM;
	if (r == -1 || (src->f && ferror(src->f)))
		return -EIO;
	if (r > 0 && *log->total == 0) /* inih saw something the reader did not */
		bpfnic_ini_error(log, (unsigned)r, "syntax error");
	return 0;
}
