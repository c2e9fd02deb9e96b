/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The environment probe and the governor switch, as sh scripts: see envinfo.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "bench/bpfnic-bench/envinfo.h"

static size_t cpu_list(const unsigned *cpus, unsigned n, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%u", i ? " " : "", cpus[i]);
	return used;
}

/* A script that needs a CPU list starts by setting CPUS (all CPUs when empty). */
static const char cpus_default[] =
	"[ -n \"$CPUS\" ] || CPUS=$(cd /sys/devices/system/cpu && ls -d cpu[0-9]* | "
	"sed 's/^cpu//' | sort -n)\n";

void bench_env_script(const unsigned *cpus, unsigned n, int daemon_pid, char *buf, size_t size)
{
	char list[1024];

	cpu_list(cpus, n, list, sizeof(list));
	snprintf(buf, size,
		 "CPUS='%s'\n%s"
		 /* The daemon's cpumaps: its fds' fdinfo says each map's type and id. */
		 "for f in /proc/%d/fdinfo/*; do\n"
		 "  [ \"$(sed -n 's/^map_type:[[:space:]]*//p' $f 2>/dev/null)\" = %d ] &&\n"
		 "    echo \"cpumap_id=$(sed -n 's/^map_id:[[:space:]]*//p' $f)\"\n"
		 "done\n"
		 "echo \"kernel=$(uname -srvm)\"\n"
		 "echo \"cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | "
		 "head -n 1)\"\n"
		 "echo \"online_cpus=$(getconf _NPROCESSORS_ONLN)\"\n"
		 "for c in $CPUS; do\n"
		 "  d=/sys/devices/system/cpu/cpu$c/cpufreq\n"
		 "  if [ -r $d/scaling_governor ]; then\n"
		 "    echo \"governor.$c=$(cat $d/scaling_governor)\"\n"
		 "    echo \"freq_khz.$c=$(cat $d/scaling_cur_freq 2>/dev/null)\"\n"
		 "  else echo \"governor.$c=\"; fi\n"
		 "done\n"
		 /* cpumap/<cpu>/map:<id>: the class is /proc/PID/stat's field 41, the
		  * priority field 40 (after "pid (comm) ", field 3 is $1). */
		 "for p in /proc/[0-9]*; do\n"
		 "  read -r comm < $p/comm 2>/dev/null || continue\n"
		 "  case $comm in cpumap/*)\n"
		 "    s=$(cat $p/stat 2>/dev/null) || continue\n"
		 "    s=${s##*) }; set -- $s\n"
		 "    echo \"kthread=$comm ${39} ${38}\";;\n"
		 "  esac\n"
		 "done\n"
		 "exit 0\n", list, cpus_default, daemon_pid, BPF_MAP_TYPE_CPUMAP);
}

static const char *const sched_names[] = { "other", "fifo", "rr", "batch", "iso", "idle",
					   "deadline" };

/* "cpumap/1/map:12 1 49" -> cpu 1, map 12, "fifo:49". */
static int parse_kthread(const char *v, unsigned *cpu, unsigned *map, char *cls, size_t size)
{
	unsigned policy, prio;

	if (sscanf(v, "cpumap/%u/map:%u %u %u", cpu, map, &policy, &prio) != 4)
		return -EINVAL;
	if (policy >= sizeof(sched_names) / sizeof(sched_names[0]))
		snprintf(cls, size, "class %u", policy);
	else if (policy == 1 || policy == 2)
		snprintf(cls, size, "%s:%u", sched_names[policy], prio);
	else
		snprintf(cls, size, "%s", sched_names[policy]);
	return 0;
}

