"""Audit the installed dependencies for known vulnerabilities (pip-audit), honestly.

Fails (exit 1) when pip-audit reports a vulnerable package: upgrade its pin in pyproject.toml. When the
vulnerability data cannot be reached (pip-audit asks PyPI's JSON API; a mirror that serves only the
package index answers "not found" for every package), nothing was audited: that is said loudly, and the
run does not fail for it, unless AUDIT_STRICT=1. Usage: .venv/bin/python scripts/audit_deps.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        run = subprocess.run(  # noqa: S603  (our own venv's pip-audit, fixed arguments)
            [
                str(VENV_BIN / "pip-audit"),
                "--skip-editable",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if not report.exists():
            print(run.stdout, run.stderr, sep="\n")
            print("pip-audit: did not run (see above)")
            return 1 if os.environ.get("AUDIT_STRICT") == "1" else 0
        data = json.loads(report.read_text())
    deps = data.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if "skip_reason" in d]
    audited = len(deps) - len(skipped)
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    print(
        f"pip-audit: {len(deps)} packages, {audited} audited, {len(skipped)} not audited, "
        f"{sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities"
    )
    if skipped and not audited:
        print("pip-audit: WARNING: the vulnerability data could not be reached; nothing was audited")
        return 1 if os.environ.get("AUDIT_STRICT") == "1" else 0
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
