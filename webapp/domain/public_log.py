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
measures both).

Similar (the citizen's "ask once", the officer's similar answers and requests): the draft's distinctive
pairs — its pairs once the words common to most requests (COMMON_WORDS: 申请, 公开, 政府信息, 关于, 文件 …)
are taken out — and an entry is suggested only when it holds at least SIMILAR_SHARE of them (two at the
least) and two consecutive ones (three characters in a row of the draft): 培训补贴 and 养老保险 share no
such thing. The newest SIMILAR_POOL entries that do are found by the index (PostgreSQL: the newest
entries, then the newest year's, then all, as the search; SQLite: FTS5 read backwards) and ranked by how
much of both they share (Dice), so the cost is bounded at any size.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Float, Integer, and_, any_, case, cast, column, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR
from sqlalchemy.orm import Session, selectinload

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
_FTS_IDS = "SELECT rowid FROM public_answers_fts WHERE public_answers_fts MATCH :match"
_FTS_NEWEST = _FTS_ALL + " ORDER BY rowid DESC LIMIT :n"
_FTS_BLOCK = _FTS_ALL + " ORDER BY rowid DESC LIMIT :pool OFFSET :skip"

# words found in most requests, which tell nothing of what is asked (docs/rules.md §The public log): taken
# out of a draft before its pairs are compared, longest first
COMMON_WORDS = (
    "申请公开", "依申请", "申请人", "申请", "公开", "政府信息", "政府", "信息", "关于", "有关", "相关",
    "文件", "资料", "材料", "本人", "我想", "想要", "了解", "请求", "请问", "要求", "查询", "获取", "提供",
    "情况", "年度", "内容", "具体", "哪些", "什么", "是否", "如何", "一下",
    "请", "的", "和", "及", "与", "或",
)  # fmt: skip
_COMMON = re.compile("|".join(sorted(COMMON_WORDS, key=len, reverse=True)))
SIMILAR_SHARE = 0.4  # an entry is similar when it holds this share of the draft's distinctive pairs
SIMILAR_POOL = 200  # the newest similar entries ranked (as the search's blocks)
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


def search(session: Session, query: Query, *, limit: int = 20, offset: int = 0) -> list[PublicAnswer]:
    """Published answers matching the query, best matches first (newest first without words)."""
    words = list(dict.fromkeys(tokens(query.q)))[:MAX_QUERY_PAIRS]
    if not words:
        ordered = (
            select(PublicAnswer)
            .where(*_filters(query, PublicAnswer.__table__.c))
            .order_by(PublicAnswer.replied_on.desc(), PublicAnswer.id.desc())
        )
        return list(session.execute(ordered.limit(limit).offset(offset)).scalars())
    if session.get_bind().dialect.name == "postgresql":
        return _search_pg(session, query, words, limit, offset)
    match = " ".join(f'"{w}"' for w in words)
    table = PublicAnswer.__table__
    filters = _filters(query, table.c)
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
    occasional word; then all of them, few, for a rare word."""
    table = PublicAnswer.__table__
    vector = column(SEARCH_VECTOR, TSVECTOR)
    tsquery = func.to_tsquery("simple", " & ".join(words))
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


def distinctive(text_: str) -> list[str]:
    """The pairs of a text that tell what it asks for: its words (tokens) once COMMON_WORDS are taken out,
    without numbers (a year tells when, not what), each once, at most MAX_QUERY_PAIRS."""
    words = [w for w in tokens(_COMMON.sub(" ", text_)) if not w.isdigit()]
    return list(dict.fromkeys(words))[:MAX_QUERY_PAIRS]


def _anchors(text_: str, pairs: list[str]) -> list[tuple[str, ...]]:
    """What an entry must hold one of: two consecutive distinctive pairs (three characters in a row of the
    draft); a draft without three in a row, any of its pairs."""
    kept = set(pairs)
    out: list[tuple[str, ...]] = []
    for run in _CJK.findall(_COMMON.sub(" ", text_)):
        out += [
            (run[i : i + 2], run[i + 1 : i + 3])
            for i in range(len(run) - 2)
            if run[i : i + 2] in kept and run[i + 1 : i + 3] in kept
        ]
    return list(dict.fromkeys(out)) or [(p,) for p in pairs]


def needed(pairs: list[str]) -> int:
    """How many of the draft's distinctive pairs a similar entry holds at the least."""
    return len(pairs) if len(pairs) <= 2 else max(2, math.ceil(SIMILAR_SHARE * len(pairs)))


def similar_to(session: Session, description: str, *, limit: int = 5) -> list[PublicAnswer]:
    """Published answers that look like a draft description (docs/rules.md §The public log): among the
    newest SIMILAR_POOL entries holding enough of its distinctive pairs, those sharing the most first."""
    pairs = distinctive(description)
    if not pairs:
        return []
    anchors, least = _anchors(description, pairs), needed(pairs)
    table = PublicAnswer.__table__
    if session.get_bind().dialect.name == "postgresql":
        ids = _similar_pg(session, anchors, pairs, least)
    else:
        match = " OR ".join("(" + " AND ".join(f'"{w}"' for w in a) + ")" for a in anchors)
        hits = text(_FTS_IDS).columns(column("id", Integer)).bindparams(match=match)
        newest = (  # read backwards by id, each checked against the matches (one lookup each)
            select(table.c.id)
            .where(table.c.id.in_(hits), _held(table.c.search_tokens, pairs) >= least)
            .order_by(table.c.id.desc())
            .limit(SIMILAR_POOL)
        )
        ids = list(session.execute(newest).scalars())
    if not ids:
        return []
    entries = session.execute(select(PublicAnswer).where(PublicAnswer.id.in_(ids))).scalars()
    mine = set(pairs)

    def closeness(e: PublicAnswer) -> tuple[float, int]:  # Dice of the two's distinctive pairs
        theirs = set(distinctive(e.subject)) | (set(e.search_tokens.split()) & mine)
        return -2 * len(mine & theirs) / (len(mine) + len(theirs)), -e.id

    return sorted(entries, key=closeness)[:limit]


def _held(search_tokens: Any, pairs: list[str]) -> Any:
    """How many of `pairs` an entry's search words hold (SQL, either backend)."""
    padded = literal(" ") + search_tokens + literal(" ")
    return sum((case((padded.contains(f" {p} "), 1), else_=0) for p in pairs), literal(0))


def _similar_pg(session: Session, anchors: list[tuple[str, ...]], pairs: list[str], least: int) -> list[int]:
    """PostgreSQL: the newest SIMILAR_POOL entries holding an anchor (the GIN index) and `least` pairs,
    looked for as the search looks: among the RECENT_WINDOW newest, then the newest year's, then all."""
    table = PublicAnswer.__table__
    vector = column(SEARCH_VECTOR, TSVECTOR)
    tsquery = func.to_tsquery("simple", " | ".join("(" + " & ".join(a) + ")" for a in anchors))
    recent = (
        select(table.c.id, table.c.search_tokens, vector.label("v"))
        .select_from(table)
        .order_by(table.c.id.desc())
        .limit(RECENT_WINDOW)
        .subquery()
    )
    ids = list(
        session.execute(
            select(recent.c.id)
            .where(recent.c.v.op("@@")(tsquery), _held(recent.c.search_tokens, pairs) >= least)
            .order_by(recent.c.id.desc())
            .limit(SIMILAR_POOL)
        ).scalars()
    )
    enough = _held(table.c.search_tokens, pairs) >= least
    if len(ids) < SIMILAR_POOL:
        newest = session.execute(select(table.c.year).order_by(table.c.id.desc()).limit(1)).scalar()
        year_word = cast(literal(f"'@{int(newest or 0)}'"), TSQUERY)
        ids = _newest_matches(
            session, Query(), and_(vector.op("@@")(tsquery.op("&&")(year_word)), enough), SIMILAR_POOL
        )
    if len(ids) < SIMILAR_POOL:
        ids = _newest_matches(session, Query(), and_(vector.op("@@")(tsquery), enough), SIMILAR_POOL)
    return ids


def similar_requests(session: Session, req: Request, *, limit: int = 5) -> list[Request]:
    """Earlier requests to the same agency described like this one, by the rule of similar_to (requests
    are not indexed: the latest 2,000 of the agency are compared), the closest first."""
    pairs = distinctive(req.description)
    if not pairs:
        return []
    anchors, least, mine = _anchors(req.description, pairs), needed(pairs), set(pairs)
    recent = session.execute(
        select(Request)
        .where(Request.agency_id == req.agency_id, Request.id != req.id)
        .order_by(Request.id.desc())
        .limit(2000)
    ).scalars()
    scored = []
    for other in recent:
        words = set(tokens(other.description))
        if len(mine & words) < least or not any(words.issuperset(a) for a in anchors):
            continue
        theirs = set(distinctive(other.description)) | (words & mine)
        scored.append((2 * len(mine & theirs) / (len(mine) + len(theirs)), other.id, other))
    return [o for _, _, o in sorted(scored, key=lambda s: (-s[0], -s[1]))[:limit]]


def with_details(session: Session, entries: list[PublicAnswer]) -> list[PublicAnswer]:
    """The entries with their agency, request and the request's files loaded, one query each (the API
    shows the released files of each)."""
    if entries:
        session.execute(
            select(PublicAnswer)
            .where(PublicAnswer.id.in_([e.id for e in entries]))
            .options(
                selectinload(PublicAnswer.agency),
                selectinload(PublicAnswer.request).selectinload(Request.attachments),
            )
            .execution_options(populate_existing=True)
        ).scalars().all()
    return entries
