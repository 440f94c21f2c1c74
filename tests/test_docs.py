"""The product's own documentation (docs/): the OpenAPI document kept equal to what the code serves, and
the worked examples of docs/rules.md recomputed by the product's deadline code."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path

import pytest

from webapp.domain.calendar import WorkCalendar, package_years
from webapp.domain.deadlines import ClockEvent, compute, rules_for

ROOT = Path(__file__).resolve().parents[1]
_PATH = ROOT / "scripts" / "openapi.py"
_SPEC_FILE = importlib.util.spec_from_file_location("openapi_script", _PATH)
assert _SPEC_FILE is not None and _SPEC_FILE.loader is not None
openapi_script = importlib.util.module_from_spec(_SPEC_FILE)
_SPEC_FILE.loader.exec_module(openapi_script)


def test_docs_openapi_json_is_what_the_api_serves(client):
    """docs/openapi.json is the document /api/v1/openapi.json serves, written by scripts/openapi.py."""
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    written = openapi_script.TARGET.read_text(encoding="utf-8") if openapi_script.TARGET.exists() else ""
    assert written == openapi_script.render(served.get_json()), (
        f"docs/openapi.json is stale (the API changed): run {openapi_script.COMMAND} and commit the file"
    )


def test_the_script_writes_the_served_document(client):
    """What scripts/openapi.py generates on its own throwaway database is the served document too."""
    served = client.get("/api/v1/openapi.json").get_json()
    assert json.loads(openapi_script.build()) == served


# docs/rules.md's worked examples: (received on, clock events, the due date, the pause's end if any).
D = dt.date.fromisoformat
EXAMPLES: list[tuple[str, list[ClockEvent], str | None, str | None]] = [
    ("2024-09-27", [], "2024-10-30", None),
    ("2025-01-24", [], "2025-02-27", None),
    ("2019-05-14", [], "2019-06-04", None),
    ("2019-05-15", [], "2019-06-13", None),
    ("2018-12-20", [], "2019-01-11", None),
    ("2024-04-01", [], "2024-04-29", None),
    ("2024-04-01", [ClockEvent("correction_requested", D("2024-04-03"), 10)], None, "2024-04-19"),
    (
        "2024-04-01",
        [
            ClockEvent("correction_requested", D("2024-04-03"), 10),
            ClockEvent("correction_received", D("2024-04-15")),
        ],
        "2024-05-14",
        None,
    ),
    ("2023-09-20", [ClockEvent("pause", D("2023-09-25"), pause="consultation")], None, "2023-10-20"),
    (
        "2023-09-20",
        [ClockEvent("pause", D("2023-09-25"), pause="consultation"), ClockEvent("resume", D("2023-10-16"))],
        "2023-11-08",
        None,
    ),
    ("2025-04-25", [ClockEvent("pause", D("2025-04-28"), pause="fee")], None, "2025-05-30"),
    (
        "2025-04-25",
        [ClockEvent("pause", D("2025-04-28"), pause="fee"), ClockEvent("resume", D("2025-05-12"))],
        "2025-06-06",
        None,
    ),
    (
        "2025-04-25",
        [
            ClockEvent("pause", D("2025-04-28"), pause="fee"),
            ClockEvent("resume", D("2025-05-12")),
            ClockEvent("extend", D("2025-05-20"), 20),
        ],
        "2025-07-04",
        None,
    ),
    (
        "2025-09-26",
        [
            ClockEvent("pause", D("2025-09-29"), pause="consultation"),
            ClockEvent("extend", D("2025-10-09"), 10),
            ClockEvent("resume", D("2025-10-20")),
        ],
        "2025-11-27",
        None,
    ),
    (
        "2025-01-02",
        [ClockEvent("pause", D("2025-02-10"), pause="consultation"), ClockEvent("resume", D("2025-02-20"))],
        "2025-02-06",
        None,
    ),
    ("2026-12-10", [], "2027-01-08", None),
]


@pytest.mark.parametrize(("received", "events", "due", "wait_ends"), EXAMPLES)
def test_the_worked_examples_of_docs_rules_md(app, received, events, due, wait_ends):
    """Every date of docs/rules.md §Worked examples is what compute() gives on the packaged calendar."""
    rules_md = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    if D(received).year + 1 in package_years() and received == "2026-12-10":
        pytest.skip("the provisional example needs a year the installed calendar does not cover")
    with app.test_request_context():
        clock = compute(rules_for(D(received)), D(received), events, WorkCalendar())
    assert (str(clock.due_on) if clock.due_on else None, str(clock.wait_ends_on) if wait_ends else None) == (
        due,
        wait_ends,
    )
    for day in (received, due, wait_ends):
        assert day is None or f"**{day}**" in rules_md, f"docs/rules.md does not show {day}"


def test_the_examples_boundary_and_window():
    cal = WorkCalendar()
    assert rules_for(D("2019-05-14")).code == "2008"
    assert rules_for(D("2019-05-15")).code == "2019"
    assert cal.add_wd(D("2024-04-01"), 7) == D("2024-04-11")  # the last day to ask for a correction
    assert cal.add_wd(D("2025-01-02"), 20) == D("2025-02-06")
    assert cal.is_provisional(D("2026-12-10"), D("2027-01-08")) == (2027 not in package_years())


def test_architecture_md_lists_every_module_of_webapp_and_workers():
    """docs/architecture.md §Layout has one row per module of webapp/ and workers/, and none that is gone."""
    documented: set[str] = set()
    package = None
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^(?:### )?`((?:webapp|workers)/[\w/]*)`\s*$", line)
        if heading:
            package = heading.group(1)
        row = re.match(r"^\| `([\w.]+\.py)` \|", line)
        if row and package:
            documented.add(package + row.group(1))
    modules = {
        str(path.relative_to(ROOT))
        for name in ("webapp", "workers")
        for path in (ROOT / name).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    missing, gone = sorted(modules - documented), sorted(documented - modules)
    assert not missing, f"add a row for each to docs/architecture.md §Layout: {missing}"
    assert not gone, f"docs/architecture.md §Layout lists modules that are gone: {gone}"


# -- the code cites the product's own docs/ ----------------------------------------------------------------

# The brief the product was first written from is not part of it: the code cites docs/ instead. The
# names are put together here so that this file does not mention them itself.
FOREIGN = ("shared" + "/", "SPEC" + ".md", "API" + ".md", "STYLE" + ".md", "SPEC" + " §")
TEXT_SUFFIXES = {".py", ".html", ".txt", ".po", ".js", ".css", ".md", ".sh", ".toml", ".yml", ".ini", ""}


def _repository_texts() -> list[Path]:
    roots = [ROOT / name for name in ("webapp", "workers", "tests", "bench", "scripts", "migrations", "docs")]
    files = [p for root in roots for p in root.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]
    files += [ROOT / name for name in ("README.md", "Dockerfile", "docker-compose.yml", "pyproject.toml")]
    return [p for p in files if "__pycache__" not in p.parts]


def test_the_code_cites_docs_not_the_brief():
    """webapp/, workers/ (and the rest of the repository) point to docs/, never to the brief beside it."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _repository_texts()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(name in line for name in FOREIGN)
    ]
    assert not found, "cite docs/ instead:\n" + "\n".join(found)


