/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpfnic-bench: the thesis' evaluation (chapter 5) as one command per experiment, on
 * the veth lab of this machine or on real hosts. See bpfnic-bench(1).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bpfnic-bench/live.h"
#include "bench/bpfnic-bench/output.h"
#include "bench/bpfnic-bench/paths.h"
#include "bench/bpfnic-bench/runner.h"
#include "bench/bpfnic-bench/spawn.h"

#define PROG "bpfnic-bench"
#define MAX_EXPERIMENTS 32u
#define MAX_FILE_BYTES (256u * 1024u)

static const char usage_text[] =
"NAME\n"
"    bpfnic-bench - the thesis' evaluation of bpfnic, one command per experiment\n"
"\n"
"SYNOPSIS\n"
"    bpfnic-bench list\n"
"    bpfnic-bench run NAME|FILE|all [--out DIR] [--quick]\n"
"                 [--server CMD --target HOST:PORT [--client CMD]...]\n"
"\n"
"DESCRIPTION\n"
"    Runs the experiments of the thesis bpfnic comes from (its chapter 5) and\n"
"    leaves their figures, with the thesis' axes, and a report. Each experiment is\n"
"    a declarative file (policies and their parameters, traffic mix, service\n"
"    times, load steps, repetitions, the knee's p99 bound, the figures): the\n"
"    shipped ones are in %s; copy one and change it to\n"
"    run your own (bpfnic-bench run ./my.ini).\n"
"\n"
"    By default an experiment runs on the veth lab of this machine, which\n"
"    bpfnic-bench makes (two network namespaces joined by a veth pair), runs\n"
"    bpfnicd in with a configuration it writes, loads with bpfnic-loadgen and\n"
"    removes again. BPFNIC_LAB names the lab (default bpfbench). Nothing but the\n"
"    lab is touched unless --server is given.\n"
"\n"
"COMMANDS\n"
"    list\n"
"        The shipped experiments and the figures each reproduces.\n"
"    run NAME|FILE|all\n"
"        Run a shipped experiment (bimodal, unimodal-dynamic, governor,\n"
"        dynamic-vs-static), an experiment file (a NAME with a '/' or ending in\n"
"        .ini), or every shipped one in the thesis' order (DIR/NAME/ each, and\n"
"        DIR/report.md over all of them).\n"
"\n"
"OPTIONS\n"
"    --out DIR\n"
"        Where the outputs go, made if missing (its parent must exist; default\n"
"        ./bpfnic-bench-NAME-YYYYmmdd-HHMMSS).\n"
"    --quick\n"
"        Every step briefly ([Quick] of the file): a smoke check of the whole\n"
"        chain, under a minute per experiment; not a measurement.\n"
"    --server CMD\n"
"        Run on a real server instead of the lab: CMD is the command prefix that\n"
"        runs a command there, e.g. 'ssh root@srv'. bpfnicd must already run\n"
"        there; bpfnic-bench runs bpfnicctl (to switch policies live and read the\n"
"        per-window statistics) and a small sh script (the environment, cpufreq\n"
"        governors) through it, and puts the server's policy and governors back\n"
"        at the end. Service times travel in the requests (bpfnic's request\n"
"        extension), so the server's [Workload] need not match.\n"
"    --target HOST:PORT\n"
"        With --server: where the load generators send (the server's address and\n"
"        bpfnicd's Port=).\n"
"    --client CMD\n"
"        With --server: run a load generator through the prefix CMD (another\n"
"        client host, e.g. 'ssh cli1'); repeat for more hosts. Each offers an\n"
"        equal part of every step's load; their runs are merged step by step\n"
"        (bpfnic-loadgen merge). Without --client the load generator runs here.\n"
"    --help, -h\n"
"        This text.\n"
"    --version\n"
"        The version.\n"
"\n"
"OUTPUTS (in DIR)\n"
"    results.csv       one row per repetition, policy, step and class: offered\n"
"                      and achieved req/s, sent/received/lost, RTT and\n"
"                      queuing-delay p50/p90/p99/p99.9, the server's in and out\n"
"                      req/s and group sizes over the step, its wall-clock span\n"
"    series.csv        bpfnicd's statistics windows over the whole run (totals\n"
"                      and per CPU: in/out req/s, queuing delay, kthread CPU\n"
"                      use, group sizes) and every grow/shrink of the group\n"
"    environment.json  both sides: kernel, CPU model and count, governors and\n"
"                      frequencies of the worker CPUs, worker thread class,\n"
"                      versions, configuration, the experiment as run\n"
"    figN.svg, figN.png, figN.gp\n"
"                      each figure of the experiment (gnuplot; the script\n"
"                      redraws it)\n"
"    report.md         the figures; per policy the measured knee next to the\n"
"                      M/C/k/N prediction; the shape against the thesis and why\n"
"                      it differs; what the run could not do\n"
"    raw/              every load generator's own JSON document\n"
"    bpfnicd.conf, bpfnicd.log\n"
"                      on the lab: the daemon's configuration and log\n"
"\n"
"EXIT STATUS\n"
"    0 done (a part the machine cannot do, such as switching governors without\n"
"    cpufreq, is said in the report); 1 the run failed (the lab, a tool, the\n"
"    server refused, a file could not be written; the outputs hold what was\n"
"    measured); 2 bad usage or a bad experiment file (FILE:LINE: why);\n"
"    130 interrupted.\n";

