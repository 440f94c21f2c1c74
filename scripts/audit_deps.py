"""Audit the product's installed dependencies for known vulnerabilities, honestly.

What is audited: the installed dependency closure of ``gov-disclosure[dev]`` (its requirements resolved
through importlib.metadata, markers and extras honoured); the project itself (not on PyPI) and the venv's
own tools outside that closure (e.g. the venv's bundled setuptools) are not judged.

How, per package, first answer wins:
1. pip-audit (it asks PyPI's versioned JSON endpoint ``/pypi/<name>/<version>/json``, or OSV);
2. PyPI's project endpoint ``/pypi/<name>/json``: its ``vulnerabilities`` list is about the project's
   latest release (``info.version``), so it audits the installed version only when that *is* the latest
   (withdrawn entries ignored). An older installed version is reported "not audited (installed X, latest
   Y)": the latest's list does not show advisories fixed in between, so it cannot prove an older version
   clean.

Both run concurrently (pip-audit as a subprocess, the project endpoint in a thread pool, with timeouts), so
the whole run stays within about half a minute.

Exit 1 when an audited package has a known vulnerability: upgrade its pin in pyproject.toml. Packages that
could not be audited (or a network that is entirely unreachable) are listed loudly and do not fail the run,
unless AUDIT_STRICT=1. ``-v`` lists every package with the path that audited it.
Usage: .venv/bin/python scripts/audit_deps.py [-v]
"""

from __future__ import annotations

import json
import os
import platform
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.markers import Marker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

VENV_BIN = Path(sys.executable).parent
PROJECT = "gov-disclosure"
PROJECT_EXTRAS = ("dev",)
PROJECT_JSON_URL = os.environ.get("AUDIT_PYPI_JSON_URL", "https://pypi.org/pypi/{name}/json")
HTTP_TIMEOUT = 10.0  # seconds, per request to the project endpoint
HTTP_WORKERS = 16
TIME_BUDGET = 30.0  # seconds for pip-audit and the project endpoint (they run concurrently)

PYTHON = platform.python_version()
PIP_AUDIT = "pip-audit"
PROJECT_ENDPOINT = "PyPI project endpoint"


@dataclass(frozen=True)
class Vuln:
    id: str
    fixed_in: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass
class Verdict:
    """One package's audit outcome: ``source`` names the path that audited it, None = not audited."""

    name: str
    version: str
    source: str | None
    vulns: list[Vuln] = field(default_factory=list)
    reason: str = ""

    @property
    def audited(self) -> bool:
        return self.source is not None


@dataclass(frozen=True)
class ProjectAnswer:
    """What ``/pypi/<name>/json`` answered: the JSON, or an error; ``reachable`` False = no HTTP answer."""

    data: Mapping[str, Any] | None = None
    error: str = ""
    reachable: bool = True


# ---------------------------------------------------------------------------------------------------------
# Decision logic (pure; tests/test_audit_deps.py)


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _older(a: str, b: str) -> bool:
    try:
        return Version(a) < Version(b)
    except InvalidVersion:
        return False


def held_back(
    latest: str, requires_python: str, constraints: Iterable[tuple[str, str]], python: str
) -> list[str]:
    """Why the latest release is not installed: its Python requirement, or a requirer's range."""
    why = []
    try:
        if requires_python and Version(python) not in SpecifierSet(requires_python):
            why.append(f"{latest} needs Python {requires_python}")
        for requirer, spec in constraints:
            if spec and not SpecifierSet(spec).contains(latest, prereleases=True):
                why.append(f"{requirer} requires {spec}")
    except (InvalidVersion, InvalidSpecifier):
        pass
    return why


