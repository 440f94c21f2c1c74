"""Chinese text in PDFs made with reportlab.

A CJK TrueType font installed on the machine is embedded (subset, with its ToUnicode map, so the text
renders everywhere and extracts back as Chinese). Without one, reportlab's built-in CID font
STSong-Light is used: nothing to install, but the reader's viewer supplies the glyphs.
`PDF_CJK_FONT=/path/to/font.ttf[:index]` picks a font explicitly.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

# (path, index of the face inside a .ttc collection), in order of preference: Debian's packages.
CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # fonts-noto-cjk (SC face)
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
]
FALLBACK = "STSong-Light"
EMBEDDED_NAME = "CJK"

# The embedded font is one object shared by every PDF of the process, and reportlab subsets it for each
# document as it is written: two threads writing PDFs at once corrupt each other's subset (a KeyError
# deep in ttfonts). Every `build()` of a PDF that uses the font holds this lock.
RENDER_LOCK = threading.Lock()


def _candidates() -> list[tuple[str, int]]:
    chosen = os.environ.get("PDF_CJK_FONT")
    if chosen:
        path, _, index = chosen.partition(":")
        return [(path, int(index or 0)), *CANDIDATES]
    return CANDIDATES


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The name of a registered font that draws Chinese: an embedded TrueType one when possible."""
    for path, index in _candidates():
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(EMBEDDED_NAME, path, subfontIndex=index))
        except (TTFError, OSError) as exc:  # e.g. a CFF-flavoured OpenType face reportlab cannot embed
            log.info("font %s not usable for PDF: %s", path, exc)
            continue
        log.info("PDF font: %s", path)
        return EMBEDDED_NAME
    log.warning("no CJK TrueType font installed: PDFs use the non-embedded CID font %s", FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


def font_is_embedded() -> bool:
    return cjk_font() != FALLBACK
