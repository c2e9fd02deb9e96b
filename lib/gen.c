/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-gen: a build tool that writes what derives from the table of policies and
 * parameters (lib/params.c) into the files that carry it, so they cannot disagree:
 *
 *   bpfnic-gen idl TEMPLATE         the varlink IDL: @ENUM:Key@ becomes the values of
 *                                   the config key Key, @POLICY_MEMBERS@ and
 *                                   @SETPOLICY_PARAMETERS@ the policy parameters;
 *   bpfnic-gen completion TEMPLATE  bpfnicctl's bash completion: @POLICIES@,
 *                                   @VALUE_OPTIONS@, @POLICY_OPTIONS@, @ENUM_OPTIONS@;
 *   bpfnic-gen cstrings NAME=FILE.. a C file defining const char NAME[] = FILE's text
 *                                   (the IDL is built into bpfnicd).
 *
 * Output goes to stdout; an unknown marker is an error, so a template cannot drift.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(text, cap = len + 4096 + 1 + cap);

			if (!p) {
				free(text);
				fclose(f);
				return NULL;
			}
			text = p;
		}
		n = fread(text + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(text);
		text = NULL;
	} else {
		text[len] = '\0';
	}
	fclose(f);
	return text;
}

/* ---- the IDL ------------------------------------------------------------------------- */

static void idl_enum(FILE *out, const struct bpfnic_param *p)
{
	for (unsigned i = 0; i < p->n_names; i++)
		fprintf(out, "%s%s", i ? ", " : "(", bpfnic_param_name(p, i));
	fputc(')', out);
}

static void idl_type(FILE *out, const struct bpfnic_param *p, bool optional)
{
	fputs(optional ? "?" : "", out);
	if (p->type == BPFNIC_PARAM_ENUM)
		idl_enum(out, p);
	else
		fputs(p->type == BPFNIC_PARAM_UINT ? "int" : "string", out);
}

/* The policy parameters as struct members, each with its help as a comment. */
static void idl_members(FILE *out, bool optional)
{
	bool first = true;

	for (unsigned i = 0; i < bpfnic_n_params; i++) {
		const struct bpfnic_param *p = &bpfnic_params[i];
		char range[96] = "", word[40] = "";

		if (!p->json || !p->policies)
			continue;
		if (p->word)
			snprintf(word, sizeof(word), ", or %u for %s", p->word_value, p->word);
		if (p->type == BPFNIC_PARAM_UINT)
			snprintf(range, sizeof(range), "; %u..%u%s%s%s", p->min, p->max,
				 p->unit ? " " : "", p->unit ? p->unit : "", word);
		fprintf(out, "%s  # %s%s ([%s] %s=)\n  %s: ", first ? "" : ",\n", p->help, range,
			p->section, p->key, p->json);
		idl_type(out, p, optional);
		first = false;
	}
	fputc('\n', out);
}

static int idl_marker(FILE *out, const char *m, size_t n)
{
	if (n > 5 && !strncmp(m, "ENUM:", 5)) {
		for (unsigned i = 0; i < bpfnic_n_params; i++)
			if (strlen(bpfnic_params[i].key) == n - 5 &&
			    !strncmp(bpfnic_params[i].key, m + 5, n - 5) &&
			    bpfnic_params[i].type == BPFNIC_PARAM_ENUM) {
				idl_enum(out, &bpfnic_params[i]);
				return 0;
			}
	} else if (n == 14 && !strncmp(m, "POLICY_MEMBERS", n)) {
		idl_members(out, false);
		return 0;
	} else if (n == 20 && !strncmp(m, "SETPOLICY_PARAMETERS", n)) {
		idl_members(out, true);
		return 0;
	}
	return -EINVAL;
}

/* ---- bash completion ------------------------------------------------------------------- */

