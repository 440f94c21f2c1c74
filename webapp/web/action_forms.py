"""The staff's forms of the actions on a request (docs/rules.md §Lifecycle), one per action, with the
fields the action declares (webapp/domain/requests/actions/spec.py; tests/domain/test_action_specs.py
checks them field by field). Shape only: the domain checks the rules."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.choices import Choice
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, Select

from webapp.domain.fees import MAX_ITEMS, MAX_PAGES
from webapp.domain.release import MAX_PART, MAX_PARTS, MAX_WHERE
from webapp.domain.requests import MAX_CORRECTION_PERIOD, MAX_REPLY_PERIOD, MAX_TEXT
from webapp.domain.requests.actions.corrections import CORRECTABLE
from webapp.domain.states import (
    APPLICANT_TYPE_LABELS,
    CLOSURE_OUTCOMES,
    ID_KIND_LABELS,
    OUTCOME_LABELS,
    REPLY_OUTCOMES,
    WITHHOLDING_LABELS,
)
from webapp.i18n import _l
from webapp.models import Request
from webapp.web.forms import NOT_A_CHOICE, PageForm, choice, date_field, options, required, text_field


class ActionForm(PageForm):
    """One action of docs/rules.md §Lifecycle; field names are the domain's, so its errors land beside
    them."""

    version = HiddenField()

    def domain_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name in ("csrf_token", "version", "on"):
                continue
            value = field.data
            if isinstance(value, str):
                value = value or None
            elif isinstance(value, Decimal):
                value = float(value)
            out[name] = value
        return out

    def prefill(self, req: Request) -> None:
        """Fill the fresh form from the request where the action corrects what it holds."""

    def version_number(self) -> int | None:
        raw = self.version.data
        return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def on_field() -> DateField:
    return date_field(_l("办理日期"), description=_l("不填为今天"))


def document_text_field() -> Field:
    """The text of the document the action sends (文书正文): empty sends the generated text."""
    return text_field(
        _l("文书正文"),
        20000,
        area=True,
        description=_l("点击“预览文书”生成正文后可以修改；不填则按系统生成的正文发出。发出后不能再修改。"),
    )


def days_field(label: Any) -> IntegerField:
    return IntegerField(
        label,
        [required(), NumberRange(min=1, max=20, message=_l("应为%(min)s至%(max)s之间的整数"))],
        invalid_value_message=_l("应为整数"),
    )


class AcceptForm(ActionForm):
    on = on_field()


def asking_form(name: str, *, asked: Any, asked_about: Any, period: Any) -> type[ActionForm]:
    """The form of an action that asks the applicant for something within a period of working days (补正,
    Art. 30; 说明理由, Art. 35): what is asked, the period (15 by default), the day and the notice's text."""

    class AskingForm(ActionForm):
        items = text_field(asked, MAX_TEXT, need=True, area=True, description=asked_about)
        period_days = IntegerField(
            period,
            [
                required(),
                NumberRange(min=1, max=MAX_CORRECTION_PERIOD, message=_l("应为%(min)s至%(max)s之间的整数")),
            ],
            default=15,
            invalid_value_message=_l("应为整数"),
        )
        on = on_field()
        document_text = document_text_field()

    AskingForm.__name__ = AskingForm.__qualname__ = name
    return AskingForm


RequestCorrectionForm = asking_form(
    "RequestCorrectionForm",
    asked=_l("需要补正的事项"),
    asked_about=_l("一次性写明需要更改、补充的内容"),
    period=_l("补正期限（工作日）"),
)


class ReceiveCorrectionForm(ActionForm):
    text = text_field(_l("补正内容摘要"), MAX_TEXT, area=True)
    on = on_field()


class StartConsultationForm(ActionForm):
    party = text_field(_l("征求意见的对象"), 200, need=True)
    on = on_field()
    document_text = document_text_field()


