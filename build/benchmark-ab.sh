#!/usr/bin/env bash
# Before/after A/B of micro-benchmarks: the same BenchmarkDotNet filter from two commits, built in detached worktrees
# and run back to back in rotated order (before, after, after, before, ...), so drift on a shared machine lands on both.
#   build/benchmark-ab.sh BEFORE [AFTER] [PAIRS] -- <BenchmarkDotNet arguments>
#   build/benchmark-ab.sh 93baf65 HEAD 2 -- --filter '*SpanBenchmarks*' --job short --memory
# Logs go to artifacts/ab/<side>-<n>.log. --inProcess is added: BenchmarkDotNet's build of a generated project per
# benchmark times out on a busy 2-core machine, and both sides then run the same (in-process) toolchain.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
before=$1; shift
after=HEAD; pairs=1
if [[ $# -gt 0 && $1 != -- ]]; then after=$1; shift; fi
if [[ $# -gt 0 && $1 != -- ]]; then pairs=$1; shift; fi
[[ $# -gt 0 && $1 == -- ]] && shift
out=$root/artifacts/ab; mkdir -p "$out"
declare -A dirs
for side in before after; do
  rev=${!side}
  dir=$out/tree-$side
  git -C "$root" worktree remove --force "$dir" 2>/dev/null || true
  git -C "$root" worktree add --detach "$dir" "$rev" >/dev/null
  dotnet build -c Release "$dir/test/Benchmarks/Traceline.Benchmarks.csproj" -v q -nologo >/dev/null
  dirs[$side]=$dir
done
for ((n = 0; n < pairs; n++)); do
  order=(before after); ((n % 2)) && order=(after before)
  for side in "${order[@]}"; do
    echo "$(date -u +%H:%M) $side (${!side}) run $n"
    (cd "${dirs[$side]}/test/Benchmarks" && dotnet run -c Release --no-build -- "$@" --inProcess >"$out/$side-$n.log" 2>&1)
  done
done
for side in before after; do git -C "$root" worktree remove --force "${dirs[$side]}"; done
grep -H -E '^\| ' "$out"/*.log | grep -v -E '\| Method|\|--' || true
