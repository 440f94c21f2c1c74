"""Attachments (webapp/domain/attachments.py): the name a file is kept and offered under. Uploading and
downloading through the pages and the API is in tests/web/test_uploads.py."""

from __future__ import annotations

import pytest

from webapp.domain.attachments import safe_filename


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("申请材料.PDF", "application/pdf", "申请材料.PDF"),
        ("..\\..\\windows\\scan.pdf", "application/pdf", "scan.pdf"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("evil.html", "image/png", "evil.html.png"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("", "image/tiff", "attachment.tif"),
        ("a\x00b;c.pdf", "application/pdf", "a_b_c.pdf"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 196 + ".pdf"),
        # invisible format characters (Unicode Cf) go: a bidi override made this read "invoiceexe.pdf"
        ("invoice\u202efdp.exe", "application/pdf", "invoicefdp.exe.pdf"),
        ("\u202a\u2066scan\u200b\u200d\ufeff.pdf\u2069", "application/pdf", "scan.pdf"),
        ("\u202e", "image/png", "attachment.png"),
        ("a\x85b\u2028c.pdf", "application/pdf", "a_b_c.pdf"),  # C1 control, line separator
        ("cafe\u0301.pdf", "application/pdf", "caf\u00e9.pdf"),  # NFC: one composed character
    ],
)
def test_safe_filename(name: str, content_type: str, expected: str):
    assert safe_filename(name, content_type) == expected
