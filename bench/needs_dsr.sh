#!/usr/bin/env bash
# National small-area DSR benchmark: directly standardised rates with 95% and 99.8% limits
# for INDICATORS (default 20) × 32,844 LSOAs × 19 age bands × 2 sexes, computed by the domain
# crate's columnar kernel on all cores and by numpy/scipy on the same data in the same run;
# prints both times and the ratio, and checks the results agree to 1e-9 relative.
# Usage: bench/needs_dsr.sh [INDICATORS]
set -euo pipefail
cd "$(dirname "$0")/.."
indicators="${1:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --quiet -p commissioning --example dsr_national
data="$CARGO_TARGET_DIR/bench-dsr-$indicators"
venv="$CARGO_TARGET_DIR/bench-venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import numpy, scipy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scipy
rust=$(/usr/bin/time -f "%M" -o "$data.mem" "$CARGO_TARGET_DIR/release/examples/dsr_national" "$data" "$indicators")
python=$("$venv/bin/python" bench/needs_dsr.py "$data")
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
rust_seconds=$(field "$rust" seconds)
python_seconds=$(field "$python" seconds)
echo "commissioner: $rust"
echo "numpy/scipy:  $python"
printf 'DSRs with 95%% and 99.8%% limits: %s groups of 19 bands\n' "$(field "$rust" groups)"
printf '  commissioner %.3f s (%s threads, peak %s MiB incl. data)\n' "$rust_seconds" "$(field "$rust" threads)" "$(( $(cat "$data.mem") / 1024 ))"
printf '  numpy/scipy  %.3f s\n' "$python_seconds"
printf '  ratio numpy / commissioner: %.1fx\n' "$(echo "$python_seconds / $rust_seconds" | bc -l)"
[ "$(field "$python" same_missing)" = "True" ] || { echo "  SUPPRESSED GROUPS DIFFER"; exit 1; }
python3 -c "import sys; d=float(sys.argv[1]); print(f'  max relative difference {d:.2e}'); sys.exit(0 if d < 1e-9 else 1)" "$(field "$python" max_relative_difference)"
echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
