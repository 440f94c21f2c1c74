"""The public log of answered requests (公开答复库, docs/rules.md §The public log): what is published, with
every personal detail removed, and one search over it that understands Chinese.

Publishing: when replying, the officer may publish the answer. The entry holds the request's subject (the
officer's own summary, or the description with the personal data the product finds removed: the
applicant's name, identity number, phone, e-mail and address as given, and any ID number, credit code,
phone number, e-mail address or street address in the text), the agency, the dates, the outcome and the
reply letter's text treated the same way — never the applicant's details.

Search: Chinese is written without spaces, so the subject is indexed as its overlapping character pairs
(城镇职工基本养老保险基金 → 城镇 镇职 职工 … 养老 老保 保险 …) and Latin words; a query matches an entry
holding all its pairs (养老保险 → 养老 老保 保险), so a word is found inside a longer one, and the best
matches come first: among the newest 200 matches (ten pages), then among the next 200, and so on — a
common word (征收补偿 is in a tenth of a city's log) is answered at once at any size, and its first pages
are the newest of its best matches. On PostgreSQL the pairs are a stored `simple` text-search vector
under a GIN index, ranked by ts_rank_cd; on SQLite an FTS5 table ranked by bm25 (bench/public_log_search.py
measures both). "Similar" (the citizen's "ask once", the officer's earlier answers) asks for any of the
pairs instead of all, and ranks every entry holding any, best first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Float, Integer, any_, cast, column, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from webapp.domain.documents import DocumentView, view_of
from webapp.models import Document, PublicAnswer, Request, User
from webapp.models.public import SEARCH_VECTOR

REMOVED = "＊＊"
MAX_QUERY_PAIRS = 32
RANKED_POOL = 200  # a search ranks its matches in blocks of the newest 200 (ten pages), newest block first
RECENT_WINDOW = 10_000  # the newest entries looked through first for them (PostgreSQL)
_FTS_ALL = (
    "SELECT rowid AS id, bm25(public_answers_fts) AS score FROM public_answers_fts "
    "WHERE public_answers_fts MATCH :match"
)
_FTS_NEWEST = _FTS_ALL + " ORDER BY rowid DESC LIMIT :n"
_FTS_BLOCK = _FTS_ALL + " ORDER BY rowid DESC LIMIT :pool OFFSET :skip"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z0-9]+")
# what looks like personal data wherever it stands (docs/rules.md §The public log)
_PATTERNS = [
    re.compile(
        r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    ),
    re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])"),
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)"),
    # a street address: …路/街/巷/道 12号 (…栋…单元…室)
    re.compile(r"[\u4e00-\u9fff]{2,12}(?:路|街|巷|大道|胡同)\d+号(?:[\d\-]+(?:栋|幢|号楼|单元|室|楼))*"),
    # a person naming themselves: 本人张三 / 我叫张三 / 申请人：张三
    re.compile(
        r"(?<=本人)[\u4e00-\u9fff]{2,3}|(?<=我叫)[\u4e00-\u9fff]{2,3}|(?<=申请人[：:])[\u4e00-\u9fff]{2,4}"
    ),
]


def personal_values(req: Request) -> list[str]:
    """The applicant's own details as given and the request's number (with it and an access code a request
    is opened), longest first: a name inside an address goes with it."""
    values = [
        req.tracking_number,
        req.applicant_name,
        req.applicant_id_number,
        req.applicant_phone,
        req.applicant_email,
        req.applicant_address,
    ]
    return sorted({v.strip() for v in values if v and len(v.strip()) >= 2}, key=len, reverse=True)


def removals(text_: str, req: Request) -> list[tuple[int, int]]:
    """The spans of `text_` the product proposes to remove before publishing, in order, merged."""
    spans: list[tuple[int, int]] = []
    for value in personal_values(req):
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(value), text_)]
    for pattern in _PATTERNS:
        spans += [(m.start(), m.end()) for m in pattern.finditer(text_)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def scrub(text_: str, req: Request) -> str:
    """`text_` with every proposed removal replaced by ＊＊."""
    out, last = [], 0
    for start, end in removals(text_, req):
        out += [text_[last:start], REMOVED]
        last = end
    return "".join([*out, text_[last:]])


def tokens(text_: str) -> list[str]:
    """The words search sees: each CJK run's overlapping character pairs (a lone character as itself) and
    the Latin words and numbers, lower-cased."""
    out: list[str] = []
    for run in _CJK.findall(text_):
        out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    out += [w.lower() for w in _WORD.findall(text_)]
    return out


def publish(
    session: Session,
    req: Request,
    *,
    outcome: str,
    replied_on: dt.date,
    summary: str | None,
    actor: User | None,
    now: dt.datetime,
) -> PublicAnswer:
    """Publish a reply in the log (in the reply's transaction): the officer's summary, scrubbed as well,
    or the description scrubbed."""
    subject = scrub((summary or "").strip() or req.description, req)
    entry = PublicAnswer(
        request_id=req.id,
        agency_id=req.agency_id,
        subject=subject,
        outcome=outcome,
        replied_on=replied_on,
        year=replied_on.year,
        search_tokens=" ".join(tokens(subject)),
        published_at=now,
        published_by_id=actor.id if actor else None,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Query:
    q: str = ""
    agency_id: int | None = None
    year: int | None = None
    outcome: str | None = None
    similar: bool = False  # any of the words (best first) instead of all of them


def search(session: Session, query: Query, *, limit: int = 20, offset: int = 0) -> list[PublicAnswer]:
    """Published answers matching the query, best matches first (newest first without words)."""
    words = list(dict.fromkeys(tokens(query.q)))[:MAX_QUERY_PAIRS]
    if not words:
        if query.similar:
            return []
        ordered = (
            select(PublicAnswer)
            .where(*_filters(query, PublicAnswer.__table__.c))
            .order_by(PublicAnswer.replied_on.desc(), PublicAnswer.id.desc())
        )
        return list(session.execute(ordered.limit(limit).offset(offset)).scalars())
    if session.get_bind().dialect.name == "postgresql":
        return _search_pg(session, query, words, limit, offset)
    match = (" OR " if query.similar else " ").join(f'"{w}"' for w in words)
    table = PublicAnswer.__table__
    filters = _filters(query, table.c)
    if query.similar:  # every match ranked
        hits = text(_FTS_ALL).columns(column("id", Integer), column("score", Float)).bindparams(match=match)
        ranked = hits.subquery()
        found = (
            select(PublicAnswer)
            .where(*filters)
            .join(ranked, ranked.c.id == PublicAnswer.id)
            .order_by(ranked.c.score, PublicAnswer.id.desc())
        )
        return list(session.execute(found.limit(limit).offset(offset)).scalars())
    # the newest matches in blocks of RANKED_POOL, each block ranked by bm25 (FTS5 reads its index
    # backwards by rowid): the blocks up to the page's, narrowed by the agency, year or outcome if asked
    first, last = offset // RANKED_POOL, (offset + limit - 1) // RANKED_POOL
    wanted = (last + 1) * RANKED_POOL
    cols = (column("id", Integer), column("score", Float))
    if first == last and not filters:  # the page within one block: one statement
        block = text(_FTS_BLOCK).columns(*cols)
        ranked = block.bindparams(match=match, pool=RANKED_POOL, skip=first * RANKED_POOL).subquery()
        page = (
            select(PublicAnswer)
            .join(ranked, ranked.c.id == PublicAnswer.id)
            .order_by(ranked.c.score, PublicAnswer.id.desc())
        )
        return list(session.execute(page.limit(limit).offset(offset - first * RANKED_POOL)).scalars())
    if filters:
        every = text(_FTS_ALL).columns(*cols).bindparams(match=match).subquery()
        newest: Any = (
            select(every.c.id, every.c.score)
            .join(table, table.c.id == every.c.id)
            .where(*filters)
            .order_by(every.c.id.desc())
            .limit(wanted)
        )
    else:
        newest = text(_FTS_NEWEST).columns(*cols).bindparams(match=match, n=wanted)
    rows = [(int(r[0]), float(r[1])) for r in session.execute(newest)]
    order = sorted(
        range(first * RANKED_POOL, len(rows)),
        key=lambda k: (k // RANKED_POOL, rows[k][1], -rows[k][0]),  # block, bm25 (lower is better)
    )
    start = offset - first * RANKED_POOL
    ids = [rows[k][0] for k in order[start : start + limit]]
    entries = {
        e.id: e for e in session.execute(select(PublicAnswer).where(PublicAnswer.id.in_(ids))).scalars()
    }
    return [entries[i] for i in ids]


def _filters(query: Query, c: Any) -> list[Any]:
    """The agency, year and outcome asked for, on the columns `c` (the table's, or a subquery's)."""
    out = []
    if query.agency_id is not None:
        out.append(c.agency_id == query.agency_id)
    if query.year is not None:
        out.append(c.year == query.year)
    if query.outcome:
        out.append(c.outcome == query.outcome)
    return out


def _search_pg(
    session: Session, query: Query, words: list[str], limit: int, offset: int
) -> list[PublicAnswer]:
    """PostgreSQL: the matches of the stored vector, ranked by ts_rank_cd within blocks of the newest
    RANKED_POOL (the page's block and the next). The newest matches are looked for, each step only when
    the one before found too few: among the RECENT_WINDOW newest entries, read backwards by id, which finds
    them at once for a common word (the GIN index lists every match: a tenth of the log for 征收补偿); then
    the newest year's matches by the GIN index (the vector holds the year, migration d3a9f1c7e5b2), for an
    occasional word; then all of them, few, for a rare word. "Similar" ranks every entry holding any of
    the words."""
    table = PublicAnswer.__table__
    vector = column(SEARCH_VECTOR, TSVECTOR)
    tsquery = func.to_tsquery("simple", (" | " if query.similar else " & ").join(words))
    if query.similar:
        found = select(PublicAnswer).where(vector.op("@@")(tsquery), *_filters(query, table.c))
        found = found.order_by(func.ts_rank_cd(vector, tsquery).desc(), PublicAnswer.id.desc())
        return list(session.execute(found.limit(limit).offset(offset)).scalars())
    first, last = offset // RANKED_POOL, (offset + limit - 1) // RANKED_POOL
    wanted = (last + 1) * RANKED_POOL
    recent = (
        select(table.c.id, table.c.agency_id, table.c.year, table.c.outcome, vector.label("v"))
        .select_from(table)
        .order_by(table.c.id.desc())
        .limit(RECENT_WINDOW)
        .subquery()
    )
    ids = list(
        session.execute(
            select(recent.c.id)
            .where(recent.c.v.op("@@")(tsquery), *_filters(query, recent.c))
            .order_by(recent.c.id.desc())
            .limit(wanted)
        ).scalars()
    )
    if len(ids) < wanted:  # the newest year's matches, by the GIN index: quick for an occasional word
        newest = session.execute(select(table.c.year).order_by(table.c.id.desc()).limit(1)).scalar()
        if newest is None:
            return []
        year_word = cast(literal(f"'@{int(newest)}'"), TSQUERY)  # verbatim: to_tsquery would drop the @
        ids = _newest_matches(session, query, vector.op("@@")(tsquery.op("&&")(year_word)), wanted)
    if len(ids) < wanted:  # every match, by the GIN index: a rare word's few
        ids = _newest_matches(session, query, vector.op("@@")(tsquery), wanted)
    ids = ids[first * RANKED_POOL :]  # the blocks the page falls in: its first, and maybe the next
    if not ids:
        return []
    # an entry's block, counted from the page's first: how many blocks' oldest entries are newer than it
    block = sum(
        (cast(PublicAnswer.id < ids[k - 1], Integer) for k in range(RANKED_POOL, len(ids), RANKED_POOL)),
        literal(0),
    )
    found = (
        select(PublicAnswer)
        .where(PublicAnswer.id == any_(literal(ids, ARRAY(Integer))))  # one array, not 200 parameters
        .order_by(block, func.ts_rank_cd(vector, tsquery).desc(), PublicAnswer.id.desc())
    )
    return list(session.execute(found.limit(limit).offset(offset - first * RANKED_POOL)).scalars())


def _newest_matches(session: Session, query: Query, match: Any, n: int) -> list[int]:
    table = PublicAnswer.__table__
    return list(
        session.execute(
            select(table.c.id).where(match, *_filters(query, table.c)).order_by(table.c.id.desc()).limit(n)
        ).scalars()
    )


def public_reply(session: Session, entry: PublicAnswer) -> DocumentView | None:
    """The reply letter as published: its frozen text with the applicant's details removed (the
    salutation's name, any contact or identity number in it); None when the reply sent no letter."""
    doc = session.execute(
        select(Document)
        .where(Document.request_id == entry.request_id, Document.kind == "reply")
        .order_by(Document.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if doc is None:
        return None
    view = view_of(doc)
    return replace(view, body=scrub(view.body, entry.request), tracking_number="")


def similar_to(session: Session, description: str, *, limit: int = 5) -> list[PublicAnswer]:
    """Published answers that look like a draft description: those sharing the most of its words."""
    return search(session, Query(q=description, similar=True), limit=limit)


def similar_requests(session: Session, req: Request, *, limit: int = 5) -> list[Request]:
    """Earlier requests to the same agency whose descriptions share the most words with this one's, for
    the officer (requests are not indexed: the latest 2,000 of the agency are compared)."""
    mine = set(tokens(req.description))
    if not mine:
        return []
    recent = session.execute(
        select(Request)
        .where(Request.agency_id == req.agency_id, Request.id != req.id)
        .order_by(Request.id.desc())
        .limit(2000)
    ).scalars()
    scored = []
    for other in recent:
        theirs = set(tokens(other.description))
        shared = len(mine & theirs) / max(len(mine | theirs), 1)
        if shared >= 0.3:
            scored.append((shared, other.id, other))
    return [o for _, _, o in sorted(scored, key=lambda s: (-s[0], -s[1]))[:limit]]
