"""The pages' forms. WTForms checks only the shape of the input (present, a date, a number, one of the
choices); the domain functions check the rules, and their field errors go back beside the inputs
(`show_domain_errors`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    Form,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from webapp.domain.attachments import ALLOWED, MAX_BYTES, sniff
from webapp.domain.errors import DomainError
from webapp.domain.mail_register import MailDraft
from webapp.domain.requests import MAX_TEXT, Applicant, intake_errors
from webapp.domain.states import (
    APPLICANT_TYPE_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    ID_KIND_LABELS,
)
from webapp.i18n import _l

REQUIRED = _l("必填")
TOO_LONG = _l("不能超过%(max)d个字符")
NOT_A_CHOICE = _l("请从列表中选择")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def required() -> InputRequired:
    return InputRequired(message=REQUIRED)


# No maxlength attribute: a browser would cut a pasted text at the limit without a word; the server
# refuses a text over it with a message beside the field instead.
UNCUT = {"maxlength": False}


def text_field(
    label: Any, limit: int, *, need: bool = False, area: bool = False, counted: bool = False, **kw: Any
) -> Field:
    """A text field checked against `limit` characters on the server; `counted`: the page's script shows
    the characters typed against the limit as the user types (data-limit; static/app.js)."""
    validators: list[Any] = [required()] if need else [Optional()]
    validators.append(Length(max=limit, message=TOO_LONG))
    cls = TextAreaField if area else StringField
    render_kw = {**UNCUT, "data-limit": limit} if counted else UNCUT
    return cls(label, validators, filters=[strip], render_kw=render_kw, **kw)


def date_field(label: Any, *, need: bool = False, **kw: Any) -> DateField:
    return DateField(
        label,
        [required()] if need else [Optional()],
        invalid_value_message=_l("请输入有效日期（年-月-日）"),
        **kw,
    )


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as a select's or radio group's choices."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def choice(label: Any, choices: Iterable[tuple[str, Any]], *, radio: bool = False, **kw: Any) -> Field:
    cls = RadioField if radio else SelectField
    return cls(label, [required()], choices=options(choices), invalid_choice_message=NOT_A_CHOICE, **kw)


class ScanFiles:
    """Each uploaded file is a PDF, PNG, JPEG or TIFF of at most 10 MB (the domain's own check, early, so
    that a bad file refuses the whole form before anything is stored)."""

    def __call__(self, form: Form, field: Field) -> None:
        for upload in field.data or []:
            if not isinstance(upload, FileStorage):
                continue
            head = upload.stream.read(16)
            upload.stream.seek(0, 2)
            size = upload.stream.tell()
            upload.stream.seek(0)
            if size > MAX_BYTES:
                raise ValidationError(
                    _l(
                        "%(name)s：单个文件不能超过%(mb)sMB",
                        name=upload.filename or "",
                        mb=MAX_BYTES // 1024 // 1024,
                    )
                )
            if not head or sniff(head) is None:
                raise ValidationError(
                    _l("%(name)s：只接受%(types)s文件", name=upload.filename or "", types=ALLOWED)
                )


def uploads(form_field: Field) -> list[FileStorage]:
    return [f for f in (form_field.data or []) if isinstance(f, FileStorage) and f.filename]


class PageForm(FlaskForm):
    """A form with room for errors that belong to a group of inputs (e.g. the contact details)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}
        self.summary: str | None = None

    def add_error(self, name: str, message: object) -> None:
        field = self._fields.get(name)
        if field is not None and name != "csrf_token":
            field.errors = [*field.errors, message]
        else:
            self.group_errors.setdefault(name if name in GROUPS else "_form", []).append(str(message))


def show_domain_errors(form: PageForm, exc: DomainError, names: Mapping[str, str] | None = None) -> None:
    """Put a domain error's field messages beside the form's inputs (`names` maps domain field names such
    as "applicant.email" to the form's); the rest go to the form's error summary."""
    names = names or {}
    form.summary = str(exc.message)
    for key, message in exc.fields.items():
        name = names.get(key, key)
        if name in form._fields or name in GROUPS or name.partition(".")[0] in form._fields:
            form.add_error(name, message)
        else:
            form.add_error("_form", message)


