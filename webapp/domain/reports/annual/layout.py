"""The whole annual report as printed (docs/rules.md §The annual report): the six sections of the national
format of 2021 (国办公开办函〔2021〕30号), the Art. 20 table of section 二, the items of section 六, and the
2013-era report's three annexes with the seed's labels and units."""

from __future__ import annotations

import datetime as dt

FORM_2013, FORM_2021 = "2013", "2021"

# -- the 2021 national format -------------------------------------------------------------------------

OVERVIEW, PROACTIVE, REQUESTS, APPEALS, PROBLEMS, OTHER = (
    "overview",
    "proactive",
    "requests",
    "appeals",
    "problems",
    "other",
)
SECTIONS_2021: list[tuple[str, str]] = [
    (OVERVIEW, "一、总体情况"),
    (PROACTIVE, "二、主动公开政府信息情况"),
    (REQUESTS, "三、收到和处理政府信息公开申请情况"),
    (APPEALS, "四、政府信息公开行政复议、行政诉讼情况"),
    (PROBLEMS, "五、政府信息公开工作存在的主要问题及改进情况"),
    (OTHER, "六、其他需要报告的事项"),
]

# Section 二: the Art. 20 items as the national form prints them, each block with its article heading, its
# columns and its rows (label, key of the figures' `proactive` object, the figure's keys in column order).
PROACTIVE_BLOCKS: list[dict[str, object]] = [
    {
        "heading": "第二十条第（一）项",
        "columns": ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        "rows": [
            ("规章", "regulations", ("issued", "repealed", "in_force")),
            ("行政规范性文件", "normative_documents", ("issued", "repealed", "in_force")),
        ],
    },
    {
        "heading": "第二十条第（五）项",
        "columns": ["信息内容", "本年处理决定数量"],
        "rows": [("行政许可", "licensing", ("decisions",))],
    },
    {
        "heading": "第二十条第（六）项",
        "columns": ["信息内容", "本年处理决定数量"],
        "rows": [("行政处罚", "penalties", ("decisions",)), ("行政强制", "enforcement", ("decisions",))],
    },
    {
        "heading": "第二十条第（八）项",
        "columns": ["信息内容", "本年收费金额（单位：万元）"],
        "rows": [("行政事业性收费", "fees", ("amount_10k_yuan",))],
    },
]

# Section 六: the information processing fees of the year (政府信息公开信息处理费管理办法).
OTHER_TABLE_TITLE = "信息处理费收取情况"
OTHER_ROWS: list[tuple[str, str, str]] = [
    ("发出收费通知的件数", "件", "notices"),
    ("收费通知的总金额", "元", "charged_yuan"),
    ("缴费件数", "件", "paid"),
    ("实际收取的总金额", "元", "collected_yuan"),
]

# -- the 2013-era report (the seed) --------------------------------------------------------------------

ANNEX_ONE, ANNEX_TWO, ANNEX_THREE = "annex_one", "annex_two", "annex_three"
PLANS = "plans"
SECTIONS_2013: list[tuple[str, str]] = [
    (OVERVIEW, "一、政府公开情况概述"),
    (PROACTIVE, "二、主动公开政府信息情况"),
    (REQUESTS, "三、依申请公开信息情况"),
    (PROBLEMS, "四、工作存在的主要问题"),
    (PLANS, "五、下一步工作打算"),
    (ANNEX_ONE, "附表一 主动公开情况统计"),
    (ANNEX_TWO, "附表二 依申请公开情况"),
    (ANNEX_THREE, "附表三 咨询情况统计"),
]
ANNEX_HEADER = ("指标", "单位", "数量")
# The sections holding text (the others are tables only), per form.
TEXT_KEYS: dict[str, list[str]] = {
    FORM_2021: [OVERVIEW, REQUESTS, PROBLEMS, OTHER],
    FORM_2013: [OVERVIEW, PROACTIVE, REQUESTS, PROBLEMS, PLANS],
}

# -- what the drafts name as the most requested topics: the first topic whose words a description holds

TOPICS: list[tuple[str, tuple[str, ...]]] = [
    ("征收补偿", ("征收", "拆迁", "补偿", "安置")),
    ("规划建设", ("规划", "建设", "用地", "许可证")),
    ("生态环境", ("环境", "环评", "排污", "污染")),
    ("行政执法", ("处罚", "执法", "认定", "检查")),
    ("财政预决算", ("预算", "决算", "财政", "采购")),
    ("社会保障", ("社会保险", "社保", "养老", "医疗", "工伤", "就业")),
    ("教育", ("学校", "招生", "教育")),
]
TOPICS_SHOWN = 3

# -- deadlines (2019 rules Art. 50) ----------------------------------------------------------------------


def publication_deadline(year: int, *, government: bool) -> dt.date:
    """An agency publishes its report on the year by 31 January; a government's office by 31 March."""
    return dt.date(year + 1, 3, 31) if government else dt.date(year + 1, 1, 31)
