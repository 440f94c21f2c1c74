"""The templates' names of the codes: {{ status_label(req.status) }} and so on, from the vocabulary
(webapp.domain.states), in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webapp.domain.states import (
    ACTION_LABELS,
    APPLICANT_TYPE_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    EVENT_LABELS,
    ID_KIND_LABELS,
    NOTICE_LABELS,
    OUTCOME_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)
from webapp.i18n import _l

# The State Council's holidays as the calendar names them (webapp.domain.calendar.HOLIDAY_NAMES_ZH), in
# the reader's language; a name an administrator typed is shown as typed.
HOLIDAY_LABELS = {
    "元旦": _l("元旦"),
    "春节": _l("春节"),
    "清明节": _l("清明节"),
    "劳动节": _l("劳动节"),
    "端午节": _l("端午节"),
    "国庆节": _l("国庆节"),
    "中秋节": _l("中秋节"),
    "国庆节、中秋节": _l("国庆节、中秋节"),
    "中秋节、国庆节": _l("中秋节、国庆节"),
    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日": _l(
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"
    ),
}


def label(mapping: Mapping[Any, object], code: str | None) -> str:
    """The label of a code, or the code itself when the mapping does not know it (e.g. a newer event)."""
    if code is None:
        return ""
    return str(mapping.get(code, code))


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
    "holiday_label": HOLIDAY_LABELS,
}
