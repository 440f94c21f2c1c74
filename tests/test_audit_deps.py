"""The dependency audit's decisions (scripts/audit_deps.py), from recorded PyPI / pip-audit answers.

No network here: the answers below have the shape of PyPI's ``/pypi/<name>/json`` (``info``,
``vulnerabilities`` with ``id``, ``aliases``, ``fixed_in``, ``withdrawn``) and of pip-audit's JSON report.
The real run (network) happens in .ci/run only.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "audit_deps.py"
_SPEC = importlib.util.spec_from_file_location("audit_deps", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
audit = importlib.util.module_from_spec(_SPEC)
sys.modules["audit_deps"] = audit  # dataclasses look their module up by name
_SPEC.loader.exec_module(audit)


def vuln(id_: str, fixed_in: list[str], *, withdrawn: str | None = None) -> dict:
    return {
        "id": id_,
        "aliases": [f"CVE-{id_[-4:]}"],
        "details": "…",
        "summary": None,
        "fixed_in": fixed_in,
        "link": f"https://osv.dev/vulnerability/{id_}",
        "source": "osv",
        "withdrawn": withdrawn,
    }


def project(version: str, vulns: list[dict], requires_python: str = ">=3.9") -> Any:
    return audit.ProjectAnswer(
        {
            "info": {"name": "x", "version": version, "requires_python": requires_python},
            "releases": {},
            "urls": [],
            "vulnerabilities": vulns,
        }
    )


ANSWERS = {
    # latest 2.0.0 has an open advisory (fixed in the next release)
    "vulnerable": project("2.0.0", [vuln("GHSA-aaaa-bbbb-2024", ["2.0.1"])]),
    "clean": project("3.1.3", []),
    # the only advisory on the latest was withdrawn
    "withdrawn": project("1.4.0", [vuln("PYSEC-2024-0042", [], withdrawn="2024-05-01T00:00:00Z")]),
    "newer": project("5.1.0", [vuln("PYSEC-2025-0007", [])]),
    "missing": audit.ProjectAnswer(error="not on PyPI (HTTP 404)"),
    "down": audit.ProjectAnswer(error="PyPI unreachable (timed out)", reachable=False),
}


def outcome_of(*verdicts: Any) -> Any:
    return audit.Outcome(list(verdicts))


def test_vulnerable_latest_version_fails_the_audit() -> None:
    v = audit.judge("vulnerable", "2.0.0", None, ANSWERS["vulnerable"])
    assert v.source == audit.PROJECT_ENDPOINT
    assert v.vulns == [audit.Vuln("GHSA-aaaa-bbbb-2024", ("2.0.1",), ("CVE-2024",))]
    out = outcome_of(v, audit.judge("clean", "3.1.3", None, ANSWERS["clean"]))
    assert audit.exit_code(out, strict=False) == 1
    text = "\n".join(audit.render(out))
    assert "VULNERABLE" in text
    row = next(line for line in text.splitlines() if "GHSA-aaaa-bbbb-2024" in line)
    assert row.split()[:4] == ["vulnerable", "2.0.0", "GHSA-aaaa-bbbb-2024", "2.0.1"]


def test_clean_latest_version_is_audited_and_passes() -> None:
    v = audit.judge("clean", "3.1.3", None, ANSWERS["clean"])
    assert (v.audited, v.source, v.vulns) == (True, audit.PROJECT_ENDPOINT, [])
    out = outcome_of(v)
    assert audit.exit_code(out, strict=True) == 0
    assert "NOT audited" not in "\n".join(audit.render(out))


def test_versions_compare_as_versions_not_strings() -> None:
    v = audit.judge("clean", "3.1.3.0", None, ANSWERS["clean"])
    assert v.source == audit.PROJECT_ENDPOINT


def test_withdrawn_advisories_are_ignored() -> None:
    v = audit.judge("withdrawn", "1.4.0", None, ANSWERS["withdrawn"])
    assert v.audited and v.vulns == []
    assert audit.exit_code(outcome_of(v), strict=False) == 0


def test_older_version_is_not_audited_even_when_the_latest_is_clean() -> None:
    v = audit.judge("clean", "3.0.0", None, ANSWERS["clean"])
    assert not v.audited
    assert v.reason.startswith("installed 3.0.0, latest 3.1.3")
    out = outcome_of(v, audit.judge("withdrawn", "1.4.0", None, ANSWERS["withdrawn"]))
    assert audit.exit_code(out, strict=False) == 0
    assert audit.exit_code(out, strict=True) == 1
    text = "\n".join(audit.render(out))
    assert "WARNING: 1 packages were NOT audited" in text
    assert "installed 3.0.0, latest 3.1.3" in text


def test_older_version_names_what_holds_it_back_and_the_latests_open_advisories() -> None:
    v = audit.judge("newer", "4.5.1", None, ANSWERS["newer"], [("gov-disclosure", "<5,>=4.2")])
    assert not v.audited
    assert "held back: gov-disclosure requires <5,>=4.2" in v.reason
    assert "PYSEC-2025-0007" in v.reason  # open on the latest: flagged as likely, not counted as proven
    assert audit.exit_code(outcome_of(v), strict=False) == 0
    py = audit.judge_project_answer("x", "1.3.1", project("3.0.1", [], ">=3.12"), python="3.11.2")
    assert "3.0.1 needs Python >=3.12" in py.reason
    free = audit.judge_project_answer("x", "1.0", project("1.1", []), [("limits", ">=0.9")])
    assert "upgradeable: pip install -U x" in free.reason


def test_installed_version_newer_than_pypi_latest_is_not_audited() -> None:
    v = audit.judge("clean", "3.2.0.dev1", None, ANSWERS["clean"])
    assert not v.audited and "not PyPI's latest (3.1.3)" in v.reason


def test_no_answer_means_not_audited_with_the_reason() -> None:
    assert audit.judge("missing", "1.0", None, ANSWERS["missing"]).reason == "not on PyPI (HTTP 404)"
    down = audit.judge("down", "1.0", "Dependency not found on PyPI", ANSWERS["down"])
    assert not down.audited and "unreachable" in down.reason


# pip-audit's JSON report as recorded here: a skip (versioned endpoint 404) and an audited package
PIP_AUDIT_REPORT = {
    "dependencies": [
        {
            "name": "Flask",
            "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)",
        },
        {
            "name": "clean",
            "version": "3.0.0",
            "vulns": [
                {
                    "id": "PYSEC-2023-0001",
                    "fix_versions": ["3.0.1"],
                    "aliases": ["CVE-2023-0001"],
                    "description": "…",
                }
            ],
        },
        {"name": "jinja2", "version": "3.1.6", "vulns": []},
    ],
    "fixes": [],
}


def test_pip_audit_is_the_first_choice_and_the_endpoint_the_fallback() -> None:
    pip = audit.parse_pip_audit(PIP_AUDIT_REPORT)
    assert isinstance(pip["flask"], str)
    # pip-audit audited clean 3.0.0 (not the latest): its answer counts, vulnerability included
    old = audit.judge("clean", "3.0.0", pip["clean"], ANSWERS["clean"])
    assert old.source == audit.PIP_AUDIT
    assert old.vulns == [audit.Vuln("PYSEC-2023-0001", ("3.0.1",), ("CVE-2023-0001",))]
    # pip-audit skipped flask: the project endpoint decides
    flask = audit.judge("flask", "3.1.3", pip["flask"], ANSWERS["clean"])
    assert flask.source == audit.PROJECT_ENDPOINT
    out = outcome_of(old, flask, audit.judge("jinja2", "3.1.6", pip["jinja2"], None))
    assert (out.count(audit.PIP_AUDIT), out.count(audit.PROJECT_ENDPOINT)) == (2, 1)
    assert audit.exit_code(out, strict=False) == 1


def test_unreachable_network_is_said_and_does_not_fail_unless_strict() -> None:
    pip = audit.parse_pip_audit({"dependencies": PIP_AUDIT_REPORT["dependencies"][:1]})
    answers = {"flask": ANSWERS["down"]}
    assert audit.network_down(pip, answers)
    assert not audit.network_down(pip, {"flask": ANSWERS["missing"]})  # a 404 is an answer
    assert not audit.network_down(audit.parse_pip_audit(PIP_AUDIT_REPORT), answers)
    out = outcome_of(audit.judge("flask", "3.1.3", pip["flask"], answers["flask"]))
    assert audit.exit_code(out, strict=False) == 0
    assert audit.exit_code(out, strict=True) == 1
    assert "NOTHING WAS AUDITED" in "\n".join(audit.render(out, network_down=True))


def test_audit_covers_the_products_installed_dependency_closure() -> None:
    resolved = audit.dependency_closure("gov-disclosure", ["dev"])
    if resolved is None:
        pytest.skip("gov-disclosure is not installed in this environment")
    closure, constraints = resolved
    assert "gov-disclosure" not in closure  # the project itself is not on PyPI
    for name in ("flask", "werkzeug", "sqlalchemy", "reportlab", "pip-audit", "pytest"):
        assert name in closure
    assert any(requirer == "gov-disclosure" for requirer, _ in constraints["reportlab"])
    runtime, _ = audit.dependency_closure("gov-disclosure", []) or ({}, {})
    assert "flask" in runtime and "pytest" not in runtime  # the dev extra adds the toolchain
    assert runtime.keys() < closure.keys()