static void usage(FILE *f, const struct bench_paths *p)
{
	fprintf(f, usage_text, p->experiments);
}

static char *read_text(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_FILE_BYTES + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f) || n > MAX_FILE_BYTES) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ? "cannot read" : "larger than 256 KiB");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		snprintf(err, errlen, "%s: not a text file", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Loads an experiment file; prints every problem. 0, or -EINVAL / -errno. */
static int load(const char *path, struct bench_experiment *e, bool quiet)
{
	struct bench_errors errs;
	char err[PATH_MAX + 64];
	char *text = read_text(path, err, sizeof(err));
	int r;

	if (!text) {
		if (!quiet)
			fprintf(stderr, PROG ": %s\n", err);
		return -ENOENT;
	}
	r = bench_experiment_parse(text, path, e, &errs);
	free(text);
	if (r < 0 && !quiet) {
		for (unsigned i = 0; i < errs.n; i++)
			fprintf(stderr, PROG ": %s\n", errs.msg[i]);
		if (errs.total > errs.n)
			fprintf(stderr, PROG ": ... and %u more\n", errs.total - errs.n);
	}
	return r;
}

struct shipped {
	char path[PATH_MAX];
	struct bench_experiment e;
	bool ok;
};

static int by_thesis(const void *a, const void *b)
{
	const struct shipped *x = a, *y = b;
	int c = strcmp(x->e.thesis, y->e.thesis);

	return c ? c : strcmp(x->e.name, y->e.name);
}

/* The shipped experiments, in the thesis' order. Returns how many, or -errno. */
static int shipped(const struct bench_paths *p, struct shipped *out, bool quiet)
{
	DIR *d = opendir(p->experiments);
	struct dirent *de;
	int n = 0;

	if (!d) {
		if (!quiet)
			fprintf(stderr, PROG ": %s: %s\n", p->experiments, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d)) && n < (int)MAX_EXPERIMENTS) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".ini"))
			continue;
		if (snprintf(out[n].path, sizeof(out[n].path), "%s/%s", p->experiments,
			     de->d_name) >= (int)sizeof(out[n].path))
			continue;
		out[n].ok = load(out[n].path, &out[n].e, quiet) == 0;
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), by_thesis);
	return n;
}

static int cmd_list(const struct bench_paths *p)
{
	struct shipped *s = calloc(MAX_EXPERIMENTS, sizeof(*s));
	int n;

	if (!s)
		return 1;
	n = shipped(p, s, false);
	for (int i = 0; i < n; i++) {
		const struct bench_experiment *e = &s[i].e;

		if (!s[i].ok) {
			printf("%-20s (broken: see above)\n", s[i].path);
			continue;
		}
		printf("%-20s thesis %-6s figures", e->name, e->thesis[0] ? e->thesis : "-");
		for (unsigned f = 0; f < e->n_figures; f++)
			printf(" %s", e->figures[f].id);
		printf("\n%-20s %s\n", "", e->title);
	}
	free(s);
	return n < 0 ? 1 : 0;
}

