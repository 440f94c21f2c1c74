"""The product's first draft of the narrative, in plain official Chinese, from the report's figures
(docs/rules.md §The annual report): 总体情况, the request section and the fees of section 六 (2021), and
the 2013-era report's overview, proactive and request sections. The office edits what it drafts; every
number a draft quotes is one the check (`checks.py`) reads back against the tables."""

from __future__ import annotations

from webapp.domain.reports.annual.facts import CHANNEL_WORDS, OUTCOME_WORDS, Facts
from webapp.domain.reports.annual.layout import (
    FORM_2013,
    OTHER,
    OVERVIEW,
    PLANS,
    PROACTIVE,
    PROBLEMS,
    REQUESTS,
    TOPICS_SHOWN,
)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _list(parts: list[str]) -> str:
    return "、".join(parts)


def _change(facts: Facts) -> str:
    change = facts["received_change"]
    if change > 0:
        return f"，比上年增加{_n(change)}件"
    if change < 0:
        return f"，比上年减少{_n(-change)}件"
    return "，与上年持平"


def _topics(facts: Facts, topics: list[tuple[str, int]]) -> str:
    shown = [f"{name}{_n(facts[f'topic:{name}'])}件" for name, _ in topics[:TOPICS_SHOWN]]
    return f"申请内容主要涉及{_list(shown)}等方面。" if shown else ""


def requests_text(year: int, facts: Facts, topics: list[tuple[str, int]], *, who: str) -> str:
    """The request section: received, by channel, by outcome, year-on-year, on time, topics."""
    if facts["received"] == 0 and facts["carried_in"] == 0:
        return f"{who}{year}年度未收到政府信息公开申请。"
    channels = [
        f"{words}{_n(facts[f'channel:{code}'])}件"
        for code, words in CHANNEL_WORDS
        if facts[f"channel:{code}"]
    ]
    lines = [
        f"{year}年，{who}共收到政府信息公开申请{_n(facts['received'])}件{_change(facts)}；"
        f"上年结转{_n(facts['carried_in'])}件。"
    ]
    if channels:
        lines.append(f"从申请渠道看，{_list(channels)}。")
    outcomes = [
        f"{words}{_n(facts[f'outcome:{prefix}'])}件"
        for prefix, words in OUTCOME_WORDS
        if facts[f"outcome:{prefix}"]
    ]
    finished = f"本年度办结{_n(facts['finished'])}件"
    lines.append(f"{finished}，其中{_list(outcomes)}；" if outcomes else f"{finished}；")
    lines[-1] += f"结转下年度继续办理{_n(facts['carried_out'])}件。"
    if facts["overdue_open"]:  # requests past their due date not answered yet count against the rate
        lines.append(
            f"作出答复的申请中，按期答复{_n(facts['on_time'])}件，逾期答复{_n(facts['late'])}件；"
            f"另有逾期未答复{_n(facts['overdue_open'])}件（尚未答复且已超过答复期限）；"
            f"按期答复率{_n(facts['on_time_rate'])}%（按期答复件数占已答复件数与逾期未答复件数之和的比例）。"
        )
    elif facts["replies"]:
        lines.append(
            f"作出答复的申请中，按期答复{_n(facts['on_time'])}件，逾期答复{_n(facts['late'])}件，"
            f"按期答复率{_n(facts['on_time_rate'])}%。"
        )
    lines.append(_topics(facts, topics))
    return "".join(lines)


def overview_text(year: int, facts: Facts, *, who: str) -> str:
    """总体情况: a summary of each part of the year's work the figures cover."""
    return "".join(
        [
            f"{year}年，{who}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
            "全面推进政府信息公开工作。",
            f"主动公开方面，本年制发规章{_n(facts['regulations_issued'])}件，"
            f"制发行政规范性文件{_n(facts['normative_issued'])}件，"
            f"作出行政许可决定{_n(facts['licensing'])}件、行政处罚决定{_n(facts['penalties'])}件、"
            f"行政强制决定{_n(facts['enforcement'])}件，均按规定予以公开。",
            f"依申请公开方面，全年收到政府信息公开申请{_n(facts['received'])}件{_change(facts)}，"
            f"办结{_n(facts['finished'])}件，按期答复率{_n(facts['on_time_rate'])}%"
            + (f"，另有逾期未答复{_n(facts['overdue_open'])}件。" if facts["overdue_open"] else "。"),
            f"监督保障方面，全年因政府信息公开工作被申请行政复议{_n(facts['reviews'])}件，"
            f"被提起行政诉讼{_n(facts['lawsuits'])}件。",
        ]
    )


def other_text(year: int, facts: Facts) -> str:
    """Section 六: the information processing fees (政府信息公开信息处理费管理办法)."""
    if not facts["fee_notices"] and not facts["fee_paid"]:
        return f"{year}年，本机关未发出信息处理费收费通知，未收取信息处理费。"
    return (
        f"{year}年，本机关依据《政府信息公开信息处理费管理办法》发出收费通知{_n(facts['fee_notices'])}件，"
        f"通知金额{_n(facts['fee_charged'])}元；收到缴费{_n(facts['fee_paid'])}件，"
        f"实际收取{_n(facts['fee_collected'])}元。"
    )


def proactive_text_2013(year: int, facts: Facts) -> str:
    return (
        f"{year}年，本机关主动公开政府信息{_n(facts['proactive_total'])}条，"
        f"其中政务动态信息{_n(facts['proactive_news'])}条，"
        f"其它类信息{_n(facts['proactive_total'] - facts['proactive_news'])}条。"
    )


def overview_text_2013(year: int, facts: Facts, *, who: str) -> str:
    return (
        f"{year}年，{who}认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息"
        f"{_n(facts['proactive_total'])}条，收到政府信息公开申请{_n(facts['received'])}件，"
        f"接受咨询{_n(facts['enquiries'])}人次。"
    )


def drafts(form: str, year: int, facts: Facts, topics: list[tuple[str, int]]) -> dict[str, str]:
    """Every section's first draft, by key (an empty string where the product has nothing to say)."""
    who = "本机关"
    if form == FORM_2013:
        return {
            OVERVIEW: overview_text_2013(year, facts, who=who),
            PROACTIVE: proactive_text_2013(year, facts),
            REQUESTS: requests_text(year, facts, topics, who=who),
            PROBLEMS: "",
            PLANS: "",
        }
    return {
        OVERVIEW: overview_text(year, facts, who=who),
        REQUESTS: requests_text(year, facts, topics, who=who),
        PROBLEMS: "",
        OTHER: other_text(year, facts),
    }
