#!/usr/bin/env bash
# History scaling (docs/BENCHMARKS.md): agenda (default window, and every item), log, replan and
# an import of 30,000 LinkedIn rows, at 10k, 100k and 1M touches (one contact per ten touches).
# Shows that the agenda costs the items shown, not the history. Needs hyperfine (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine; }
cargo build --release -q -p followup -p followup-bench
bin=${CARGO_TARGET_DIR:-target}/release
today=2026-11-21
work=$(mktemp -d)
"$bin/followup-bench" linkedin 30000 "$work/connections.csv" --seed 7
median() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['median']*1000:.1f}\")" "$1"; }
printf '%9s %12s %12s %10s %10s %14s %8s\n' touches "agenda(ms)" "all due(ms)" "log(ms)" "replan(ms)" "import 30k(ms)" "items"
for touches in 10000 100000 1000000; do
  db="$work/h$touches.db"
  "$bin/followup-bench" history "$db" $((touches / 10)) "$touches" --today "$today" --seed 7 2>/dev/null
  f="$bin/followup --db $db --today $today"
  items=$($f agenda | wc -l)
  hyperfine --style none --warmup 3 --runs 20 --export-json "$work/a.json" "$f agenda" >/dev/null
  hyperfine --style none --warmup 1 --runs 10 --export-json "$work/all.json" "$f agenda --until 2036-01-01" >/dev/null
  hyperfine --style none --warmup 2 --runs 20 --export-json "$work/log.json" "$f log note --with 7 --note bench" >/dev/null
  hyperfine --style none --warmup 1 --runs 5 --export-json "$work/replan.json" "$f replan" >/dev/null
  hyperfine --style none --warmup 1 --runs 5 --export-json "$work/import.json" \
    --prepare "cp $db $work/imp.db; rm -f $work/imp.db-wal $work/imp.db-shm" \
    "$bin/followup --db $work/imp.db --today $today import linkedin $work/connections.csv" >/dev/null
  printf '%9s %12s %12s %10s %10s %14s %8s\n' "$touches" "$(median "$work/a.json")" "$(median "$work/all.json")" \
    "$(median "$work/log.json")" "$(median "$work/replan.json")" "$(median "$work/import.json")" "$items"
done
echo "(databases in $work)"