def judge_project_answer(
    name: str,
    version: str,
    answer: ProjectAnswer,
    constraints: Iterable[tuple[str, str]] = (),
    python: str = PYTHON,
) -> Verdict:
    """Audit ``name==version`` from PyPI's project endpoint answer (about the latest release only).

    ``constraints`` (requirer, specifier) only explain why an older version is installed.
    """
    if answer.data is None:
        return Verdict(name, version, None, reason=answer.error or "no answer from PyPI")
    info = answer.data.get("info") or {}
    latest = str(info.get("version") or "")
    entries = answer.data.get("vulnerabilities")
    if not latest or not isinstance(entries, list):
        return Verdict(name, version, None, reason="PyPI's answer has no info.version / vulnerabilities")
    live = [e for e in entries if isinstance(e, dict) and not e.get("withdrawn")]
    if _same_version(version, latest):
        vulns = [
            Vuln(
                str(e.get("id") or "?"),
                tuple(str(v) for v in e.get("fixed_in") or ()),
                tuple(str(a) for a in e.get("aliases") or ()),
            )
            for e in live
        ]
        return Verdict(name, version, PROJECT_ENDPOINT, vulns)
    if _older(version, latest):
        reason = f"installed {version}, latest {latest}"
        why = held_back(latest, str(info.get("requires_python") or ""), constraints, python)
        reason += f" (held back: {'; '.join(why)})" if why else f" (upgradeable: pip install -U {name})"
        unfixed = [str(e.get("id")) for e in live if not e.get("fixed_in")]
        if unfixed:  # open on the latest: most likely open on the older version too, but unproven
            reason += f"; unfixed on the latest, likely on {version} too: {', '.join(unfixed)}"
        return Verdict(name, version, None, reason=reason)
    return Verdict(name, version, None, reason=f"installed {version} is not PyPI's latest ({latest})")


def parse_pip_audit(report: Mapping[str, Any]) -> dict[str, tuple[str, list[Vuln]] | str]:
    """pip-audit's JSON → canonical name → (version, vulns) when audited, or its skip reason."""
    out: dict[str, tuple[str, list[Vuln]] | str] = {}
    for dep in report.get("dependencies", []):
        name = canonicalize_name(str(dep.get("name", "")))
        if "skip_reason" in dep or "vulns" not in dep:
            out[name] = str(dep.get("skip_reason") or "skipped by pip-audit")
            continue
        vulns = [
            Vuln(
                str(v.get("id") or "?"),
                tuple(str(f) for f in v.get("fix_versions") or ()),
                tuple(str(a) for a in v.get("aliases") or ()),
            )
            for v in dep["vulns"]
        ]
        out[name] = (str(dep.get("version", "")), vulns)
    return out


def judge(
    name: str,
    version: str,
    pip_audit: tuple[str, list[Vuln]] | str | None,
    answer: ProjectAnswer | None,
    constraints: Iterable[tuple[str, str]] = (),
) -> Verdict:
    """pip-audit's result when it audited this very version, else the project endpoint's."""
    if isinstance(pip_audit, tuple) and _same_version(pip_audit[0], version):
        return Verdict(name, version, PIP_AUDIT, list(pip_audit[1]))
    if answer is None:
        return Verdict(name, version, None, reason=pip_audit if isinstance(pip_audit, str) else "no data")
    return judge_project_answer(name, version, answer, constraints)


@dataclass
class Outcome:
    verdicts: list[Verdict]
    pip_audit_status: str = ""
    outside: list[str] = field(default_factory=list)  # installed, outside the closure: not judged

    @property
    def vulnerable(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.audited and v.vulns]

    @property
    def not_audited(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.audited]

    def count(self, source: str) -> int:
        return sum(1 for v in self.verdicts if v.source == source)


def network_down(
    pip_results: Mapping[str, tuple[str, list[Vuln]] | str], answers: Mapping[str, ProjectAnswer]
) -> bool:
    """Nothing answered at all: pip-audit audited nothing and no project endpoint request got an answer."""
    return not any(isinstance(r, tuple) for r in pip_results.values()) and not any(
        a.reachable for a in answers.values()
    )


def exit_code(outcome: Outcome, *, strict: bool) -> int:
    if outcome.vulnerable:
        return 1
    if outcome.not_audited and strict:
        return 1
    return 0


