"""The handlers of the steps the 2019 rules give the agency beyond the plain reply (docs/rules.md §Agency
steps), each declared with its fields like those of handlers.py:

- Art. 35: `request_reasons` asks the applicant to state reasons for requests clearly beyond a reasonable
  number or frequency (the clock stops), `receive_reasons` records them (the clock runs again), and
  `set_reply_period` sets a later reasonable reply date; or the reply `not_processed_excessive`
  (`reply_rules`);
- Art. 34: `consult_agency` consults the agency that made the information with this one (15 working
  days; no answer counts as consent); `end_consultation` records either consultation's answer;
- Art. 32: `notify_third_party` tells a third party that objected, in writing, of the decision to disclose
  and why, which must come before a reply that discloses (`reply_rules`);
- Art. 36(6): the reply `not_processed_duplicate` only for a request linked to an earlier one of the same
  applicant already answered (`reply_rules`, webapp/domain/requests/duplicates.py).
"""

from __future__ import annotations

from webapp.domain.dates import reader_date
from webapp.domain.errors import IllegalTransition
from webapp.domain.requests.actions.spec import CHOICE, INTEGER, TEXT, Context, Field, action
from webapp.domain.requests.duplicates import duplicate_original
from webapp.domain.requests.fields import MAX_CORRECTION_PERIOD, MAX_TEXT, text
from webapp.domain.requests.history import CONSULTATION_ANSWERS
from webapp.domain.states import Status
from webapp.i18n import _l
from webapp.models import Event, Request

MAX_REPLY_PERIOD = 60  # Art. 35's "reasonable period", at most this many working days (a typing guard)
CONSULTATIONS = ("consultation_started", "agency_consultation_started")
OPINIONS = frozenset({"consented", "objected"})
DISCLOSING = frozenset({"disclosed", "partially_disclosed"})


def _last(req: Request, *types: str) -> Event | None:
    return next((e for e in reversed(req.events) if e.type in types), None)


def _only_2019(c: Context, article: str) -> None:
    if c.req.rules != "2019":
        raise IllegalTransition(
            _l("2008年《条例》没有此项规定（2019年《条例》%(article)s）", article=article),
            {"action": _l("不适用")},
        )


# -- Art. 35 -----------------------------------------------------------------------------------------


@action(
    "request_reasons",
    Field("items", TEXT, required=True, limit=MAX_TEXT, doc="how the requests exceed a reasonable range"),
    Field(
        "period_days",
        INTEGER,
        required=True,
        low=1,
        high=MAX_CORRECTION_PERIOD,
        doc="working days given to state the reasons",
    ),
)
def request_reasons(c: Context) -> None:
    """Art. 35: the applicant is asked to state the reasons; the clock stops until they arrive."""
    _only_2019(c, "第三十五条")
    c.note = text(c.errors, "items", c.take("items"), required=True) or ""
    period = c.take("period_days")
    if not isinstance(period, int) or isinstance(period, bool) or not 1 <= period <= MAX_CORRECTION_PERIOD:
        c.errors["period_days"] = _l("说明理由的期限应为1至%(days)s个工作日", days=MAX_CORRECTION_PERIOD)
    if _last(c.req, "reasons_requested") is not None:
        raise IllegalTransition(_l("已要求申请人说明理由"), {"action": _l("只能要求一次")})
    c.data["period_days"] = period


@action("receive_reasons", Field("text", TEXT, limit=MAX_TEXT, doc="the reasons the applicant stated"))
def receive_reasons(c: Context) -> None:
    """Art. 35: the reasons the applicant stated (on paper, by mail: the officer's summary)."""
    c.note = text(c.errors, "text", c.take("text"), required=False) or ""


