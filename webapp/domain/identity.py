"""Identity document checks (docs/rules.md §Intake): GB 11643 居民身份证 and GB 32100 统一社会信用代码.

Every identity number is normalised (`normalise_id_number`: NFKC, so full-width and mathematical digits
and letters become ASCII; trimmed; upper case) before it is checked and stored, and its digits must then
be ASCII: a number typed in Arabic-Indic or Devanagari digits (which NFKC leaves as they are, and which
Python's int() and `\\d` would accept) is refused, so every stored number is found by its ASCII
spelling.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from webapp.i18n import _l

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


MAX_ID_NUMBER = 40  # the column's length (NFKC may lengthen a text: ㍿ is 株式会社)
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_TRAVEL_DOCUMENT = re.compile(r"[A-Z0-9()\-]+", re.ASCII)  # passports and other documents' numbers
# 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits, 10 on the older cards;
# 台湾居民来往大陆通行证: 8 digits, 10 (with a letter in parentheses, 1234567890(B)) on the older ones.
_HK_MACAU_PERMIT = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?", re.ASCII)
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}(?:[0-9]{2}(?:\([A-Z]\))?)?", re.ASCII)


def normalise_id_number(number: str) -> str:
    """An identity number as it is checked, stored and searched: NFKC, trimmed, upper case."""
    return unicodedata.normalize("NFKC", number).strip().upper()


def foreign_digit(number: str) -> str | None:
    """The first digit of another script in the number (after normalisation), or None."""
    return next((c for c in number if unicodedata.category(c) == "Nd" and not "0" <= c <= "9"), None)


def resident_id_error(number: str) -> str | None:
    """Why a 居民身份证 number is wrong, or None when it is valid."""
    if not _RESIDENT_ID.fullmatch(number):
        return _l("居民身份证号码应为18位，前17位为数字，最后一位为数字或X")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _l("居民身份证号码中的出生日期无效")
    if resident_id_check_digit(number[:17]) != number[17]:
        return _l("居民身份证号码校验位不正确")
    return None


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why a 统一社会信用代码 is wrong, or None when it is valid."""
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return _l("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）")
    if credit_code_check_char(code[:17]) != code[17]:
        return _l("统一社会信用代码校验位不正确")
    return None


def id_number_error(kind: str, number: str) -> str | None:
    """Why an identity number (normalised by normalise_id_number) is wrong, or None."""
    if not number.strip():
        return _l("证件号码不能为空")
    if len(number) > MAX_ID_NUMBER:
        return _l("不能超过%(limit)s个字符", limit=MAX_ID_NUMBER)
    digit = foreign_digit(number)
    if digit is not None:
        return _l("证件号码须用数字0-9填写（“%(digit)s”是其他文字的数字）", digit=digit)
    if kind == "resident_id":
        return resident_id_error(number)
    if kind == "credit_code":
        return credit_code_error(number)
    if kind == "hk_macau_permit" and not _HK_MACAU_PERMIT.fullmatch(number):
        return _l("港澳居民来往内地通行证号码为H或M加8位数字（旧证10位数字），如 H12345678")
    if kind == "taiwan_permit" and not _TAIWAN_PERMIT.fullmatch(number):
        return _l("台湾居民来往大陆通行证号码为8位数字（旧证10位），如 12345678")
    if kind == "passport" and not _TRAVEL_DOCUMENT.fullmatch(number):
        return _l("证件号码只能包含英文字母、数字、括号和连字符")
    return None


def mask_id_number(number: str | None) -> str | None:
    """An ID number as lists, exports and the applicant's pages show it: 110101********1234 (the region
    and the last four kept); shorter numbers keep less. Where the whole number is needed is
    webapp.authz.sees_full_id_number's decision."""
    if not number:
        return number
    n = len(number)
    if n >= 15:
        head, tail = 6, 4
    elif n >= 8:
        head, tail = 2, 2
    else:
        head, tail = 0, 0
    return number[:head] + "*" * (n - head - tail) + number[n - tail :] if tail else "*" * n