def render(
    outcome: Outcome, *, network_down: bool = False, strict: bool = False, verbose: bool = False
) -> list[str]:
    n = len(outcome.verdicts)
    lines = [f"Dependency audit of {PROJECT}[{','.join(PROJECT_EXTRAS)}]: {n} installed packages"]
    if outcome.pip_audit_status:
        lines.append(f"  ({outcome.pip_audit_status})")
    if outcome.outside:
        lines.append(f"  (installed outside the product's closure, not judged: {', '.join(outcome.outside)})")
    lines += [
        f"  audited by pip-audit              {outcome.count(PIP_AUDIT):4d}",
        f"  audited via PyPI project endpoint {outcome.count(PROJECT_ENDPOINT):4d}",
        f"  not audited                       {len(outcome.not_audited):4d}",
        f"  known vulnerabilities             {sum(len(v.vulns) for v in outcome.vulnerable):4d}"
        f" (in {len(outcome.vulnerable)} packages)",
    ]
    if verbose:
        lines.append("")
        for v in sorted(outcome.verdicts, key=lambda v: v.name):
            how = v.source or f"NOT AUDITED: {v.reason}"
            lines.append(f"  {v.name:32} {v.version:16} {how}")
    if outcome.vulnerable:
        lines += ["", "VULNERABLE (upgrade the pin in pyproject.toml):"]
        lines.append(f"  {'package':28} {'version':14} {'id':24} fixed in")
        for v in sorted(outcome.vulnerable, key=lambda v: v.name):
            for vuln in v.vulns:
                fixes = ", ".join(vuln.fixed_in) or "no fix yet"
                lines.append(f"  {v.name:28} {v.version:14} {vuln.id:24} {fixes}  [{v.source}]")
    if network_down:
        lines += [
            "",
            "WARNING: the vulnerability data is unreachable (pip-audit audited nothing and PyPI's project",
            "         endpoint did not answer): NOTHING WAS AUDITED"
            + (" — AUDIT_STRICT=1: failing" if strict else ""),
        ]
    elif outcome.not_audited:
        lines += [
            "",
            "!" * 100,
            f"WARNING: {len(outcome.not_audited)} packages were NOT audited"
            + (" — AUDIT_STRICT=1: failing" if strict else " (AUDIT_STRICT=1 makes this fail)"),
        ]
        for v in sorted(outcome.not_audited, key=lambda v: v.name):
            lines.append(f"  {v.name:28} {v.version:14} {v.reason}")
        lines.append("!" * 100)
    return lines


# ---------------------------------------------------------------------------------------------------------
# Gathering (environment, subprocess, network)


Constraints = dict[str, list[tuple[str, str]]]


def dependency_closure(project: str, extras: Iterable[str]) -> tuple[dict[str, str], Constraints] | None:
    """Installed closure of ``project[extras]``: canonical name → version (project excluded), and the
    requirements met on the way: name → [(requirer, specifier)]."""
    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    root = canonicalize_name(project)
    if root not in installed:
        return None
    seen: set[tuple[str, frozenset[str]]] = set()
    found: dict[str, str] = {}
    constraints: Constraints = {}
    todo = [(root, frozenset(extras))]
    while todo:
        name, want = todo.pop()
        if (name, want) in seen:
            continue
        seen.add((name, want))
        dist = installed.get(name)
        if dist is None:
            continue  # declared but not installed (an unmet marker or a broken install): nothing to audit
        if name != root:
            found[name] = dist.version
        for line in dist.requires or []:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if req.marker is not None and not _marker_holds(req.marker, want):
                continue
            dep = canonicalize_name(req.name)
            constraints.setdefault(dep, []).append((name, str(req.specifier)))
            todo.append((dep, frozenset(req.extras)))
    return found, {n: sorted(set(c)) for n, c in constraints.items()}


