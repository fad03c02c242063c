#!/usr/bin/env bash
# Runs schemathesis against a running followup's /openapi.json as one account, installing the
# version that requirements.txt pins when it is missing. Usage:
#   FOLLOWUP_TOKEN=... FOLLOWUP_FORBIDDEN=$'marker\nmarker' tests/schemathesis/run.sh BASE_URL
# FOLLOWUP_TOKEN is sent as `Authorization: Bearer`; FOLLOWUP_FORBIDDEN holds, one per line,
# markers of another workspace's data that no response may contain (hooks.py checks it).
# Any failure (install, schema, a check) exits non-zero; nothing here is skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${1:?usage: run.sh BASE_URL}"
: "${FOLLOWUP_TOKEN:?FOLLOWUP_TOKEN: the bearer token to test as}"
: "${FOLLOWUP_FORBIDDEN:?FOLLOWUP_FORBIDDEN: the other workspace markers, one per line}"
want="$(sed -n 's/^schemathesis==//p' "$here/requirements.txt")"
installed() { python3 -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null || true; }
if [ "$(installed)" != "$want" ]; then
  echo "installing schemathesis $want from PyPI" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    -r "$here/requirements.txt" >&2
fi
if [ "$(installed)" != "$want" ]; then
  echo "schemathesis $want could not be installed (found: '$(installed)')" >&2
  exit 3
fi
echo "schemathesis $want"
# Every check, the leak check among them, but two: positive_data_acceptance, since many
# fields are strings the schema cannot narrow (dates as phrases like "in 2 weeks", phone
# numbers, names that must match one contact), so "schema-valid" input is rightly refused with
# a 4xx; and ensure_resource_availability, whose inferred links feed a created contact's id to
# operations whose refusal is about another field. The revoke-token operation is left out: it
# revokes the run's own token, after which every request is a 401 and nothing is tested.
# A fixed seed, a bounded number of cases per operation and one worker: the same run each
# time, in a few minutes on two cores. No example database: nothing carried between runs.
export SCHEMATHESIS_HOOKS="$here/hooks.py"
exec python3 -m schemathesis.cli run "$base/openapi.json" \
  --header "Authorization: Bearer $FOLLOWUP_TOKEN" \
  --checks "${FOLLOWUP_CHECKS:-all}" \
  --exclude-checks "${FOLLOWUP_EXCLUDE_CHECKS:-positive_data_acceptance,ensure_resource_availability}" \
  --max-examples "${FOLLOWUP_MAX_EXAMPLES:-100}" \
  --seed 14 \
  --workers 1 \
  --generation-database none \
  --request-timeout 20 \
  --no-color \
  --exclude-operation-id revoke_token \
  "${@:2}"
