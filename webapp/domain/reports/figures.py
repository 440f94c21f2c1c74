"""The figures an agency enters for a year (docs/rules.md §Entered figures): the Art. 20 table of the 2021
form's section 二 (主动公开政府信息情况) and annex one of the 2013 form (附表一 主动公开情况统计).

Stored one row per agency and year (`AnnualFigures`), one column per figure; a group never entered is
NULL and reads as zeros. `annual_figures()` sums them over agencies in one query, as the roll-up of a
government's agencies needs. `set_annual_figures()` checks everything first and names each wrong field
(`proactive.regulations.issued`, `annex_one.total`), so nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.calendar import china_today
from webapp.domain.errors import Forbidden, ValidationError
from webapp.domain.reports.layout import UNIT
from webapp.domain.reports.scope import check_year
from webapp.i18n import _l
from webapp.models import Agency, AnnualFigures, User

# The Art. 20 table (the 2021 form's section 二): group → its figures, in the printed order.
PROACTIVE_SHAPE: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalties": ("decisions",),
    "enforcement": ("decisions",),
    "fees": ("amount_10k_yuan",),
}
ANNEX_ONE_SHAPE: tuple[str, ...] = ("total", "news", "other")

# (group, figure) → the column that stores it
PROACTIVE_COLUMNS: dict[tuple[str, str], str] = {
    ("regulations", "issued"): "regulations_issued",
    ("regulations", "repealed"): "regulations_repealed",
    ("regulations", "in_force"): "regulations_in_force",
    ("normative_documents", "issued"): "normative_issued",
    ("normative_documents", "repealed"): "normative_repealed",
    ("normative_documents", "in_force"): "normative_in_force",
    ("licensing", "decisions"): "licensing_decisions",
    ("penalties", "decisions"): "penalties_decisions",
    ("enforcement", "decisions"): "enforcement_decisions",
    ("fees", "amount_10k_yuan"): "fees_10k_yuan",
}
ANNEX_ONE_COLUMNS: dict[str, str] = {
    "total": "annex_one_total",
    "news": "annex_one_news",
    "other": "annex_one_other",
}

# The printed names, for the form page, the import file's headers and the section 二 table.
GROUP_LABELS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "penalties": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
}
FIGURE_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（单位：万元）",
}
# The Art. 20 item each group reports under (第二十条第（x）项), as the national form heads its blocks.
GROUP_ARTICLES: dict[str, str] = {
    "regulations": "第二十条第（一）项",
    "normative_documents": "第二十条第（一）项",
    "licensing": "第二十条第（五）项",
    "penalties": "第二十条第（六）项",
    "enforcement": "第二十条第（六）项",
    "fees": "第二十条第（八）项",
}

# 附表一 主动公开情况统计, rows as the seed prints them: (label, key in annex_one)
ANNEX_ONE_TITLE = "附表一 主动公开情况统计"
ANNEX_ONE_ROWS: tuple[tuple[str, str], ...] = (
    ("主动公开信息数", "total"),
    ("其中:政务动态信息", "news"),
    ("其它类信息", "other"),
)
ANNEX_ONE_LABELS = {key: label for label, key in ANNEX_ONE_ROWS}

MAX_COUNT = 10**9  # 件 or 条 in a year: far above any agency's, far below the column's limit
MAX_FEES = Decimal("9999999999.9999")  # 万元, the column's limit (Numeric(14, 4))
FEES_QUANTUM = Decimal("0.0001")  # 万元 to the yuan


def proactive_fields() -> list[tuple[str, str, str]]:
    """Every figure of the Art. 20 table as (field name, group, figure): `proactive.regulations.issued` …"""
    return [(f"proactive.{g}.{f}", g, f) for g, figs in PROACTIVE_SHAPE.items() for f in figs]


def annex_one_fields() -> list[tuple[str, str]]:
    return [(f"annex_one.{k}", k) for k in ANNEX_ONE_SHAPE]


def field_label(field: str) -> str:
    """The printed name of a figure: `proactive.regulations.issued` → 规章·本年制发件数."""
    parts = field.split(".")
    if parts[0] == "proactive" and len(parts) == 3 and parts[1] in GROUP_LABELS and parts[2] in FIGURE_LABELS:
        return f"{GROUP_LABELS[parts[1]]}·{FIGURE_LABELS[parts[2]]}"
    if parts[0] == "annex_one" and len(parts) == 2 and parts[1] in ANNEX_ONE_LABELS:
        return f"附表一·{ANNEX_ONE_LABELS[parts[1]]}"
    return field


# -- reading -------------------------------------------------------------------------------------------


def _zero_proactive() -> dict[str, dict[str, Any]]:
    return {
        g: {f: (0.0 if f == "amount_10k_yuan" else 0) for f in figs} for g, figs in PROACTIVE_SHAPE.items()
    }


def _shape(values: Mapping[str, Any]) -> dict[str, Any]:
    proactive = _zero_proactive()
    for (group, figure), column in PROACTIVE_COLUMNS.items():
        value = values.get(column)
        if value is None:
            continue
        proactive[group][figure] = float(value) if figure == "amount_10k_yuan" else int(value)
    annex_one = {key: int(values.get(column) or 0) for key, column in ANNEX_ONE_COLUMNS.items()}
    return {"proactive": proactive, "annex_one": annex_one}


def annual_figures(session: Session, agency_ids: Sequence[int], year: int) -> dict[str, Any]:
    """The year's entered figures summed over the agencies, zeros where nothing was entered:
    `{"proactive": {"regulations": {"issued", "repealed", "in_force"}, "normative_documents": {…},
    "licensing": {"decisions"}, "penalties": {…}, "enforcement": {…}, "fees": {"amount_10k_yuan"}},
    "annex_one": {"total", "news", "other"}}` — whole numbers, the fees a float of 万元 (4 decimals).
    One query, however many agencies."""
    columns = [*PROACTIVE_COLUMNS.values(), *ANNEX_ONE_COLUMNS.values()]
    if not agency_ids:
        return _shape({})
    row = session.execute(
        select(*[func.sum(getattr(AnnualFigures, c)).label(c) for c in columns]).where(
            AnnualFigures.agency_id.in_(list(agency_ids)), AnnualFigures.year == year
        )
    ).one()
    return _shape(dict(row._mapping))


def stored_figures(session: Session, agency_id: int, year: int) -> AnnualFigures | None:
    """One agency's row for the year as entered (None: nothing entered); NULL groups were never entered."""
    return session.execute(
        select(AnnualFigures).where(AnnualFigures.agency_id == agency_id, AnnualFigures.year == year)
    ).scalar_one_or_none()