@action(
    "set_reply_period",
    Field(
        "reply_days",
        INTEGER,
        required=True,
        low=1,
        high=MAX_REPLY_PERIOD,
        doc="working days from `on` to the later reasonable reply date (Art. 35)",
    ),
    Field("reason", TEXT, required=True, limit=MAX_TEXT, doc="why the reply cannot be made in time"),
)
def set_reply_period(c: Context) -> None:
    """Art. 35: the reasons are reasonable but the reply cannot be made within Art. 33's period: a later
    reasonable date, `reply_days` working days after `on`, later than the statutory one."""
    days = c.take("reply_days")
    c.note = text(c.errors, "reason", c.take("reason"), required=True) or ""
    if _last(c.req, "reasons_received") is None:
        raise IllegalTransition(
            _l("应先要求申请人说明理由并收到其理由（《条例》第三十五条）"),
            {"action": _l("尚未收到申请人的理由")},
        )
    if _last(c.req, "reply_period_set") is not None:
        raise IllegalTransition(_l("已确定过延迟答复的期限"), {"action": _l("只能确定一次")})
    if c.req.due_on is not None and c.on > c.req.due_on:
        raise IllegalTransition(
            _l("已超过答复期限，不能再确定延迟答复的期限"),
            {"on": _l("答复期限为%(date)s", date=c.req.due_on.isoformat())},
        )
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_REPLY_PERIOD:
        c.errors["reply_days"] = _l("应为1至%(days)s个工作日", days=MAX_REPLY_PERIOD)
        return
    due = c.cal.add_wd(c.on, days)
    if c.req.due_on is not None and due <= c.req.due_on:
        c.errors["reply_days"] = _l(
            "延迟答复的期限（%(date)s）应晚于法定答复期限（%(due)s）",
            date=reader_date(due),
            due=reader_date(c.req.due_on),
        )
    c.data.update(reply_days=days, due_on=due.isoformat())


# -- Art. 34 and the end of either consultation -------------------------------------------------------


@action(
    "consult_agency",
    Field(
        "agency_name",
        TEXT,
        required=True,
        limit=200,
        doc="the agency that made the information with this one",
    ),
)
def consult_agency(c: Context) -> None:
    """Art. 34: the information was made with another agency; this one (which led) consults it. The
    time is not counted (Art. 33 ¶3); unanswered after 15 working days, it counts as consent."""
    _only_2019(c, "第三十四条")
    c.data["party"] = text(c.errors, "agency_name", c.take("agency_name"), required=True, limit=200) or ""
    c.note = "征求共同制作机关意见，期间不计入答复期限"


@action(
    "end_consultation",
    Field(
        "opinion", CHOICE, choices=OPINIONS, doc="the answer; omitted: none (after 15 working days, a lapse)"
    ),
    Field("note", TEXT, limit=MAX_TEXT, doc="the answer's summary"),
)
def end_consultation(c: Context) -> None:
    """The consultation's answer: `consented`, `objected`, or none. None on or after the 15th working day
    (2019 rules) is the lapse: the co-making agency's silence counts as consent (Art. 34); a third
    party's leaves the decision to the agency (Art. 32)."""
    opinion = c.take("opinion")
    note = text(c.errors, "note", c.take("note"), required=False) or ""
    if opinion is not None and opinion not in OPINIONS:
        c.errors["opinion"] = _l("应为以下之一：%(values)s", values="、".join(sorted(OPINIONS)))
        return
    started = _last(c.req, *CONSULTATIONS)
    agency = started is not None and started.type == "agency_consultation_started"
    lapsed = (
        opinion is None
        and started is not None
        and c.rules.consultation_limit_days is not None
        and c.on >= c.cal.add_wd(started.on, c.rules.consultation_limit_days)
    )
    if opinion is None and lapsed:
        opinion = "deemed_consent" if agency else "lapsed"
    c.data.update(opinion=opinion, consulted="agency" if agency else "third_party")
    what = CONSULTATION_ANSWERS.get(("agency" if agency else "third_party", str(opinion)), "")
    c.note = "；".join(part for part in (what, note) if part)


# -- Art. 32 -----------------------------------------------------------------------------------------


