"""Schemathesis hooks for tests/schemathesis/run.sh: a check that no response carries
another workspace's data.

FOLLOWUP_FORBIDDEN holds the markers (names, emails) seeded in the other workspace, one per
line; a response whose body contains any of them, in any letter case, fails the run.
"""

import os

import schemathesis

FORBIDDEN = [
    m.strip().lower()
    for m in os.environ.get("FOLLOWUP_FORBIDDEN", "").splitlines()
    if m.strip()
]
if not FORBIDDEN:
    raise RuntimeError("FOLLOWUP_FORBIDDEN names no marker: the leak check would check nothing")


@schemathesis.check
def no_leak_between_workspaces(ctx, response, case):
    """Fail when a response shows a marker of another workspace's data."""
    body = response.content.decode("utf-8", errors="replace").lower()
    for marker in FORBIDDEN:
        if marker in body:
            raise AssertionError(
                f"another workspace's data in the response: {marker!r} "
                f"({case.method} {case.path} answered {response.status_code})"
            )
