"""The letters' PDFs (webapp/render/letters.py): the application form, blank and filled, and documents
rendered in several threads at once. What each letter says is in tests/domain/test_documents.py."""

from __future__ import annotations

import datetime as dt

from tests.factories import pdf_text
from webapp.render.letters import application_form


def test_application_form_blank_and_filled():
    blank = pdf_text(application_form("示范市人力资源和社会保障局"))
    for label in (
        "政府信息公开申请表",
        "受理机关：示范市人力资源和社会保障局",
        "所需信息的名称、文号",
        "获取信息的方式",
        "第二十九条",
    ):
        assert label in blank
    filled = pdf_text(
        application_form(
            "示范市人力资源和社会保障局",
            {
                "name_person": "王五",
                "description": "申请公开2023年度部门决算",
                "delivery": "post",
                "tracking_number": "CITYHR-2024-000001",
            },
        )
    )
    assert "王五" in filled
    assert "申请公开2023年度部门决算" in filled
    assert "■邮寄" in filled
    assert "CITYHR-2024-000001" in filled


def test_documents_rendered_in_threads_at_once_are_all_whole():
    """The embedded font is shared by the process: PDFs written in several threads at once (a threaded
    web server, two relays) must not corrupt each other (a KeyError inside reportlab's font subsetting)."""
    import random
    import threading

    from webapp.domain.documents import DocumentView
    from webapp.render.letters import render

    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    failures: list[str] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(6):
            view = DocumentView(
                title="政府信息公开申请答复书",
                number="〔2026〕第1号",
                body="".join(rng.choice(alphabet) for _ in range(600)),
                header={"agency": "示范局", "letterhead": "示范局", "seal_text": "示范局"},
                date=dt.date(2026, 11, 28),
                tracking_number="X-2026-000001",
            )
            try:
                assert render(view).startswith(b"%PDF")
            except Exception as exc:  # reported below
                failures.append(repr(exc))

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
