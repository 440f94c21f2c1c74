"""The entered figures imported from a CSV or XLSX file (docs/rules.md §Importing the figures): one line
per agency and year, a header naming the columns; read into a preview with every problem numbered by its
line, and stored only when the whole file is right.

Columns: 机关代码, 年度, then any of the figures by their printed name (规章·本年制发件数 …,
附表一·主动公开信息数 …) or their API name (proactive.regulations.issued …). A group (the Art. 20
table, annex one) whose cells on a line are all empty is left as it was; a group partly filled is an
error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.errors import ValidationError
from webapp.domain.reports.figures import (
    annex_one_fields,
    check_annex_one,
    check_proactive,
    field_label,
    proactive_fields,
    set_annual_figures,
)
from webapp.domain.reports.layout import EARLIEST_YEAR
from webapp.i18n import _l
from webapp.models import Agency, User

MAX_BYTES = 1024 * 1024
MAX_LINES = 2000
AGENCY_COLUMN, YEAR_COLUMN = "机关代码", "年度"


@dataclass
class ImportLine:
    """One line of the file as it will be stored: the agency, the year and the groups it fills."""

    line: int
    agency: str
    year: int
    proactive: dict[str, dict[str, Any]] | None = None
    annex_one: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "agency": self.agency,
            "year": self.year,
            "proactive": self.proactive,
            "annex_one": self.annex_one,
        }


@dataclass
class FiguresImport:
    lines: list[ImportLine] = field(default_factory=list)
    problems: list[tuple[int | None, str]] = field(default_factory=list)  # (line or None for the file, text)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.lines)


def header_names() -> dict[str, str]:
    """Every accepted header (printed name and API name, normalised) → the field it fills."""
    names: dict[str, str] = {}
    for name, *_ in proactive_fields():
        names[_norm(field_label(name))] = name
        names[_norm(name)] = name
    for name, _key in annex_one_fields():
        names[_norm(field_label(name))] = name
        names[_norm(name)] = name
    return names


def template_header() -> list[str]:
    """The columns of the template the page offers, in order."""
    return [AGENCY_COLUMN, YEAR_COLUMN] + [
        field_label(name) for name in [f[0] for f in proactive_fields()] + [f[0] for f in annex_one_fields()]
    ]


def template_rows(values: Iterable[tuple[str, int, dict[str, Any]]]) -> list[list[Any]]:
    """The template's lines: each agency and year with its figures as `annual_figures()` shapes them."""
    rows: list[list[Any]] = [template_header()]
    for code, year, figures in values:
        row: list[Any] = [code, year]
        for _name, group, figure in proactive_fields():
            row.append(figures["proactive"][group][figure])
        for _name, key in annex_one_fields():
            row.append(figures["annex_one"][key])
        rows.append(row)
    return rows


def _norm(text: Any) -> str:
    """A header or cell as typed: NFKC (full-width digits and letters), no spaces, · and . alike."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return "".join(value.split()).replace("・", "·").replace("•", "·")


THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234 as a spreadsheet may write it


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = _norm(value)
    return text.replace(",", "") if THOUSANDS.match(text) else text


def read_table(filename: str, data: bytes) -> list[list[Any]]:
    """The file's cells, row by row (CSV in UTF-8 or GB18030, as WPS and Excel save it; or XLSX)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_l("文件过大"), {"file": _l("不能超过1 MB")})
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ValidationError(_l("无法读取该文件"), {"file": _l("不是有效的 XLSX 文件")}) from exc
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_LINES + 1)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_l("无法读取该文件"), {"file": _l("应为 UTF-8 或 GBK 编码的 CSV 文件")})
    if "\x00" in text:
        raise ValidationError(_l("无法读取该文件"), {"file": _l("应为 CSV 或 XLSX 文件")})
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))][: MAX_LINES + 1]