static bool in_list(const unsigned *cpus, unsigned n, unsigned cpu)
{
	if (!n)
		return true;
	for (unsigned i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return true;
	return false;
}

json_object *bench_env_parse(const char *out, const unsigned *cpus, unsigned n)
{
	json_object *o = json_object_new_object(), *freq = json_object_new_object(),
		    *threads = json_object_new_object();
	char classes[256] = "", *copy = strdup(out ? out : ""), *save = NULL, *line;
	bool cpufreq = false, none = false;
	unsigned maps[16], n_maps = 0;

	if (!o || !freq || !threads || !copy) {
		json_object_put(o);
		json_object_put(freq);
		json_object_put(threads);
		free(copy);
		return NULL;
	}
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), key[64], cls[32];
		unsigned cpu, map;

		if (!eq || (size_t)(eq - line) >= sizeof(key))
			continue;
		memcpy(key, line, (size_t)(eq - line));
		key[eq - line] = '\0';
		if (!strcmp(key, "kernel") || !strcmp(key, "cpu_model")) {
			json_object_object_add(o, key, json_object_new_string(eq + 1));
		} else if (!strcmp(key, "online_cpus")) {
			json_object_object_add(o, key, json_object_new_int(atoi(eq + 1)));
		} else if (sscanf(key, "governor.%u", &cpu) == 1) {
			char name[16];
			json_object *c = json_object_new_object();

			if (!eq[1]) {
				none = true;
				json_object_put(c);
				continue;
			}
			cpufreq = true;
			snprintf(name, sizeof(name), "%u", cpu);
			json_object_object_add(c, "governor", json_object_new_string(eq + 1));
			json_object_object_add(freq, name, c);
		} else if (sscanf(key, "freq_khz.%u", &cpu) == 1) {
			char name[16];
			json_object *c;

			snprintf(name, sizeof(name), "%u", cpu);
			if (json_object_object_get_ex(freq, name, &c) && eq[1])
				json_object_object_add(c, "freq_khz", json_object_new_int64(atoll(eq + 1)));
		} else if (!strcmp(key, "cpumap_id")) {
			if (n_maps < sizeof(maps) / sizeof(maps[0]))
				maps[n_maps++] = (unsigned)strtoul(eq + 1, NULL, 10);
		} else if (!strcmp(key, "kthread") && !parse_kthread(eq + 1, &cpu, &map, cls, sizeof(cls))) {
			char comm[64];

			if (n_maps && !in_list(maps, n_maps, map))
				continue; /* another daemon's */

			snprintf(comm, sizeof(comm), "%.*s", (int)strcspn(eq + 1, " "), eq + 1);
			json_object_object_add(threads, comm, json_object_new_string(cls));
			if (in_list(cpus, n, cpu) && !strstr(classes, cls)) {
				size_t used = strlen(classes);

				snprintf(classes + used, sizeof(classes) - used, "%s%s", used ? ", " : "", cls);
			}
		}
	}
	free(copy);
	if (cpufreq && !none) {
		json_object_object_add(o, "cpufreq", freq);
	} else {
		json_object_put(freq);
		json_object_object_add(o, "cpufreq", json_object_new_string(
			cpufreq ? "no cpufreq on some CPUs" : "no cpufreq"));
	}
	json_object_object_add(o, "worker_threads", threads);
	json_object_object_add(o, "worker_thread_class",
			       json_object_new_string(classes[0] ? classes : "no cpumap thread seen"));
	return o;
}

void bench_governor_script(const unsigned *cpus, const char *const *governors, unsigned n,
			   char *buf, size_t size)
{
	char list[1024];
	size_t used;

	cpu_list(cpus, n, list, sizeof(list));
	used = (size_t)snprintf(buf, size,
		"CPUS='%s'\n%s"
		"for c in $CPUS; do\n"
		"  f=/sys/devices/system/cpu/cpu$c/cpufreq/scaling_governor\n"
		"  [ -r $f ] || { echo \"no cpufreq on CPU $c\"; exit %d; }\n"
		"  echo \"governor.$c=$(cat $f)\"\n"
		"done\n", list, cpus_default, BENCH_GOVERNOR_NO_CPUFREQ);
	for (unsigned i = 0; governors && i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used,
			"echo '%s' > /sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor || "
			"exit %d\n", governors[i], cpus[i], BENCH_GOVERNOR_REFUSED);
	if (used < size)
		snprintf(buf + used, size - used, "exit 0\n");
}

int bench_governor_parse(const char *out, const unsigned *cpus, unsigned n, char (*governors)[32])
{
	for (unsigned i = 0; i < n; i++) {
		char key[32];
		const char *p;
		size_t len;

		snprintf(key, sizeof(key), "governor.%u=", cpus[i]);
		p = strstr(out, key);
		if (!p || (p != out && p[-1] != '\n'))
			return -EINVAL;
		p += strlen(key);
		len = strcspn(p, "\n");
		if (!len || len >= 32)
			return -EINVAL;
		memcpy(governors[i], p, len);
		governors[i][len] = '\0';
	}
	return 0;
}
