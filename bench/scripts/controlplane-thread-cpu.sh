#!/usr/bin/env bash
# controlplane-thread-cpu.sh TAG CHECKOUT OUT_DIR [bench options]: the control-plane part of CHECKOUT's benchmark with
# both JVMs' thread CPU sampled (thread-cpu.py), then the CPU of each change by thread (thread-cpu-per-change.py).
# docs/performance.md, "The first change after the first sync". CHECKOUT must be an absolute path. BENCH_JVM_FLAGS (if
# set) are added to the benchmark JVM's own flags, i.e. those of its 2,000 in-process clients (for experiments).
set -euo pipefail
tag=$1; checkout=$2; out=$3; shift 3
scripts="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
python3 "$scripts/thread-cpu.py" "$out/$tag-threads.csv" "$checkout/" &
(cd "$checkout" && java -Xmx6g ${BENCH_JVM_FLAGS:-} -Dmeshgate.bench.repository="$checkout" -jar "$checkout/bench/target/meshgate-bench.jar" \
    --parts controlplane --repeat 1 --no-jmh --results "$out/$tag" "$@") | tee "$out/$tag.out"
wait
log="$(sed -n 's/^bench: logs and scratch files in //p' "$out/$tag.out")/logs/config-server-large.log"
cp "$log" "$out/$tag-cp.log"
python3 "$scripts/thread-cpu-per-change.py" "$out/$tag-cp.log" "$out/$tag-threads.csv" | tee -a "$out/$tag.out"
