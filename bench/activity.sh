#!/usr/bin/env bash
# Activity monitoring benchmark: generates ROWS rows (default 10,000,000), prices them with
# `commissioner activity price` from CSV and from Parquet, and runs the same rules in DuckDB
# SQL on the same files in the same run; prints times, peak memory and the ratio, and checks
# the summaries and challenges are identical. Usage: bench/activity.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --quiet --bin commissioner
bin="$CARGO_TARGET_DIR/release/commissioner"
data="$CARGO_TARGET_DIR/bench-activity-$rows"
if [ ! -f "$data/activity.parquet" ]; then
  rm -rf "$data"
  "$bin" generate --seed 7 --rows "$rows" --out "$data" 2>/dev/null
  "$bin" activity convert "$data/activity.csv" "$data/activity.parquet" 2>/dev/null
fi
venv="$CARGO_TARGET_DIR/bench-venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import duckdb" 2>/dev/null || "$venv/bin/pip" install --quiet "duckdb==2.0.0"
duckdb_version=$("$venv/bin/python" -c "import duckdb; print(duckdb.__version__)")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

measure() { # name, command...: prints "seconds peak_MiB"
  local name="$1"; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$out/$name.mem" "$@" > "$out/$name.log" 2>&1
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $(( $(cat "$out/$name.mem") / 1024 ))"
}

printf '%-28s %10s %12s\n' "run" "seconds" "peak MiB"
for format in csv parquet; do
  input="$data/activity.$format"
  read -r t m < <(measure "rust-$format" "$bin" activity price --tariff "$data/tariff.csv" --mff "$data/mff.csv" \
    --commissioner Q99 --summary-out "$out/rust-$format-summary.csv" --challenges-out "$out/rust-$format-challenges.csv" "$input")
  printf '%-28s %10.2f %12s\n' "commissioner ($format)" "$t" "$m"
  read -r dt dm < <(measure "duckdb-$format" "$venv/bin/python" bench/activity_duckdb.py "$input" "$data/tariff.csv" \
    "$data/mff.csv" Q99 "$out/duckdb-$format-summary.csv" "$out/duckdb-$format-challenges.csv")
  printf '%-28s %10.2f %12s\n' "duckdb $duckdb_version ($format)" "$dt" "$dm"
  printf '%-28s %10.2fx\n' "ratio duckdb / commissioner" "$(echo "$dt / $t" | bc -l)"
  cmp -s "$out/rust-$format-summary.csv" "$out/duckdb-$format-summary.csv" && echo "  summaries identical ($(($(wc -l < "$out/rust-$format-summary.csv") - 1)) rows)" \
    || { echo "  SUMMARIES DIFFER"; diff "$out/rust-$format-summary.csv" "$out/duckdb-$format-summary.csv" | head; exit 1; }
  cmp -s "$out/rust-$format-challenges.csv" "$out/duckdb-$format-challenges.csv" && echo "  challenges identical ($(($(wc -l < "$out/rust-$format-challenges.csv") - 1)) rows)" \
    || { echo "  CHALLENGES DIFFER"; diff "$out/rust-$format-challenges.csv" "$out/duckdb-$format-challenges.csv" | head; exit 1; }
done
echo "rows: $rows; machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