def entered_groups(row: AnnualFigures | None) -> dict[str, bool]:
    """Whether the Art. 20 table and annex one were entered for the year."""
    return {
        "proactive": row is not None and row.regulations_issued is not None,
        "annex_one": row is not None and row.annex_one_total is not None,
    }


def annex_one_rows(session: Session, agency_ids: Sequence[int], year: int) -> list[dict[str, Any]]:
    """附表一 主动公开情况统计 as the seed prints it: rows `{"key", "label", "unit", "value"}`, unit 条."""
    figures = annual_figures(session, agency_ids, year)["annex_one"]
    return [
        {"key": key, "label": label, "unit": UNIT, "value": figures[key]} for label, key in ANNEX_ONE_ROWS
    ]


# -- checking ------------------------------------------------------------------------------------------


def _count(value: Any) -> int | None:
    """A whole number ≥ 0 (an int, or a string of digits from a form or a file); None when it is not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        return None
    return number if 0 <= number <= MAX_COUNT else None


def _amount(value: Any) -> Decimal | None:
    """万元 ≥ 0 with at most four decimals (to the yuan)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, (int, float, str, Decimal)) else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_FEES:
        return None
    if amount != amount.quantize(FEES_QUANTUM):
        return None
    return amount.quantize(FEES_QUANTUM)


