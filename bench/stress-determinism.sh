#!/usr/bin/env bash
# Stress check for determinism: the same short full fine-tuning (20 steps of batch 8 by default) run many
# times in one JVM while other processes keep every core busy; every run must be bit-identical to the
# first (each step's loss, final weights, AdamW moments) with no step skipped by the non-finite guard.
# Prints per-run lines on stderr and, last, one JSON line; exits 1 when a run differs or skipped a step.
#
#   bench/stress-determinism.sh [--runs 50] [--steps 20] [--threads N] [--gc-every-ms 0] [--load N]
#
#   --load N         busy-loop processes started for the duration (default: one per core; 0 for none)
#   --gc-every-ms N  also run System.gc() every N ms on a second thread of the training JVM (amplifier:
#                    a collection between forward and backward is what made the old NaN)
# Training and load both run under `nice -n 10` (the machine is shared): they compete with each other as
# equals, so the training JVM gets about half of the cores and is preempted all the time.
set -euo pipefail
LOAD="$(nproc)"
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --load) LOAD="$2"; shift 2 ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/classpath.sh"
LOAD_PIDS=()
stop_load() { for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_load EXIT
for _ in $(seq 1 "$LOAD"); do
    nice -n 10 bash -c 'while :; do :; done' &
    LOAD_PIDS+=("$!")
done
echo "load: $LOAD busy processes; $(uptime)" >&2
status=0
nice -n 10 "${BENCH_JAVA[@]}" dev.finetune.bench.DeterminismStress "${ARGS[@]}" || status=$?
echo "after: $(uptime)" >&2
exit "$status"
