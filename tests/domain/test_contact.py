"""The applicant's e-mail address and telephone number (webapp/domain/contact.py): exactly one address, sent
in ASCII, and a real telephone number. Every intake path's use of them is in tests/web/test_contact.py."""

from __future__ import annotations

import pytest

from webapp.domain.contact import ascii_address, check_email, check_phone

BAD_EMAILS = [
    "zhangsan@@example.cn",
    "zhangsan@@example",
    "a@b.cn, d@e.cn",
    "a@b.cn,d@e.cn",
    "a@b.cn;d@e.cn",
    "zhangsan@example.cn\r\nBcc: evil@attacker.example",
    "zhangsan@example.cn\nBcc: evil@attacker.example",
    "张三 <zhangsan@example.cn>",
    "<zhangsan@example.cn>",
    '"zhang san"@example.cn',
    "zhang san@example.cn",
    "zhangsan@example",  # no dot: not a mail domain on the internet
    "zhangsan@[127.0.0.1]",
    "zhangsan@127.0.0.1",
    "zhangsan@example..cn",
    ".zhangsan@example.cn",
    "zhangsan.@example.cn",
    "zhangsan@-example.cn",
    "zhangsan",
    "@example.cn",
    "zhangsan@",
    "zhangsan@exa\u200bmple.cn",  # a zero-width space
    "张三@example.cn",  # a non-ASCII local part needs SMTPUTF8, which the relay does not use
    "a" * 65 + "@example.cn",
]


GOOD_EMAILS = [
    ("zhangsan@example.cn", "zhangsan@example.cn"),
    ("Zhang.San+gk@mail.example.com.cn", "Zhang.San+gk@mail.example.com.cn"),
    ("o'brien@example.cn", "o'brien@example.cn"),
    ("zs@例子.中国", "zs@xn--fsqu00a.xn--fiqs8s"),
    ("zs@北京大学.cn", "zs@xn--1lq90ic7fzpc.cn"),
    ("ｚｓ＠ｅｘａｍｐｌｅ．ｃｎ", "zs@example.cn"),  # full-width, as a Chinese input method types it
]


BAD_PHONES = [
    "abc",
    "139abc00000",
    "12",
    "1" * 21,
    "139-0000-0000 #1",
    "+86 139\n0000",
    "１３９。",
    "12900000000",  # no mobile number begins 12
    "1390000000",  # 10 digits
    "139000000000",  # 12 digits
    "3209609",  # a landline without its area code
    "0436-320960",  # 6 digits after a four-digit area code
    "010-1234567",  # Beijing's numbers have 8 digits
    "+1 415 555 0100",  # not a Chinese number
    "١٣٩٠٠٠٠٠٠٠٠",  # Arabic-Indic digits, which NFKC leaves as they are
]


GOOD_PHONES = [
    "13900000000",
    "010-12345678",
    "+86 (10) 1234-5678",
    "0571-87654321转8001",
    "１３９００００００００",
    "0436-3209609",
    "(0436) 320 9609",
    "021 5555 1234",
    "+86 139 0000 0000",
    "0086 13900000000",
    "139 0000 0000",
]


@pytest.mark.parametrize("address", BAD_EMAILS)
def test_anything_but_one_address_is_refused(address: str):
    _, problem = check_email(address)
    assert problem is not None and "电子邮箱格式不正确" in str(problem)
    assert ascii_address(address) is None


@pytest.mark.parametrize(("address", "sent_as"), GOOD_EMAILS)
def test_one_address_is_accepted_and_sent_in_ascii(address: str, sent_as: str):
    normalised, problem = check_email(address)
    assert problem is None
    assert ascii_address(normalised) == sent_as


@pytest.mark.parametrize("number", BAD_PHONES)
def test_a_telephone_number_is_digits_spaces_plus_hyphens_and_parentheses(number: str):
    assert check_phone(number)[1] is not None


@pytest.mark.parametrize("number", GOOD_PHONES)
def test_telephone_numbers_as_people_write_them(number: str):
    normalised, problem = check_phone(number)
    assert problem is None
    assert normalised.replace("转", "").isascii()
