#!/usr/bin/env bash
# The schema accepts the committed report fixtures and rejects broken copies
# of them: a test that can fail both ways.
set -euo pipefail
src="$1"
validate="$src/scripts/validate-report"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Reports as `leakcheck run` wrote them (a 40 s smoke run and negative control).
fixtures=("$src"/reports/tests/fixtures/smoke.json "$src"/reports/tests/fixtures/negative-control.json
          "$src"/reports/tests/fixtures/report-smoke.json)  # the last: hostile strings injected
"$validate" "${fixtures[@]}"
/usr/bin/python3 - "${fixtures[0]}" "$tmp" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
broken = {
    "verdict": dict(report, verdict="MAYBE"),
    "schema": dict(report, schema="leakcheck.report/0"),
    "missing": {k: v for k, v in report.items() if k != "criteria"},
    "extra": dict(report, surprise=1),
    "criterion": dict(report, criteria=[dict(report["criteria"][0], op="~")]),
}
for name, doc in broken.items():
    json.dump(doc, open(f"{sys.argv[2]}/{name}.json", "w"))
PY
for f in "$tmp"/*.json; do
  if "$validate" "$f" >/dev/null 2>&1; then
    echo "the schema accepted a broken report: $(basename "$f")" >&2
    exit 1
  fi
done
echo "schema: ${#fixtures[@]} fixture(s) valid, 5 broken copies rejected"