GROUPS = frozenset({"contact", "_form"})


# -- the request itself: the citizen's application and the officer's registration --------------------

APPLICANT_FIELD_NAMES = {
    "applicant.type": "applicant_type",
    "applicant.name": "name",
    "applicant.id_kind": "id_kind",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "applicant.address": "address",
    "applicant": "contact",
    "file": "attachments",
}


class ApplicationForm(PageForm):
    form_token = HiddenField()  # single use: one request per submitted form (webapp/web/submissions.py)
    agency = choice(_l("向哪个机关申请"), [])
    applicant_type = choice(
        _l("申请人类型"), APPLICANT_TYPE_LABELS.items(), radio=True, default="natural_person"
    )
    name = text_field(_l("姓名或名称"), 200, need=True, description=_l("法人或其他组织填写单位全称"))
    id_kind = choice(_l("证件类型"), ID_KIND_LABELS.items(), default="resident_id")
    id_number = text_field(
        _l("证件号码"),
        40,
        need=True,
        description=_l("自然人填写所选证件的号码；法人或其他组织填写18位统一社会信用代码。系统会核对校验位"),
    )
    phone = TelField(
        _l("联系电话"), [Optional(), Length(max=40, message=TOO_LONG)], filters=[strip], render_kw=UNCUT
    )
    email = EmailField(
        _l("电子邮箱"), [Optional(), Length(max=254, message=TOO_LONG)], filters=[strip], render_kw=UNCUT
    )
    address = text_field(_l("通信地址"), 500)
    description = text_field(
        _l("所需政府信息的描述"),
        MAX_TEXT,
        need=True,
        area=True,
        counted=True,
        description=_l("写明信息的名称、文号或者便于查询的其他特征性描述"),
    )
    document_number = text_field(_l("文号（如知道）"), 200)
    purpose = text_field(_l("用途（选填）"), MAX_TEXT, area=True)
    delivery = choice(_l("获取信息的方式"), DELIVERY_LABELS.items(), radio=True, default="email")
    attachments = MultipleFileField(
        _l("附件（选填）"),
        [ScanFiles()],
        description=_l("如身份证明；PDF、PNG、JPEG或TIFF格式，每个不超过10MB"),
    )

    def applicant(self) -> Applicant:
        return Applicant(
            type=self.applicant_type.data or "",
            name=self.name.data or "",
            # An organisation's one document is its credit code, whatever the person's list says.
            id_kind=self.id_kind.data if self.applicant_type.data == "natural_person" else "credit_code",
            id_number=self.id_number.data or None,
            phone=self.phone.data or None,
            email=self.email.data or None,
            address=self.address.data or None,
        )

    def submission(self) -> dict[str, Any]:
        """What `submit()` takes from the form, for the citizen's and the officer's forms alike."""
        return {
            "applicant": self.applicant(),
            "description": self.description.data or "",
            "delivery": self.delivery.data or "",
            "document_number": self.document_number.data or None,
            "purpose": self.purpose.data or None,
        }


def add_intake_errors(
    form: ApplicationForm, today: dt.date, *, registered: bool = False, **late: Any
) -> None:
    """The domain's errors of a form WTForms refused, beside the inputs that have none yet: every problem
    is shown at once, not one round at a time."""
    channel = getattr(form, "channel", None)
    received_on = getattr(form, "received_on", None)
    found = intake_errors(
        **form.submission(),
        today=today,
        channel=channel.data if channel is not None else "online",
        received_on=received_on.data if received_on is not None else None,
        registered=registered,
        **late,
    )
    for key, message in found.items():
        name = APPLICANT_FIELD_NAMES.get(key, key)
        field = form._fields.get(name)
        free = not field.errors if field is not None else name in GROUPS and name not in form.group_errors
        if free and name != "csrf_token":
            form.add_error(name, message)