static int completion_marker(FILE *out, const char *m, size_t n)
{
	const char *sep = "";

	if (n == 8 && !strncmp(m, "POLICIES", n)) {
		for (unsigned i = 0; i < BPFNIC_NR_POLICIES; i++)
			fprintf(out, "%s%s", i ? " " : "", bpfnic_policies[i].name);
	} else if (n == 13 && !strncmp(m, "VALUE_OPTIONS", n)) {
		for (unsigned i = 0; i < bpfnic_n_params; i++)
			if (bpfnic_params[i].cli) {
				fprintf(out, "%s%s", sep, bpfnic_params[i].cli);
				sep = " | ";
			}
	} else if (n == 14 && !strncmp(m, "POLICY_OPTIONS", n)) {
		for (unsigned k = 0; k < BPFNIC_NR_POLICIES; k++) {
			fprintf(out, "                %s) opts=\"", bpfnic_policies[k].name);
			sep = "";
			for (unsigned i = 0; i < bpfnic_n_params; i++)
				if (bpfnic_params[i].cli && bpfnic_param_applies(&bpfnic_params[i], k)) {
					fprintf(out, "%s%s", sep, bpfnic_params[i].cli);
					sep = " ";
				}
			fputs("\" ;;\n", out);
		}
	} else if (n == 12 && !strncmp(m, "ENUM_OPTIONS", n)) {
		for (unsigned i = 0; i < bpfnic_n_params; i++) {
			const struct bpfnic_param *p = &bpfnic_params[i];

			if (!p->cli || p->type != BPFNIC_PARAM_ENUM)
				continue;
			fprintf(out, "        %s)\n            COMPREPLY=($(compgen -W \"", p->cli);
			for (unsigned v = 0; v < p->n_names; v++)
				fprintf(out, "%s%s", v ? " " : "", bpfnic_param_name(p, v));
			fputs("\" -- \"$cur\"))\n            return\n            ;;\n", out);
		}
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Copy text to out with every @MARKER@ replaced; a marker alone on its line takes it. */
static int expand(FILE *out, const char *text, int (*marker)(FILE *, const char *, size_t))
{
	const char *s = text;

	for (;;) {
		const char *at = strchr(s, '@'), *end;

		if (!at) {
			fputs(s, out);
			return 0;
		}
		end = strchr(at + 1, '@');
		if (!end || marker == NULL)
			return -EINVAL;
		fwrite(s, 1, (size_t)(at - s), out);
		if (marker(out, at + 1, (size_t)(end - at - 1)) < 0) {
			fprintf(stderr, "bpfnic-gen: unknown marker @%.*s@\n", (int)(end - at - 1), at + 1);
			return -EINVAL;
		}
		s = end + 1;
		/* A marker on a line of its own wrote whole lines: drop the template's newline. */
		if (*s == '\n' && (at == text || at[-1] == '\n'))
			s++;
	}
}

/* ---- C strings ------------------------------------------------------------------------ */

static int cstrings(FILE *out, int n, char **defs)
{
	fputs("/* Generated by bpfnic-gen cstrings: do not edit. */\n", out);
	for (int i = 0; i < n; i++) {
		char *eq = strchr(defs[i], '='), *text;

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		text = read_file(eq + 1);
		if (!text) {
			fprintf(stderr, "bpfnic-gen: cannot read %s\n", eq + 1);
			return -EIO;
		}
		fprintf(out, "extern const char %s[];\nconst char %s[] =\n\t\"", defs[i], defs[i]);
		for (const char *c = text; *c; c++) {
			if (*c == '\n')
				fputs(c[1] ? "\\n\"\n\t\"" : "\\n", out);
			else if (*c == '"' || *c == '\\')
				fprintf(out, "\\%c", *c);
			else
				fputc(*c, out);
		}
		fputs("\";\n", out);
		free(text);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int (*marker)(FILE *, const char *, size_t) = NULL;
	char *text;
	int r;

	if (argc >= 2 && !strcmp(argv[1], "cstrings"))
		return cstrings(stdout, argc - 2, argv + 2) < 0 || fflush(stdout) ? 1 : 0;
	if (argc == 3 && !strcmp(argv[1], "idl"))
		marker = idl_marker;
	else if (argc == 3 && !strcmp(argv[1], "completion"))
		marker = completion_marker;
	if (!marker) {
		fprintf(stderr, "usage: bpfnic-gen idl|completion TEMPLATE | cstrings NAME=FILE...\n");
		return 2;
	}
	text = read_file(argv[2]);
	if (!text) {
		fprintf(stderr, "bpfnic-gen: cannot read %s\n", argv[2]);
		return 1;
	}
	r = expand(stdout, text, marker);
	free(text);
	return r < 0 || fflush(stdout) ? 1 : 0;
}
