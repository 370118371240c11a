#!/usr/bin/env bash
# Portfolio optimiser benchmark: the standard problem (2,000 candidates, a £500m budget,
# mandatory items, groups of alternatives, dependencies, disinvestments) solved by the
# domain crate's exact branch and bound and by SciPy's milp (HiGHS) on the same JSON, in
# the same run; prints both times, the ratio, and checks the two optima agree.
# Usage: bench/portfolio.sh [CANDIDATES]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --quiet -p commissioning --example portfolio_solve
problem="$CARGO_TARGET_DIR/bench-portfolio-$n.json"
venv="$CARGO_TARGET_DIR/bench-venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import scipy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scipy
rust=$("$CARGO_TARGET_DIR/release/examples/portfolio_solve" --candidates "$n" --write "$problem" --repeat 5)
python=$("$venv/bin/python" bench/portfolio.py "$problem")
echo "commissioner: $rust"
echo "scipy/HiGHS:  $python"
"$venv/bin/python" - "$rust" "$python" <<'PY'
import json, sys
rust = dict(kv.split("=") for kv in sys.argv[1].split())
peer = json.loads(sys.argv[2])
ours, theirs = float(rust["median_seconds"]), peer["seconds"]
print(f"Solved {rust['candidates']} candidates within £{int(rust['budget_pounds']):,}")
print(f"  commissioner {ours:.3f} s (median of 5), {rust['nodes']} nodes, benefit {float(rust['benefit']):.4f}")
print(f"  scipy {peer['scipy']} milp (HiGHS) {theirs:.3f} s, benefit {peer['benefit']:.4f} ({peer['status']})")
print(f"  ratio HiGHS / commissioner: {theirs / ours:.1f}x")
gap = abs(float(rust["benefit"]) - peer["benefit"])
print(f"  optima agree: {'yes' if gap < 1e-6 else 'NO'} (difference {gap:.2e})")
sys.exit(0 if gap < 1e-6 else 1)
PY
