#!/usr/bin/env bash
# Times `commissioner generate` (1,000,000 rows by default) twice on the release build and
# checks the two outputs are byte-identical. Usage: bench/generate.sh [ROWS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
seed="${2:-7}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --quiet --bin commissioner
bin="$CARGO_TARGET_DIR/release/commissioner"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for run in 1 2; do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/mem$run" "$bin" generate --seed "$seed" --rows "$rows" --out "$work/run$run" 2>/dev/null
  end=$(date +%s.%N)
  printf 'run %s: %.2f s, peak memory %s MiB\n' "$run" "$(echo "$end - $start" | bc)" "$(( $(cat "$work/mem$run") / 1024 ))"
done
if diff -rq "$work/run1" "$work/run2" >/dev/null; then
  echo "outputs identical: $(sha256sum "$work/run1/activity.csv" | cut -c1-16)… ($(wc -c < "$work/run1/activity.csv") bytes of activity)"
else
  echo "outputs DIFFER" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(uname -m)"
