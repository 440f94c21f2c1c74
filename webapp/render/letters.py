"""PDF of an official document (letterhead, number, title, body, signature with a seal placeholder,
contact block) and of the 政府信息公开申请表, with the embedded CJK font of webapp.render.pdf."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from webapp.domain.dates import cn_date
from webapp.domain.documents import DocumentView
from webapp.render.pdf import RENDER_LOCK, cjk_font, clean, para

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

RED = colors.HexColor("#c00000")


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=12, leading=21, wordWrap="CJK")
    return {
        "letterhead": ParagraphStyle(
            "letterhead", parent=base, fontSize=22, leading=30, alignment=TA_CENTER, textColor=RED
        ),
        "number": ParagraphStyle("number", parent=base, fontSize=11, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=26, alignment=TA_CENTER),
        "salutation": ParagraphStyle("salutation", parent=base, alignment=TA_LEFT),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=24),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", parent=base, fontSize=9.5, leading=15),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=16),
        "cellhead": ParagraphStyle("cellhead", parent=base, fontSize=10.5, leading=16, alignment=TA_CENTER),
    }


class Signature(Flowable):
    """The sender's name and the date at the right, with the seal placeholder (a red circle) over them."""

    def __init__(self, agency: str, seal_text: str, date: dt.date, width: float) -> None:
        super().__init__()
        self.agency, self.seal_text, self.date, self.width = clean(agency), clean(seal_text), date, width
        self.height = 34 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c: Canvas = self.canv
        font = cjk_font()
        right = self.width - 6 * mm
        c.setFont(font, 12)
        c.drawRightString(right, 16 * mm, self.agency)
        c.drawRightString(right, 8 * mm, cn_date(self.date))
        # the seal placeholder: a red ring with the seal's text along its middle
        cx = right - c.stringWidth(self.agency, font, 12) / 2
        cy = 16 * mm
        c.saveState()
        c.setStrokeColor(RED)
        c.setFillColor(RED)
        c.setLineWidth(1.2)
        c.circle(cx, cy, 15 * mm, stroke=1, fill=0)
        # the seal's text in one or two level lines (rotated glyphs along an arc would come out of
        # pdftotext scattered among the body's lines), a star and the placeholder's label
        text = self.seal_text[:24]
        lines = [text] if len(text) <= 9 else [text[: (len(text) + 1) // 2], text[(len(text) + 1) // 2 :]]
        size = 9.0
        while size > 5 and max(c.stringWidth(line, font, size) for line in lines) > 25 * mm:
            size -= 0.5
        top = cy + (8 if len(lines) == 2 else 5.5) * mm
        for i, line in enumerate(lines):
            c.setFont(font, size)
            c.drawCentredString(cx, top - i * (size + 1.5), line)
        c.setFont(font, 14)
        c.drawCentredString(cx, cy - 5 * mm, "★")
        c.setFont(font, 7)
        c.drawCentredString(cx, cy - 10.5 * mm, "（印章）")
        c.restoreState()


def _footer(label: str) -> Any:
    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 8.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(20 * mm, 12 * mm, clean(label))
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"第{doc.page}页")
        canvas.restoreState()

    return draw


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return para(text, style)


def render(view: DocumentView) -> bytes:
    """The PDF of one document."""
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=26 * mm,
        rightMargin=26 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=clean(view.title),
        author=clean(view.header.get("agency", "")),
        subject=clean(f"{view.number} {view.tracking_number}"),
    )
    width = A4[0] - 52 * mm
    story: list[Flowable] = [
        _p(str(view.header.get("letterhead", "")), styles["letterhead"]),
        Spacer(1, 3 * mm),
        _p(view.number, styles["number"]),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=2 * mm, spaceAfter=7 * mm),
        _p(view.title, styles["title"]),
        Spacer(1, 6 * mm),
    ]
    paragraphs = view.paragraphs
    if paragraphs:
        first, *rest = paragraphs
        story.append(_p(first, styles["salutation"] if first.endswith("：") else styles["body"]))
        story.extend(_p(p, styles["body"]) for p in rest)
    story.append(Spacer(1, 10 * mm))
    story.append(
        KeepTogether(
            [
                Signature(
                    str(view.header.get("agency", "")),
                    str(view.header.get("seal_text", "")),
                    view.date,
                    width,
                )
            ]
        )
    )
    contacts = view.contact_lines
    if contacts:
        story.append(Spacer(1, 8 * mm))
        # The rule and the contact block stay on one page (a long letter does not split them).
        story.append(
            KeepTogether(
                [
                    HRFlowable(width="100%", thickness=0.5, color=colors.grey, spaceAfter=2 * mm),
                    _p("　".join(contacts), styles["small"]),
                ]
            )
        )
    footer = _footer(f"申请编号：{view.tracking_number}　{view.number}")
    with RENDER_LOCK:
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


# -- the application form (政府信息公开申请表) --------------------------------------------------------


# How much of a value its cell of the form shows (a longer one is continued after the table): a table's
# row never breaks across pages, so a row taller than the page could not be laid out at all.
CELL_LIMIT = 40
CELL_LIMITS = {"description": 400, "purpose": 200}
FORM_LABELS = {
    "name_person": "姓名",
    "employer": "工作单位",
    "id_kind_person": "证件名称",
    "id_number_person": "证件号码",
    "phone_person": "联系电话",
    "email_person": "电子邮箱",
    "address_person": "通信地址",
    "postal_code": "邮政编码",
    "name_org": "名称",
    "id_number_org": "统一社会信用代码",
    "representative": "法定代表人或负责人",
    "contact_org": "联系人",
    "phone_org": "联系电话",
    "email_org": "电子邮箱",
    "address_org": "通信地址",
    "description": "所需信息的名称、文号或者便于查询的其他特征性描述",
    "purpose": "所需信息的用途",
    "signature": "申请人签名或者盖章",
    "tracking_number": "申请编号",
    "registered_by": "登记人",
}