def _headings(page: Path) -> list[str]:
    lines = page.read_text(encoding="utf-8").splitlines()
    return [line.lstrip("#").strip() for line in lines if line.startswith("#")]


CITATION = re.compile(r"docs/([\w.-]+\.md)")
SECTION = re.compile(r"^,? ?§")


def test_every_docs_citation_names_a_page_and_a_section_that_exist():
    """`docs/rules.md §Deadlines` in a comment: the page exists and has that heading."""
    problems = []
    for path in _repository_texts():
        # a citation may be wrapped over lines of a docstring or of a comment
        text = re.sub(r"\s*\n\s*(?:# ?)?", " ", path.read_text(encoding="utf-8"))
        for match in CITATION.finditer(text):
            page = ROOT / "docs" / match.group(1)
            if not page.exists():
                problems.append(f"{path.relative_to(ROOT)}: docs/{match.group(1)} does not exist")
                continue
            headings = _headings(page)
            rest = text[match.end() :]
            while SECTION.match(rest):
                rest = SECTION.sub("", rest, count=1)
                heading = next(
                    (h for h in sorted(headings, key=len, reverse=True) if rest.startswith(h)), None
                )
                if heading is None:
                    problems.append(
                        f"{path.relative_to(ROOT)}: docs/{match.group(1)} has no section {rest[:40]!r}"
                    )
                    break
                rest = rest[len(heading) :]
    assert not problems, "\n".join(problems)
