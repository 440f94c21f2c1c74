"""The files: the PDF read back with pdftotext, the XLSX with openpyxl, the CSV with csv; and the
`report` commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from tests.domain.test_reports import SEED_ANNEX_TWO
from tests.factories import make_agency, make_request, make_user, reply_fields
from webapp.domain import reports
from webapp.domain.requests import act
from webapp.models import Agency, ReportSnapshot
from webapp.render import annex_two as exports
from webapp.render.pdf import cjk_font, font_is_embedded

NOW = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: .ci/run installs it")
        pytest.skip(f"{tool} not installed (apt-get install poppler-utils)")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    need("pdftotext")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


@pytest.fixture
def agency(session: Any) -> Agency:
    agency = make_agency(session, NOW, code="BCHR", name="白城市人力资源和社会保障局")
    officer = make_user(session, NOW, agency)
    for received, outcome, channel in [
        (dt.date(2023, 3, 6), "disclosed", "in_person"),
        (dt.date(2023, 3, 7), "disclosed", "letter"),
        (dt.date(2023, 4, 10), "not_held", "letter"),
        (dt.date(2023, 6, 5), "withheld_third_party", "fax"),
    ]:
        req, _ = make_request(session, NOW, agency, received_on=received, channel=channel, officer=officer)
        act(session, req, "reply", officer, now=NOW, on=received, **reply_fields(outcome))
    req, _ = make_request(session, NOW, agency, received_on=dt.date(2023, 12, 28), officer=officer)
    reports.record_appeal(
        session,
        req,
        kind="litigation_direct",
        result="pending",
        filed_on=dt.date(2024, 2, 1),
        actor=officer,
        now=NOW,
    )
    return agency


def table(session: Any, agency: Agency, year: int, form: str) -> dict[str, Any]:
    return reports.annex_two(session, reports.Scope((agency,)), year, form)


def test_the_font_is_embedded_when_one_is_installed():
    installed = any(Path(p).is_file() for p, _ in __import__("webapp.render.pdf").render.pdf.CANDIDATES)
    if os.environ.get("CI"):
        assert installed, ".ci/run installs fonts-wqy-microhei"
    assert cjk_font() in ("CJK", "STSong-Light")
    assert font_is_embedded() == installed


def test_pdf_2013_reads_back_with_every_label_and_figure(session: Any, agency: Agency, tmp_path: Path):
    text = pdf_text(exports.to_pdf(table(session, agency, 2023, "2013"), [agency.name]), tmp_path)
    assert "附表二 依申请公开情况" in text and "白城市人力资源和社会保障局" in text and "2023年" in text
    lines = [line.split() for line in text.splitlines() if line.strip()]
    figures = {" ".join(parts[:-2]): (parts[-2], parts[-1]) for parts in lines if len(parts) >= 3}
    expected = {
        "申请总数": "5",
        "其中,1.当面申请数": "1",
        "2.传真申请数": "1",
        "5.信函申请数": "3",
        "对申请的答复总数": "4",
        "其中:1.同意公开答复数": "2",
        "3.否决公开答复数": "2",
        "②“非本部门掌握”数": "1",
        "4.网上申请数": "0",
    }
    for label, value in expected.items():
        assert figures.get(label) == ("条", value), (label, figures.get(label))
    assert "其中: ①“信息不存在”数" in text or "其中:  ①“信息不存在”数" in text


def test_pdf_of_the_empty_seed_year_is_the_seeds_table(session: Any, agency: Agency, tmp_path: Path):
    text = pdf_text(exports.to_pdf(table(session, agency, 2013, "2013"), [agency.name]), tmp_path)
    positions = [text.find(label) for label, _, _ in SEED_ANNEX_TWO]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_pdf_2021_reads_back(session: Any, agency: Agency, tmp_path: Path):
    text = pdf_text(exports.to_pdf(table(session, agency, 2023, "2021"), [agency.name]), tmp_path)
    assert "三、收到和处理政府信息公开申请情况" in text
    assert "本列数据的勾稽关系" in text
    assert "四、政府信息公开行政复议、行政诉讼情况" in text and "未经复议直接起诉" in text
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 8 and all(p.isdigit() for p in parts[1:]):
            rows[parts[0]] = [int(p) for p in parts[1:]]
    assert rows["一、本年新收政府信息公开申请数量"] == [5, 0, 0, 0, 0, 0, 5]
    assert rows["（一）予以公开"] == [2, 0, 0, 0, 0, 0, 2]
    assert rows["（七）总计"] == [4, 0, 0, 0, 0, 0, 4]
    assert rows["四、结转下年度继续办理"] == [1, 0, 0, 0, 0, 0, 1]
    for label in ("商业企业", "法律服务机构", "总计", "结果维持", "尚未审结"):
        assert label in text


def test_pdf_renders_chinese_glyphs(session: Any, agency: Agency, tmp_path: Path):
    """pdftoppm draws the page: the title's ink is there (not an empty box row)."""
    need("pdftoppm")
    path = tmp_path / "r.pdf"
    path.write_bytes(exports.to_pdf(table(session, agency, 2023, "2013"), [agency.name]))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page-1.png").stat().st_size > 5000


