#!/usr/bin/env bash
# Runs the whole OpenGrid test suite: installs what is missing, builds, runs every test project, and ends with
# one summary line "N passed, N failed". Exit status 0 only when every test passed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== checking dependencies"
scripts/ensure-deps.sh --for-tests

echo "== restoring and building (Release)"
dotnet build OpenGrid.slnx -c Release -nologo -v quiet

echo "== running tests"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
set +e
# One test project at a time (-maxcpucount:1): the end-to-end, sandbox and browser suites start real processes,
# and on a 2-core machine running them side by side only makes their timing-based failure detection flaky.
# The workload suite (PyTorch, Blender through the grid) runs last, after its Debian packages are installed.
workloads=tests/OpenGrid.Workloads.Tests/OpenGrid.Workloads.Tests.csproj
dotnet test OpenGrid.slnx -c Release --no-build -nologo -maxcpucount:1 --filter "FullyQualifiedName!~OpenGrid.Workloads.Tests" \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
echo "== checking workload dependencies (blender, python3-torch, dataset-fashion-mnist)"
scripts/ensure-deps.sh --for-workloads
dotnet test "$workloads" -c Release --no-build -nologo \
  --logger "trx;LogFileName=workloads.trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee -a "$results/console.log"
workload_status=${PIPESTATUS[0]}
((status == 0)) && status=$workload_status
set -e

# Sum the per-project counts from the TRX files (one per test project).
passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); total=$((total + ${t:-0}))
done
echo
if ((failed > 0)); then
  # Repeat each failure with the first line of its message at the end, where a log's tail shows it; the whole
  # message and stack are above and in $results/console.log.
  echo "== failed tests"
  awk '/^  Failed [^ ]/ { n = 3 } n > 0 && !/^  Error Message:/ { print } n > 0 { n-- }' "$results/console.log"
  echo
fi
echo "$passed passed, $failed failed"
if [[ $status -ne 0 || $failed -ne 0 || $total -eq 0 ]]; then
  echo "test.sh: FAILED (dotnet test exit $status; $total tests ran)" >&2
  exit 1
fi
