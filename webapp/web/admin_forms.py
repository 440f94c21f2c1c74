"""The administrator's forms (webapp/web/admin.py): agencies, their document settings and limits, users,
tokens and the calendar. Shape only, as every page form (webapp/web/forms.py)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.domain.documents import MAX_BODY
from webapp.domain.holiday_notices import MAX_TEXT as MAX_NOTICE_TEXT
from webapp.domain.states import ROLE_LABELS
from webapp.i18n import _l
from webapp.web.forms import NOT_A_CHOICE, TOO_LONG, PageForm, choice, date_field, required, strip, text_field

# -- administration ----------------------------------------------------------------------------------


class AgencyCreateForm(PageForm):
    code = text_field(
        _l("机关代码"), 32, need=True, description=_l("2至32位大写字母或数字，以字母开头，如CITYHR")
    )
    name = text_field(_l("机关名称"), 200, need=True)


class AgencyNameForm(PageForm):
    name = text_field(_l("机关名称"), 200, need=True)


class AgencyParentForm(PageForm):
    """The people's government the agency reports to (its report rolls up into the government's). The
    choices are every other agency's code; the domain refuses the agency itself and those below it."""

    parent = SelectField(
        _l("上级政府（本级政府）"),
        choices=[],
        validate_choice=False,
        description=_l(
            "本机关的年度报告数据汇总进所选人民政府的年度报告；不选为不属于任何政府（如本级政府本身）"
        ),
    )


class DocumentSettingsForm(PageForm):
    """An agency's official documents: letterhead, seal, contact block, number scheme, own texts."""

    letterhead = text_field(_l("文头（发文机关标志）"), 200, description=_l("不填为机关名称"))
    short_name = text_field(
        _l("发文机关代字"), 50, description=_l("编号中的{short}，如“示人社公开”；不填为机关名称")
    )
    number_scheme = text_field(
        _l("文书编号格式"),
        100,
        description=_l(
            "可用{short}（代字）、{year}（年份）、{seq}（序号，必填）、{kind}（文书类别：受、补、延、征、费、答、结、理、告），默认为{short}〔{year}〕第{seq}号"
        ),
    )
    seal_text = text_field(_l("印章文字（占位）"), 200, description=_l("不填为机关名称"))
    contact_person = text_field(_l("联系人"), 100)
    phone = text_field(_l("联系电话"), 60)
    email = text_field(_l("电子邮箱"), 254)
    address = text_field(_l("通信地址"), 300)
    postal_code = text_field(_l("邮政编码"), 12)
    review_body = text_field(
        _l("行政复议机关"),
        200,
        description=_l("答复书、告知书在救济途径中写明的行政复议机关，如“示范市人民政府”"),
    )
    court = text_field(
        _l("人民法院"),
        200,
        description=_l("答复书、告知书写明的可以提起行政诉讼的人民法院，如“示范市某区人民法院”"),
    )
    fee_payment = text_field(
        _l("信息处理费缴纳方式"),
        500,
        area=True,
        description=_l(
            "缴费通知书写明的缴纳方式，如收款账户（户名、开户银行、账号）、缴费窗口的地址和时间或网上缴费途径；"
            "不填则不能发出缴费通知书"
        ),
    )


class LetterTextForm(PageForm):
    """One of an agency's own letter texts (webapp/web/admin_texts.py), and the request to preview it on."""

    text = text_field(
        _l("本机关的正文"),
        MAX_BODY,
        area=True,
        description=_l("留空则使用系统正文。占位符写在花括号中，如{applicant}；原样显示花括号请写成{{或}}。"),
    )
    tracking_number = text_field(
        _l("预览所用的申请编号"),
        40,
        description=_l("本机关的一件申请：答复书可选办理中的申请，其他文书选已发出过该文书的申请"),
    )


class UploadLimitsForm(PageForm):
    """An agency's caps on what may be uploaded onto one request (webapp/domain/upload_limits.py)."""

    applicant_files = IntegerField(
        _l("申请人最多上传文件数"), [Optional()], invalid_value_message=_l("应为整数")
    )
    applicant_mb = IntegerField(
        _l("申请人上传总大小上限（MB）"), [Optional()], invalid_value_message=_l("应为整数")
    )
    staff_files = IntegerField(
        _l("工作人员最多上传文件数"), [Optional()], invalid_value_message=_l("应为整数")
    )
    staff_mb = IntegerField(
        _l("工作人员上传总大小上限（MB）"), [Optional()], invalid_value_message=_l("应为整数")
    )


class CatalogueCountForm(PageForm):
    year = IntegerField(_l("年度"), [required()], invalid_value_message=_l("应为整数"))
    count = IntegerField(
        _l("依申请公开信息目录数"),
        [required(), NumberRange(min=0, message=_l("应为不小于0的整数"))],
        invalid_value_message=_l("应为整数"),
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserCreateForm(PageForm):
    email = EmailField(_l("电子邮箱"), [required(), Length(max=254, message=TOO_LONG)], filters=[strip])
    name = text_field(_l("姓名"), 100)
    role = choice(_l("角色"), ROLE_LABELS.items(), radio=True, default="officer")
    agencies = MultiCheckboxField(_l("所属机关"), coerce=int, choices=[], invalid_choice_message=NOT_A_CHOICE)
    password = PasswordField(
        _l("初始密码"), [required(), Length(min=8, message=_l("密码至少8位"))], description=_l("至少8位")
    )


class UserEditForm(PageForm):
    """A user's name, role and agencies (webapp/web/admin.py): within the administrator's own."""

    name = text_field(_l("姓名"), 100)
    role = choice(_l("角色"), ROLE_LABELS.items(), radio=True)
    agencies = MultiCheckboxField(_l("所属机关"), coerce=int, choices=[], invalid_choice_message=NOT_A_CHOICE)


class TokenIssueForm(PageForm):
    user = SelectField(_l("用户"), [required()], coerce=int, choices=[], invalid_choice_message=NOT_A_CHOICE)
    label = text_field(_l("用途说明"), 100, description=_l("如：市门户网站对接"))


class CalendarDayForm(PageForm):
    day = date_field(_l("日期"), need=True)
    kind = choice(
        _l("类型"),
        [("holiday", _l("放假（不计为工作日）")), ("workday", _l("调休上班（计为工作日）"))],
        radio=True,
        default="holiday",
    )
    name = text_field(_l("名称"), 100, description=_l("如：春节、国庆节调休"))


class ConfirmYearForm(PageForm):
    note = text_field(_l("说明（选填）"), 200, description=_l("如：国办发明电〔2026〕×号"))


class HolidayNoticeForm(PageForm):
    """The State Council's holiday notice pasted whole (webapp/web/admin_calendar.py)."""

    text = text_field(
        _l("通知全文"),
        MAX_NOTICE_TEXT,
        need=True,
        area=True,
        description=_l("粘贴国务院办公厅关于某年部分节假日安排的通知全文（含“一、元旦：……”各项）"),
    )
    year = IntegerField(
        _l("年度（通知未写明时填写）"),
        [Optional(), NumberRange(min=2005, max=2100, message=_l("应为%(min)s至%(max)s之间的整数"))],
        invalid_value_message=_l("应为整数"),
    )
    apply = BooleanField(_l("确认并保存"), false_values=(False, "false", "", "0"))
