"""Annex two's two forms as printed: their rows, columns and headings, and each outcome's row
(`OUTCOME_ROWS`, docs/rules.md §Annex two: the one place where an outcome is mapped to a row of either
form)."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.domain.states import APPLICANT_TYPES
from webapp.models.report import REPORT_FORMS

FORMS = REPORT_FORMS
UNIT = "条"
EARLIEST_YEAR = 2008

# -- each outcome's row in the 2021 form and the 2013 form, with its ①②③ sub-row (docs/rules.md §Annex two)


@dataclass(frozen=True)
class OutcomeRow:
    row_2021: str  # key of the 2021 form's row (三(x)y)
    row_2013: str  # key of the 2013 form's answer row
    sub_2013: str | None = None  # ①②③ under 否决公开答复数


DISCLOSED, PARTIAL, REFUSED = "answer:disclosed", "answer:partial", "answer:refused"
NOT_EXIST, NOT_HELD, UNCLEAR = "refused:not_exist", "refused:not_held", "refused:unclear"

OUTCOME_ROWS: dict[str, OutcomeRow] = {
    "disclosed": OutcomeRow("3.1", DISCLOSED),
    "partially_disclosed": OutcomeRow("3.2", PARTIAL),
    "withheld_state_secret": OutcomeRow("3.3.1", REFUSED),
    "withheld_law_prohibits": OutcomeRow("3.3.2", REFUSED),
    "withheld_security_stability": OutcomeRow("3.3.3", REFUSED),
    "withheld_third_party": OutcomeRow("3.3.4", REFUSED),
    "withheld_internal_affairs": OutcomeRow("3.3.5", REFUSED),
    "withheld_deliberative": OutcomeRow("3.3.6", REFUSED),
    "withheld_enforcement_file": OutcomeRow("3.3.7", REFUSED),
    "withheld_inquiry_matter": OutcomeRow("3.3.8", REFUSED),
    "not_held": OutcomeRow("3.4.1", REFUSED, NOT_HELD),
    "not_exist": OutcomeRow("3.4.1", REFUSED, NOT_EXIST),
    "requires_creation": OutcomeRow("3.4.2", REFUSED),
    "unclear": OutcomeRow("3.4.3", REFUSED, UNCLEAR),
    "not_processed_petition": OutcomeRow("3.5.1", REFUSED),
    "not_processed_duplicate": OutcomeRow("3.5.2", REFUSED),
    "not_processed_publication": OutcomeRow("3.5.3", REFUSED),
    "not_processed_excessive": OutcomeRow("3.5.4", REFUSED),
    "not_processed_reconfirm": OutcomeRow("3.5.5", REFUSED),
    "closed_correction_lapsed": OutcomeRow("3.6.1", REFUSED, UNCLEAR),
    "closed_fee_unpaid": OutcomeRow("3.6.2", REFUSED),
    "closed_other": OutcomeRow("3.6.3", REFUSED),
}

# -- the forms' rows, labels exactly as printed (docs/rules.md, Annex two) ---------------------------------

TITLE_2013 = "附表二 依申请公开情况"
HEADER_2013 = ("指标", "单位", "数量")
FORM_2013: list[tuple[str, str]] = [
    ("依申请公开信息目录数", "catalogue"),
    ("申请总数", "received"),
    ("其中,1.当面申请数", "received:in_person"),
    ("2.传真申请数", "received:fax"),
    ("3.电子邮件申请数", "received:email"),
    ("4.网上申请数", "received:online"),
    ("5.信函申请数", "received:letter"),
    ("6.其他形式申请数", "received:other"),
    ("对申请的答复总数", "finished"),
    ("其中:1.同意公开答复数", DISCLOSED),
    ("2.同意部分公开答复数", PARTIAL),
    ("3.否决公开答复数", REFUSED),
    ("其中: ①“信息不存在”数", NOT_EXIST),
    ("②“非本部门掌握”数", NOT_HELD),
    ("③“申请内容不明确”数", UNCLEAR),
]

TITLE_2021 = "三、收到和处理政府信息公开申请情况"
CORNER_NOTE_2021 = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADING = "申请人情况"
ORGANISATIONS_HEADING = "法人或其他组织"
ORGANISATION_COLUMNS = {"other_org": "其他"}
# The applicant types' columns as the form prints them (its last is 其他, under 法人或其他组织).
COLUMNS_2021: list[tuple[str, str]] = [
    *((ORGANISATION_COLUMNS.get(code, name), code) for code, name in APPLICANT_TYPES.items()),
    ("总计", "total"),
]
# A row without a key is a heading without figures of its own.
FORM_2021: list[tuple[str, str | None]] = [
    ("一、本年新收政府信息公开申请数量", "received"),
    ("二、上年结转政府信息公开申请数量", "carried_in"),
    ("三、本年度办理结果", None),
    ("（一）予以公开", "3.1"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.2"),
    ("（三）不予公开", None),
    ("1.属于国家秘密", "3.3.1"),
    ("2.其他法律行政法规禁止公开", "3.3.2"),
    ("3.危及“三安全一稳定”", "3.3.3"),
    ("4.保护第三方合法权益", "3.3.4"),
    ("5.属于三类内部事务信息", "3.3.5"),
    ("6.属于四类过程性信息", "3.3.6"),
    ("7.属于行政执法案卷", "3.3.7"),
    ("8.属于行政查询事项", "3.3.8"),
    ("（四）无法提供", None),
    ("1.本机关不掌握相关政府信息", "3.4.1"),
    ("2.没有现成信息需要另行制作", "3.4.2"),
    ("3.补正后申请内容仍不明确", "3.4.3"),
    ("（五）不予处理", None),
    ("1.信访举报投诉类申请", "3.5.1"),
    ("2.重复申请", "3.5.2"),
    ("3.要求提供公开出版物", "3.5.3"),
    ("4.无正当理由大量反复申请", "3.5.4"),
    ("5.要求行政机关确认或重新出具已获取信息", "3.5.5"),
    ("（六）其他处理", None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "3.6.1"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.6.2"),
    ("3.其他", "3.6.3"),
    ("（七）总计", "finished"),
    ("四、结转下年度继续办理", "carried_out"),
]

TITLE_SECTION_FOUR = "四、政府信息公开行政复议、行政诉讼情况"
REVIEW_HEADING, LITIGATION_HEADING = "行政复议", "行政诉讼"
SECTION_FOUR_GROUPS: list[tuple[str, str]] = [
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
]
SECTION_FOUR_COLUMNS: list[tuple[str, str]] = [
    ("结果维持", "upheld"),
    ("结果纠正", "corrected"),
    ("其他结果", "other"),
    ("尚未审结", "pending"),
    ("总计", "total"),
]

# The six headings of 三 as the outcome chart's categories (row key prefix → label).
OUTCOME_CATEGORIES: list[tuple[str, str]] = [
    ("3.1", "予以公开"),
    ("3.2", "部分公开"),
    ("3.3", "不予公开"),
    ("3.4", "无法提供"),
    ("3.5", "不予处理"),
    ("3.6", "其他处理"),
]


def outcomes_for(key: str) -> list[str]:
    """The outcome codes counted on one row (of either form)."""
    return sorted(
        code for code, row in OUTCOME_ROWS.items() if key in (row.row_2021, row.row_2013, row.sub_2013)
    )
