"""Keep the English catalog in step with the code: `python scripts/i18n.py` extracts every message marked
with _() or _l() under webapp/ (Python code and Jinja templates), keeps the translations already in
webapp/translations/en, writes the .po (new messages get an empty translation to fill in) and compiles
the .mo. `--check` changes nothing and exits non-zero when a message lacks a translation or the .mo is
stale."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp/translations/en/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
# Python code, and the Jinja templates of the pages ({{ _("…") }}).
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def build() -> tuple[Catalog, list[str]]:
    with PO.open("rb") as f:
        old = read_po(f)
    catalog = Catalog(locale="en", project="gov-disclosure", domain="messages", fuzzy=False)
    missing = []
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT / "webapp"),
        method_map=METHOD_MAP,
        # _lp(context, text): a name translated by where it stands (webapp/i18n.py)
        keywords={"_": None, "_l": None, "gettext": None, "_lp": ((1, "c"), 2)},
    ):
        msgid = message if isinstance(message, str) else message[-1]
        known = old.get(msgid, context=context)
        translation = known.string if known is not None else ""
        if not translation:
            missing.append(f"{context}|{msgid}" if context else msgid)
        flags = ("python-format",) if "%(" in msgid else ()
        catalog.add(
            msgid, translation, locations=[(f"webapp/{filename}", lineno)], flags=flags, context=context
        )
    return catalog, missing


def rendered(catalog: Catalog) -> tuple[bytes, bytes]:
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalog, width=110, omit_header=True)
    write_mo(mo, catalog)
    return po.getvalue(), mo.getvalue()


def main() -> int:
    catalog, missing = build()
    po, mo = rendered(catalog)
    if "--check" in sys.argv:
        with MO.open("rb") as f:
            compiled = {(m.context, m.id): m.string for m in read_mo(f) if m.id}
        stale = compiled != {(m.context, m.id): m.string for m in catalog if m.id}
        for msgid in missing:
            print(f"no English translation: {msgid!r}")
        if stale:
            print(f"{MO.relative_to(ROOT)} is out of date: run python scripts/i18n.py")
        return 1 if missing or stale else 0
    PO.write_bytes(po)
    MO.write_bytes(mo)
    print(f"{len(catalog)} messages, {len(missing)} without translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
