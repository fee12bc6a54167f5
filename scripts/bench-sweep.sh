#!/usr/bin/env bash
# Runs the broadcast sweep of `patchbay bench sweep` (Patchbay in memory, on SQLite, and the echo
# baseline) and, unless NO_PEERS is set, the peers of ../shared/peer-bench (ShareDB, Hocuspocus)
# at the same rates in the same run, then draws p99 latency against offered load.
#
#   scripts/bench-sweep.sh [N M K RATE...]     default 60 6 100 5 10 25 50
#
# Writes OUT (default docs/bench)/sweep.csv, peers.jsonl and p99-vs-load.png. The peers need
# Node.js and npm (their packages are installed into a temporary copy of ../shared/peer-bench, or
# of PEER_BENCH when the project is not checked out beside shared/).
set -euo pipefail
N=${1:-60} M=${2:-6} K=${3:-100}
shift $(($# < 3 ? $# : 3))
RATES=("${@:-5 10 25 50}")
read -r -a RATES <<<"${RATES[*]}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/docs/bench}"
mkdir -p "$out"
out="$(cd "$out" && pwd)" # the peers run from another directory
jar="$root/patchbay-app/target/patchbay.jar"
[ -f "$jar" ] || "$root/patchbay" --version >/dev/null
csv_rates=$(IFS=,; echo "${RATES[*]}")

java -jar "$jar" bench sweep -n "$N" -m "$M" -k "$K" --rates "$csv_rates" \
  --systems memory,sqlite,echo --csv "$out/sweep.csv" --quiet

inputs=(--in "$out/sweep.csv")
peer="${PEER_BENCH:-$root/../shared/peer-bench}"
if [ -n "${NO_PEERS:-}" ]; then
  :
elif [ ! -d "$peer" ] || ! command -v npm >/dev/null; then
  echo "bench-sweep: no peers ($peer not found or no npm; set PEER_BENCH)" >&2
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r "$peer"/. "$work" && chmod -R u+w "$work"
  (cd "$work" && npm install --no-audit --no-fund --silent >/dev/null 2>&1)
  : >"$out/peers.jsonl"
  for r in "${RATES[@]}"; do
    (cd "$work" && ./run-all.sh "$N" "$M" "$K" "$r" 2>/dev/null | grep '^{' >>"$out/peers.jsonl") || true
  done
  inputs+=(--in "$out/peers.jsonl")
fi
java -jar "$jar" bench chart "${inputs[@]}" --out "$out/p99-vs-load.png" \
  --title "Broadcast p99 latency vs offered load (N=$N, M=$M, K=$K)"
