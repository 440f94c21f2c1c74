"""Who asks for annex two and what for: the agencies (`Scope`), the year and the form, and who may read
them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.errors import Forbidden, ValidationError
from webapp.domain.reports.layout import EARLIEST_YEAR, FORMS
from webapp.i18n import _l
from webapp.models import Agency, User


@dataclass(frozen=True)
class Scope:
    """The agencies a report covers, in the order asked."""

    agencies: tuple[Agency, ...]

    @property
    def ids(self) -> list[int]:
        return [a.id for a in self.agencies]

    @property
    def codes(self) -> list[str]:
        return [a.code for a in self.agencies]

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.agencies]


def parse_codes(raw: str | Iterable[str]) -> list[str]:
    """`A,B` or several values: the codes in order, without blanks and repeats."""
    parts = [raw] if isinstance(raw, str) else list(raw)
    codes: list[str] = []
    for part in parts:
        for code in part.split(","):
            code = code.strip()
            if code and code not in codes:
                codes.append(code)
    return codes


def resolve_scope(session: Session, codes: Sequence[str]) -> Scope:
    if not codes:
        raise ValidationError(_l("请指定机关"), {"agency": _l("必填")})
    found = {a.code: a for a in session.execute(select(Agency).where(Agency.code.in_(codes))).scalars()}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            _l("机关不存在"), {"agency": _l("未知机关：%(codes)s", codes="、".join(unknown))}
        )
    return Scope(tuple(found[c] for c in codes))


def may_read_reports(user: User, scope: Scope) -> None:
    """A head, or an administrator, of every agency asked for (an administrator of no agency is the
    platform's and sees them all)."""
    if not authz.has_role(user, authz.HEAD, authz.ADMIN):
        raise Forbidden(_l("仅负责人或管理员可查看年度报表"))
    if not authz.may_read_reports(user, scope.agencies):
        outside = [a.code for a in scope.agencies if not authz.in_agency(user, a.id)]
        raise Forbidden(
            _l("无权查看该机关的年度报表"),
            {"agency": _l("不是您所属的机关：%(codes)s", codes="、".join(outside))},
        )


def check_year(year: int, today: dt.date) -> None:
    if not EARLIEST_YEAR <= year <= today.year:
        raise ValidationError(
            _l("年度有误"), {"year": _l("应在%(first)s至%(last)s之间", first=EARLIEST_YEAR, last=today.year)}
        )


def check_form(form: str) -> None:
    if form not in FORMS:
        raise ValidationError(_l("报表格式有误"), {"form": _l("应为 2013 或 2021")})


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