class EndConsultationForm(ActionForm):
    opinion = RadioField(
        _l("意见（未提出意见的不选）"),
        [Optional()],
        choices=options([("consented", _l("同意公开")), ("objected", _l("不同意公开"))]),
        invalid_choice_message=NOT_A_CHOICE,
    )
    note = text_field(_l("意见摘要（选填）"), MAX_TEXT, area=True)
    on = on_field()


RequestReasonsForm = asking_form(
    "RequestReasonsForm",
    asked=_l("明显超过合理范围的情形"),
    asked_about=_l("申请的数量、频次及要求说明的事项（《条例》第三十五条）"),
    period=_l("说明理由的期限（工作日）"),
)


class ReceiveReasonsForm(ActionForm):
    text = text_field(_l("申请人说明的理由（摘要）"), MAX_TEXT, area=True)
    on = on_field()


class SetReplyPeriodForm(ActionForm):
    reply_days = IntegerField(
        _l("延迟答复的合理期限（工作日）"),
        [required(), NumberRange(min=1, max=MAX_REPLY_PERIOD, message=_l("应为%(min)s至%(max)s之间的整数"))],
        description=_l("自办理日期次日起算，须晚于法定答复期限"),
        invalid_value_message=_l("应为整数"),
    )
    reason = text_field(_l("无法按期答复的原因"), MAX_TEXT, need=True, area=True)
    on = on_field()
    document_text = document_text_field()


class ConsultAgencyForm(ActionForm):
    agency_name = text_field(
        _l("共同制作的行政机关"),
        200,
        need=True,
        description=_l("本机关牵头制作时征求其意见（《条例》第三十四条）"),
    )
    on = on_field()
    document_text = document_text_field()


class NotifyThirdPartyForm(ActionForm):
    content = text_field(_l("决定公开的政府信息内容"), MAX_TEXT, need=True, area=True)
    reason = text_field(
        _l("决定公开的理由"),
        MAX_TEXT,
        need=True,
        area=True,
        description=_l("不公开可能对公共利益造成重大影响的理由（《条例》第三十二条）"),
    )
    on = on_field()


class RequestFeeForm(ActionForm):
    basis = choice(
        _l("计收方式"), [("per_request", _l("按件计收")), ("per_page", _l("按量计收"))], radio=True
    )
    pages = IntegerField(
        _l("页数（按量计收时填写）"),
        [Optional(), NumberRange(min=1, max=MAX_PAGES, message=_l("应为%(min)s至%(max)s之间的整数"))],
        invalid_value_message=_l("应为整数"),
    )
    split_into = IntegerField(
        _l("拆分件数（按件计收时选填）"),
        [Optional(), NumberRange(min=1, max=MAX_ITEMS, message=_l("应为%(min)s至%(max)s之间的整数"))],
        invalid_value_message=_l("应为整数"),
        description=_l("本申请按一事一申请原则拆分计算的件数；不填为1件"),
    )
    amount_yuan = DecimalField(
        _l("收费金额（元，选填）"),
        [Optional(), NumberRange(min=0, message=_l("不能小于0"))],
        places=2,
        invalid_value_message=_l("应为数字"),
        description=_l("不填则按标准计算；只能低于按标准计算的金额，并须写明减免理由"),
    )
    reduction_reason = text_field(_l("减免理由"), MAX_TEXT, area=True)
    on = on_field()
    document_text = document_text_field()


class ReceiveFeeForm(ActionForm):
    amount_yuan = DecimalField(
        _l("缴费金额（元）"), [required()], places=2, invalid_value_message=_l("应为数字")
    )
    receipt_number = text_field(_l("财政票据号码"), 64, need=True)
    on = date_field(_l("缴费日期"), description=_l("不填为今天"))


class ExtendForm(ActionForm):
    days = days_field(_l("延长的工作日数"))
    reason = text_field(_l("延期理由"), MAX_TEXT, need=True, area=True)
    on = on_field()
    document_text = document_text_field()


