"""The figures entered per year (/staff/reports/figures): the form with last year's figures beside each
field, errors beside the fields, and the import from CSV or XLSX — a preview with every problem numbered by
its line, nothing stored until the whole file is right and confirmed."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import json
import re
from typing import Any

from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.factories import People
from tests.web.conftest import login, post
from webapp.domain import reports
from webapp.models import AnnualFigures

NOW = dt.datetime.now(dt.UTC)
YEAR = NOW.year - 1

TABLE = {
    "regulations": {"issued": 2, "repealed": 1, "in_force": 14},
    "normative_documents": {"issued": 9, "repealed": 3, "in_force": 61},
    "licensing": {"decisions": 1520},
    "penalties": {"decisions": 37},
    "enforcement": {"decisions": 4},
    "fees": {"amount_10k_yuan": 12.5},
}
HEADER = (
    "机关代码,年度,规章·本年制发件数,规章·本年废止件数,规章·现行有效件数,行政规范性文件·本年制发件数,"
    "行政规范性文件·本年废止件数,行政规范性文件·现行有效件数,行政许可·本年处理决定数量,行政处罚·本年处理决定数量,"
    "行政强制·本年处理决定数量,行政事业性收费·本年收费金额（单位：万元）,附表一·主动公开信息数,附表一·其中:政务动态信息,"
    "附表一·其它类信息"
)


def form_of(table: dict[str, Any], annex_one: dict[str, Any] | None = None) -> dict[str, str]:
    data = {f"proactive.{g}.{f}": str(v) for g, figs in table.items() for f, v in figs.items()}
    for key, value in (annex_one or {}).items():
        data[f"annex_one.{key}"] = str(value)
    return data


def stored_rows(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(AnnualFigures)))


def upload(client: FlaskClient, name: str, data: bytes) -> Any:
    return post(
        client,
        "/staff/reports/figures/import",
        {"agency": "CITYHR", "year": str(YEAR), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, preview: str) -> Any:
    match = re.search(r'name="payload" value="([^"]*)"', preview)
    assert match, "no confirm form on the preview"
    return post(
        client,
        "/staff/reports/figures/import/confirm",
        {"agency": "CITYHR", "year": str(YEAR), "payload": htmllib.unescape(match.group(1))},
    )


def test_a_head_enters_the_figures_with_last_years_beside_them(
    client: FlaskClient, people: People, session: Any
):
    reports.set_annual_figures(session, people.agency, YEAR - 1, proactive=TABLE, actor=people.head, now=NOW)
    session.commit()
    login(client, people.head)
    page = client.get(f"/staff/reports/figures?agency=CITYHR&year={YEAR}").get_data(as_text=True)
    assert "年度数据填报" in page and "尚未填报" in page
    assert "第二十条第（一）项 规章" in page and "行政事业性收费" in page and "附表一" in page
    assert "上年：1520" in page and "上年：12.5" in page and "上年：未填报" in page  # annex one never entered

    body = {"agency": "CITYHR", "year": str(YEAR)} | form_of(
        TABLE | {"licensing": {"decisions": 1600}}, {"total": 635, "news": 350, "other": 285}
    )
    answer = post(client, "/staff/reports/figures", body)
    assert answer.status_code == 303
    figures = reports.annual_figures(session, [people.agency.id], YEAR)
    assert figures["proactive"]["licensing"] == {"decisions": 1600}
    assert figures["annex_one"] == {"total": 635, "news": 350, "other": 285}
    page = client.get(f"/staff/reports/figures?agency=CITYHR&year={YEAR}").get_data(as_text=True)
    assert 'value="1600"' in page and "上年：1520" in page and "已于" in page


def test_wrong_figures_are_shown_beside_their_fields_and_nothing_is_stored(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.head)
    bad = form_of(TABLE | {"penalties": {"decisions": "-3"}}, {"total": 10, "news": 4, "other": 5})
    bad["proactive.fees.amount_10k_yuan"] = "1.23456"
    bad["proactive.regulations.in_force"] = ""
    answer = post(client, "/staff/reports/figures", {"agency": "CITYHR", "year": str(YEAR)} | bad)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    for field in (
        "proactive.penalties.decisions",
        "proactive.fees.amount_10k_yuan",
        "proactive.regulations.in_force",
        "annex_one.total",
    ):
        assert f'id="f-{field}-error"' in page, field
    assert 'value="-3"' in page  # what was typed stays in the form
    assert "行政处罚·本年处理决定数量" in page  # the summary names the figure
    assert stored_rows(session) == 0


def test_a_csv_file_is_previewed_then_stored_when_confirmed(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.head)
    csv_text = (
        HEADER + "\n"
        f"CITYHR,{YEAR},2,1,14,9,3,61,1520,37,4,12.5,635,350,285\n"
        f"CITYHR,{YEAR - 1},1,0,13,,,,,,,,,,\n"  # a partly filled group: an error on line 3
    )
    preview = upload(client, "figures.csv", ("\ufeff" + csv_text).encode("utf-8"))
    assert preview.status_code == 422
    page = preview.get_data(as_text=True)
    assert "第3行" in page and "行政规范性文件·本年制发件数：必填" in page
    assert 'name="payload"' not in page
    assert stored_rows(session) == 0

    fixed = HEADER + "\n" + f'CITYHR,{YEAR},2,1,14,9,3,61,"1,520",37,4,12.5,635,350,285\n'
    preview = upload(client, "figures.csv", fixed.encode("gb18030"))  # as WPS saves a CSV
    assert preview.status_code == 200, preview.get_data(as_text=True)
    page = preview.get_data(as_text=True)
    assert "将要保存的数据" in page and "确认导入1行" in page
    assert stored_rows(session) == 0
    assert confirm(client, page).status_code == 303
    assert reports.annual_figures(session, [people.agency.id], YEAR) == {
        "proactive": TABLE,
        "annex_one": {"total": 635, "news": 350, "other": 285},
    }


def test_every_problem_of_a_file_is_numbered_by_its_line(client: FlaskClient, people: People, session: Any):
    login(client, people.head)
    lines = [
        "机关代码,年度,行政许可·本年处理决定数量,proactive.fees.amount_10k_yuan,附表一·主动公开信息数,"
        "附表一·其中:政务动态信息,附表一·其它类信息",
        f"CITYHR,{YEAR},5,0,10,4,6",
        "NOPE,2023,,,1,1,0",
        f"CITYENV,{YEAR},,,1,1,0",
        f"CITYHR,{YEAR + 5},,,1,1,0",
        "",
        f"CITYHR,{YEAR},,,1,1,0",
        f"CITYHR,{YEAR - 1},,,10,4,5",
    ]
    page = upload(client, "figures.csv", "\n".join(lines).encode("utf-8")).get_data(as_text=True)
    problems = re.findall(r"<strong>第(\d+)行</strong>：([^<]*)", page)
    by_line: dict[int, str] = {}
    for n, text in problems:
        by_line[int(n)] = by_line.get(int(n), "") + text + "\n"
    assert "行政许可·本年处理决定数量：必填" not in page  # a group is whole or absent …
    assert "规章·本年制发件数：必填" in by_line[2]  # … and the Art. 20 table partly filled is named
    assert "NOPE" in by_line[3]
    assert "CITYENV" in by_line[4]  # another agency's: not this head's to enter
    assert "年度应在" in by_line[5]
    assert "重复" in by_line[7]  # line 6 is blank and skipped, the numbers stay the file's own
    assert "附表一·主动公开信息数" in by_line[8]
    assert stored_rows(session) == 0

    unknown = upload(client, "figures.csv", "机关代码,年度,许可数\nCITYHR,2023,1\n".encode())
    assert "未知的列“许可数”" in unknown.get_data(as_text=True)
    assert "文件是空的" in upload(client, "figures.csv", b"").get_data(as_text=True)
    assert "无法读取该文件" in upload(client, "figures.xlsx", b"PK\x03\x04broken").get_data(as_text=True)


def test_the_template_round_trips_through_xlsx(client: FlaskClient, people: People, session: Any):
    reports.set_annual_figures(
        session,
        people.agency,
        YEAR,
        proactive=TABLE,
        annex_one={"total": 3, "news": 1, "other": 2},
        actor=people.head,
        now=NOW,
    )
    session.commit()
    login(client, people.head)
    template = client.get(f"/staff/reports/figures/template.xlsx?year={YEAR}")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][:3] == ["机关代码", "年度", "规章·本年制发件数"] and rows[1][:3] == ["CITYHR", YEAR, 2]
    csv_template = client.get(f"/staff/reports/figures/template.csv?year={YEAR}")
    assert csv_template.data.startswith("\ufeff机关代码,年度".encode())

    # Edit one figure in Excel and import the file back.
    edited = Workbook()
    sheet = edited.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    sheet.cell(row=2, column=11).value = 8  # 行政强制
    out = io.BytesIO()
    edited.save(out)
    preview = upload(client, "figures.xlsx", out.getvalue())
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert confirm(client, preview.get_data(as_text=True)).status_code == 303
    figures = reports.annual_figures(session, [people.agency.id], YEAR)
    assert figures["proactive"] == TABLE | {"enforcement": {"decisions": 8}}
    assert figures["annex_one"] == {"total": 3, "news": 1, "other": 2}


def test_only_heads_and_administrators_of_the_agency(client: FlaskClient, people: People, session: Any):
    login(client, people.officer)
    assert client.get("/staff/reports/figures").status_code == 403
    fresh = client.application.test_client()
    login(fresh, people.stranger_head)
    assert fresh.get("/staff/reports/figures?agency=CITYHR").status_code == 403
    answer = post(fresh, "/staff/reports/figures", {"agency": "CITYHR", "year": str(YEAR)} | form_of(TABLE))
    assert answer.status_code == 403
    payload = json.dumps(
        [{"line": 2, "agency": "CITYHR", "year": YEAR, "annex_one": {"total": 1, "news": 1, "other": 0}}]
    )
    tampered = post(
        fresh,
        "/staff/reports/figures/import/confirm",
        {"agency": "CITYENV", "year": str(YEAR), "payload": payload},
    )
    assert tampered.status_code == 403
    assert stored_rows(session) == 0
