"""Whose report it is and whose figures it adds up (docs/rules.md §Roll-up): the agencies asked for, and
with a people's government its agencies below it (`Agency.parent_id`, at any depth), whose tables the
government's own report sums while its text stays its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.reports.scope import Scope, resolve_scope
from webapp.models import Agency


@dataclass(frozen=True)
class ReportScope:
    """`asked`: the agencies whose report it is (the text's owners); `counted`: those and every agency
    below them, whose figures the tables add up."""

    asked: Scope
    counted: Scope

    @property
    def key(self) -> str:
        """The agency set the text is kept under: the codes asked, sorted."""
        return ",".join(sorted(self.asked.codes))

    @property
    def rolled_up(self) -> list[str]:
        return [c for c in self.counted.codes if c not in self.asked.codes]


def below(session: Session, agencies: Sequence[Agency]) -> list[Agency]:
    """Every agency under `agencies` (children, their children …), in code order, each once."""
    seen = {a.id for a in agencies}
    found: list[Agency] = []
    frontier = [a.id for a in agencies]
    while frontier:
        children = list(
            session.execute(
                select(Agency)
                .where(Agency.parent_id.in_(frontier), Agency.id.not_in(seen))
                .order_by(Agency.code)
            ).scalars()
        )
        seen |= {a.id for a in children}
        found += children
        frontier = [a.id for a in children]
    return found


def is_government(session: Session, agency: Agency) -> bool:
    """A government is an agency others report to (it publishes by 31 March, 2019 rules Art. 50)."""
    return (
        session.execute(select(Agency.id).where(Agency.parent_id == agency.id).limit(1)).first() is not None
    )


def report_scope(session: Session, codes: Sequence[str]) -> ReportScope:
    asked = resolve_scope(session, codes)
    return ReportScope(asked, Scope((*asked.agencies, *below(session, asked.agencies))))
