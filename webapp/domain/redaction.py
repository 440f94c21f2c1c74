"""Redaction that removes (docs/rules.md §Redaction): a copy of a PDF from which the marked passages are
gone — the glyphs taken out of the page's text operators, the images under them taken out of the page —
while everything else stays as it was, text that can still be searched and read aloud. A black box is
drawn where each passage was, over nothing.

The content streams are read and rewritten with pikepdf (MPL-2.0, over qpdf: Apache-2.0): each text
operator's bytes are decoded through its font (ToUnicode map, simple or Identity-H/UCS-2 composite
encodings, widths from the font), the page's text is matched against the marks with white space ignored,
and each matched glyph is replaced by a kerning step of its own width, so that nothing after it moves. A
font the module cannot decode is refused rather than guessed at, and the result is read back: a marked
passage still found in it is an error, never a file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, ContentStreamInlineImage, ContentStreamInstruction, Dictionary, Name, Operator

from webapp.domain.errors import ValidationError
from webapp.domain.pdf_fonts import Font, Unredactable, load_font
from webapp.i18n import _l

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)

# What `pii` proposes: resident ID numbers, mobile and landline numbers, e-mail addresses.
PII_PATTERNS = [
    re.compile(
        r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    ),
    re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])"),
    re.compile(r"(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])"),
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
]


def mul(a: Matrix, b: Matrix) -> Matrix:
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def box(m: Matrix, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    points = [
        (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
        for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))
    ]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- reading a page --------------------------------------------------------------------------------------


@dataclass
class Glyph:
    char: str
    owner: int  # which content stream (index into Scan.streams)
    index: int  # the instruction
    element: int  # the string's place in a TJ array, -1 for Tj, ' and "
    start: int
    end: int
    advance: float  # in text space, with the horizontal scaling
    scale: float  # font size times horizontal scaling (a TJ number's unit)
    bbox: tuple[float, float, float, float]  # on the page


@dataclass
class Stream:
    owner: pikepdf.Object  # the page or the form XObject whose content it is
    instructions: list[ContentStreamInstruction | ContentStreamInlineImage]
    resources: pikepdf.Object
    images: list[tuple[int, str, tuple[float, float, float, float]]] = field(default_factory=list)


@dataclass
class PageScan:
    glyphs: list[Glyph] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)


@dataclass
class TextState:
    font: Font | None = None
    size: float = 0.0
    char_space: float = 0.0
    word_space: float = 0.0
    scaling: float = 1.0
    leading: float = 0.0
    rise: float = 0.0


def scan_page(page: pikepdf.Page) -> PageScan:
    scan = PageScan()
    _scan(scan, page.obj, page.obj.get("/Resources", Dictionary()), IDENTITY, depth=0)
    return scan


def _scan(scan: PageScan, owner: pikepdf.Object, resources: pikepdf.Object, ctm: Matrix, depth: int) -> None:
    if depth > 8:
        raise Unredactable(_l("该PDF的嵌套层次过深，不能自动删除处理"), {"attachment": _l("结构过于复杂")})
    instructions = list(pikepdf.parse_content_stream(owner))
    stream = Stream(owner, instructions, resources)
    owner_index = len(scan.streams)
    scan.streams.append(stream)
    fonts: dict[str, Font] = {}
    stack: list[tuple[Matrix, TextState]] = []
    ts = TextState()
    tm = lm = IDENTITY

    def show(raw: bytes, index: int, element: int) -> None:
        nonlocal tm
        if ts.font is None:
            raise Unredactable(
                _l("该PDF的文字没有字体，不能自动删除处理"), {"attachment": _l("无法识别文字")}
            )
        rendering = mul((ts.size * ts.scaling, 0, 0, ts.size, 0, ts.rise), mul(tm, ctm))
        for code, start, end in ts.font.codes(raw):
            w0 = ts.font.width(code) / 1000
            space = ts.word_space if (not ts.font.two_byte and code == 32) else 0.0
            advance = (w0 * ts.size + ts.char_space + space) * ts.scaling
            bbox = box(rendering, 0, -0.2, w0, 0.9)
            char = ts.font.text(code)
            scan.glyphs.append(
                Glyph(char, owner_index, index, element, start, end, advance, ts.size * ts.scaling, bbox)
            )
            tm = mul((1, 0, 0, 1, advance, 0), tm)
            rendering = mul((ts.size * ts.scaling, 0, 0, ts.size, 0, ts.rise), mul(tm, ctm))

    for index, ins in enumerate(instructions):
        if isinstance(ins, ContentStreamInlineImage):
            stream.images.append((index, "", box(ctm, 0, 0, 1, 1)))
            continue
        op, args = str(ins.operator), list(ins.operands)
        if op == "q":
            stack.append((ctm, TextState(**vars(ts))))
        elif op == "Q" and stack:
            ctm, ts = stack.pop()
        elif op == "cm":
            ctm = mul(tuple(float(a) for a in args), ctm)  # type: ignore[arg-type]
        elif op == "BT":
            tm = lm = IDENTITY
        elif op == "Tf":
            name = str(args[0])
            if name not in fonts:
                font_obj = resources.get("/Font", Dictionary()).get(name)
                if font_obj is None:
                    raise Unredactable(_l("该PDF引用了不存在的字体，不能自动删除处理"), {"attachment": name})
                fonts[name] = load_font(font_obj)
            ts.font, ts.size = fonts[name], float(args[1])
        elif op == "Tc":
            ts.char_space = float(args[0])
        elif op == "Tw":
            ts.word_space = float(args[0])
        elif op == "Tz":
            ts.scaling = float(args[0]) / 100
        elif op == "TL":
            ts.leading = float(args[0])
        elif op == "Ts":
            ts.rise = float(args[0])
        elif op in ("Td", "TD"):
            if op == "TD":
                ts.leading = -float(args[1])
            lm = mul((1, 0, 0, 1, float(args[0]), float(args[1])), lm)
            tm = lm
        elif op == "Tm":
            lm = tm = tuple(float(a) for a in args)  # type: ignore[assignment]
        elif op in ("T*", "'", '"'):
            if op == '"':
                ts.word_space, ts.char_space = float(args[0]), float(args[1])
            lm = mul((1, 0, 0, 1, 0, -ts.leading), lm)
            tm = lm
            if op != "T*":
                show(bytes(args[-1]), index, -1)
        elif op == "Tj":
            show(bytes(args[0]), index, -1)
        elif op == "TJ":
            for element, item in enumerate(args[0]):
                if isinstance(item, pikepdf.String):
                    show(bytes(item), index, element)
                else:
                    tm = mul((1, 0, 0, 1, -float(item) / 1000 * ts.size * ts.scaling, 0), tm)
        elif op == "Do":
            name = str(args[0])
            xobject = resources.get("/XObject", Dictionary()).get(name)
            if xobject is None:
                continue
            if xobject.get("/Subtype") == Name.Image:
                stream.images.append((index, name, box(ctm, 0, 0, 1, 1)))
            elif xobject.get("/Subtype") == Name.Form:
                matrix = tuple(float(a) for a in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                inner = xobject.get("/Resources", resources)
                _scan(scan, xobject, inner, mul(matrix, ctm), depth + 1)  # type: ignore[arg-type]


# -- finding and removing --------------------------------------------------------------------------------


def compact(text: str) -> str:
    return "".join(text.split())


def find(scan: PageScan, needle: str) -> list[list[int]]:
    """Each occurrence of `needle` (white space ignored on both sides) as the indices of its glyphs."""
    target = compact(needle)
    if not target:
        return []
    kept = [i for i, g in enumerate(scan.glyphs) if g.char.strip()]
    chars: list[str] = []
    owner: list[int] = []  # the glyph of each character (a glyph may stand for several: ligatures)
    for i in kept:
        for c in compact(scan.glyphs[i].char):
            chars.append(c)
            owner.append(i)
    text = "".join(chars)
    found, at = [], text.find(target)
    while at >= 0:
        first, last = owner[at], owner[at + len(target) - 1]
        found.append(list(range(first, last + 1)))
        at = text.find(target, at + len(target))
    return found


def pii_in(text: str) -> list[str]:
    """The ID numbers, phone numbers and e-mail addresses in a text, each once, in order."""
    flat = compact(text)
    hits: list[tuple[int, str]] = []
    for pattern in PII_PATTERNS:
        hits.extend((m.start(), m.group(0)) for m in pattern.finditer(flat))
    seen: dict[str, None] = {}
    for _, value in sorted(hits):
        seen.setdefault(value, None)
    return list(seen)


# the marked-content properties that carry text of their own (a replacement, a description)
TEXT_PROPERTIES = ("/ActualText", "/Alt", "/E", "/T")


def _rewrite(pdf: pikepdf.Pdf, stream: Stream, removed: dict[int, list[Glyph]], images: set[int]) -> None:
    """The stream again without the removed glyphs (each replaced by a step of its width) and images."""
    out: list[ContentStreamInstruction | ContentStreamInlineImage] = []
    for index, ins in enumerate(stream.instructions):
        if index in images:
            continue
        if isinstance(ins, ContentStreamInlineImage):
            out.append(ins)
            continue
        op, args = str(ins.operator), list(ins.operands)
        if op == "BDC" and isinstance(args[1], Dictionary) and any(k in args[1] for k in TEXT_PROPERTIES):
            out.append(ContentStreamInstruction([args[0]], Operator("BMC")))  # its text may be the passage
            continue
        if index not in removed:
            out.append(ins)
            continue
        gone = removed[index]
        if op == "TJ":
            items = list(args[0])
        else:
            items = [args[-1]]
            if op == '"':
                out.append(ContentStreamInstruction([args[0]], Operator("Tw")))
                out.append(ContentStreamInstruction([args[1]], Operator("Tc")))
            if op in ("'", '"'):
                out.append(ContentStreamInstruction([], Operator("T*")))
        array: list[object] = []
        for element, item in enumerate(items):
            if not isinstance(item, pikepdf.String):
                array.append(item)
                continue
            raw = bytes(item)
            here = sorted(
                (g for g in gone if g.element == (element if op == "TJ" else -1)), key=lambda g: g.start
            )
            pos = 0
            for g in here:
                if g.start > pos:
                    array.append(pikepdf.String(raw[pos : g.start]))
                if g.scale:
                    array.append(round(-g.advance * 1000 / g.scale, 3))
                pos = g.end
            if pos < len(raw):
                array.append(pikepdf.String(raw[pos:]))
        out.append(ContentStreamInstruction([Array(array)], Operator("TJ")))
    data = pikepdf.unparse_content_stream(out)
    if isinstance(stream.owner, pikepdf.Stream):
        stream.owner.write(data)
    else:
        stream.owner.Contents = pdf.make_stream(data)
    used = {
        str(i.operands[0]) for i in out if isinstance(i, ContentStreamInstruction) and str(i.operator) == "Do"
    }
    xobjects = stream.resources.get("/XObject")
    for index, name, _ in stream.images:
        if index in images and name and name not in used and xobjects is not None and name in xobjects:
            del xobjects[name]  # the image's data leaves the file with its last use


def _rects(scan: PageScan, indices: list[int]) -> list[tuple[float, float, float, float]]:
    """One box per run of removed glyphs in one text operator."""
    rects: list[tuple[float, float, float, float]] = []
    previous: Glyph | None = None
    for n, i in enumerate(indices):
        g = scan.glyphs[i]
        same_run = (
            previous is not None
            and indices[n - 1] == i - 1
            and (previous.owner, previous.index) == (g.owner, g.index)
        )
        if same_run:
            a = rects[-1]
            rects[-1] = (
                min(a[0], g.bbox[0]),
                min(a[1], g.bbox[1]),
                max(a[2], g.bbox[2]),
                max(a[3], g.bbox[3]),
            )
        else:
            rects.append(g.bbox)
        previous = g
    return rects


@dataclass(frozen=True)
class Redacted:
    data: bytes
    removed: int  # passages removed (occurrences)
    marks: list[str]  # what was looked for: the texts given and the personal data found


def _open(data: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise Unredactable(_l("该PDF已加密，不能删除处理"), {"attachment": _l("请先解除加密")}) from exc
    except pikepdf.PdfError as exc:
        raise Unredactable(_l("该文件不是可处理的PDF"), {"attachment": _l("无法读取")}) from exc


def page_texts(data: bytes) -> list[str]:
    """Each page's text as the module reads it (what the officer marks from, and what the checks read)."""
    with _open(data) as pdf:
        return [scan_page(page).text for page in pdf.pages]


