"""Statuses, codes and the allowed transitions of a request (docs/rules.md §Intake, §Outcomes, §Lifecycle)."""

from __future__ import annotations

from enum import StrEnum

from webapp.i18n import _l


class Status(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    AWAITING_CORRECTION = "awaiting_correction"
    CONSULTING = "consulting"
    AWAITING_FEE = "awaiting_fee"
    REPLIED = "replied"


STATUS_LABELS = {
    Status.RECEIVED: _l("已收到"),
    Status.IN_PROGRESS: _l("办理中"),
    Status.AWAITING_CORRECTION: _l("待补正"),
    Status.CONSULTING: _l("征求意见中"),
    Status.AWAITING_FEE: _l("待缴费"),
    Status.REPLIED: _l("已办结"),
}

UNFINISHED = frozenset(Status) - {Status.REPLIED}

CHANNELS = {
    "in_person": "当面",
    "fax": "传真",
    "email": "电子邮件",
    "online": "网上",
    "letter": "信函",
    "other": "其他形式",
}

APPLICANT_TYPES = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_interest_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
}

DELIVERY = {"email": "电子邮件", "post": "邮寄", "pickup": "自行领取", "online": "网上获取"}

ID_KINDS = {
    "resident_id": "居民身份证",
    "credit_code": "统一社会信用代码",
    "passport": "护照",
    "hk_macao_taiwan": "港澳台居民证件",
    "other": "其他证件",
}

OUTCOMES = {
    "disclosed": "予以公开",
    "partially_disclosed": "部分公开",
    "withheld_state_secret": "属于国家秘密",
    "withheld_law_prohibits": "其他法律行政法规禁止公开",
    "withheld_security_stability": "危及“三安全一稳定”",
    "withheld_third_party": "保护第三方合法权益",
    "withheld_internal_affairs": "属于三类内部事务信息",
    "withheld_deliberative": "属于四类过程性信息",
    "withheld_enforcement_file": "属于行政执法案卷",
    "withheld_inquiry_matter": "属于行政查询事项",
    "not_held": "本机关不掌握相关政府信息",
    "not_exist": "信息不存在",
    "requires_creation": "没有现成信息需要另行制作",
    "unclear": "补正后申请内容仍不明确",
    "not_processed_petition": "信访举报投诉类申请",
    "not_processed_duplicate": "重复申请",
    "not_processed_publication": "要求提供公开出版物",
    "not_processed_excessive": "无正当理由大量反复申请",
    "not_processed_reconfirm": "要求行政机关确认或重新出具已获取信息",
    "closed_correction_lapsed": "逾期不补正，视为放弃",
    "closed_fee_unpaid": "逾期未缴纳信息处理费",
    "closed_other": "其他（含申请人撤回）",
}

CLOSURE_OUTCOMES = frozenset({"closed_correction_lapsed", "closed_fee_unpaid", "closed_other"})
REPLY_OUTCOMES = frozenset(OUTCOMES) - CLOSURE_OUTCOMES

ROLES = {"officer": "经办人", "head": "负责人", "admin": "管理员"}

# The events the applicant is told of in writing (docs/rules.md §Lifecycle), and the notice each sends: the
# outbox's notice kind and the official document's kind.
NOTICES = {
    "submitted": "receipt",
    "correction_requested": "correction_notice",
    "extended": "extension_notice",
    "consultation_started": "consultation_notice",
    "fee_requested": "fee_notice",
    "replied": "reply",
    "closed": "closure_notice",
    "withdrawn": "closure_notice",
}

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
    "extend": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.CONSULTING, S.AWAITING_FEE}), None),
    # An officer's proposal of an extension, and a head's refusal of it: internal, no status change. The
    # head's approval is `extend` itself, with the proposal's days and reason.
    "propose_extension": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.CONSULTING, S.AWAITING_FEE}), None),
    "decline_extension": (frozenset({S.RECEIVED, S.IN_PROGRESS, S.CONSULTING, S.AWAITING_FEE}), None),
    "reply": (frozenset({S.RECEIVED, S.IN_PROGRESS}), S.REPLIED),
    "assign": (UNFINISHED, None),
    "comment": (frozenset(Status), None),
    "close": (UNFINISHED, S.REPLIED),
    "withdraw": (UNFINISHED, S.REPLIED),
}
ACTIONS = frozenset(TRANSITIONS)
STAFF_ACTIONS = ACTIONS - {"withdraw"}
HEAD_ACTIONS = frozenset({"extend", "decline_extension"})  # 政府信息公开工作机构负责人 only

ACTION_LABELS = {
    "accept": _l("受理"),
    "request_correction": _l("告知补正"),
    "receive_correction": _l("收到补正"),
    "start_consultation": _l("征求第三方意见"),
    "end_consultation": _l("结束征求意见"),
    "request_fee": _l("发出收费通知"),
    "receive_fee": _l("收到缴费"),
    "extend": _l("延期答复"),
    "propose_extension": _l("提请延期"),
    "decline_extension": _l("不同意延期"),
    "reply": _l("答复"),
    "assign": _l("指派经办人"),
    "comment": _l("内部备注"),
    "close": _l("办结（不出具答复书）"),
    "withdraw": _l("申请人撤回"),
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
