#!/usr/bin/env bash
# Sourced by the bench scripts: builds the bench module when its classes or classpath are missing
# (or older than the sources) and sets BENCH_CP. Needs the other modules installed first
# (./mvnw install -DskipTests); running needs no Maven and downloads nothing.
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/.." && pwd)"
stale() {
    [ ! -f "$BENCH_DIR/target/classpath.txt" ] && return 0
    tr ':' '\n' < "$BENCH_DIR/target/classpath.txt" | while read -r jar; do [ -e "$jar" ] || { echo missing; break; }; done | grep -q missing && return 0
    [ -n "$(find "$BENCH_DIR/src" "$ROOT_DIR/libs/ml/src/main" -newer "$BENCH_DIR/target/classpath.txt" -type f 2>/dev/null | head -1)" ]
}
if stale; then
    echo "building bench and libs/ml ..." >&2
    (cd "$ROOT_DIR" && ./mvnw -q -pl bench -am install -DskipTests) >&2 || { echo "build failed" >&2; exit 1; }
    touch "$BENCH_DIR/target/classpath.txt" # the plugin leaves an unchanged file untouched
fi
BENCH_CP="$BENCH_DIR/target/classes:$(cat "$BENCH_DIR/target/classpath.txt")"
# Offline: the PyTorch native library comes from the pytorch-native-cpu jar on the classpath.
# BENCH_JVM_OPTS replaces the heap options; the memory check pre-touches a fixed heap so that RSS
# changes are native memory only.
read -r -a JVM_OPTS <<< "${BENCH_JVM_OPTS:--Xmx2g}"
BENCH_JAVA=(java "${JVM_OPTS[@]}" -Dai.djl.offline=true -cp "$BENCH_CP")
export DJL_OFFLINE=true
# libtorch's OpenMP threads spin while they wait; on a machine shared with other work (2 cores here)
# spinning threads starve each other and steps get several times slower. Passive waiting costs little
# on an idle machine. Must be set before the process starts; override by exporting it.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