def note_unsaved_files(form: ApplicationForm | CorrectionForm) -> None:
    """A form refused with files chosen (an application, a registration, a correction): nothing was
    stored, and the browser does not choose them again by itself; the applicant is told so beside the
    file input."""
    if uploads(form.attachments) and not form.attachments.errors:
        message = (
            _l("补正未提交成功，所选材料没有保存：请改正上面的问题后重新选择材料")
            if isinstance(form, CorrectionForm)
            else _l("申请未提交成功，所选附件没有保存：请改正上面的问题后重新选择附件")
        )
        form.attachments.errors = [message]


OFFLINE_CHANNELS = [(code, label) for code, label in CHANNEL_LABELS.items() if code != "online"]


class RegistrationForm(ApplicationForm):
    """An officer's registration; filled from a message of the mail review list when it registers one."""

    agency = choice(_l("受理机关"), [])
    channel = choice(_l("申请渠道"), OFFLINE_CHANNELS, default="letter")
    received_on = date_field(
        _l("收到申请之日"),
        need=True,
        description=_l("挂号信为签收之日；传真、电子邮件为双方确认之日；当面申请为提交之日"),
    )
    late_reason = text_field(
        _l("延迟登记的原因"),
        1000,
        area=True,
        description=_l("答复期限已过或只剩3个工作日以内时须填写，记入办理记录"),
    )
    attachments = MultipleFileField(
        _l("扫描件（选填）"),
        [ScanFiles()],
        description=_l("来信、传真或身份证明的扫描件；PDF、PNG、JPEG或TIFF格式，每个不超过10MB"),
    )

    def fill_from_mail(self, drafted: MailDraft) -> None:
        self.agency.data, self.channel.data, self.delivery.data = (
            drafted.inbound.agency.code,
            "email",
            "email",
        )
        self.name.data, self.email.data = drafted.name, drafted.email
        self.description.data, self.received_on.data = drafted.description, drafted.received_on


# -- the citizen's tracking ----------------------------------------------------------------------------


class TrackForm(PageForm):
    tracking_number = text_field(_l("申请编号"), 40, need=True)
    access_code = text_field(_l("查询码"), 40, need=True, description=_l("提交申请时获得的16位查询码"))


class LostCodeForm(PageForm):
    tracking_number = text_field(_l("申请编号"), 40, need=True, description=_l("受理回执上的申请编号"))
    contact = text_field(
        _l("申请时填写的电子邮箱或手机号码（选填）"),
        254,
        description=_l("填写后只发送到这一联系方式；不填则发送到申请时登记的电子邮箱和手机"),
    )


class CorrectionForm(PageForm):
    text = text_field(_l("补正内容"), MAX_TEXT, need=True, area=True)
    attachments = MultipleFileField(
        _l("补充材料（选填）"), [ScanFiles()], description=_l("PDF、PNG、JPEG或TIFF格式，每个不超过10MB")
    )


class WithdrawForm(PageForm):
    reason = text_field(_l("撤回理由（选填）"), MAX_TEXT, area=True)
    confirm = BooleanField(_l("我确认撤回本申请，撤回后不再办理"), [InputRequired(message=REQUIRED)])


# -- the citizen's account ---------------------------------------------------------------------------


class CitizenContactForm(PageForm):
    contact = text_field(
        _l("手机号码或电子邮箱"), 254, need=True, description=_l("我们会向其发送6位验证码，无需设置密码")
    )


class CitizenCodeForm(PageForm):
    code = text_field(_l("验证码"), 12, need=True, description=_l("6位数字，10分钟内有效"))


class NotifyForm(PageForm):
    notify = choice(
        _l("通知方式"),
        [("both", _l("短信和电子邮件")), ("sms", _l("仅短信")), ("email", _l("仅电子邮件"))],
        radio=True,
        default="both",
    )


# -- staff -------------------------------------------------------------------------------------------


