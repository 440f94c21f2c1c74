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
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import utils as rl_utils
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph

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


def harden() -> None:
    """reportlab fetches nothing a PDF's text names: no URL scheme and no host is trusted (an `<img
    src="http://…"/>` that reached a Paragraph would otherwise be fetched by the server). Called when this
    module is imported (before any font or image is read: reportlab reads the settings once, at its
    first resource) and again by the app and the workers at start."""
    rl_config.trustedSchemes = []
    rl_config.trustedHosts = []
    try:  # reportlab binds the settings at its first read: check they are the ones in force
        rl_utils.open_for_read("data:,probe")
    except OSError:
        return
    raise RuntimeError("reportlab read a resource before it was hardened: URLs would be fetched")


def clean(text: object) -> str:
    """Text as a PDF takes it: a string, with anything UTF-8 cannot carry (a lone surrogate) replaced."""
    return str(text).encode("utf-8", "replace").decode("utf-8")


def markup(text: object) -> str:
    """Plain text as a Paragraph's markup: `<`, `>` and `&` escaped (so nothing in it is a tag or an
    entity reportlab would interpret), line breaks as `<br/>`."""
    return escape(clean(text)).replace("\r\n", "\n").replace("\n", "<br/>")


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: the only way the product puts text into a Paragraph."""
    return Paragraph(markup(text), style)


harden()


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