def _objection(req: Request) -> Event | None:
    """The end of the last third-party consultation, when the third party objected and has not yet been
    told in writing of a decision to disclose."""
    ended = _last(req, "consultation_ended", "third_party_notified")
    if ended is None or ended.type != "consultation_ended":
        return None
    if ended.data.get("consulted") != "third_party" or ended.data.get("opinion") != "objected":
        return None
    return ended


@action(
    "notify_third_party",
    Field("content", TEXT, required=True, limit=MAX_TEXT, doc="the information to be disclosed (Art. 32)"),
    Field(
        "reason",
        TEXT,
        required=True,
        limit=MAX_TEXT,
        doc="why withholding would gravely affect the public interest",
    ),
)
def notify_third_party(c: Context) -> None:
    """Art. 32 (2008: Art. 23): the agency decides to disclose over the third party's objection because
    withholding would gravely affect the public interest, and tells the third party in writing what will
    be disclosed and why, before the reply."""
    content = text(c.errors, "content", c.take("content"), required=True) or ""
    c.note = text(c.errors, "reason", c.take("reason"), required=True) or ""
    if _objection(c.req) is None:
        raise IllegalTransition(
            _l("没有第三方不同意公开的记录：结束征求意见时记录第三方的意见"),
            {"action": _l("第三方未表示不同意公开")},
        )
    started = _last(c.req, "consultation_started")
    c.data.update(party=str(started.data.get("party", "")) if started else "", content=content)


# -- the reply -----------------------------------------------------------------------------------------


def reply_rules(c: Context, outcome: object) -> None:
    """What the agency steps require of a reply: from awaiting_reasons only `not_processed_excessive`;
    under the 2019 rules that outcome only after the reasons were asked (Art. 35); a disclosure over a
    third party's objection only after the third party was told (Art. 32, 2008 Art. 23);
    `not_processed_duplicate` only for a request linked to an earlier answered one of the same applicant
    (Art. 36(6)), whose number and reply date the event keeps for the letter."""
    if c.status == Status.AWAITING_REASONS and outcome != "not_processed_excessive":
        raise IllegalTransition(
            _l("等待申请人说明理由期间只能答复不予处理（《条例》第三十五条）；收到理由后再作其他答复"),
            {"outcome": _l("应为not_processed_excessive，或先记录收到的理由")},
        )
    if (
        outcome == "not_processed_excessive"
        and c.req.rules == "2019"
        and _last(c.req, "reasons_requested") is None
    ):
        raise IllegalTransition(
            _l("应先要求申请人说明理由，认为理由不合理的才告知不予处理（《条例》第三十五条）"),
            {"outcome": _l("尚未要求申请人说明理由")},
        )
    if outcome == "not_processed_duplicate":
        original = duplicate_original(c.session, c.req, c.on)
        assert original.finished_on is not None  # noqa: S101 -- answered, as duplicate_original checked
        c.data["duplicate_of"] = {
            "tracking_number": original.tracking_number,
            "received_on": original.received_on.isoformat(),
            "replied_on": original.finished_on.isoformat(),
        }
    if outcome in DISCLOSING and _objection(c.req) is not None:
        raise IllegalTransition(
            _l(
                "第三方不同意公开：决定公开的，应先将决定公开的政府信息内容和理由书面告知第三方（《条例》第三十二条）"
            ),
            {"outcome": _l("请先书面告知第三方")},
        )


def worth_offering(req: Request, action: str) -> bool:
    """Whether the request's rules and history leave the agency step `action` open (for the pages' and
    the API's lists of actions; `act()` checks the same and says why)."""
    if action in ("request_reasons", "consult_agency") and req.rules != "2019":
        return False
    if action == "request_reasons":
        return _last(req, "reasons_requested") is None
    if action == "set_reply_period":
        return _last(req, "reasons_received") is not None and _last(req, "reply_period_set") is None
    if action == "notify_third_party":
        return _objection(req) is not None
    return True
