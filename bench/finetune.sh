#!/usr/bin/env bash
# Fine-tunes the shipped all-MiniLM-L6-v2 on local JSONL files ({"text","label"} rows) with libs/ml and
# prints, as its last line, one JSON object: train_samples_per_s, train_tokens_per_s, test_accuracy,
# test_macro_f1, peak_rss_mb, train_seconds, rss_mb_step_100/1000 (when the run is that long), ...
#
#   bench/finetune.sh --train FILE --test FILE [--strategy full|head|last-n] [--last-n 2] [--epochs 1]
#                     [--batch 32] [--max-len 64] [--lr 5e-5] [--head-lr 1e-3] [--max-steps N] [--seed 42]
#                     [--from-scratch] [--threads N] [--precision fp32|bf16-matmul|auto] [--base-model NAME]
#
# Works from a fresh clone after `./mvnw install -DskipTests` (it builds the bench module if needed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/classpath.sh"
exec "${BENCH_JAVA[@]}" dev.finetune.bench.FineTuneBenchmark "$@"
