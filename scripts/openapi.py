#!/usr/bin/env python3
"""Write docs/openapi.json: the OpenAPI document the application serves at /api/v1/openapi.json.

    .venv/bin/python scripts/openapi.py            # (re)write docs/openapi.json
    .venv/bin/python scripts/openapi.py --check    # exit 1 when docs/openapi.json is stale

The document is generated from the code (flask-smorest, from the marshmallow schemas that validate every
request), asked of an application on a throwaway SQLite database: nothing is read or written elsewhere.
tests/test_openapi_doc.py fails while the file in docs/ differs from what the code serves.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "openapi.json"
COMMAND = ".venv/bin/python scripts/openapi.py"


def build() -> str:
    """The document as the application serves it, as stable, readable JSON (keys sorted, UTF-8)."""
    sys.path.insert(0, str(ROOT))
    from webapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "openapi-document",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/openapi.db",
                "DATA_DIR": tmp,
                "ATTACHMENT_DIR": f"{tmp}/attachments",
                "REDIS_URL": None,
                "RATELIMIT_ENABLED": False,
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        answer = app.test_client().get("/api/v1/openapi.json")
        if answer.status_code != 200:
            raise RuntimeError(f"/api/v1/openapi.json answered {answer.status_code}")
        document = answer.get_json()
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()
    return render(document)


def render(document: object) -> str:
    """The file's text for a document: keys sorted, two-space indents, Chinese as UTF-8."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{TARGET.relative_to(ROOT)} is up to date")
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
