"""The vocabulary (webapp/domain/states.py): one name per code, the same Chinese in documents and e-mails
whatever the reader's language, and one way of writing a day (webapp/domain/dates.py)."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from webapp.domain.dates import china_time, cn_date
from webapp.domain.states import (
    CHANNEL_LABELS,
    CHANNELS,
    NOTICE_KINDS,
    NOTICE_LABELS,
    NOTICES,
    OUTCOME_LABELS,
    OUTCOMES,
    TITLES,
    chinese,
)


def test_each_notice_is_called_by_one_name_in_its_title_and_its_subject() -> None:
    """The fee notice was 收费通知 in its PDF, 信息处理费缴费通知 in its e-mail, 收费通知书 on the pages."""
    for kind in set(NOTICES.values()):
        notice = NOTICE_KINDS[kind]
        name = chinese(notice.label)
        assert name in notice.title and name in notice.mail_subject, kind
        assert TITLES[kind] == notice.title
    assert chinese(NOTICE_LABELS["fee_notice"]) == "信息处理费缴费通知书"
    fee = NOTICE_KINDS["fee_notice"]
    assert fee.mail_subject == TITLES["fee_notice"] == "政府信息公开信息处理费缴费通知书"


def test_what_is_written_down_stays_chinese_for_an_english_reader(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(CHANNEL_LABELS["in_person"]) == "In person"
        assert chinese(CHANNEL_LABELS["in_person"]) == CHANNELS["in_person"] == "当面"
        assert str(OUTCOME_LABELS["not_exist"]) == "Cannot provide: does not exist"
        # the e-mail's 答复结果 and annex two's rows name an outcome without its kind
        assert OUTCOMES["not_exist"] == "信息不存在"
        assert OUTCOMES["closed_other"] == "其他（含申请人撤回）"


def test_one_way_of_writing_a_day() -> None:
    assert cn_date(dt.date(2024, 6, 4)) == cn_date("2024-06-04") == "2024年6月4日"
    assert cn_date(dt.date(2024, 6, 4), english=True) == "2024-06-04"
    assert cn_date(None) == china_time(None) == "—"
    assert china_time(dt.datetime(2024, 6, 3, 16, 5, tzinfo=dt.UTC)) == "2024-06-04 00:05"
