"""An agency's texts with {placeholders}: its own letter texts and its document number scheme.

Only the documented names may stand between braces, bare: no format spec (`{applicant:>300000}` would
write a 300,000-character letter), no conversion (`!r`), no attribute or index (`{note.__class__}`), no
positional `{}`; a literal brace is written `{{` or `}}`. The check runs when an administrator saves
(`template_error`), and the rendering (`fill`) never calls str.format: it substitutes the names itself
and answers None for a template it cannot use, so one stored before these rules (or written to the
database by other means) falls back to the default text instead of failing every request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from webapp.i18n import _l

log = logging.getLogger(__name__)

LETTER_FIELDS = (
    "applicant",
    "tracking_number",
    "received_on",
    "due_on",
    "on",
    "description",
    "note",
    "agency",
    "referred_agency",
    "remedy",
    "default",
)
# What each letter field stands for, one line each (the admin's text editor lists them beside the text).
FIELD_MEANINGS = {
    "applicant": _l("申请人姓名或名称"),
    "tracking_number": _l("申请编号"),
    "received_on": _l("收到申请之日，如2026年3月2日"),
    "due_on": _l(
        "答复期限，如2026年3月30日；补正、征求意见、说明理由、缴费告知书发出时期限暂停计算，不可使用"
    ),
    "on": _l("文书日期（办理之日）"),
    "description": _l("申请人所需的信息（超过200字的截取前200字）"),
    "note": _l("经办人办理时填写的说明、理由或补正事项"),
    "agency": _l("本机关名称"),
    "referred_agency": _l("负责公开该信息的机关（答复“本机关不掌握”时填写）"),
    "remedy": _l("救济途径：行政复议和行政诉讼的期限，含本机关设置的复议机关和法院"),
    "default": _l("系统按《条例》生成的正文（不含称呼），可在其前后加写"),
}
NUMBER_FIELDS = ("short", "year", "seq", "kind")


class TemplateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _snippet(text: str) -> str:
    return text if len(text) <= 30 else text[:30] + "…"


def parse(template: str, allowed: Iterable[str]) -> list[tuple[str, str | None]]:
    """The template as (literal text, placeholder name or None) pairs; TemplateError names the first
    thing that is not a bare allowed {name} (or a brace without its pair)."""
    names = tuple(allowed)
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c in "{}" and template.startswith(c * 2, i):  # {{ and }} are literal braces
            literal.append(c)
            i += 2
            continue
        if c == "}":
            raise TemplateError(
                str(
                    _l(
                        "“%(text)s”中的“}”没有对应的“{”（原样显示花括号请写成{{或}}）",
                        text=_snippet(template[max(0, i - 10) : i + 1]),
                    )
                )
            )
        if c == "{":
            end = template.find("}", i + 1)
            inner = template[i + 1 : end] if end >= 0 else template[i + 1 :]
            if end < 0 or "{" in inner:
                raise TemplateError(
                    str(
                        _l(
                            "“%(text)s”中的“{”没有对应的“}”（原样显示花括号请写成{{或}}）",
                            text=_snippet(template[i:]),
                        )
                    )
                )
            if inner not in names:
                raise TemplateError(
                    str(
                        _l(
                            "不能使用占位符%(placeholder)s：只能使用%(allowed)s（不带格式或其他符号）",
                            placeholder=_snippet("{" + inner + "}"),
                            allowed="、".join("{" + name + "}" for name in names),
                        )
                    )
                )
            parts.append(("".join(literal), inner))
            literal = []
            i = end + 1
            continue
        literal.append(c)
        i += 1
    parts.append(("".join(literal), None))
    return parts


def template_error(template: str, allowed: Iterable[str]) -> str | None:
    """Why a template cannot be used (naming the bad placeholder), or None."""
    try:
        parse(template, allowed)
    except TemplateError as exc:
        return exc.message
    return None


def placeholders(template: str, allowed: Iterable[str]) -> set[str]:
    """The names a valid template uses."""
    return {name for _literal, name in parse(template, allowed) if name is not None}


def fill(template: str, values: Mapping[str, object], *, what: str) -> str | None:
    """The template with its placeholders replaced by `values` (its keys are the allowed names), or None
    (with a warning in the log, naming `what`) when the template breaks the rules."""
    try:
        parts = parse(template, values.keys())
    except TemplateError as exc:
        log.warning("unusable template (%s), the default is used instead: %s", what, exc.message)
        return None
    return "".join(literal + ("" if name is None else str(values[name])) for literal, name in parts)
