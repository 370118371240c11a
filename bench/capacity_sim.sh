#!/usr/bin/env bash
# Waiting-list simulator benchmark: SERVICES (default 100) services × 10,000 replications ×
# 104 weeks (two priority classes, seasonality, withdrawals, a backlog), by the domain crate's
# simulator on all cores and by numpy on the same configurations in the same run; prints both
# times and the ratio, and checks each service's mean queue at week 104 agrees within
# Monte-Carlo error.
# Usage: bench/capacity_sim.sh [SERVICES] [REPLICATIONS] [WITHDRAWAL_PROB]
set -euo pipefail
cd "$(dirname "$0")/.."
services="${1:-100}"
reps="${2:-10000}"
withdrawal="${3:-0}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --quiet -p commissioning --example waiting_sim
data="$CARGO_TARGET_DIR/bench-sim-$services-$reps-$withdrawal"
venv="$CARGO_TARGET_DIR/bench-venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import numpy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy
rust=$(/usr/bin/time -f "%M" -o "$data.mem" "$CARGO_TARGET_DIR/release/examples/waiting_sim" "$data" "$services" "$reps" "$withdrawal")
python=$("$venv/bin/python" bench/capacity_sim.py "$data")
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
rust_seconds=$(field "$rust" seconds)
python_seconds=$(field "$python" seconds)
echo "commissioner: $rust"
echo "numpy:        $python"
printf 'Simulated %s services x %s replications x 104 weeks, weekly withdrawal probability %s\n' "$services" "$reps" "$withdrawal"
printf '  commissioner %.3f s (%s threads, peak %s MiB)\n' "$rust_seconds" "$(field "$rust" threads)" "$(( $(cat "$data.mem") / 1024 ))"
printf '  numpy %s  %.3f s (one thread: numpy does not parallelise these operations)\n' "$(field "$python" numpy)" "$python_seconds"
printf '  ratio numpy / commissioner: %.1fx\n' "$(echo "$python_seconds / $rust_seconds" | bc -l)"
"$venv/bin/python" - "$data" "$reps" <<'PY'
import json, sys
out, reps = sys.argv[1], int(sys.argv[2])
rust = json.load(open(f"{out}/rust.json"))
py = json.load(open(f"{out}/python.json"))
worst = 0.0
for r, p in zip(rust, py):
    # Both means have standard error about sd/sqrt(reps); sd of a queue is at most its mean
    # plus a few hundred here, so compare in units of a generous bound on the pooled error.
    scale = max(1.0, (r["queue_mean"] + 50.0)) * (2.0 / reps) ** 0.5
    worst = max(worst, abs(r["queue_mean"] - p["queue_mean"]) / scale)
print(f"  week-104 mean queue: largest difference {worst:.2f} error bounds (must be under 4)")
sys.exit(0 if worst < 4 else 1)
PY
echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
