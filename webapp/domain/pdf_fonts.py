"""The fonts of a PDF as redaction (webapp/domain/redaction.py) reads them: how a text operator's bytes
split into character codes, and each code's text (the ToUnicode map, or the encoding) and width."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pikepdf
from pikepdf import Array
from reportlab.pdfbase import pdfmetrics

from webapp.domain.errors import ValidationError
from webapp.i18n import _l

STANDARD_FONTS = frozenset(pdfmetrics.standardFonts)


class Unredactable(ValidationError):
    """The PDF cannot be redacted safely (a font the module cannot decode, encryption, damage)."""


def _hex(token: str) -> bytes:
    return bytes.fromhex(token.strip("<>"))


def parse_cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries: character code -> text."""
    text = data.decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]*>)", block):
            out[int.from_bytes(_hex(src), "big")] = _hex(dst).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            r"(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            start, end = int.from_bytes(_hex(lo), "big"), int.from_bytes(_hex(hi), "big")
            if end - start > 65535:
                continue
            if dst.startswith("["):
                for n, item in enumerate(re.findall(r"<[0-9A-Fa-f]*>", dst)):
                    out[start + n] = _hex(item).decode("utf-16-be", "replace")
            else:
                first = _hex(dst)
                base = int.from_bytes(first, "big")
                for n in range(end - start + 1):
                    out[start + n] = (base + n).to_bytes(len(first), "big").decode("utf-16-be", "replace")
    return out


@dataclass
class Font:
    """What the module needs of a font: how its bytes split into codes, each code's text and width."""

    two_byte: bool
    to_unicode: dict[int, str]
    widths: dict[int, float]
    default_width: float
    ucs2: bool = False  # a predefined UCS-2 CMap: the code is the character
    standard: str | None = None  # a standard-14 font without widths of its own
    encoding: str = "cp1252"

    def codes(self, raw: bytes) -> list[tuple[int, int, int]]:
        """(code, start, end) of each character code in a string's bytes."""
        step = 2 if self.two_byte else 1
        return [
            (int.from_bytes(raw[i : i + step], "big"), i, i + step)
            for i in range(0, len(raw) - step + 1, step)
        ]

    def text(self, code: int) -> str:
        if code in self.to_unicode:
            return self.to_unicode[code]
        if self.ucs2:
            return chr(code)
        if not self.two_byte:
            return bytes([code]).decode(self.encoding, "replace")
        return "\ufffd"

    def width(self, code: int) -> float:
        if code in self.widths:
            return self.widths[code]
        if self.standard is not None and not self.two_byte:
            return pdfmetrics.stringWidth(bytes([code]).decode("latin-1"), self.standard, 1000)
        return self.default_width


def load_font(obj: pikepdf.Object) -> Font:
    subtype = str(obj.get("/Subtype", ""))
    to_unicode = parse_cmap(obj.ToUnicode.read_bytes()) if "/ToUnicode" in obj else {}
    if subtype == "/Type0":
        encoding = str(obj.get("/Encoding", ""))
        ucs2 = "UCS2" in encoding
        if encoding not in ("/Identity-H", "/Identity-V") and not ucs2:
            raise Unredactable(_l("该PDF的字体编码无法可靠识别，不能自动删除处理"), {"attachment": encoding})
        if not to_unicode and not ucs2:
            raise Unredactable(
                _l("该PDF的字体没有文字对照表，不能自动删除处理"), {"attachment": _l("无法识别文字")}
            )
        descendant = obj.DescendantFonts[0]
        widths: dict[int, float] = {}
        w = list(descendant.get("/W", []))
        i = 0
        while i + 1 < len(w):
            first = int(w[i])
            if isinstance(w[i + 1], Array):
                for n, value in enumerate(w[i + 1]):
                    widths[first + n] = float(value)
                i += 2
            else:
                for code in range(first, int(w[i + 1]) + 1):
                    widths[code] = float(w[i + 2])
                i += 3
        return Font(True, to_unicode, widths, float(descendant.get("/DW", 1000)), ucs2=ucs2)
    widths = {}
    if "/Widths" in obj:
        first = int(obj.get("/FirstChar", 0))
        scale = float(obj.FontMatrix[0]) * 1000 if subtype == "/Type3" and "/FontMatrix" in obj else 1.0
        widths = {first + n: float(value) * scale for n, value in enumerate(obj.Widths)}
    base = str(obj.get("/BaseFont", "")).lstrip("/").split("+")[-1]
    codec = "mac_roman" if str(obj.get("/Encoding")) == "/MacRomanEncoding" else "cp1252"
    missing = float(obj.FontDescriptor.get("/MissingWidth", 0)) if "/FontDescriptor" in obj else 0.0
    standard = base if base in STANDARD_FONTS else None
    return Font(False, to_unicode, widths, missing or 500.0, standard=standard, encoding=codec)