def page_lines(data: bytes) -> list[list[str]]:
    """Each page's text in lines (a new line where the baseline moves), for the officer to read."""
    pages = []
    with _open(data) as pdf:
        for page in pdf.pages:
            lines: list[str] = []
            last: float | None = None
            for g in scan_page(page).glyphs:
                if last is None or abs(g.bbox[1] - last) > 2:
                    lines.append("")
                lines[-1] += g.char
                last = g.bbox[1]
            pages.append([line for line in lines if line.strip()])
    return pages


def find_pii(data: bytes) -> list[str]:
    """The ID numbers, phone numbers and e-mail addresses the product proposes to remove."""
    found: dict[str, None] = {}
    for text in page_texts(data):
        for value in pii_in(text):
            found.setdefault(value, None)
    return list(found)


def redact(data: bytes, texts: Iterable[str], *, pii: bool = False) -> Redacted:
    """A copy of the PDF without the marked passages (and, with `pii`, every ID number, phone number and
    e-mail address in it). A text given that is nowhere in the PDF is an error on `texts`."""
    needles = list(dict.fromkeys(t for t in texts if compact(t)))
    marks = list(needles)
    missing = {compact(t): t for t in needles}
    removed = 0
    with _open(data) as pdf:
        for page in pdf.pages:
            scan = scan_page(page)
            wanted = list(needles)
            if pii:
                for value in pii_in(scan.text):
                    wanted.append(value)
                    if value not in marks:
                        marks.append(value)
            hits = []
            for needle in wanted:
                found = find(scan, needle)
                if found:
                    missing.pop(compact(needle), None)
                hits.extend(found)
            if not hits:
                continue
            removed += len(hits)
            indices = sorted({i for hit in hits for i in hit})
            glyphs = [scan.glyphs[i] for i in indices]
            by_stream: dict[int, dict[int, list[Glyph]]] = {}
            for g in glyphs:
                by_stream.setdefault(g.owner, {}).setdefault(g.index, []).append(g)
            rects = _rects(scan, indices)
            for n, stream in enumerate(scan.streams):
                images = {index for index, _, bbox in stream.images if any(overlaps(bbox, r) for r in rects)}
                _rewrite(pdf, stream, by_stream.get(n, {}), images)
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            boxes = "".join(
                f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f\n" for x0, y0, x1, y1 in rects
            )
            page.contents_add(pdf.make_stream(f"Q\nq 0 g\n{boxes}Q\n".encode()))
        if missing:
            raise ValidationError(
                _l("以下内容未在文件中找到：%(texts)s", texts="；".join(missing.values())),
                {"texts": _l("未在文件中找到：%(texts)s", texts="；".join(missing.values()))},
            )
        _strip_extras(pdf)
        out = io.BytesIO()
        pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    result = out.getvalue()
    left = [m for m in marks if any(find_text(text, m) for text in page_texts(result))]
    if left:  # never a file that still holds a marked passage
        raise Unredactable(_l("删除处理未能完成，请改用其他方式处理"), {"attachment": _l("仍有未删除的内容")})
    return Redacted(result, removed, marks)


def find_text(text: str, needle: str) -> bool:
    return compact(needle) in compact(text)


def _strip_extras(pdf: pikepdf.Pdf) -> None:
    """What else may hold the passages: the document's metadata, bookmarks, form fields, attached files,
    the tagged structure's alternate texts, the pages' annotations and thumbnails."""
    for key in ("/Metadata", "/Outlines", "/AcroForm", "/Names", "/StructTreeRoot", "/PieceInfo"):
        if key in pdf.Root:
            del pdf.Root[key]
    for key in list(pdf.docinfo.keys()):
        if key != "/Producer":
            del pdf.docinfo[key]
    for page in pdf.pages:
        for key in ("/Annots", "/Thumb", "/PieceInfo", "/Metadata"):
            if key in page.obj:
                del page.obj[key]
