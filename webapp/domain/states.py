"""The product's vocabulary, at the bottom of the house: every code a request, its history, its
documents, its e-mails and the reports use, each with its one Chinese name marked for Babel (the pages
show it in the reader's language; `chinese()` gives the Chinese that documents and e-mails write),
the notices' document titles and e-mail subjects, and the allowed transitions of a request
(docs/rules.md §Intake, §Outcomes, §Lifecycle). Every other module reads its names from here.

The Chinese date is webapp.domain.dates.cn_date.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from webapp.i18n import _l, _lp


class Status(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    AWAITING_CORRECTION = "awaiting_correction"
    CONSULTING = "consulting"
    AWAITING_FEE = "awaiting_fee"
    AWAITING_REASONS = "awaiting_reasons"  # 2019 rules Art. 35: the applicant asked to state reasons
    REPLIED = "replied"


STATUS_LABELS = {
    Status.RECEIVED: _l("已收到"),
    Status.IN_PROGRESS: _l("办理中"),
    Status.AWAITING_CORRECTION: _l("待补正"),
    Status.CONSULTING: _l("征求意见中"),
    Status.AWAITING_FEE: _l("待缴费"),
    Status.AWAITING_REASONS: _l("待说明理由"),
    Status.REPLIED: _l("已办结"),
}

UNFINISHED = frozenset(Status) - {Status.REPLIED}

CHANNEL_LABELS = {
    "in_person": _l("当面"),
    "fax": _l("传真"),
    "email": _l("电子邮件"),
    "online": _l("网上"),
    "letter": _l("信函"),
    "other": _l("其他形式"),
}

# The pages' names; annex two prints its own column headings for them (webapp.domain.reports.layout).
APPLICANT_TYPE_LABELS = {
    "natural_person": _l("自然人"),
    "commercial_enterprise": _l("商业企业"),
    "research_institution": _l("科研机构"),
    "public_interest_org": _l("社会公益组织"),
    "legal_service_org": _l("法律服务机构"),
    "other_org": _l("其他组织"),
}

DELIVERY_LABELS = {
    "email": _l("电子邮件"),
    "post": _l("邮寄"),
    "pickup": _l("自行领取"),
    "online": _l("网上获取"),
}

# A natural person's identity documents (Art. 29), then an organisation's one (docs/rules.md §Identity).
PERSON_ID_KIND_LABELS = {
    "resident_id": _l("居民身份证"),
    "hk_macau_permit": _l("港澳居民来往内地通行证"),
    "taiwan_permit": _l("台湾居民来往大陆通行证"),
    "passport": _l("护照"),
    "other": _l("其他证件"),
}
ID_KIND_LABELS = {**PERSON_ID_KIND_LABELS, "credit_code": _l("统一社会信用代码")}

# Each outcome's name, after the kind of answer it is (不予公开、无法提供、不予处理). Its row in either form
# of annex two is webapp.domain.reports.layout.OUTCOME_ROWS; its reasons and decision in the reply are
# webapp.domain.documents.wording.REPLY_TEXT.
OUTCOME_LABELS = {
    "disclosed": _l("予以公开"),
    "partially_disclosed": _l("部分公开"),
    "withheld_state_secret": _l("不予公开：属于国家秘密"),
    "withheld_law_prohibits": _l("不予公开：其他法律行政法规禁止公开"),
    "withheld_security_stability": _l("不予公开：危及“三安全一稳定”"),
    "withheld_third_party": _l("不予公开：保护第三方合法权益"),
    "withheld_internal_affairs": _l("不予公开：属于三类内部事务信息"),
    "withheld_deliberative": _l("不予公开：属于四类过程性信息"),
    "withheld_enforcement_file": _l("不予公开：属于行政执法案卷"),
    "withheld_inquiry_matter": _l("不予公开：属于行政查询事项"),
    "not_held": _l("无法提供：本机关不掌握相关政府信息"),
    "not_exist": _l("无法提供：信息不存在"),
    "requires_creation": _l("无法提供：没有现成信息需要另行制作"),
    "unclear": _l("无法提供：补正后申请内容仍不明确"),
    "not_processed_petition": _l("不予处理：信访举报投诉类申请"),
    "not_processed_duplicate": _l("不予处理：重复申请"),
    "not_processed_publication": _l("不予处理：要求提供公开出版物"),
    "not_processed_excessive": _l("不予处理：无正当理由大量反复申请"),
    "not_processed_reconfirm": _l("不予处理：要求行政机关确认或重新出具已获取信息"),
    "closed_correction_lapsed": _l("逾期不补正，视为放弃"),
    "closed_fee_unpaid": _l("逾期未缴纳信息处理费"),
    "closed_other": _l("其他（含申请人撤回）"),
}

# The reasons a part of the information is withheld in a partial disclosure (部分公开, 2019 rules Art. 37,
# 2008 rules Art. 22), one per part the reply lists: the withholding outcomes' reasons, and information
# that is not government information at all. The article each cites is
# webapp.domain.documents.wording.withholding_basis.
WITHHOLDING_LABELS = {
    **{code: label for code, label in OUTCOME_LABELS.items() if code.startswith("withheld_")},
    "not_government_information": _l("不属于政府信息"),
}
WITHHOLDING_BASES = frozenset(WITHHOLDING_LABELS)
RELEASING_OUTCOMES = frozenset({"disclosed", "partially_disclosed"})  # the replies that hand information over

CLOSURE_OUTCOMES = frozenset({"closed_correction_lapsed", "closed_fee_unpaid", "closed_other"})
REPLY_OUTCOMES = frozenset(OUTCOME_LABELS) - CLOSURE_OUTCOMES

ROLE_LABELS = {"officer": _l("经办人"), "head": _l("负责人"), "admin": _l("管理员")}

EVENT_LABELS = {
    "submitted": _lp("event", "收到申请"),
    "accepted": _lp("event", "受理"),
    "correction_requested": _lp("event", "告知补正"),
    "correction_received": _lp("event", "收到补正"),
    "consultation_started": _lp("event", "征求第三方意见"),
    "consultation_ended": _lp("event", "征求意见结束"),
    "fee_requested": _lp("event", "发出信息处理费缴费通知书"),
    "fee_received": _lp("event", "收到缴费"),
    "extended": _lp("event", "延期答复"),
    "replied": _lp("event", "答复"),
    "assigned": _lp("event", "指派经办人"),
    "commented": _lp("event", "内部备注"),
    "closed": _lp("event", "办结"),
    "withdrawn": _lp("event", "申请人撤回申请"),
    "due_recomputed": _lp("event", "答复期限调整"),
    "attachment_added": _lp("event", "上传材料"),
    "extension_proposed": _lp("event", "提请延期"),
    "extension_declined": _lp("event", "不同意延期"),
    "redacted": _lp("event", "删除处理"),
    "posted": _lp("event", "邮寄送达"),
    "collected": _lp("event", "当面领取"),
    "emailed": _lp("event", "电子邮件送达"),
    "reasons_requested": _lp("event", "要求说明理由"),
    "reasons_received": _lp("event", "收到申请人说明的理由"),
    "reply_period_set": _lp("event", "确定延迟答复的合理期限"),
    "agency_consultation_started": _lp("event", "征求共同制作机关意见"),
    "third_party_notified": _lp("event", "书面告知第三方决定公开"),
    "applicant_corrected": _lp("event", "更正申请人信息"),
    "access_code_reissued": _lp("event", "重新发放查询码"),
}


def chinese(name: object) -> str:
    """The Chinese of a name marked with _l, whatever the reader's language: what the documents, the
    e-mails, the history notes and annex two write."""
    args = getattr(name, "_args", None)
    return str(args[-1]) if args else str(name)  # _lp's are (context, text)


def _chinese(labels: dict[str, Any]) -> dict[str, str]:
    return {code: chinese(name) for code, name in labels.items()}


# The same names as plain Chinese text, for what is written down (and the codes, for validation).
CHANNELS = _chinese(CHANNEL_LABELS)
APPLICANT_TYPES = _chinese(APPLICANT_TYPE_LABELS)
DELIVERY = _chinese(DELIVERY_LABELS)
ID_KINDS = _chinese(ID_KIND_LABELS)
PERSON_ID_KINDS = _chinese(PERSON_ID_KIND_LABELS)
ROLES = _chinese(ROLE_LABELS)
# An outcome as the e-mail's 答复结果 and annex two's performance rows name it: without its kind.
OUTCOMES = {code: name.rpartition("：")[2] for code, name in _chinese(OUTCOME_LABELS).items()}

# The events the applicant is told of in writing (docs/rules.md §Lifecycle), and the notice each sends: the
# outbox's notice kind and the official document's kind.
NOTICES = {
    "submitted": "receipt",
    "correction_requested": "correction_notice",
    "extended": "extension_notice",
    "consultation_started": "consultation_notice",
    "agency_consultation_started": "agency_consultation_notice",
    "reasons_requested": "reasons_notice",
    "reply_period_set": "reply_period_notice",
    "fee_requested": "fee_notice",
    "replied": "reply",
    "closed": "closure_notice",
    "withdrawn": "closure_notice",
}


@dataclass(frozen=True)
class Notice:
    """A kind of notice: its name on the pages and in the mail log, the title of its official document
    (the PDF's heading, the document's row and file name) and the subject of its e-mail (the part
    between 【agency】 and （申请编号…）)."""

    label: Any  # marked with _l
    title: str = ""  # none for the reminders to staff, which have no document
    subject: str = ""  # the title unless given

    @property
    def mail_subject(self) -> str:
        return self.subject or self.title


NOTICE_KINDS = {
    "receipt": Notice(_l("受理回执"), "政府信息公开申请受理回执"),
    "correction_notice": Notice(_l("补正告知书"), "政府信息公开申请补正告知书"),
    "extension_notice": Notice(_l("延期答复告知书"), "政府信息公开申请延期答复告知书"),
    "consultation_notice": Notice(
        _l("征求第三方意见告知书"), "政府信息公开申请征求第三方意见告知书", subject="征求第三方意见告知书"
    ),
    "fee_notice": Notice(_l("信息处理费缴费通知书"), "政府信息公开信息处理费缴费通知书"),
    "reply": Notice(_l("答复书"), "政府信息公开申请答复书"),
    "closure_notice": Notice(_l("办结告知书"), "政府信息公开申请办结告知书"),
    "agency_consultation_notice": Notice(
        _l("征求其他机关意见告知书"),
        "政府信息公开申请征求其他机关意见告知书",
        subject="征求其他机关意见告知书",
    ),
    "reasons_notice": Notice(_l("说明理由告知书"), "政府信息公开申请说明理由告知书"),
    "reply_period_notice": Notice(_l("延迟答复告知书"), "政府信息公开申请延迟答复告知书"),
    # Letters to others than the applicant (LETTERS): documents, not notices to the applicant.
    "consultation_letter": Notice(_l("征求第三方意见书"), "政府信息公开申请征求第三方意见书"),
    "agency_consultation_letter": Notice(_l("征求意见函"), "政府信息公开申请征求意见函"),
    "third_party_notice": Notice(_l("决定公开告知书"), "政府信息决定公开告知书"),
    # Reminders to staff (the deadline sweeps and the daily digest): an e-mail, no document.
    "due_soon": Notice(_l("即将到期提醒")),
    "overdue": Notice(_l("逾期提醒")),
    "digest": Notice(_l("每日办理提醒")),
    # A new access code sent to the applicant who lost theirs (webapp/domain/lost_codes.py): no document.
    "access_code": Notice(_l("新查询码")),
}
# The letter an event sends to someone other than the applicant: the third party consulted (2019 rules
# Art. 32), the agency that made the information with this one (Art. 34), the third party told of a
# disclosure over its objection (Art. 32).
LETTERS = {
    "consultation_started": "consultation_letter",
    "agency_consultation_started": "agency_consultation_letter",
    "third_party_notified": "third_party_notice",
}
NOTICE_LABELS = {kind: n.label for kind, n in NOTICE_KINDS.items()}
TITLES = {kind: n.title for kind, n in NOTICE_KINDS.items() if n.title}

# action -> statuses it may start from; target status (None = unchanged)
S = Status
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "accept": (frozenset({S.RECEIVED}), S.IN_PROGRESS),
    "request_correction": (frozenset({S.RECEIVED, S.IN_PROGRESS}), S.AWAITING_CORRECTION),
    "receive_correction": (frozenset({S.AWAITING_CORRECTION}), S.IN_PROGRESS),
    "start_consultation": (frozenset({S.RECEIVED, S.IN_PROGRESS}), S.CONSULTING),
    "end_consultation": (frozenset({S.CONSULTING}), S.IN_PROGRESS),
    "request_fee": (frozenset({S.RECEIVED, S.IN_PROGRESS}), S.AWAITING_FEE),
    "receive_fee": (frozenset({S.AWAITING_FEE}), S.IN_PROGRESS),
    # 2019 rules Art. 35: reasons asked, received, and a later reasonable reply date set
    "request_reasons": (frozenset({S.RECEIVED, S.IN_PROGRESS}), S.AWAITING_REASONS),
    "receive_reasons": (frozenset({S.AWAITING_REASONS}), S.IN_PROGRESS),
    "set_reply_period": (frozenset({S.IN_PROGRESS}), None),
    # Art. 34: the agency that made the information with this one consulted (the clock stopped, Art. 33 ¶3)
    "consult_agency": (frozenset({S.RECEIVED, S.IN_PROGRESS}), S.CONSULTING),
    # Art. 32: the third party told in writing of a disclosure over its objection, before the reply
    "notify_third_party": (frozenset({S.IN_PROGRESS}), None),
    "extend": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.CONSULTING, S.AWAITING_FEE}), None),
    # An officer's proposal of an extension, and a head's refusal of it: internal, no status change. The
    # head's approval is `extend` itself, with the proposal's days and reason.
    "propose_extension": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.CONSULTING, S.AWAITING_FEE}), None),
    "decline_extension": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.CONSULTING, S.AWAITING_FEE}), None),
    # from awaiting_reasons only `not_processed_excessive` (Art. 35: the reasons not given or not reasonable)
    "reply": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.AWAITING_REASONS}), S.REPLIED),
    "assign": (UNFINISHED, None),
    "comment": (frozenset(Status), None),
    "close": (UNFINISHED, S.REPLIED),
    "withdraw": (UNFINISHED, S.REPLIED),
    # The answer handed over as the applicant chose (docs/rules.md §Delivery): recorded after it; any
    # other notice posted or handed over (`notice`) whatever the status.
    "record_posting": (frozenset(Status), None),
    "record_pickup": (frozenset(Status), None),
    # what arrived on paper: the applicant's details corrected by an officer, whatever the status
    "correct_applicant": (frozenset(Status), None),
}
ACTIONS = frozenset(TRANSITIONS)
STAFF_ACTIONS = ACTIONS - {"withdraw"}
HEAD_ACTIONS = frozenset({"extend", "decline_extension"})  # 政府信息公开工作机构负责人 only

ACTION_LABELS = {
    "accept": _lp("action", "受理"),
    "request_correction": _lp("action", "告知补正"),
    "receive_correction": _lp("action", "收到补正"),
    "start_consultation": _lp("action", "征求第三方意见"),
    "end_consultation": _lp("action", "结束征求意见"),
    "request_fee": _lp("action", "发出信息处理费缴费通知书"),
    "receive_fee": _lp("action", "收到缴费"),
    "request_reasons": _lp("action", "要求说明理由"),
    "receive_reasons": _lp("action", "收到申请人说明的理由"),
    "set_reply_period": _lp("action", "确定延迟答复的合理期限"),
    "consult_agency": _lp("action", "征求共同制作机关意见"),
    "notify_third_party": _lp("action", "书面告知第三方决定公开"),
    "extend": _lp("action", "延期答复"),
    "propose_extension": _lp("action", "提请延期"),
    "decline_extension": _lp("action", "不同意延期"),
    "reply": _lp("action", "答复"),
    "assign": _lp("action", "指派经办人"),
    "comment": _lp("action", "内部备注"),
    "close": _lp("action", "办结（不出具答复书）"),
    "withdraw": _lp("action", "申请人撤回"),
    "record_posting": _lp("action", "登记邮寄"),
    "record_pickup": _lp("action", "登记领取"),
    "correct_applicant": _lp("action", "更正申请人信息"),
}


def allowed_actions(status: Status | str, role: str | None = None) -> list[str]:
    """The staff actions the request's current status (and, given a role, the user's role) allows."""
    return [
        a
        for a in TRANSITIONS
        if a in STAFF_ACTIONS
        and Status(status) in TRANSITIONS[a][0]
        and (a not in HEAD_ACTIONS or role in (None, "head"))
    ]
