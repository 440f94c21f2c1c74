"""The enquiry log's page (/staff/enquiries, docs/rules.md §Enquiries): an enquiry logged in seconds
(channel, topic, answered or referred), the reception desk's counter (one tap, one enquiry of that channel
today) and a day's paper tally; today's and the year's counts beside them. A page of the staff blueprint
(webapp/web/staff.py), for every staff member of the agency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from wtforms import BooleanField, HiddenField, IntegerField, RadioField
from wtforms.validators import NumberRange, Optional

from webapp.domain import reports
from webapp.domain.dates import reader_date
from webapp.domain.errors import DomainError
from webapp.domain.reports.enquiries import MAX_TALLY, MAX_TOPIC
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency
from webapp.web.auth import staff, staff_required
from webapp.web.common import error_page, now, today
from webapp.web.forms import PageForm, date_field, options, required, show_domain_errors, text_field
from webapp.web.staff import bp

CHANNEL_LABELS = {"online": _l("网上咨询"), "in_person": _l("现场接待"), "phone": _l("咨询电话")}
OUTCOME_LABELS = {"answered": _l("已解答"), "referred": _l("已转办")}


class EnquiryForm(PageForm):
    agency = HiddenField()
    channel = RadioField(
        _l("咨询渠道"), [required()], choices=options(CHANNEL_LABELS.items()), default="in_person"
    )
    topic = text_field(_l("咨询事项"), MAX_TOPIC, description=_l("一句话即可，例如“养老保险关系转移”"))
    outcome = RadioField(
        _l("办理结果"), [required()], choices=options(OUTCOME_LABELS.items()), default="answered"
    )
    service_info = BooleanField(_l("提供了服务类信息（办事指南、办理地点、所需材料等）"))
    on = date_field(_l("咨询日期"), need=True, description=_l("默认今天"))


class TallyForm(PageForm):
    agency = HiddenField()
    channel = RadioField(_l("咨询渠道"), [required()], choices=options(CHANNEL_LABELS.items()))
    # The one-tap buttons send neither: one enquiry, today.
    count = IntegerField(
        _l("人次"),
        [
            Optional(),
            NumberRange(min=1, max=MAX_TALLY, message=_l("应为1至%(max)s之间的整数", max=MAX_TALLY)),
        ],
        invalid_value_message=_l("应为整数"),
    )
    on = date_field(_l("日期"))


def _agency(code: str | None) -> Agency | None:
    """The user's agency of that code (the first of theirs when none is asked for); None when not theirs."""
    agencies = list(staff().agencies)
    if not code:
        return agencies[0] if agencies else None
    return next((a for a in agencies if a.code == code), None)


def enquiries_page(
    agency: Agency, form: EnquiryForm | None = None, tally: TallyForm | None = None, code: int = 200
) -> Any:
    session = db.session()
    day = today()
    if form is None:
        form = EnquiryForm(formdata=None, prefix="enquiry", agency=agency.code, on=day)
    if tally is None:
        tally = TallyForm(formdata=None, prefix="tally", agency=agency.code, on=day)
    return (
        render_template(
            "staff/enquiries.html",
            agency=agency,
            agencies=list(staff().agencies),
            form=form,
            tally=tally,
            channels=CHANNEL_LABELS,
            outcomes=OUTCOME_LABELS,
            today_counts=reports.day_counts(session, agency.id, day),
            year=day.year,
            year_counts=reports.enquiry_summary(session, [agency.id], day.year),
            recent=reports.recent_enquiries(session, [agency.id], limit=15),
        ),
        code,
    )


@bp.get("/enquiries")
@staff_required()
def enquiries() -> Any:
    agency = _agency(request.args.get("agency"))
    if agency is None:
        return error_page(404)
    return enquiries_page(agency)


@bp.post("/enquiries")
@staff_required()
def log_enquiry() -> Any:
    form = EnquiryForm(prefix="enquiry")
    agency = _agency(form.agency.data)
    if agency is None:
        return error_page(404)
    if not form.validate():
        return enquiries_page(agency, form=form, code=422)
    try:
        reports.record_enquiry(
            db.session(),
            agency,
            channel=form.channel.data or "",
            on=form.on.data or today(),
            topic=form.topic.data,
            service_info=bool(form.service_info.data),
            outcome=form.outcome.data or "",
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return enquiries_page(agency, form=form, code=exc.http_status)
    db.session.commit()
    flash(_l("已登记一条%(channel)s。", channel=CHANNEL_LABELS[form.channel.data or "online"]), "success")
    return redirect(url_for(".enquiries", agency=agency.code), code=303)


@bp.post("/enquiries/tally")
@staff_required()
def tally_enquiry() -> Any:
    """The desk's counter: one tap is one enquiry of that channel today; or a day's paper tally."""
    form = TallyForm(prefix="tally")
    agency = _agency(form.agency.data)
    if agency is None:
        return error_page(404)
    if not form.validate():
        return enquiries_page(agency, tally=form, code=422)
    day: dt.date = form.on.data or today()
    try:
        total = reports.tally_enquiries(
            db.session(),
            agency,
            channel=form.channel.data or "",
            on=day,
            count=form.count.data or 1,
            actor=staff(),
            now=now(),
        )
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return enquiries_page(agency, tally=form, code=exc.http_status)
    db.session.commit()
    flash(
        _l(
            "%(channel)s +%(count)s，%(day)s共%(total)s人次。",
            channel=CHANNEL_LABELS[form.channel.data or "online"],
            count=form.count.data,
            day=_l("今天") if day == today() else reader_date(day),
            total=total,
        ),
        "success",
    )
    return redirect(url_for(".enquiries", agency=agency.code) + "#counter", code=303)