def _group(errors: dict[str, Any], prefix: str, value: Any, keys: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        errors[prefix] = _l("应为对象，含 %(keys)s", keys="、".join(keys))
        return {}
    for extra in sorted(set(value) - set(keys)):
        errors[f"{prefix}.{extra}"] = _l("未知字段")
    return dict(value)


def check_proactive(errors: dict[str, Any], proactive: Any) -> dict[str, Any]:
    """The Art. 20 table checked into its columns; each wrong figure named in `errors`."""
    columns: dict[str, Any] = {}
    table = _group(errors, "proactive", proactive, list(PROACTIVE_SHAPE))
    for group, figures in PROACTIVE_SHAPE.items():
        if "proactive" in errors:
            break
        name = f"proactive.{group}"
        if group not in table:
            errors[name] = _l("必填")
            continue
        block = _group(errors, name, table[group], figures)
        for figure in figures:
            field = f"{name}.{figure}"
            if field in errors or name in errors:
                continue
            if figure not in block or block[figure] is None or block[figure] == "":
                errors[field] = _l("必填")
            elif figure == "amount_10k_yuan":
                amount = _amount(block[figure])
                if amount is None:
                    errors[field] = _l("应为不小于0的金额（万元），最多四位小数")
                columns[PROACTIVE_COLUMNS[(group, figure)]] = amount
            else:
                count = _count(block[figure])
                if count is None:
                    errors[field] = _l("应为0至%(max)s之间的整数", max=MAX_COUNT)
                columns[PROACTIVE_COLUMNS[(group, figure)]] = count
    return columns


def check_annex_one(errors: dict[str, Any], annex_one: Any) -> dict[str, Any]:
    """附表一's three figures checked; 主动公开信息数 must equal 政务动态信息 + 其它类信息."""
    columns: dict[str, Any] = {}
    block = _group(errors, "annex_one", annex_one, ANNEX_ONE_SHAPE)
    if "annex_one" in errors:
        return columns
    for key in ANNEX_ONE_SHAPE:
        field = f"annex_one.{key}"
        if key not in block or block[key] is None or block[key] == "":
            errors[field] = _l("必填")
            continue
        count = _count(block[key])
        if count is None:
            errors[field] = _l("应为0至%(max)s之间的整数", max=MAX_COUNT)
        columns[ANNEX_ONE_COLUMNS[key]] = count
    total, news, other = (columns.get(ANNEX_ONE_COLUMNS[k]) for k in ANNEX_ONE_SHAPE)
    if None not in (total, news, other) and total != news + other:  # type: ignore[operator]
        errors["annex_one.total"] = _l(
            "主动公开信息数（%(total)s）应等于政务动态信息与其它类信息之和（%(sum)s）",
            total=total,
            sum=news + other,  # type: ignore[operator]
        )
    return columns


def may_enter_figures(user: User | None, agency: Agency) -> None:
    """A head or administrator of the agency (the platform's administrator of any)."""
    if not authz.may_enter_figures(user, agency):
        raise Forbidden(
            _l("仅本机关的负责人或管理员可填报年度数据"),
            {"agency": _l("不是您所属的机关：%(codes)s", codes=agency.code)},
        )


# -- writing -------------------------------------------------------------------------------------------


def set_annual_figures(
    session: Session,
    agency: Agency,
    year: int,
    *,
    proactive: Mapping[str, Any] | None = None,
    annex_one: Mapping[str, Any] | None = None,
    actor: User | None,
    now: dt.datetime,
) -> AnnualFigures:
    """Store one agency's figures for a year (head or admin): the Art. 20 table, annex one, or both — a
    group not given is left as it was. Everything is checked before anything is written; a wrong figure
    is a `ValidationError` naming it (`proactive.fees.amount_10k_yuan`). Flushes, never commits."""
    may_enter_figures(actor, agency)
    errors: dict[str, Any] = {}
    if not isinstance(year, int) or isinstance(year, bool):
        errors["year"] = _l("应为年份")
    else:
        try:
            check_year(year, china_today(now))
        except ValidationError as exc:
            errors.update(exc.fields)
    if proactive is None and annex_one is None:
        errors["proactive"] = _l("请至少填写主动公开情况或附表一")
    columns: dict[str, Any] = {}
    if proactive is not None:
        columns.update(check_proactive(errors, proactive))
    if annex_one is not None:
        columns.update(check_annex_one(errors, annex_one))
    if errors:
        raise ValidationError(_l("年度数据有误，请检查标出的字段"), errors)
    row = _row_for_update(session, agency.id, year, now)
    for column, value in columns.items():
        setattr(row, column, value)
    row.updated_at = now
    row.updated_by_id = actor.id if actor is not None else None
    session.flush()
    return row


def _row_for_update(session: Session, agency_id: int, year: int, now: dt.datetime) -> AnnualFigures:
    """The agency's row for the year, locked; created when missing (two writers at once: the second
    finds the first's row)."""
    query = (
        select(AnnualFigures)
        .where(AnnualFigures.agency_id == agency_id, AnnualFigures.year == year)
        .with_for_update()
    )
    row = session.execute(query).scalar_one_or_none()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = AnnualFigures(agency_id=agency_id, year=year, updated_at=now)
            session.add(row)
            session.flush()
        return row
    except IntegrityError:
        return session.execute(query).scalar_one()


def figures_json(agency: Agency, year: int, row: AnnualFigures | None) -> dict[str, Any]:
    """One agency's stored figures as the API answers them, with what was entered and when."""
    values = (
        {c: getattr(row, c) for c in [*PROACTIVE_COLUMNS.values(), *ANNEX_ONE_COLUMNS.values()]}
        if row
        else {}
    )
    shaped = _shape(values)
    return {
        "agency": agency.code,
        "year": year,
        **shaped,
        "entered": entered_groups(row),
        "updated_at": row.updated_at if row else None,
        "updated_by": (row.updated_by.email if row and row.updated_by else None),
    }