/* ---- run ---------------------------------------------------------------------------------- */

struct run_args {
	const char *name, *out, *server, *target;
	const char *clients[BENCH_MAX_CLIENTS];
	unsigned n_clients;
	bool quick;
};

static int parse_run(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quick", no_argument, NULL, 'q' },
		{ "server", required_argument, NULL, 's' },
		{ "target", required_argument, NULL, 't' },
		{ "client", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': a->out = optarg; break;
		case 'q': a->quick = true; break;
		case 's':
			if (!*optarg) {
				fprintf(stderr, PROG ": --server: an empty command prefix\n");
				return 2;
			}
			a->server = optarg;
			break;
		case 't': a->target = optarg; break;
		case 'c':
			if (a->n_clients == BENCH_MAX_CLIENTS) {
				fprintf(stderr, PROG ": --client: at most %u\n", BENCH_MAX_CLIENTS);
				return 2;
			}
			a->clients[a->n_clients++] = optarg;
			break;
		case 'h': return 1;
		case ':':
			fprintf(stderr, PROG ": %s needs a value\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, PROG ": unknown option '%s' (bpfnic-bench --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": run takes one experiment: NAME, FILE or all (bpfnic-bench "
			"list)\n");
		return 2;
	}
	a->name = argv[optind];
	if ((a->n_clients || a->target) && !a->server) {
		fprintf(stderr, PROG ": --client and --target go with --server (the lab has its "
			"own)\n");
		return 2;
	}
	if (a->server && !a->target) {
		fprintf(stderr, PROG ": --server needs --target HOST:PORT\n");
		return 2;
	}
	return 0;
}

static void command_line(int argc, char **argv, char *buf, size_t size)
{
	const char *args[64];
	int n = argc < 63 ? argc : 63;

	args[0] = PROG;
	for (int i = 1; i < n; i++)
		args[i] = argv[i];
	args[n] = NULL;
	bench_cmd_line(NULL, args, buf, size);
}

/* The knee table of every experiment of "all", with links to each report. */
static void write_index(const char *dir, struct shipped *s, const struct bench_run *runs,
			const int *status, int n, const char *command)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "# bpfnic-bench: the thesis' evaluation\n\n`%s`\n\n", command);
	for (int i = 0; i < n; i++) {
		const struct bench_experiment *e = &s[i].e;

		fprintf(f, "## %s (thesis %s): [%s/report.md](%s/report.md)\n\n", e->title, e->thesis,
			e->name, e->name);
		if (status[i] < 0)
			fprintf(f, "The run failed: see its report.\n\n");
		for (unsigned k = 0; k < e->n_figures; k++) {
			char name[32];

			bench_figure_name(&e->figures[k], name, sizeof(name));
			fprintf(f, "![Figure %s](%s/%s.svg) ", e->figures[k].id, e->name, name);
		}
		fprintf(f, "\n\n");
		if (runs[i].srv.k)
			bench_write_knee_table(f, &runs[i]);
		fprintf(f, "\n");
	}
	fclose(f);
}