def _marker_holds(marker: Marker, extras: frozenset[str]) -> bool:
    try:
        return any(marker.evaluate({"extra": e}) for e in (extras or {""}))
    except UndefinedEnvironmentName:
        return False


# One TLS context for all requests: building one per request (loading the CA bundle) costs more CPU than
# reading the answers.
_OPENER = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.create_default_context()))


def fetch_project(name: str) -> ProjectAnswer:
    url = PROJECT_JSON_URL.format(name=name)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=HTTP_TIMEOUT) as response:
            return ProjectAnswer(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return ProjectAnswer(error="not on PyPI (HTTP 404)")
        return ProjectAnswer(error=f"PyPI answered HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return ProjectAnswer(error=f"PyPI unreachable ({reason})", reachable=False)
    except ValueError as exc:
        return ProjectAnswer(error=f"PyPI answered invalid JSON ({exc})")


def fetch_projects(names: Iterable[str], deadline: float) -> dict[str, ProjectAnswer]:
    """The project endpoint's answers, in parallel; what has not answered by the deadline is unreachable."""
    pool = ThreadPoolExecutor(max_workers=HTTP_WORKERS)
    futures = {pool.submit(fetch_project, name): name for name in names}
    done, _ = wait(futures, timeout=max(1.0, deadline - time.monotonic()))
    pool.shutdown(wait=False, cancel_futures=True)
    late = ProjectAnswer(error=f"no answer within {TIME_BUDGET:.0f} s", reachable=False)
    return {name: future.result() if future in done else late for future, name in futures.items()}


def start_pip_audit(report: Path) -> subprocess.Popen[str] | None:
    exe = VENV_BIN / "pip-audit"
    if not exe.exists():
        return None
    return subprocess.Popen(  # noqa: S603  (our own venv's pip-audit, fixed arguments)
        [
            str(exe),
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--timeout",
            str(int(HTTP_TIMEOUT)),
            "--format",
            "json",
            "--output",
            str(report),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_pip_audit(
    proc: subprocess.Popen[str] | None, report: Path, deadline: float
) -> tuple[dict[str, tuple[str, list[Vuln]] | str], str]:
    if proc is None:
        return {}, "pip-audit: not installed in this venv"
    try:
        _, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {}, f"pip-audit: timed out after {TIME_BUDGET:.0f} s"
    if not report.exists():
        last = (err or "").strip().splitlines()[-1:] or ["no output"]
        return {}, f"pip-audit: did not run ({last[0]})"
    results = parse_pip_audit(json.loads(report.read_text()))
    audited = sum(1 for r in results.values() if isinstance(r, tuple))
    return results, f"pip-audit: audited {audited} of the {len(results)} packages it saw"


def main(argv: list[str]) -> int:
    strict = os.environ.get("AUDIT_STRICT") == "1"
    verbose = "-v" in argv or "--verbose" in argv
    started = time.monotonic()
    resolved = dependency_closure(PROJECT, PROJECT_EXTRAS)
    everything: dict[str, str] = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if canonicalize_name(d.metadata["Name"]) != canonicalize_name(PROJECT)
    }
    closure: dict[str, str]
    constraints: Constraints
    if resolved is None:
        print(f"{PROJECT} is not installed here: auditing every installed distribution instead")
        closure, constraints = everything, {}
    else:
        closure, constraints = resolved
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        proc = start_pip_audit(report)
        answers = fetch_projects(closure, started + TIME_BUDGET)
        pip_results, pip_status = finish_pip_audit(proc, report, started + TIME_BUDGET)
    verdicts = [
        judge(n, v, pip_results.get(n), answers.get(n), constraints.get(n, ())) for n, v in closure.items()
    ]
    outcome = Outcome(verdicts, pip_status, sorted(set(everything) - set(closure)))
    down = network_down(pip_results, answers)
    for line in render(outcome, network_down=down, strict=strict, verbose=verbose):
        print(line)
    print(f"(dependency audit took {time.monotonic() - started:.1f} s)")
    return exit_code(outcome, strict=strict)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
