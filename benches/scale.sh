#!/usr/bin/env bash
# The coach-scale benchmark of docs/BENCHMARKS.md: 100,000 contacts, 1,000,000 touches.
# Usage: benches/scale.sh [DB] [CONTACTS] [TOUCHES]. Builds release, generates the database once
# (about 20 s), then times cold processes: agenda, agenda --json, log, replan.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-/tmp/followup-scale.db}
contacts=${2:-100000}
touches=${3:-1000000}
today=2026-11-21
cargo build --release -q -p followup -p followup-app --example synth
bin=${CARGO_TARGET_DIR:-target}/release
if [ ! -f "$db" ]; then
  "$bin/examples/synth" "$db" "$contacts" "$touches" "$today"
fi
work=$(mktemp -d)
cp "$db" "$work/scale.db"
python3 - "$bin/followup" "$work/scale.db" "$today" <<'PY'
import subprocess, sys, time, statistics, resource
exe, db, today = sys.argv[1:4]
def run(args, n):
    times, peak = [], 0
    for i in range(n):
        a = [x.replace("{i}", str(5000 + i)) for x in args]
        t = time.perf_counter()
        subprocess.run([exe, "--db", db, "--today", today] + a, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return statistics.median(times) * 1000, min(times) * 1000, peak / 1024
items = subprocess.run([exe, "--db", db, "--today", today, "agenda"], capture_output=True, text=True).stdout.count("\n") - 1
print(f"agenda window: {items} lines")
for name, args, n in [
    ("agenda", ["agenda"], 20),
    ("agenda --json", ["--json", "agenda"], 20),
    ("log follow-up (by id)", ["log", "follow-up", "--with", "{i}"], 20),
    ("log reply (by name, with job)", ["log", "reply", "--with", "Contact 4700", "--job", "47"], 10),
    ("replan", ["replan"], 3),
]:
    med, best, peak = run(args, n)
    print(f"{name:32} median {med:8.1f} ms   best {best:8.1f} ms   peak RSS so far {peak:6.1f} MiB")
PY
rm -rf "$work"