def application_form(agency_name: str, values: dict[str, str] | None = None) -> bytes:
    """The 政府信息公开申请表 (the contents of 2019 条例 第二十九条), blank or filled in from a registered
    request."""
    styles = _styles()
    v = values or {}
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title="政府信息公开申请表",
        author=clean(agency_name),
    )
    cell, head = styles["cell"], styles["cellhead"]

    def c(text: str) -> Paragraph:
        return _p(text, cell)

    overflow: list[tuple[str, str]] = []  # (field, its whole text) of the values too long for their cell

    def filled(key: str, blank: str = "") -> Paragraph:
        text = v.get(key) or blank
        limit = CELL_LIMITS.get(key, CELL_LIMIT)
        if len(text) > limit:  # a table row cannot break across pages: the rest goes after the table
            overflow.append((FORM_LABELS.get(key, key), text))
            text = text[:limit] + "……（见续页）"
        return _p(text, cell)

    check = "□"
    rows: list[list[Any]] = [
        [
            _p("申请人信息", head),
            c("公民"),
            c("姓名"),
            filled("name_person"),
            c("工作单位"),
            filled("employer"),
        ],
        ["", "", c("证件名称"), filled("id_kind_person"), c("证件号码"), filled("id_number_person")],
        ["", "", c("联系电话"), filled("phone_person"), c("电子邮箱"), filled("email_person")],
        ["", "", c("通信地址"), filled("address_person"), c("邮政编码"), filled("postal_code")],
        [
            "",
            c("法人或者其他组织"),
            c("名称"),
            filled("name_org"),
            c("统一社会信用代码"),
            filled("id_number_org"),
        ],
        ["", "", c("法定代表人或负责人"), filled("representative"), c("联系人"), filled("contact_org")],
        ["", "", c("联系电话"), filled("phone_org"), c("电子邮箱"), filled("email_org")],
        ["", "", c("通信地址"), filled("address_org"), "", ""],
        [
            _p("所需信息情况", head),
            c("所需信息的名称、文号或者便于查询的其他特征性描述"),
            filled("description"),
            "",
            "",
            "",
        ],
        ["", c("所需信息的用途（选填）"), filled("purpose"), "", "", ""],
        [
            "",
            c("获取信息的方式"),
            c(
                "　".join(
                    f"{'■' if v.get('delivery') == code else check}{label}"
                    for code, label in (
                        ("post", "邮寄"),
                        ("email", "电子邮件"),
                        ("pickup", "自行领取"),
                        ("online", "网上获取"),
                    )
                )
            ),
            "",
            "",
            "",
        ],
        [
            "",
            c("信息的载体形式"),
            c(f"{check}纸质文本　{check}电子文本　{check}其他"),
            "",
            "",
            "",
        ],
        [
            _p("申请人签名或者盖章", head),
            filled("signature"),
            "",
            c("申请日期"),
            filled("date", "　　年　　月　　日"),
            "",
        ],
        [
            _p("受理情况（机关填写）", head),
            c("申请编号"),
            filled("tracking_number"),
            c("收到申请之日"),
            filled("received_on"),
            "",
        ],
        ["", c("登记人"), filled("registered_by"), c("答复期限"), filled("due_on"), ""],
    ]
    widths = [20 * mm, 27 * mm, 29 * mm, 37 * mm, 25 * mm, 36 * mm]
    heights: list[float | None] = [None] * len(rows)  # each row as tall as its text
    # room to write by hand on a blank form; a filled-in one grows with its text
    heights[8] = None if v.get("description") else 34 * mm
    heights[9] = None if v.get("purpose") else 16 * mm
    heights[12] = None if v.get("signature") else 18 * mm
    table = Table(rows, colWidths=widths, rowHeights=heights)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("SPAN", (0, 0), (0, 7)),
                ("SPAN", (1, 0), (1, 3)),
                ("SPAN", (1, 4), (1, 7)),
                ("SPAN", (3, 7), (5, 7)),
                ("SPAN", (0, 8), (0, 11)),
                ("SPAN", (2, 8), (5, 8)),
                ("SPAN", (2, 9), (5, 9)),
                ("SPAN", (2, 10), (5, 10)),
                ("SPAN", (2, 11), (5, 11)),
                ("SPAN", (1, 12), (2, 12)),
                ("SPAN", (4, 12), (5, 12)),
                ("SPAN", (0, 13), (0, 14)),
                ("SPAN", (4, 13), (5, 13)),
                ("SPAN", (4, 14), (5, 14)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    continued: list[Flowable] = []
    if overflow:
        continued = [Spacer(1, 4 * mm), _p("续页", styles["salutation"])]
        continued += [_p(f"{label}：{text}", styles["small"]) for label, text in overflow]
    story: list[Flowable] = [
        _p("政府信息公开申请表", styles["title"]),
        Spacer(1, 2 * mm),
        _p(f"受理机关：{agency_name}", styles["number"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 4 * mm),
        _p(
            "填表说明：1.依照《中华人民共和国政府信息公开条例》第二十九条，申请应当包括申请人的姓名或者名称、"
            "身份证明、联系方式；申请公开的政府信息的名称、文号或者便于行政机关查询的其他特征性描述；申请公开的"
            "政府信息的形式要求，包括获取信息的方式、途径。2.请附身份证明复印件。3.申请内容不明确的，行政机关将"
            "一次性告知补正。4.“受理情况”一栏由行政机关填写。",
            styles["small"],
        ),
        *continued,
    ]
    footer = _footer(f"政府信息公开申请表　{agency_name}")
    with RENDER_LOCK:
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
