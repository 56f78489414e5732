#!/usr/bin/env bash
# The inference engines side by side on one model fine-tuned here (full, --max-steps steps at batch 32): libtorch
# fp32, libtorch bf16-matmul (where the CPU has native bf16) and ONNX Runtime on the model's ONNX graph. Prints one
# JSON line per engine (texts_per_s at batch 32, p50_ms and p95_ms of one text, test_accuracy,
# max_abs_diff_vs_fp32), then a markdown table.
#
#   bench/predict.sh --train FILE --test FILE [--max-steps 60] [--max-len 64] [--threads 2] [--seconds 10]
#                    [--base-model NAME]
#
# Works from a fresh clone after `./mvnw install -DskipTests` (it builds the bench module if needed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/classpath.sh"
exec "${BENCH_JAVA[@]}" dev.finetune.bench.PredictBenchmark "$@"
