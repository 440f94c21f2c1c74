"""The queue's saved views (docs/operations.md §The queue): a user names the queue's current filters and
order, and finds them again as a link. Only the queue's own parameters are kept, never a cursor."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.errors import NotFound, ValidationError
from webapp.i18n import _l
from webapp.models import SavedView, User

VIEW_PARAMS = (
    "q",
    "agency",
    "status",
    "channel",
    "applicant_type",
    "assignee",
    "received_from",
    "received_to",
    "due",
    "sort",
)
MAX_NAME = 40
MAX_VIEWS = 30

# Offered to everyone, before their own: the brief's two daily views.
BUILT_IN = (
    (_l("我的逾期"), "assignee=me&due=overdue"),
    (_l("本周到期"), "due=week"),
)


def clean_query(query: str) -> str:
    """The queue's parameters of a query string, in a fixed order, empty ones dropped."""
    pairs = dict(parse_qsl(query[:2000], keep_blank_values=False))
    return urlencode([(k, pairs[k][:200]) for k in VIEW_PARAMS if pairs.get(k)])


def views_of(session: Session, user: User) -> list[SavedView]:
    return list(
        session.execute(
            select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name, SavedView.id)
        ).scalars()
    )


def save_view(session: Session, user: User, name: str, query: str, *, now: dt.datetime) -> SavedView:
    """Save (or replace, under the same name) one of the user's views."""
    name = " ".join(name.split())
    errors = {}
    if not name:
        errors["name"] = _l("请填写视图名称")
    elif len(name) > MAX_NAME:
        errors["name"] = _l("视图名称不能超过%(n)s个字", n=MAX_NAME)
    if errors:
        raise ValidationError(_l("无法保存视图"), errors)
    kept = clean_query(query)
    found = session.execute(
        select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name)
    ).scalar_one_or_none()
    if found is None:
        if len(views_of(session, user)) >= MAX_VIEWS:
            raise ValidationError(_l("无法保存视图"), {"name": _l("最多保存%(n)s个视图", n=MAX_VIEWS)})
        found = SavedView(user_id=user.id, name=name, query=kept, created_at=now)
        session.add(found)
    found.query = kept
    session.flush()
    return found


def delete_view(session: Session, user: User, view_id: int) -> None:
    """Remove one of the user's own views (another user's is as if it did not exist)."""
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != user.id:
        raise NotFound(_l("视图不存在"))
    session.delete(view)
    session.flush()
