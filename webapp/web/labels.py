"""What the pages call the codes of docs/rules.md, in the reader's language.

states.py keeps the Chinese names the domain writes into history notes; the pages show these lazy
translations of the same names instead, so an English reader sees English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webapp.domain.states import ACTION_LABELS, STATUS_LABELS
from webapp.i18n import _l

CHANNEL_LABELS = {
    "in_person": _l("当面"),
    "fax": _l("传真"),
    "email": _l("电子邮件"),
    "online": _l("网上"),
    "letter": _l("信函"),
    "other": _l("其他形式"),
}

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

ID_KIND_LABELS = {
    "resident_id": _l("居民身份证"),
    "credit_code": _l("统一社会信用代码"),
    "passport": _l("护照"),
    "hk_macao_taiwan": _l("港澳台居民证件"),
    "other": _l("其他证件"),
}

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

ROLE_LABELS = {"officer": _l("经办人"), "head": _l("负责人"), "admin": _l("管理员")}

EVENT_LABELS = {
    "submitted": _l("收到申请"),
    "accepted": _l("受理"),
    "correction_requested": _l("告知补正"),
    "correction_received": _l("收到补正"),
    "consultation_started": _l("征求第三方意见"),
    "consultation_ended": _l("征求意见结束"),
    "fee_requested": _l("发出收费通知"),
    "fee_received": _l("收到缴费"),
    "extended": _l("延期答复"),
    "replied": _l("答复"),
    "assigned": _l("指派经办人"),
    "commented": _l("内部备注"),
    "closed": _l("办结"),
    "withdrawn": _l("申请人撤回申请"),
    "due_recomputed": _l("答复期限调整"),
    "attachment_added": _l("上传材料"),
    "extension_proposed": _l("提请延期"),
    "extension_declined": _l("不同意延期"),
}

# The written notices (docs/rules.md §Lifecycle), by the kind the outbox gives them
# (webapp.domain.states.NOTICES).
NOTICE_LABELS = {
    "receipt": _l("受理回执"),
    "correction_notice": _l("补正告知书"),
    "extension_notice": _l("延期答复告知书"),
    "consultation_notice": _l("征求意见告知书"),
    "fee_notice": _l("收费通知书"),
    "reply": _l("政府信息公开申请答复书"),
    "closure_notice": _l("办结告知书"),
}


def label(mapping: Mapping[Any, object], code: str | None) -> str:
    """The label of a code, or the code itself when the mapping does not know it (e.g. a newer event)."""
    if code is None:
        return ""
    return str(mapping.get(code, code))


# The templates' label functions: {{ status_label(req.status) }} and so on.
TEMPLATE_LABELS: dict[str, Mapping[Any, object]] = {
    "status_label": STATUS_LABELS,
    "action_label": ACTION_LABELS,
    "channel_label": CHANNEL_LABELS,
    "applicant_type_label": APPLICANT_TYPE_LABELS,
    "delivery_label": DELIVERY_LABELS,
    "id_kind_label": ID_KIND_LABELS,
    "outcome_label": OUTCOME_LABELS,
    "role_label": ROLE_LABELS,
    "event_label": EVENT_LABELS,
    "notice_label": NOTICE_LABELS,
}
