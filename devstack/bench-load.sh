#!/usr/bin/env bash
# Load figures for docs/benchmarks.md, each on a fresh local stack (state in .devstack-bench/):
#   devstack/bench-load.sh ingest [records]                  default 100000
#   devstack/bench-load.sh training [datasets] [instances..]  default 10 1 2 3
#   devstack/bench-load.sh overhead [repeats]                default 5
#   devstack/bench-load.sh serving [rows]                    default 100000
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f devstack/target/classpath.txt ]]; then
  ./mvnw -B -q install -DskipTests
fi
exec java -Ddevstack.root="$PWD" -Dai.djl.offline=true \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "devstack/target/classes:$(cat devstack/target/classpath.txt)" \
  dev.finetune.devstack.LoadBenchmark "$@"
