#!/usr/bin/env bash
# The queuing model's figures (issue 12): its speed in simulated requests per second
# of its own CPU time, and what it gives for the thesis' bimodal load (90 % of 60 us,
# 10 % of 600 us, Poisson) at 70 % of capacity on 2 and 16 CPUs, the figures that
# design.md and issue 11 quote from a quick simulation. Model time only: no lab, no
# load on the machine beyond one CPU for a few seconds. Prints figures and the
# commands that give them; never passes or fails.
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
RUN=$BUILD/tests/tools/model-run
[ -x "$RUN" ] || { echo "missing $RUN: run make all"; exit 1; }

run() { echo "\$ $*"; "$@"; local rc=$?; echo; return $rc; }

rc=0
echo "model speed (goal: at least 5 M simulated requests per second of CPU time)"
run "$RUN" --cpus 16 --policy rr --load 70 --duration-ms 100000 || rc=1
run "$RUN" --cpus 16 --policy split --long-cpus 8 --load 70 --duration-ms 100000 || rc=1
run "$RUN" --cpus 64 --policy split --long-cpus 32 --load 70 --duration-ms 20000 || rc=1

echo "the thesis' bimodal load at 70 %, p99 queuing delay short / long. The quick simulation"
echo "quoted in design.md and issue 11 gave: 16 CPUs rr 1629 / 1618, split (8 long) 36 / 428,"
echo "least-work-left 71 / 66; 2 CPUs rr 2029 / 2065, split 344 / 4064. Split on 2 CPUs is two"
echo "M/D/1 queues, whose exact p99 waits are 338 / 4544 us (Erlang's M/D/1 distribution)."
echo "The 16-CPU runs are above; one queue per group is what an exact least-work-left gives:"
run "$RUN" --cpus 16 --queueing shared --load 70 --duration-ms 100000 || rc=1
run "$RUN" --cpus 2 --policy rr --load 70 --duration-ms 200000 || rc=1
run "$RUN" --cpus 2 --policy split --long-cpus 1 --load 70 --duration-ms 200000 || rc=1
exit $rc
