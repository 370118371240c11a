#!/usr/bin/env bash
# Portfolio optimiser benchmark: the standard problem (2,000 candidates, a £500m budget,
# mandatory items, groups of alternatives, dependencies, disinvestments) for each of several
# seeds, solved by the domain crate's exact branch and bound (node limit 3 million) and by
# SciPy's milp (HiGHS, 120 s limit) on the same JSON in the same run; prints both times per
# seed, how many each solved within 1 s, and checks the optima agree where both finished.
# Usage: bench/portfolio.sh [CANDIDATES] [SEEDS...]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
shift || true
seeds=("$@")
if [ ${#seeds[@]} -eq 0 ]; then seeds=(1 2 3 4 5 6 7 8 9 10); fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --quiet -p commissioning --example portfolio_solve
venv="$CARGO_TARGET_DIR/bench-venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import scipy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scipy
results=()
for seed in "${seeds[@]}"; do
  problem="$CARGO_TARGET_DIR/bench-portfolio-$n-$seed.json"
  rust=$("$CARGO_TARGET_DIR/release/examples/portfolio_solve" --candidates "$n" --seed "$seed" --node-limit 3000000 \
    --write "$problem" --repeat 3 2>/dev/null)
  python=$("$venv/bin/python" bench/portfolio.py "$problem" 120 2>/dev/null | tail -1)
  echo "seed $seed commissioner: $rust"
  echo "seed $seed scipy/HiGHS:  $python"
  results+=("$rust|$python")
done
"$venv/bin/python" - "${results[@]}" <<'PY'
import json, sys
rows = []
for arg in sys.argv[1:]:
    rust_text, peer_text = arg.split("|", 1)
    rust = dict(kv.split("=", 1) for kv in rust_text.split())
    peer = json.loads(peer_text)
    rows.append((rust, peer))
print(f"{'seed':>4} {'commissioner':>14} {'nodes':>9} {'core':>5} {'HiGHS':>9} {'agree':>6}")
fast_ours = fast_peer = agree = both = 0
for rust, peer in rows:
    optimal = rust["status"] == "optimal"
    ours = float(rust["median_seconds"]) if optimal else float(rust["seconds"])
    label = f"{ours:.3f} s" if optimal else f"> {ours:.0f} s*"
    peer_optimal = "Optimal" in peer["status"]
    same = ""
    if optimal and peer_optimal:
        both += 1
        ok = abs(float(rust["benefit"]) - peer["benefit"]) < 1e-6
        agree += ok
        same = "yes" if ok else "NO"
    fast_ours += optimal and ours < 1.0
    fast_peer += peer_optimal and peer["seconds"] < 1.0
    peer_label = f"{peer['seconds']:.3f} s" + ("" if peer_optimal else "*")
    print(f"{rust['seed']:>4} {label:>14} {rust.get('nodes', '-'):>9} {rust.get('core', '-'):>5} {peer_label:>9} {same:>6}")
print(f"proved optimal within 1 s: commissioner {fast_ours} of {len(rows)}, HiGHS {fast_peer} of {len(rows)}")
print(f"optima agree on {agree} of {both} seeds both solved   (* = stopped at its limit, not proved)")
sys.exit(0 if agree == both else 1)
PY
