/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The corpus replay of make check: a fuzz target linked with this main() instead of
 * libFuzzer, built like the unit tests' twins (gcc, -O0, ASan/UBSan). It feeds the
 * target every file of its committed corpus, fuzz/corpus/NAME/ (seeds, inputs the
 * fuzzer kept, and every input that once broke a property), in name order: the same
 * run every time, no timing, a few seconds. One TAP line per target; a crash names
 * the input on stderr first, so the log shows which file did it.
 *
 *   replay-NAME               $BPFNIC_TOP/fuzz/corpus/NAME (tests/run sets BPFNIC_TOP)
 *   replay-NAME FILE|DIR...   those inputs
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Targets without set-up do not define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "re");
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);

	if (!f || !buf) {
		int r = -errno;

		if (f)
			fclose(f);
		free(buf);
		return r;
	}
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		uint8_t *grown = realloc(buf, cap *= 2);

		if (!grown) {
			free(buf);
			fclose(f);
			return -ENOMEM;
		}
		buf = grown;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*data = buf;
	*size = n;
	return 0;
}

static int run_file(const char *path)
{
	uint8_t *data;
	size_t size;
	int r = read_file(path, &data, &size);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return r;
	}
	fprintf(stderr, "input %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int name_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Every input under path (a file, or a directory of files); *n counts them. */
static int run_path(const char *path, unsigned *n)
{
	struct dirent **names;
	struct stat st;
	int count, r = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = run_file(path);
		*n += r == 0;
		return r;
	}
	count = scandir(path, &names, skip_dots, name_order);
	if (count < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < count; i++) {
		char *child;

		if (r == 0 && asprintf(&child, "%s/%s", path, names[i]->d_name) >= 0) {
			r = run_path(child, n);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	char *self = strdup(argv[0]), *name = basename(self), *dflt = NULL;
	const char *top = getenv("BPFNIC_TOP");
	unsigned n = 0;
	int r = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (int i = 1; i < argc && r == 0; i++)
			r = run_path(argv[i], &n);
	} else if (!top || asprintf(&dflt, "%s/fuzz/corpus/%s", top, name) < 0) {
		fprintf(stderr, "replay: give inputs, or set BPFNIC_TOP to find fuzz/corpus/%s\n", name);
		r = -EINVAL;
	} else {
		r = run_path(dflt, &n);
	}
	/* An empty corpus replays nothing: that is a failure too, not a pass. */
	if (r == 0 && n > 0)
		printf("ok 1 - %s: %u inputs of its corpus replayed, no finding\n", name, n);
	else
		printf("not ok 1 - %s: corpus replay (%u inputs run)\n", name, n);
	free(dflt);
	free(self);
	return r == 0 && n > 0 ? 0 : 1;
}