def test_xlsx_is_laid_out_like_the_printed_tables(session: Any, agency: Agency):
    wb = load_workbook(io.BytesIO(exports.to_xlsx(table(session, agency, 2023, "2013"), [agency.name])))
    ws = wb.active
    assert ws is not None
    assert ws["A1"].value == "附表二 依申请公开情况"
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 3)] == ["指标", "单位", "数量"]
    rows = [
        (ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value)
        for r in range(4, 19)
    ]
    assert [label for label, _, _ in rows] == [label for label, _, _ in SEED_ANNEX_TWO]
    assert {unit for _, unit, _ in rows} == {"条"}
    assert [v for _, _, v in rows] == [0, 5, 1, 1, 0, 0, 3, 0, 4, 2, 0, 2, 0, 1, 0]

    wb = load_workbook(io.BytesIO(exports.to_xlsx(table(session, agency, 2023, "2021"), [agency.name])))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert ws["A3"].value.startswith("（本列数据的勾稽关系为") and "A3:A5" in ws.merged_cells
    assert ws["B3"].value == "申请人情况" and "B3:H3" in ws.merged_cells
    assert ws["C4"].value == "法人或其他组织" and "C4:G4" in ws.merged_cells
    assert [ws.cell(row=5, column=c).value for c in range(3, 8)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert ws["B4"].value == "自然人" and ws["H4"].value == "总计"
    labels = [ws.cell(row=r, column=1).value for r in range(6, 36)]
    assert labels == [label for label, _ in reports.FORM_2021]
    assert [ws.cell(row=6, column=c).value for c in range(2, 9)] == [5, 0, 0, 0, 0, 0, 5]
    assert ws.cell(row=8, column=2).value is None  # 三、本年度办理结果: a heading
    four = wb.worksheets[1]
    assert four["A1"].value == "四、政府信息公开行政复议、行政诉讼情况"
    assert four["A3"].value == "行政复议" and four["F3"].value == "行政诉讼"
    assert four["F4"].value == "未经复议直接起诉" and four["K4"].value == "复议后起诉"
    # The suit filed in 2024 is not in 2023's figures.
    assert [four.cell(row=6, column=c).value for c in range(1, 16)] == [0] * 15
    wb = load_workbook(io.BytesIO(exports.to_xlsx(table(session, agency, 2024, "2021"), [agency.name])))
    assert [wb.worksheets[1].cell(row=6, column=c).value for c in range(6, 11)] == [0, 0, 0, 1, 1]


def test_csv_has_a_bom_and_the_table(session: Any, agency: Agency):
    raw = exports.to_csv(table(session, agency, 2023, "2021"))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert rows[1] == ["一、本年新收政府信息公开申请数量", "5", "0", "0", "0", "0", "0", "5"]
    assert rows[3] == ["三、本年度办理结果", "", "", "", "", "", "", ""]
    assert rows[-3][0] == "行政复议" and rows[-1][0] == "行政诉讼 复议后起诉"


# -- the command line -------------------------------------------------------------------------------


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_report_annex_two_in_every_format(app: Flask, session: Any, agency: Agency, tmp_path: Path):
    other = make_agency(session, NOW, code="BCENV")
    session.commit()
    result = run(app, "report", "annex-two", "--agency", "BCHR", "--year", "2013", "--form", "2013")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [(r["label"], r["unit"], r["value"]) for r in body["rows"]] == SEED_ANNEX_TWO

    result = run(
        app,
        "report",
        "annex-two",
        "--agency",
        "BCHR,BCENV",
        "--year",
        "2023",
        "--form",
        "2013",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert "申请总数,条,5" in result.output

    out = tmp_path / "t.xlsx"
    result = run(
        app,
        "report",
        "annex-two",
        "--agency",
        "BCHR",
        "--agency",
        other.code,
        "--year",
        "2023",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).worksheets[0]["H6"].value == 5

    out = tmp_path / "t.pdf"
    result = run(
        app,
        "report",
        "annex-two",
        "--agency",
        "BCHR",
        "--year",
        "2023",
        "--format",
        "pdf",
        "--output",
        str(out),
    )
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    result = run(app, "report", "annex-two", "--agency", "BCHR", "--year", "2023", "--format", "html")
    assert result.exit_code == 0 and "<svg" in result.output

    result = run(app, "report", "annex-two", "--agency", "NOPE", "--year", "2023")
    assert result.exit_code != 0 and "NOPE" in result.output
    result = run(app, "report", "annex-two", "--agency", "BCHR", "--year", "1990")
    assert result.exit_code != 0 and "year" in result.output
    result = run(app, "report", "annex-two", "--agency", "BCHR", "--year", "2023", "--format", "pdf")
    assert result.exit_code != 0 and "--output" in result.output


def test_cli_snapshot_freezes_every_agency_once(app: Flask, session: Any, agency: Agency):
    session.commit()
    result = run(app, "report", "snapshot", "--year", "2023")
    assert result.exit_code == 0, result.output
    assert "BCHR 2013 revision 1" in result.output and "BCHR 2021 revision 1" in result.output
    snaps = (
        session.execute(select(ReportSnapshot).where(ReportSnapshot.agency_id == agency.id)).scalars().all()
    )
    assert sorted(s.form for s in snaps) == ["2013", "2021"]
    result = run(app, "report", "snapshot", "--year", "2023")
    assert result.exit_code == 0 and "0 snapshot(s) created" in result.output
