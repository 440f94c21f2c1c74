#!/usr/bin/env bash
# Schema-driven fuzzing of /api/v1 at scale (issue 9): tests/api/test_fuzz.py with FUZZ_EXAMPLES random
# cases per operation and caller (default 100) for an anonymous caller, an officer, a head and an admin
# (bearer tokens; the applicant's access code and real tracking numbers are mixed in by the test's hook),
# plus schemathesis' coverage phase. Checks: no 5xx, documented status codes, content types and response
# schemas, negative input refused, docs/api.md's error shape. About 3,700 answers at the default size.
#
#   bash scripts/fuzz.sh                      # on TEST_DATABASE_URL, default the local PostgreSQL gd_test
#   FUZZ_EXAMPLES=500 bash scripts/fuzz.sh    # larger
#   TEST_DATABASE_URL= bash scripts/fuzz.sh   # on SQLite
#
# Prints the number of answers, operations and 5xx; exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-100}
export FUZZ_CALLERS=${FUZZ_CALLERS:-anonymous,officer,head,admin}
export TEST_DATABASE_URL=${TEST_DATABASE_URL-postgresql://postgres@127.0.0.1:5432/gd_test}
report=$(mktemp /tmp/gd-fuzz-XXXXXX.json)
export FUZZ_REPORT=$report
start=$(date +%s)
.venv/bin/pytest -q -p no:cacheprovider tests/api/test_fuzz.py
status=$?
.venv/bin/python - "$report" "$(($(date +%s) - start))" <<'PY'
import json
import sys
from collections import Counter

rows = json.load(open(sys.argv[1]))
total = sum(r["count"] for r in rows)
by_class = Counter()
for r in rows:
    by_class[f"{r['status'] // 100}xx"] += r["count"]
ops = {r["operation"] for r in rows}
print(f"fuzz: {total} answers over {len(ops)} operations in {sys.argv[2]} s; by class: {dict(sorted(by_class.items()))}")
per_op = {}
for r in rows:
    per_op.setdefault(r["operation"], Counter())[r["status"]] += r["count"]
for op, statuses in sorted(per_op.items()):
    print(f"  {op}: " + ", ".join(f"{s}x{n}" for s, n in sorted(statuses.items())))
for r in rows:
    if r["status"] >= 500:
        print(f"  5xx: {r['operation']} as {r['caller']}: {r['status']} x{r['count']}")
print(f"fuzz: 5xx answers: {by_class.get('5xx', 0)}")
PY
rm -f "$report"
exit $status
