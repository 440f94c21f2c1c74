"""Contact details as the product accepts them: one e-mail address, one telephone number.

An e-mail address is exactly one RFC 5322 addr-spec in its dot-atom form, `local@domain`, as people and
mail servers write it, because the relay (workers/notices.py) puts it into a message's To: and the SMTP
envelope: no display name, no comments, no quoted local part, no second address after a comma, no CR/LF
or other white space or control character. The local part is ASCII (atext and dots, at most 64
characters); the domain has at least two labels and may be internationalised (例子.中国 is written as
such and sent as its IDNA form xn--fsqu00a.xn--fiqs8s); the whole at most 254 characters.

A telephone number is a Chinese one (docs/rules.md §Contacts): a mobile number, 11 digits beginning 13 to 19
(139 0000 0000), or a landline with its area code (010-12345678, 0436-3209609: 010 and 02x are followed by
8 digits, the other area codes 0xxx by 7 or 8), optionally written after +86 or 0086 (the landline then
without its leading 0: +86 10 1234 5678), with spaces, hyphens and parentheses anywhere, and optionally an
extension after 转 (0571-87654321转8001).

Both are taken in NFKC form first, so full-width characters typed with a Chinese input method
(１３９…, ｚｓ＠ｅｘａｍｐｌｅ．ｃｎ) become the ASCII ones.
"""

from __future__ import annotations

import re
import unicodedata

from webapp.i18n import _l

MAX_EMAIL_LENGTH = 254
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PHONE = re.compile(r"\+?[0-9 ()\-]+(?:转[0-9]{1,6})?")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0(?:[12][0-9][0-9]{8}|[3-9][0-9]{2}[0-9]{7,8})")


def ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA for an internationalised one), or None when it is not a host name."""
    if not domain or domain.endswith(".") or any(c.isspace() or not c.isprintable() for c in domain):
        return None
    try:
        labels = [label.encode("idna").decode("ascii") for label in domain.split(".")]
    except UnicodeError:
        return None
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():  # an IP address is not a mail domain here
        return None
    result = ".".join(labels)
    return result if len(result) <= 253 else None


def ascii_address(address: str) -> str | None:
    """The address as SMTP wants it (the domain in IDNA), or None when it is not exactly one address."""
    if len(address) > MAX_EMAIL_LENGTH or address.count("@") != 1:
        return None
    local, _, domain = address.partition("@")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return None
    converted = ascii_domain(domain)
    return f"{local}@{converted}" if converted else None


def check_email(value: str) -> tuple[str, object | None]:
    """The address in NFKC form, and why it is refused (a message for the field) or None."""
    address = unicodedata.normalize("NFKC", value).strip()
    return address, email_error(address)


def check_phone(value: str) -> tuple[str, object | None]:
    """The number in NFKC form, and why it is refused or None."""
    number = unicodedata.normalize("NFKC", value).strip()
    return number, phone_error(number)


def email_error(address: str) -> object | None:
    """Why an e-mail address is refused, or None when it is exactly one good address."""
    if len(address) > MAX_EMAIL_LENGTH:
        return _l("不能超过%(limit)s个字符", limit=MAX_EMAIL_LENGTH)
    if ascii_address(address) is None:
        return _l("电子邮箱格式不正确，请只填写一个地址，如 zhangsan@example.cn")
    return None


def national_number(number: str) -> str | None:
    """The number's digits as dialled inside China (without the extension), or None when it is neither a
    mobile number nor a landline with its area code."""
    if not _PHONE.fullmatch(number):
        return None
    main = number.partition("转")[0]
    digits = "".join(c for c in main if "0" <= c <= "9")
    if main.lstrip(" (").startswith("+") or (digits.startswith("0086") and len(digits) > 13):
        if not digits.startswith(("86", "0086")):
            return None
        digits = digits.removeprefix("00").removeprefix("86")
        if not _MOBILE.fullmatch(digits):
            digits = "0" + digits
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def phone_error(number: str) -> object | None:
    """Why a telephone number is refused, or None."""
    if national_number(number) is None:
        return _l("电话号码格式不正确：请填写11位手机号码，或带区号的固定电话，如 13900000000、0436-3209609")
    return None
