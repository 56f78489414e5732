#!/usr/bin/env bash
# Benchmark (not a test): validate + de-duplicate + split + store N short rows; see docs/benchmarks.md.
# Usage: dataset-service/bench-prepare.sh [rows] [-Xmx...]
set -euo pipefail
cd "$(dirname "$0")"
rows="${1:-1000000}"
heap="${2:--Xmx128m}"
../mvnw -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java "$heap" -XX:+UseG1GC -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
    dev.finetune.dataset.bench.PrepareBenchmark "$rows"