class ProposeExtensionForm(ExtendForm):
    document_text = None  # a proposal sends nothing; the head's approval sends the extension notice


class DeclineExtensionForm(ActionForm):
    note = text_field(_l("不同意的理由（选填）"), MAX_TEXT, area=True)


class WithheldPartForm(Form):
    """One part withheld in a partial disclosure, and why (docs/rules.md §Released information)."""

    part = text_field(_l("不予公开的内容"), MAX_PART, description=_l("如：第3页职工身份证号码"))
    basis = SelectField(
        _l("理由"),
        choices=options([("", _l("请选择")), *WITHHOLDING_LABELS.items()]),
        validate_choice=False,  # the domain names a wrong one beside the part
    )


class ReplyForm(ActionForm):
    outcome = choice(
        _l("答复结果"), [(code, OUTCOME_LABELS[code]) for code in OUTCOME_LABELS if code in REPLY_OUTCOMES]
    )
    released = SelectMultipleField(
        _l("随答复提供的文件"),
        coerce=int,
        choices=[],
        validate_choice=False,  # the domain checks they are this request's files to release
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("予以公开、部分公开时勾选；先在“待公开的信息”中上传文件或作删除处理"),
    )
    published_where = text_field(
        _l("已主动公开信息的获取途径"),
        MAX_WHERE,
        description=_l("信息已经主动公开的，写明网址或查阅地点"),
    )
    withheld = FieldList(
        FormField(WithheldPartForm), _l("不予公开的内容及理由"), min_entries=3, max_entries=MAX_PARTS
    )
    note = text_field(_l("答复内容摘要"), MAX_TEXT, area=True)
    referred_agency = text_field(
        _l("负责公开该信息的机关（选填）"), 200, description=_l("本机关不掌握但能够确定时填写")
    )
    referred_address = text_field(_l("该机关的地址"), 300)
    referred_phone = text_field(
        _l("该机关的电话"), 60, description=_l("本机关不掌握时，地址和电话至少填一项（第三十六条第（五）项）")
    )
    publish = BooleanField(
        _l("在公开答复库中发布"),
        description=_l("发布申请事项、答复结果和答复书正文，申请人的姓名、证件号码、联系方式和地址一律隐去"),
    )
    public_summary = text_field(
        _l("公开的申请事项（选填）"),
        MAX_TEXT,
        area=True,
        description=_l("不填则发布隐去个人信息后的申请描述"),
    )
    on = on_field()
    document_text = document_text_field()

    def domain_fields(self) -> dict[str, Any]:
        out = super().domain_fields()
        out["released"] = list(self.released.data or []) or None
        kept = [
            (n, e)
            for n, e in enumerate(self.withheld.data)
            if (e.get("part") or "").strip() or e.get("basis")
        ]
        self.part_rows = [n for n, _e in kept]
        parts = [{"part": (e.get("part") or "").strip(), "basis": e.get("basis") or ""} for _n, e in kept]
        out["withheld"] = parts or None
        return out

    def add_error(self, name: str, message: object) -> None:
        """The domain numbers the parts it was given ("withheld.1.basis"): the form skips empty rows, so
        the error goes beside the row the officer filled in."""
        head, _dot, rest = name.partition(".")
        index, _dot, sub = rest.partition(".")
        rows = getattr(self, "part_rows", [])
        if head != "withheld" or not index.isdigit() or int(index) >= len(rows):
            super().add_error(head if head == "withheld" else name, message)
            return
        entry = self.withheld.entries[rows[int(index)]].form
        field = entry[sub] if sub in entry._fields else entry["part"]
        field.errors = [*field.errors, message]


class AssignForm(ActionForm):
    assignee = choice(_l("指派给"), [])


class CommentForm(ActionForm):
    note = text_field(_l("备注"), MAX_TEXT, need=True, area=True, description=_l("仅工作人员可见"))


