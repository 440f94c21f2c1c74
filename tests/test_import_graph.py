"""The product's import graph (scripts/import_graph.py): no circle among the modules' top-level imports,
no import moved into a function to dodge one, the web application never imports the workers and the
domain never imports a renderer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


# Imports made inside a function that dodge no circle (test_no_import_inside_a_function_dodges_a_circle),
# each with its reason; a new one fails test_imports_inside_functions_are_the_listed_ones. The list may only
# shrink. An entry names the module, the imported module, and each package that import loads first.
LAZY_IMPORTS: dict[str, tuple[str, set[str]]] = {
    "webapp": (
        "create_app(): the application factory wires the extensions, blueprints and commands when an app is "
        "built, so `import webapp.models` (migrations, the workers) does not load every page",
        {
            "webapp.api",
            "webapp.cli",
            "webapp.domain.documents",
            "webapp.extensions",
            "webapp.files",
            "webapp.i18n",
            "webapp.logs",
            "webapp.models",
            "webapp.ops",
            "webapp.render",
            "webapp.render.letters",
            "webapp.render.pdf",
            "webapp.security",
            "webapp.web",
        },
    ),
    "webapp.api": (
        "register(): the API's blueprints and its error handlers, registered by the factory",
        {
            "webapp.api.annual_data",
            "webapp.api.repeated",
            "webapp.api.auth",
            "webapp.api.calendar",
            "webapp.api.citizens",
            "webapp.api.public",
            "webapp.api.reports",
            "webapp.api.routes",
            "webapp.web",
            "webapp.web.common",
        },
    ),
    "webapp.web": (
        "register(): the pages' blueprints, registered by the factory",
        {
            "webapp.web.accounts",
            "webapp.web.citizen_account",
            "webapp.web.admin",
            "webapp.web.admin_calendar",
            "webapp.web.admin_texts",
            "webapp.web.appeals",
            "webapp.web.answers",
            "webapp.web.approvals",
            "webapp.web.citizen",
            "webapp.web.enquiries",
            "webapp.web.figures",
            "webapp.web.queue",
            "webapp.web.registration",
            "webapp.web.release",
            "webapp.web.repeated",
            "webapp.web.reports",
            "webapp.web.staff",
            "webapp.web.two_factor",
        },
    ),
    "webapp.security": (
        "a refused upload's rate-limit page is the citizen page's own, drawn only when one is refused",
        {"webapp.web", "webapp.web.citizen"},
    ),
    "workers": ("the Celery app, made on first use", {"workers.celery_app"}),
    "workers.celery_app": (
        "the Flask app, the logs and the PDF renderer, set up when a worker process starts",
        {"webapp", "webapp.extensions", "webapp.logs", "webapp.ops", "webapp.render", "webapp.render.pdf"},
    ),
    "workers.cli": (
        "each command loads its worker module when run",
        {"workers.deadlines", "workers.mailbox", "workers.notices"},
    ),
    "workers.health": ("the Celery app, made on first use", {"workers.celery_app"}),
    "workers.deadlines": (
        "the database session inside the task, in the worker's app",
        {"webapp", "webapp.extensions"},
    ),
    "workers.mailbox": (
        "the database session inside the task, in the worker's app",
        {"webapp", "webapp.extensions"},
    ),
    "workers.notices": (
        "the database session inside the task, in the worker's app",
        {"webapp", "webapp.extensions"},
    ),
    "workers.sms": (
        "the database session inside the task, in the worker's app",
        {"webapp", "webapp.extensions"},
    ),
    "workers.reports": (
        "the database session and annex two inside the task, in the worker's app",
        {"webapp", "webapp.domain.reports", "webapp.extensions"},
    ),
}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_no_circle_among_top_level_imports():
    assert _script().analyse(["webapp", "workers"]).circles == []


def test_no_import_inside_a_function_dodges_a_circle():
    report = _script().analyse(["webapp", "workers"])
    assert report.dodges == []


def test_imports_inside_functions_are_the_listed_ones():
    report = _script().analyse(["webapp", "workers"])
    found: dict[str, set[str]] = {}
    for module, _, target, _ in report.inside:
        found.setdefault(module, set()).add(target)
    new = {m: sorted(t - LAZY_IMPORTS.get(m, ("", set()))[1]) for m, t in found.items()}
    assert {m: t for m, t in new.items() if t} == {}, "import at the top, or list it with its reason"
    gone = {m: sorted(t - found.get(m, set())) for m, (_, t) in LAZY_IMPORTS.items()}
    assert {m: t for m, t in gone.items() if t} == {}, "no longer imported inside a function: unlist it"


def test_the_web_application_never_imports_the_workers():
    script = _script()
    modules = script.discover(["webapp", "workers"])
    script.read_imports(modules)
    from_webapp = [
        (m.name, target)
        for m in modules.values()
        if m.name.split(".")[0] == "webapp"
        for target in [*m.top, *(t for _, t in m.inside)]
        if target.split(".")[0] == "workers"
    ]
    assert from_webapp == []


def test_the_domain_never_imports_a_renderer():
    script = _script()
    modules = script.discover(["webapp"])
    script.read_imports(modules)
    found = [
        (m.name, target)
        for m in modules.values()
        if m.name.startswith("webapp.domain")
        for target in [*m.top, *(t for _, t in m.inside)]
        if target.startswith("webapp.render")
    ]
    assert found == []


def test_the_check_finds_a_circle_and_a_dodge(tmp_path: Path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("from pkg.a import x\n")
    (pkg / "c.py").write_text("from pkg import d\n")
    (pkg / "d.py").write_text("def f():\n    from pkg import c\n")
    report = _script().analyse(["pkg"], tmp_path)
    assert report.circles == [["pkg.a", "pkg.b"]]
    assert [(m, t) for m, _, t, _ in report.dodges] == [("pkg.d", "pkg.c")]


def test_a_circle_through_a_package_init_is_found(tmp_path: Path):
    """Loading pkg.sub.f runs pkg/sub/__init__.py first: a module importing a leaf of a package whose
    __init__ imports it back is in a circle (authz once imported the access code from the requests
    package, whose __init__ reaches authz)."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "e.py").write_text("from pkg.sub.f import x\n")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub.g import y\n")
    (pkg / "sub" / "f.py").write_text("x = 1\n")
    (pkg / "sub" / "g.py").write_text("from pkg import e\n")
    report = _script().analyse(["pkg"], tmp_path)
    assert report.circles == [["pkg.e", "pkg.sub", "pkg.sub.g"]]
