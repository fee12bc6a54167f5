#!/usr/bin/env bash
# Runs the shared peer-bench workload against ShareDB, Hocuspocus and Patchbay (in memory and on
# the durable SQLite default) in one go, on loopback, and prints one JSON line per system.
#
#   scripts/peer-bench.sh [N M K RATE]        broadcast workload, default 60 6 100 25
#
# Needs Node.js and npm (the peers' packages are installed into a temporary copy of
# ../shared/peer-bench). Each Patchbay server is first warmed up (JIT) with the same workload at
# half the rate and three times the ops, reported on stderr, not stdout. Afterwards both Patchbay servers also run the commit workload
# (MODE=commit, 32 clients x 100 changes to one document).
set -euo pipefail
N=${1:-60} M=${2:-6} K=${3:-100} RATE=${4:-25}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="$root/../shared/peer-bench"
[ -d "$peer" ] || { echo "peer-bench: $peer not found (shared/ must sit beside the project)" >&2; exit 2; }
jar="$root/patchbay-app/target/patchbay.jar"
[ -f "$jar" ] || "$root/patchbay" --version >/dev/null
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cp -r "$peer"/. "$work" && chmod -R u+w "$work"
(cd "$work" && npm install --no-audit --no-fund --silent >/dev/null 2>&1)

start() { # name port args...
  local name=$1 port=$2; shift 2
  # All benchmark clients share one address and commit flat out: lift the per-client limits.
  java -jar "$jar" serve --port "$port" --max-connections-per-address 10000 \
    --max-messages-per-second 1000000 --message-burst 1000000 "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q "listening" "$work/$name.log" && return 0; sleep 0.2; done
  echo "peer-bench: $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
start patchbay-memory 18801 --store memory
start patchbay-sqlite 18802 --data-dir "$work/data"

cd "$work"
for port in 18801 18802; do
  echo "warm-up on port $port:" >&2
  URL=ws://127.0.0.1:$port/ws N=$N M=$M K=$((K * 3)) RATE=$(((RATE + 1) / 2)) NAME=warm-up \
    node patches-rpc-bench.mjs >&2
done
PATCHES_URL=ws://127.0.0.1:18801/ws PATCHES_NAME=patchbay-memory ./run-all.sh "$N" "$M" "$K" "$RATE" 2>/dev/null \
  | grep '^{'
URL=ws://127.0.0.1:18802/ws N=$N M=$M K=$K RATE=$RATE NAME=patchbay-sqlite node patches-rpc-bench.mjs
URL=ws://127.0.0.1:18801/ws N=32 K=100 MODE=commit NAME=patchbay-memory node patches-rpc-bench.mjs
URL=ws://127.0.0.1:18802/ws N=32 K=100 MODE=commit NAME=patchbay-sqlite node patches-rpc-bench.mjs
