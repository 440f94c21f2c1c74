"""Redaction removes (webapp/domain/redaction.py): read back with pdftotext, the output holds none of the
marked passages and all of the rest; the same check fails on a PDF where the passage is only covered."""

from __future__ import annotations

import io
import re
import subprocess

import pikepdf
import pytest

from tests.factories import pdf_text, sample_pdf
from webapp.domain.errors import ValidationError
from webapp.domain.pdf_fonts import parse_cmap
from webapp.domain.redaction import Unredactable, find_pii, page_lines, redact

MARKED = ["张三", "Secret Project Alpha"]
PII = ["110105194912310021", "13812345678", "zhangsan@example.cn"]
KEPT = [
    "关于示范项目资金安排的批复",
    "联系人",
    "身份证号",
    "电话",
    "地址北京市东城区",
    "costs1,000yuan",
    "其余内容保持不变",
]


def holds_none_of(pdf: bytes, marked: list[str]) -> bool:
    """The check every redaction test makes: the extracted text holds none of the marked strings."""
    text = pdf_text(pdf)
    return not any("".join(m.split()) in text for m in marked)


def images(pdf: bytes) -> int:
    """Image objects anywhere in the file (not only those a page draws)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return sum(1 for o in doc.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image")


def test_the_marked_passages_and_personal_data_are_gone_from_the_text_and_the_rest_stays_text():
    original = sample_pdf()
    assert not holds_none_of(original, MARKED + PII)  # the check sees them in the original
    done = redact(original, MARKED, pii=True)
    assert done.removed == 5
    assert holds_none_of(done.data, MARKED + PII)
    text = pdf_text(done.data)
    for kept in KEPT:
        assert kept in text, kept  # searchable text, not an image of the page
    # its bytes too: no stream of the output, decompressed, holds a marked Latin passage
    with pikepdf.open(io.BytesIO(done.data)) as doc:
        streams = b"".join(o.read_bytes() for o in doc.objects if isinstance(o, pikepdf.Stream))
    assert b"Secret" not in streams and b"zhangsan" not in streams and b"13812345678" not in streams


def test_a_black_box_over_the_text_is_caught_by_the_same_check():
    """A 'redaction' that draws a box and leaves the text: the check every test here makes fails on it."""
    covered = sample_pdf(cover="110105194912310021")
    assert not holds_none_of(covered, ["110105194912310021"])
    assert holds_none_of(redact(covered, ["110105194912310021"]).data, ["110105194912310021"])


def test_the_image_under_a_mark_is_removed_and_the_page_keeps_its_layout(tmp_path):
    original = sample_pdf()
    assert images(original) == 1
    done = redact(original, ["110105194912310021"])  # the red image sits over this number
    assert images(done.data) == 0
    untouched = redact(original, ["Secret Project Alpha"])  # far from the image: it stays
    assert images(untouched.data) == 1
    # what follows a removed passage does not move: the page's lines are where they were
    lines = page_lines(done.data)[0]
    assert lines[1].startswith("联系人：张三，身份证号") and lines[1].endswith("，电话13812345678。")
    (tmp_path / "out.pdf").write_bytes(done.data)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    (tmp_path / "in.pdf").write_bytes(original)
    before = subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "in.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    ends = re.compile(r'xMax="([\d.]+)" yMax="[\d.]+">[^<]*电话13812345678。</word>')
    (after_end,), (before_end,) = ends.findall(bbox), ends.findall(before)
    assert float(after_end) == pytest.approx(float(before_end), abs=0.01)  # the line ends where it ended


def test_cjk_and_latin_on_several_pages_every_occurrence():
    original = sample_pdf(pages=3)
    done = redact(original, ["示范项目", "Alpha"])
    assert done.removed == 6
    assert holds_none_of(done.data, ["示范项目", "Alpha"])
    assert pdf_text(done.data).count("资金安排的批复") == 3


def test_the_product_proposes_every_id_number_phone_number_and_email_address():
    lines = [
        "申请人李四，身份证号码：11010519491231002X，手机 139 0000 0000。",
        "固定电话 0436-3209609，邮箱 li.si@example.gov.cn。",
    ]
    assert find_pii(sample_pdf(lines)) == [
        "11010519491231002X",
        "13900000000",
        "0436-3209609",
        "li.si@example.gov.cn",
    ]
    done = redact(sample_pdf(lines), [], pii=True)
    assert done.removed == 4
    assert holds_none_of(
        done.data, ["11010519491231002X", "13900000000", "0436-3209609", "li.si@example.gov.cn"]
    )
    assert "申请人李四" in pdf_text(done.data)


def test_a_passage_not_in_the_file_is_an_error_naming_texts_and_nothing_is_made():
    with pytest.raises(ValidationError) as caught:
        redact(sample_pdf(), ["张三", "不存在的内容"])
    assert "texts" in caught.value.fields and "不存在的内容" in str(caught.value.fields["texts"])


def test_metadata_outline_and_annotations_leave_with_the_passages():
    original = sample_pdf()
    with pikepdf.open(io.BytesIO(original)) as doc:
        doc.docinfo["/Title"] = "张三的身份证号110105194912310021"
        page = doc.pages[0]
        page.obj.Annots = doc.make_indirect(
            pikepdf.Array(
                [pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Contents="张三")]
            )
        )
        out = io.BytesIO()
        doc.save(out)
    done = redact(out.getvalue(), ["张三"], pii=True)
    with pikepdf.open(io.BytesIO(done.data)) as doc:
        assert "/Title" not in doc.docinfo and "/Annots" not in doc.pages[0].obj


def test_a_font_it_cannot_read_is_refused_never_guessed():
    original = sample_pdf()
    with pikepdf.open(io.BytesIO(original)) as doc:
        for font in doc.pages[0].Resources.Font.values():
            if "/ToUnicode" in font:
                font.Subtype = pikepdf.Name.Type0
                font.Encoding = pikepdf.Name("/GBK-EUC-H")
        out = io.BytesIO()
        doc.save(out)
    with pytest.raises(Unredactable):
        redact(out.getvalue(), ["张三"])
    with pytest.raises(Unredactable):
        redact(b"%PDF-1.4 not really", ["张三"])


def test_tounicode_maps_of_both_forms():
    cmap = b"""beginbfchar <0003> <5F20> endbfchar
    beginbfrange <0010> <0012> <0041> <0020> <0021> [<4E09> <0042>] endbfrange"""
    assert parse_cmap(cmap) == {3: "张", 16: "A", 17: "B", 18: "C", 32: "三", 33: "B"}