def _nested(cells: dict[str, Any], names: Sequence[tuple[str, ...]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for name, group, figure in names:
        table.setdefault(group, {})[figure] = cells.get(name, "")
    return table


def _group_problems(
    line: int, cells: dict[str, Any], names: Sequence[str], problems: list[tuple[int | None, str]]
) -> bool | None:
    """True: the group is filled; None: left empty (kept as it was); False: partly filled (reported)."""
    filled = [n for n in names if cells.get(n, "") != ""]
    if not filled:
        return None
    if len(filled) < len(names):
        for n in names:
            if cells.get(n, "") == "":
                problems.append((line, f"{field_label(n)}：{_l('必填')}"))
        return False
    return True


def parse_figures_file(
    session: Session, user: User | None, filename: str, data: bytes, today: dt.date
) -> FiguresImport:
    """Read a file into what it would store, every problem with its line number; stores nothing."""
    result = FiguresImport()
    try:
        rows = read_table(filename, data)
    except ValidationError as exc:
        result.problems.append((None, f"{exc.message}：{'；'.join(str(v) for v in exc.fields.values())}"))
        return result
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(c != "" for c in row)]
    if not numbered:
        result.problems.append((None, str(_l("文件是空的"))))
        return result
    if len(rows) > MAX_LINES:
        result.problems.append((None, str(_l("一次最多导入%(max)s行", max=MAX_LINES))))
        return result
    header_line, header = numbered[0]
    known = header_names()
    columns: list[str | None] = []
    for cell in header:
        name = _norm(cell)
        if name in (AGENCY_COLUMN, YEAR_COLUMN):
            columns.append(name)
        elif name in known:
            columns.append(known[name])
        elif name == "":
            columns.append(None)
        else:
            columns.append(None)
            result.problems.append((header_line, str(_l("未知的列“%(name)s”", name=cell))))
    for needed in (AGENCY_COLUMN, YEAR_COLUMN):
        if needed not in columns:
            result.problems.append((header_line, str(_l("缺少“%(name)s”列", name=needed))))
    if result.problems:
        return result
    agencies = {a.code: a for a in session.execute(select(Agency)).scalars()}
    seen: dict[tuple[str, int], int] = {}
    proactive_names = [f[0] for f in proactive_fields()]
    annex_names = [f[0] for f in annex_one_fields()]
    for line, row in numbered[1:]:
        cells = {col: row[i] if i < len(row) else "" for i, col in enumerate(columns) if col}
        code, year_cell = str(cells.get(AGENCY_COLUMN, "")), cells.get(YEAR_COLUMN, "")
        agency = agencies.get(code)
        if agency is None:
            result.problems.append((line, str(_l("机关代码“%(code)s”不存在", code=code))))
            continue
        if not authz.may_enter_figures(user, agency):
            result.problems.append((line, str(_l("无权填报该机关的年度数据：%(code)s", code=code))))
            continue
        year = (
            year_cell
            if isinstance(year_cell, int)
            else int(year_cell)
            if str(year_cell).isascii() and str(year_cell).isdigit()
            else 0
        )
        if not EARLIEST_YEAR <= year <= today.year:
            result.problems.append(
                (line, str(_l("年度应在%(first)s至%(last)s之间", first=EARLIEST_YEAR, last=today.year)))
            )
            continue
        if (code, year) in seen:
            result.problems.append(
                (line, str(_l("与第%(other)s行重复（同一机关、同一年度）", other=seen[(code, year)])))
            )
            continue
        seen[(code, year)] = line
        entry = ImportLine(line=line, agency=code, year=year)
        errors: dict[str, Any] = {}
        if _group_problems(line, cells, proactive_names, result.problems):
            entry.proactive = _nested(cells, proactive_fields())
            check_proactive(errors, entry.proactive)
        if _group_problems(line, cells, annex_names, result.problems):
            entry.annex_one = {key: cells.get(name, "") for name, key in annex_one_fields()}
            check_annex_one(errors, entry.annex_one)
        for name, message in errors.items():
            result.problems.append((line, f"{field_label(name)}：{message}"))
        if entry.proactive is None and entry.annex_one is None and not errors:
            if not any(p[0] == line for p in result.problems):
                result.problems.append((line, str(_l("这一行没有填写任何数据"))))
            continue
        result.lines.append(entry)
    if not result.lines and not result.problems:
        result.problems.append((None, str(_l("文件中没有数据行"))))
    return result


def apply_figures_import(
    session: Session, lines: Sequence[dict[str, Any]], *, actor: User | None, now: dt.datetime
) -> int:
    """Store the lines of a checked file (each checked again, with who may enter it); all or nothing: the
    first wrong line raises `ValidationError` naming it, and the caller rolls back. Returns the lines
    stored."""
    agencies = {a.code: a for a in session.execute(select(Agency)).scalars()}
    for item in lines:
        line = item.get("line")
        agency = agencies.get(str(item.get("agency")))
        if agency is None:
            raise ValidationError(_l("导入的数据有误"), {"file": _l("第%(line)s行：机关不存在", line=line)})
        try:
            set_annual_figures(
                session,
                agency,
                item.get("year"),  # type: ignore[arg-type]
                proactive=item.get("proactive"),
                annex_one=item.get("annex_one"),
                actor=actor,
                now=now,
            )
        except ValidationError as exc:
            detail = "；".join(f"{k}：{v}" for k, v in exc.fields.items())
            raise ValidationError(
                _l("导入的数据有误"), {"file": _l("第%(line)s行：%(detail)s", line=line, detail=detail)}
            ) from exc
    return len(lines)