static int cmd_run(int argc, char **argv, const struct bench_paths *p, const char *command)
{
	struct run_args a;
	struct shipped *todo = calloc(MAX_EXPERIMENTS, sizeof(*todo));
	struct bench_run *runs = NULL;
	struct bench_live_opts lo = { .paths = p };
	struct bench_backend b;
	char dir[PATH_MAX], err[1024];
	int n = 1, rc = 0, r, status[MAX_EXPERIMENTS] = { 0 };
	bool all;
	const char *lab = getenv("BPFNIC_LAB");

	if (!todo)
		return 1;
	r = parse_run(argc, argv, &a);
	if (r) {
		if (r == 1)
			usage(stdout, p);
		free(todo);
		return r == 1 ? 0 : 2;
	}
	all = !strcmp(a.name, "all");
	if (all) {
		n = shipped(p, todo, false);
		for (int i = 0; i < n; i++)
			if (!todo[i].ok)
				n = -EINVAL;
		if (n <= 0) {
			if (n == 0)
				fprintf(stderr, PROG ": no experiment in %s\n", p->experiments);
			free(todo);
			return 2;
		}
	} else {
		size_t len = strlen(a.name);

		int w;

		if (strchr(a.name, '/') || (len > 4 && !strcmp(a.name + len - 4, ".ini")))
			w = snprintf(todo[0].path, sizeof(todo[0].path), "%s", a.name);
		else
			w = snprintf(todo[0].path, sizeof(todo[0].path), "%s/%s.ini", p->experiments,
				     a.name);
		if (w >= (int)sizeof(todo[0].path)) {
			fprintf(stderr, PROG ": %s: name too long\n", a.name);
			free(todo);
			return 2;
		}
		if (access(todo[0].path, F_OK) < 0 && !strchr(a.name, '/')) {
			fprintf(stderr, PROG ": no experiment '%s' (bpfnic-bench list shows them)\n",
				a.name);
			free(todo);
			return 2;
		}
		if (load(todo[0].path, &todo[0].e, false) < 0) {
			free(todo);
			return 2;
		}
	}
	if (a.out) {
		snprintf(dir, sizeof(dir), "%s", a.out);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(dir, sizeof(dir), "bpfnic-bench-%s-%s", all ? "all" : todo[0].e.name, stamp);
	}
	if ((r = bench_mkdir(dir)) < 0) {
		fprintf(stderr, PROG ": cannot make %s: %s\n", dir, strerror(-r));
		free(todo);
		return 1;
	}
	runs = calloc((size_t)n, sizeof(*runs));
	if (!runs) {
		free(todo);
		return 1;
	}
	bench_spawn_signals();
	lo.server = a.server;
	lo.target = a.target;
	lo.n_clients = a.n_clients;
	memcpy(lo.clients, a.clients, sizeof(a.clients));
	lo.lab = lab && *lab ? lab : "bpfbench";
	lo.dir = dir;
	for (unsigned c = 0; c < BENCH_NR_CLASSES; c++)
		lo.service_us[c] = (unsigned)(todo[0].e.service_ns[c] / 1000);
	if (!a.server)
		fprintf(stderr, PROG ": making lab %s, starting bpfnicd there\n", lo.lab);
	if ((r = bench_live_open(&lo, &b, err, sizeof(err))) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		free(runs);
		free(todo);
		return r == -EINVAL ? 2 : 1;
	}
	for (int i = 0; i < n; i++) {
		char sub[PATH_MAX + 64];
		struct bench_run_opts o = {
			.quick = a.quick, .dir = dir, .file = todo[i].path, .command = command,
			.progress = stderr,
		};

		if (all) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, todo[i].e.name);
			o.dir = sub;
		}
		status[i] = bench_run_experiment(&b, &todo[i].e, &o, &runs[i], err, sizeof(err));
		if (status[i] < 0) {
			fprintf(stderr, PROG ": %s: %s\n", todo[i].e.name,
				status[i] == -EINTR ? "interrupted" : err);
			rc = status[i] == -EINTR ? 130 : 1;
		} else {
			printf("\n%s (%s): %s/report.md\n\n", todo[i].e.title, todo[i].e.name, o.dir);
			bench_write_knee_table(stdout, &runs[i]);
			fflush(stdout);
		}
		if (status[i] == -EINTR) {
			n = i + 1;
			break;
		}
	}
	b.ops->close(b.state);
	if (all)
		write_index(dir, todo, runs, status, n, command);
	printf("\noutputs: %s\n", dir);
	for (int i = 0; i < n; i++)
		bench_run_free(&runs[i]);
	free(runs);
	free(todo);
	return rc;
}

int main(int argc, char **argv)
{
	struct bench_paths p;

	bench_paths_find(&p);
	if (argc < 2) {
		usage(stderr, &p);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout, &p);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf(PROG " %s\n", BPFNIC_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc != 2) {
			fprintf(stderr, PROG ": list takes no arguments\n");
			return 2;
		}
		return cmd_list(&p);
	}
	if (!strcmp(argv[1], "run")) {
		char command[4096];

		/* As typed: getopt reorders argv. */
		command_line(argc, argv, command, sizeof(command));
		return cmd_run(argc - 1, argv + 1, &p, command);
	}
	fprintf(stderr, PROG ": unknown command '%s' (list, run; bpfnic-bench --help)\n", argv[1]);
	return 2;
}
