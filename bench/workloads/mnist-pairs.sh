#!/usr/bin/env bash
# mnist-pairs.sh [N] [GRID_DATA_DIR]: the issue-6 overhead benchmark. Runs examples/mnist-train (1 epoch, all 60,000
# images, 2 threads) N times bare and N times through a running og dev grid (`og submit -f`), interleaved with the
# order alternating (bare first on odd pairs), and prints per pair: wall times, the sandbox's wall time as the agent
# logged it, and the ratios. Start the grid first, e.g.: ./og dev --no-example --data /tmp/grid &
# Needs: apt-get install python3-torch dataset-fashion-mnist. Results go in docs/benchmarks.md with machine and commit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:-10}"
grid_data="${2:-$root/.opengrid/dev}"
data=/usr/share/datasets/fashion-mnist
[[ -f "$data/train-images-idx3-ubyte.gz" ]] || { echo "mnist-pairs: $data is missing: apt-get install dataset-fashion-mnist" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The example's spec with its one relative input made absolute, so it can be submitted from here.
sed "s#from: ./train.py#from: $root/examples/mnist-train/train.py#" "$root/examples/mnist-train/job.yaml" > "$work/job.yaml"
now() { date +%s.%N; }
bare() {
  local t0; t0=$(now)
  (cd "$work" && OMP_NUM_THREADS=2 PYTHONHASHSEED=0 /usr/bin/python3 "$root/examples/mnist-train/train.py" \
    --data "$data" --out "$work/out" --epochs 1 --seed 1 > "$work/bare.log" 2>&1)
  bare_s=$(echo "$(now) - $t0" | bc)
}
grid() {
  local t0; t0=$(now)
  (cd "$root" && ./og submit "$work/job.yaml" -f > "$work/grid.log" 2>&1) || { echo "mnist-pairs: the grid run failed:" >&2; tail -5 "$work/grid.log" >&2; exit 1; }
  grid_s=$(echo "$(now) - $t0" | bc)
  sandbox_ms=$(grep -h "Sandbox run" "$grid_data"/provider-*.log | sort | tail -1 | grep -o "[0-9]* ms wall" | cut -d' ' -f1)
}
for i in $(seq "$n"); do
  if (( i % 2 )); then bare; grid; else grid; bare; fi
  printf "pair %2d: bare %.2f s  grid %.2f s (sandbox %.2f s)  grid/bare %.3f  sandbox/bare %.3f  load %s\n" "$i" "$bare_s" "$grid_s" \
    "$(echo "$sandbox_ms / 1000" | bc -l)" "$(echo "$grid_s / $bare_s" | bc -l)" "$(echo "$sandbox_ms / 1000 / $bare_s" | bc -l)" \
    "$(cut -d' ' -f1 /proc/loadavg)"
done
