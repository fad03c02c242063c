#!/usr/bin/env bash
# Runs the browser tests, installing what they need when missing: Debian's chromium, and
# playwright-core from npm (package-lock.json pins it). Usage: tests/browser/run.sh FOLLOWUP_BIN
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$1"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the browser tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent) >&2
fi
cd "$here"
FOLLOWUP_BIN="$bin" \
LINKEDIN_FIXTURE="$here/../../../shared/fixtures/linkedin/Connections.csv" \
SCREENSHOTS="${SCREENSHOTS:-$here/../../target/screenshots}" \
  node --test --test-concurrency=1 browser.test.mjs