class CloseForm(ActionForm):
    outcome = choice(
        _l("办结原因"), [(code, OUTCOME_LABELS[code]) for code in OUTCOME_LABELS if code in CLOSURE_OUTCOMES]
    )
    note = text_field(_l("说明（选填）"), MAX_TEXT, area=True)
    on = on_field()
    document_text = document_text_field()


class ChosenNumberField(IntegerField):
    """An action's INTEGER field chosen from a list (`choices`: (value, label) pairs, "" for none) and shown
    as a select; the domain checks the number."""

    widget = Select()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices: list[tuple[str, str]] = []

    def has_groups(self) -> bool:
        return False

    def _iter_choices_normalized(self) -> Iterable[Choice]:
        current = "" if self.data is None else str(self.data)
        for value, label in self.choices:
            yield Choice(value, label, value == current, {})


class HandedForm(ActionForm):
    """The answer or another notice posted or handed over (docs/rules.md §Delivery): which one is chosen
    from the answer and the request's notices that did not reach the applicant (choices set by the page)."""

    notice = ChosenNumberField(_l("送达的文书"), [Optional(), NumberRange(min=1)])


class RecordPostingForm(HandedForm):  # docs/rules.md §Delivery
    carrier = text_field(_l("寄递企业"), 100, need=True, description=_l("如：中国邮政EMS"))
    tracking_code = text_field(_l("运单号"), 100, need=True)
    on = date_field(_l("寄出日期"), description=_l("不填为今天"))


class RecordPickupForm(HandedForm):
    collected_by = text_field(_l("领取人"), 200, need=True, description=_l("领取人姓名；代领的写明代领人"))
    on = date_field(_l("领取日期"), description=_l("不填为今天"))


def optional_choice(label: Any, pairs: Iterable[tuple[str, Any]]) -> SelectField:
    return SelectField(label, [Optional()], choices=options(pairs), invalid_choice_message=NOT_A_CHOICE)


class CorrectApplicantForm(ActionForm):
    """What arrived on paper: the applicant's details, shown as they stand, corrected in place."""

    applicant_type = optional_choice(_l("申请人类型"), APPLICANT_TYPE_LABELS.items())
    applicant_name = text_field(_l("姓名或名称"), 200)
    id_kind = optional_choice(_l("证件类型"), ID_KIND_LABELS.items())
    id_number = text_field(_l("证件号码"), 40)
    phone = text_field(_l("联系电话"), 40)
    email = text_field(_l("电子邮箱"), 254)
    address = text_field(_l("通信地址"), 500)
    note = text_field(_l("更正依据"), MAX_TEXT, area=True, description=_l("如：申请人寄来的纸质申请表"))

    def prefill(self, req: Request) -> None:
        """The details as they stand, to be corrected in place."""
        for name, (column, _key) in CORRECTABLE.items():
            self[name].data = getattr(req, column)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "correct_applicant": CorrectApplicantForm,
    "request_reasons": RequestReasonsForm,
    "receive_reasons": ReceiveReasonsForm,
    "set_reply_period": SetReplyPeriodForm,
    "consult_agency": ConsultAgencyForm,
    "notify_third_party": NotifyThirdPartyForm,
    "accept": AcceptForm,
    "request_correction": RequestCorrectionForm,
    "receive_correction": ReceiveCorrectionForm,
    "start_consultation": StartConsultationForm,
    "end_consultation": EndConsultationForm,
    "request_fee": RequestFeeForm,
    "receive_fee": ReceiveFeeForm,
    "propose_extension": ProposeExtensionForm,
    "extend": ExtendForm,
    "decline_extension": DeclineExtensionForm,
    "reply": ReplyForm,
    "assign": AssignForm,
    "comment": CommentForm,
    "close": CloseForm,
    "record_posting": RecordPostingForm,
    "record_pickup": RecordPickupForm,
}
