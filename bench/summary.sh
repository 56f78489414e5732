#!/usr/bin/env bash
# Prints the markdown summary of one bench/compare.sh results folder: bench/summary.sh bench/results/<timestamp>
set -uo pipefail
OUT="$1"
cat "$OUT/machine.txt"
printf '\n| run | steps | samples/s | tokens/s | embed sent/s | test acc | test macro-F1 | peak RSS MB | RSS@100 | RSS@1000 |\n|---|---|---|---|---|---|---|---|---|---|\n'
for j in "$OUT"/*.json; do
    name="$(basename "$j" .json)"
    f() { grep -o "\"$1\": *[-0-9.eE]*" "$j" | head -1 | sed 's/.*: *//' || true; }
    rss="$(f peak_rss_mb)"
    if [ -z "$rss" ] && [ -f "$OUT/$name.time" ]; then
        rss="$(( $(grep -o '[0-9]*' "$OUT/$name.time" | tail -1) / 1024 ))"
    fi
    sps="$(f train_samples_per_s)"; [ -z "$sps" ] && sps="$(f samples_per_s)"
    tps="$(f train_tokens_per_s)"; [ -z "$tps" ] && tps="$(f tokens_per_s)"
    steps="$(f steps)"
    if [ -z "$steps" ]; then samples="$(f train_samples)"; steps="$(( (${samples:-0} + 31) / 32 ))"; fi
    echo "| $name | $steps | $sps | $tps | $(f embed_sentences_per_s) | $(f test_accuracy) | $(f test_macro_f1) | $rss | $(f rss_mb_step_100) | $(f rss_mb_step_1000) |"
done
