"""The public log (docs/rules.md §The public log): what a published entry holds — nothing personal — and a
search that understands Chinese, on PostgreSQL and SQLite alike, tested on fixed queries with their
expected top results."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import applicant, make_user, sample_pdf
from webapp.domain import public_log
from webapp.domain.attachments import store_attachment
from webapp.domain.requests import act, submit
from webapp.domain.states import WITHHOLDING_BASES
from webapp.models import PublicAnswer, Request

D = dt.date
PERSON = {
    "name": "欧阳明远",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "email": "mingyuan.ouyang@example.cn",
    "address": "吉林省白城市洮北区海明路18号3栋2单元501室",
}


def answered(session: Any, world: Any, description: str, *, publish: bool = True, **extra: Any) -> Request:
    req, _ = submit(
        session,
        agency=world["agency"],
        applicant=applicant(**PERSON),
        description=description,
        delivery="email",
        now=dt.datetime(2024, 6, 3, 2, tzinfo=dt.UTC),
        channel="letter",
        received_on=D(2024, 6, 3),
        registered_by=world["officer"],
        require_late_reason=False,
    )
    now = dt.datetime(2024, 6, 5, 2, tzinfo=dt.UTC)
    act(session, req, "accept", world["officer"], now=now, on=D(2024, 6, 4))
    act(
        session,
        req,
        "reply",
        world["officer"],
        now=now,
        on=D(2024, 6, 5),
        outcome=extra.pop("outcome", "disclosed"),
        publish=publish,
        **extra,
    )
    session.flush()
    return req


def test_the_subject_is_published_without_anything_personal(session: Any, world: Any):
    req = answered(
        session,
        world,
        "本人欧阳明远（身份证11010519491231002X，电话139-1234-5678，邮箱mingyuan.ouyang@example.cn，"
        "住吉林省白城市洮北区海明路18号3栋2单元501室）申请公开2023年度城镇职工基本养老保险基金收支情况；"
        "另，邻居王小二的号码0436-3209609、统一社会信用代码91110000100000000X的企业也请一并说明。",
    )
    entry = session.query(PublicAnswer).filter_by(request_id=req.id).one()
    for value in [*PERSON.values(), "139-1234-5678", "0436-3209609", "91110000100000000X", "海明路18号"]:
        assert value not in entry.subject, value
    assert "申请公开2023年度城镇职工基本养老保险基金收支情况" in entry.subject
    assert entry.outcome == "disclosed" and entry.replied_on == D(2024, 6, 5) and entry.year == 2024
    # the reply letter as published: its salutation names nobody
    letter = public_log.public_reply(session, entry)
    assert letter is not None and PERSON["name"] not in letter.body and public_log.REMOVED in letter.body


def test_an_officers_summary_replaces_the_description_and_is_scrubbed_too(session: Any, world: Any):
    req = answered(session, world, "申请公开某事项", public_summary="欧阳明远申请的2023年度部门预算")
    entry = session.query(PublicAnswer).filter_by(request_id=req.id).one()
    assert entry.subject == "＊＊申请的2023年度部门预算"


def test_nothing_is_published_unless_the_officer_says_so(session: Any, world: Any):
    req = answered(session, world, "申请公开2023年度部门预算", publish=False)
    assert session.query(PublicAnswer).filter_by(request_id=req.id).count() == 0
    assert req.events[-1].data.get("published") is None


CORPUS = [
    "城镇职工基本养老保险基金2023年度收支情况",
    "城乡居民基本养老保险缴费标准和待遇发放情况",
    "养老院建设运营补贴资金的发放名单",
    "职工基本医疗保险报销药品目录",
    "2023年度部门预算及三公经费",
    "某路段道路改造工程的环境影响评价报告",
]


@pytest.fixture
def log(session: Any, world: Any) -> dict[str, int]:
    ids = {}
    for subject in CORPUS:
        req = answered(session, world, subject)
        ids[subject] = session.query(PublicAnswer.id).filter_by(request_id=req.id).scalar()
    session.commit()
    return ids


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # a word found inside a longer one, and only where all of it stands
        ("养老保险", {CORPUS[0], CORPUS[1]}),
        ("基本养老保险基金", {CORPUS[0]}),
        ("医疗保险", {CORPUS[3]}),
        ("预算", {CORPUS[4]}),
        ("三公经费", {CORPUS[4]}),
        ("环境影响评价", {CORPUS[5]}),
        ("2023", {CORPUS[0], CORPUS[4]}),
        ("养老金", set()),  # 养老 and 老金: no entry has both
    ],
)
def test_search_finds_every_entry_holding_the_words_and_no_other(
    session: Any, log: dict[str, int], q: str, expected: set[str]
):
    found = public_log.search(session, public_log.Query(q=q))
    assert {e.subject for e in found} == expected


def test_similar_ranks_the_closest_first(session: Any, log: dict[str, int]):
    found = public_log.similar_to(session, "请公开城镇职工养老保险基金的收支情况")
    assert found[0].subject == CORPUS[0]
    assert CORPUS[3] not in [e.subject for e in found[:2]]
    found = public_log.similar_to(session, "想了解养老院补贴资金发给了谁")
    assert found[0].subject == CORPUS[2]


PENSION = "城镇职工基本养老保险基金2023年度收支情况"
TRAINING = "2023年度职业技能培训补贴发放情况"
RELEVANCE_LOG = [
    PENSION,
    "城乡居民基本养老保险缴费标准和待遇发放情况",
    TRAINING,
    "养老院建设运营补贴资金的发放名单",
    "2023年度部门预算及三公经费",
    "某路段道路改造工程的环境影响评价报告",
    "国有土地上房屋征收补偿方案及补偿标准",
]


@pytest.mark.parametrize(
    ("draft", "expected", "not_expected"),
    [
        # the tester's case: a draft about 培训补贴 is not shown the 养老保险 answers, whatever it shares
        # with them (申请, 公开, 情况, 2023年度, 发放)
        ("申请公开2023年度职业技能培训补贴的发放情况", [TRAINING], [PENSION, RELEVANCE_LOG[1]]),
        ("关于职业技能培训补贴申领条件的文件", [TRAINING], [PENSION, RELEVANCE_LOG[3]]),
        # a draft about the pension fund is shown it, first
        ("申请公开城镇职工基本养老保险基金的收支情况", [PENSION], [TRAINING, RELEVANCE_LOG[3]]),
        ("想了解本市城镇职工基本养老保险基金结余多少", [PENSION], [TRAINING]),
        ("养老院运营补贴资金发放给了哪些机构", [RELEVANCE_LOG[3]], [TRAINING, PENSION]),
        ("房屋征收补偿标准是怎么定的", [RELEVANCE_LOG[6]], [RELEVANCE_LOG[1]]),
        # words every request has find nothing
        ("申请公开政府信息公开相关文件", [], RELEVANCE_LOG),
        ("关于2023年度的情况", [], RELEVANCE_LOG),
        ("申请公开学校食堂食品安全检查记录", [], RELEVANCE_LOG),
    ],
)
def test_similar_suggests_related_answers_and_no_unrelated_one(
    session: Any, world: Any, draft: str, expected: list[str], not_expected: list[str]
):
    """docs/rules.md §The public log: an answer is suggested when it shares a real part of the draft's own
    words, not words common to most requests — the same on PostgreSQL and SQLite."""
    for subject in RELEVANCE_LOG:
        answered(session, world, subject)
    session.commit()
    found = [e.subject for e in public_log.similar_to(session, draft)]
    assert found[: len(expected)] == expected, found
    assert not set(found) & set(not_expected), found
    # the officer's similar requests follow the same rule
    req = answered(session, world, draft, publish=False)
    others = [r.description for r in public_log.similar_requests(session, req)]
    assert others[: len(expected)] == expected, others
    assert not set(others) & set(not_expected), others


def test_similar_holds_at_most_the_newest_pool_of_matches(
    session: Any, world: Any, monkeypatch: pytest.MonkeyPatch
):
    """Bounded at any size: the closest among the newest SIMILAR_POOL similar entries (on PostgreSQL each
    of the search's three ways: the newest entries, the newest year's, all)."""
    monkeypatch.setattr(public_log, "SIMILAR_POOL", 2)
    monkeypatch.setattr(public_log, "RECENT_WINDOW", 2)
    subjects = [
        "城镇职工基本养老保险基金收支",  # the closest, but older than the pool
        "城镇职工基本养老保险基金收支和投资运营及结余",
        "道路改造工程的环境影响评价报告",
        "城镇职工基本养老保险基金收支和历年结余",
    ]
    for subject in subjects:
        answered(session, world, subject)
    session.commit()
    found = [e.subject for e in public_log.similar_to(session, "城镇职工基本养老保险基金收支")]
    assert found == [subjects[3], subjects[1]]
    monkeypatch.setattr(public_log, "SIMILAR_POOL", 3)
    found = [e.subject for e in public_log.similar_to(session, "城镇职工基本养老保险基金收支")]
    assert found == [subjects[0], subjects[3], subjects[1]]


def test_a_common_word_ranks_the_newest_matches_first_in_blocks_and_pages_through_all(
    session: Any, world: Any, monkeypatch: pytest.MonkeyPatch
):
    """The closest among the newest RANKED_POOL matches come first, then the closest among the next ones
    (docs/rules.md §The public log): a page never repeats or skips an entry, wherever it starts."""
    monkeypatch.setattr(public_log, "RANKED_POOL", 2)
    monkeypatch.setattr(public_log, "RECENT_WINDOW", 3)  # PostgreSQL: each of its three ways is taken below
    subjects = [
        "部门预算和财政预算",
        "部门预算和财政规划",
        "部门预算和交通规划",
        "部门预算和城市预算",
        "部门预算和土地规划",
    ]
    for subject in subjects:  # oldest first; the first and the fourth hold 预算 twice
        answered(session, world, subject)
    session.commit()
    oldest, b, c, twice, newest = subjects
    expected = [twice, newest, c, b, oldest]  # blocks of two, newest first: [newest, twice] [c, b] [oldest]

    def page(limit: int, offset: int) -> list[str]:
        return [
            e.subject
            for e in public_log.search(session, public_log.Query(q="预算"), limit=limit, offset=offset)
        ]

    assert page(20, 0) == expected
    assert page(2, 0) + page(2, 2) + page(2, 4) == expected
    assert page(3, 1) == expected[1:4]
    assert page(2, 6) == []
    # narrowed to an agency (or a year, an outcome), the blocks are of its own matches
    assert [
        e.subject
        for e in public_log.search(session, public_log.Query(q="预算", agency_id=world["agency"].id))
    ] == expected


def test_browsing_by_agency_year_and_outcome(session: Any, world: Any, log: dict[str, int]):
    assert len(public_log.search(session, public_log.Query(agency_id=world["agency"].id, year=2024))) == 6
    assert public_log.search(session, public_log.Query(year=2023)) == []
    assert public_log.search(session, public_log.Query(agency_id=world["other"].id)) == []
    assert public_log.search(session, public_log.Query(outcome="not_exist")) == []


def test_the_public_pages_and_api_show_nothing_personal(client: FlaskClient, session: Any, world: Any):
    """Every personal field of the applicant, searched for in every public answer: the list, the search,
    the entry page, the API and the reply's PDF as pdftotext reads it."""
    make_user(session, dt.datetime.now(dt.UTC), world["agency"])
    reqs = [
        answered(
            session, world, f"本人{PERSON['name']}，电话{PERSON['phone']}，申请公开2023年度部门预算第{i}部分"
        )
        for i in range(3)
    ]
    session.commit()
    entries = session.query(PublicAnswer).all()
    assert len(entries) == len(reqs)
    pages = [client.get("/answers"), client.get("/answers?q=部门预算")]
    pages += [client.get(f"/answers/{e.id}") for e in entries]
    api = client.get("/api/v1/public/answers?q=预算")
    assert api.status_code == 200 and len(api.json["items"]) == 3
    assert set(api.json["items"][0]) == {
        "id",
        "agency",
        "agency_name",
        "subject",
        "outcome",
        "replied_on",
        "reply_pdf",
        "released",
    }
    texts = [p.get_data(as_text=True) for p in [*pages, api]]
    for entry in entries:
        pdf = client.get(f"/api/v1/public/answers/{entry.id}/reply.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        read = subprocess.run(["pdftotext", "-q", "-", "-"], input=pdf.data, capture_output=True, check=True)
        texts.append(read.stdout.decode())
    assert all(p.status_code == 200 for p in pages)
    assert "2023年度部门预算" in texts[1]
    for value in [*PERSON.values(), reqs[0].tracking_number]:
        for t in texts:
            assert value not in t, value
    assert client.get("/api/v1/public/answers/999999/reply.pdf").status_code == 404


def test_a_published_partial_disclosure_offers_its_released_files(
    client: FlaskClient, session: Any, world: Any, app: Any
):
    req, _ = submit(
        session,
        agency=world["agency"],
        applicant=applicant(**PERSON),
        description="申请公开2023年度部门预算",
        delivery="email",
        now=dt.datetime(2024, 6, 3, 2, tzinfo=dt.UTC),
        channel="letter",
        received_on=D(2024, 6, 3),
        registered_by=world["officer"],
        require_late_reason=False,
    )
    now = dt.datetime(2024, 6, 5, 2, tzinfo=dt.UTC)
    released = store_attachment(
        session,
        req,
        filename="2023年预算.pdf",
        stream=io.BytesIO(sample_pdf()),
        directory=app.config["ATTACHMENT_DIR"],
        uploaded_by=world["officer"],
        now=now,
        purpose="release",
    )
    act(session, req, "accept", world["officer"], now=now, on=D(2024, 6, 4))
    act(
        session,
        req,
        "reply",
        world["officer"],
        now=now,
        on=D(2024, 6, 5),
        outcome="partially_disclosed",
        released=[released.id],
        withheld=[{"part": "个人信息部分", "basis": next(iter(WITHHOLDING_BASES))}],
        publish=True,
    )
    session.commit()
    (item,) = client.get("/api/v1/public/answers").json["items"]
    assert item["outcome"] == "partially_disclosed"
    assert [f["name"] for f in item["released"]] == ["2023年预算.pdf"]
    got = client.get(item["released"][0]["url"])
    assert got.status_code == 200 and got.data[:5] == b"%PDF-"
    got.close()
    page = client.get(f"/answers/{item['id']}").get_data(as_text=True)
    assert "2023年预算.pdf" in page
    # a file the reply did not release is not served under the entry
    assert client.get(f"/api/v1/public/answers/{item['id']}/files/{released.id + 1}").status_code == 404
