/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A host's environment, read by a small sh script that runs on the host itself
 * (through the command prefix that reaches it: "ssh root@srv sh -s"), and the cpufreq
 * governor switch of its worker CPUs. The scripts' text and the reading of their
 * output are here; running them is the backend's. Pure: no I/O.
 */
#ifndef BPFNIC_BENCH_ENVINFO_H
#define BPFNIC_BENCH_ENVINFO_H

#include <stddef.h>

#include <json-c/json.h>

/*
 * The probe: kernel, CPU model, online CPUs, per CPU of cpus (all CPUs when n is 0)
 * its cpufreq governor and frequency, the cpumaps bpfnicd (process daemon_pid; 0:
 * none) holds, and the scheduling class of every cpumap kernel thread. Output:
 * key=value lines (bench_env_parse reads them).
 */
void bench_env_script(const unsigned *cpus, unsigned n, int daemon_pid, char *buf, size_t size);

/*
 * The probe's output as a JSON object: kernel, cpu_model, online_cpus, cpufreq (per
 * CPU {governor, freq_khz} or the string "no cpufreq"), worker_threads ({comm:
 * class}) and worker_thread_class (the distinct classes of the threads of cpus, e.g.
 * "fifo:49"), both of bpfnicd's own cpumap when the probe found it (other daemons'
 * threads on a shared machine are left out). NULL only without memory.
 */
json_object *bench_env_parse(const char *out, const unsigned *cpus, unsigned n);

/*
 * The governor switch of cpus, CPU cpus[i] to governors[i]: prints "governor.CPU=NAME"
 * per CPU before the switch and exits 3 when a CPU has no cpufreq, 4 when the kernel
 * refused. governors NULL: only print (exit 3 without cpufreq).
 */
void bench_governor_script(const unsigned *cpus, const char *const *governors, unsigned n,
			   char *buf, size_t size);

/* The governors the switch script printed, in cpus' order; 0 or -EINVAL. */
int bench_governor_parse(const char *out, const unsigned *cpus, unsigned n, char (*governors)[32]);

/* Exit statuses of the governor script. */
#define BENCH_GOVERNOR_NO_CPUFREQ 3
#define BENCH_GOVERNOR_REFUSED    4

#endif