class LoginForm(PageForm):
    email = EmailField(_l("电子邮箱"), [required()], filters=[strip])
    password = PasswordField(_l("密码"), [required()])


class QueueFilterForm(Form):
    """The queue's filters and order (GET, nothing changes: no CSRF token); every one kept in the URL."""

    q = StringField(_l("搜索"), [Optional(), Length(max=100)], filters=[strip])
    agency = SelectField(_l("机关"), [Optional()], choices=[])
    status = SelectField(_l("状态"), [Optional()], choices=[])
    channel = SelectField(_l("渠道"), [Optional()], choices=[])
    applicant_type = SelectField(_l("申请人类型"), [Optional()], choices=[])
    assignee = SelectField(_l("经办人"), [Optional()], choices=[])
    due = SelectField(_l("期限"), [Optional()], choices=[])
    received_from = DateField(_l("收到日期自"), [Optional()])
    received_to = DateField(_l("收到日期至"), [Optional()])
    sort = SelectField(_l("排序"), [Optional()], choices=[])
    overdue = BooleanField(_l("只看已逾期"))
    mine = BooleanField(_l("只看指派给我的"))
    cursor = HiddenField()


class BulkForm(PageForm):
    """Several rows of the queue at once: assign, comment or export them."""

    action = SelectField(
        _l("批量操作"),
        [required()],
        choices=options(
            [
                ("assign", _l("指派给")),
                ("comment", _l("添加内部备注")),
                ("export_xlsx", _l("导出所选（Excel）")),
                ("export_csv", _l("导出所选（CSV）")),
            ]
        ),
        invalid_choice_message=NOT_A_CHOICE,
    )
    assignee = SelectField(_l("经办人"), [Optional()], choices=[])
    note = StringField(_l("备注"), [Optional(), Length(max=2000)], filters=[strip])
    back = HiddenField()


class SaveViewForm(PageForm):
    name = StringField(_l("视图名称"), [required(), Length(max=40)], filters=[strip])
    query = HiddenField()


class UploadForm(PageForm):
    attachments = MultipleFileField(
        _l("上传扫描件"), [ScanFiles()], description=_l("PDF、PNG、JPEG或TIFF格式，每个不超过10MB")
    )


# -- what the templates ask of a form --------------------------------------------------------------


def aria(field: Field, *, invalid_only: bool = False, **extra: Any) -> dict[str, Any]:
    """The attributes tying an input to its hint and error (and any extra ones given, unless None)."""
    attrs: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if invalid_only:
        return attrs
    ids = []
    if field.description:
        ids.append(f"{field.id}-hint")
    if field.errors:
        ids.append(f"{field.id}-error")
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return attrs


def form_problems(form: FlaskForm) -> list[tuple[str | None, str]]:
    """Everything wrong with a form, as (the id of the input to jump to, the message)."""
    problems: list[tuple[str | None, str]] = []
    for field in form:
        if field.type == "FieldList":
            problems.extend(_list_problems(field))
        elif not field.errors:
            continue
        elif field.type == "CSRFTokenField":
            problems.append((None, str(_l("页面已过期或表单无效，请刷新页面后重试"))))
        elif field.type != "HiddenField":
            problems.append((field.id, f"{field.label.text}：{field.errors[0]}"))
    for name, messages in getattr(form, "group_errors", {}).items():
        problems.extend((name if name in GROUP_ANCHORS else None, m) for m in messages)
    return problems


GROUP_ANCHORS = frozenset({"contact"})


def _list_problems(field: Field) -> list[tuple[str | None, str]]:
    """A list of rows (e.g. the parts withheld): its own messages under its label, each row's under the
    row's input label — never a dict of the rows' errors."""
    found: list[tuple[str | None, str]] = [
        (field.id, f"{field.label.text}：{e}") for e in field.errors if not isinstance(e, dict | list)
    ]
    for entry in field:
        for sub in getattr(entry, "form", ()):
            if sub.errors and sub.type != "CSRFTokenField":
                found.append((sub.id, f"{sub.label.text}：{sub.errors[0]}"))
    return found
