"""Which bearer token is acting in this unit of work, so that the history records it.

A token acts with all of its user's rights; the event's actor is still that user, and the event also
keeps the token (Event.token_id), whose issuer the history shows ("经 X 签发的令牌"). The API marks the
token on the database session when it reads the Authorization header and clears it when the request ends
(webapp/api/auth.py); every event appended in between by the token's own user carries it. The pages, the
applicant and the workers never mark one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from webapp.i18n import _l
from webapp.models import ApiToken, Event, User

_KEY = "acting_token"  # session.info: (user id, token id)


def acting_with(session: Session, token: ApiToken | None) -> None:
    """Mark (or with None, clear) the token acting in this session."""
    if token is None:
        session.info.pop(_KEY, None)
    else:
        session.info[_KEY] = (token.user_id, token.id)


def acting_token_id(session: Session, actor: User | None) -> int | None:
    """The acting token's id when `actor` is its user, else None."""
    marked = session.info.get(_KEY)
    if actor is None or marked is None or marked[0] != actor.id:
        return None
    return int(marked[1])


def issuer_label(token: ApiToken) -> str:
    """Who issued the token, as the history names them: the administrator's name, else their e-mail;
    the operator's command line for a token issued there."""
    if token.issued_by is None:
        return str(_l("运维命令行"))
    return token.issued_by.name or token.issued_by.email


def via(event: Event) -> str | None:
    """ "经 X 签发的令牌" for an event that came through a token, else None."""
    if event.token is None:
        return None
    return str(_l("经 %(issuer)s 签发的令牌", issuer=issuer_label(event.token)))
