"""TOTP against RFC 6238's test vectors, the ±1 step window, replay, and what is stored of the second
factor (the secret encrypted, recovery codes hashed, each used once)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.factories import make_agency, make_user
from webapp.config import Settings
from webapp.domain import totp
from webapp.domain import two_factor as tf
from webapp.domain.errors import ValidationError
from webapp.models import RecoveryCode

SECRET_KEY = "test-secret"

# RFC 6238, Appendix B: the seeds (ASCII) and T0 = 0, X = 30, 8 digits.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("moment", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_test_vectors(moment: int, sha1: str, sha256: str, sha512: str):
    step = totp.step_at(moment)
    for name, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        digest = getattr(hashlib, name)
        assert totp.hotp(SEEDS[name], step, digits=8, digest=digest) == expected


@pytest.mark.parametrize(("moment", "sha1", "sha256", "sha512"), VECTORS)
def test_the_six_digit_code_apps_show_for_the_rfc_seed(moment: int, sha1: str, sha256: str, sha512: str):
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base 32 of the SHA-1 seed, as an app would be given it
    assert totp.secret_bytes(secret) == SEEDS["sha1"]
    assert totp.code_at(secret, moment) == sha1[-6:]
    assert totp.matching_step(secret, sha1[-6:], moment) == totp.step_at(moment)


def test_a_code_of_the_step_before_or_after_is_accepted_and_no_further():
    secret = totp.new_secret()
    moment = 1_700_000_015.0
    now = totp.step_at(moment)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, moment + 30 * offset), moment) == now + offset
    for offset in (-3, -2, 2, 3):
        code = totp.code_at(secret, moment + 30 * offset)
        if code not in {totp.code_at(secret, moment + 30 * k) for k in (-1, 0, 1)}:  # a 10^-6 coincidence
            assert totp.matching_step(secret, code, moment) is None
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦", " 12345"):
        assert totp.matching_step(secret, bad, moment) is None


def test_new_secrets_are_160_random_bits_in_base_32():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert len(totp.secret_bytes(secret)) == 20
        assert secret.isupper() and "=" not in secret


def test_the_provisioning_uri_is_what_authenticator_apps_read():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="admin@hr.example", issuer="政府信息公开申请")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/政府信息公开申请:admin@hr.example"
    query = parse_qs(parts.query)
    assert query == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["政府信息公开申请"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


# -- stored in the database ------------------------------------------------------------------------------


def enrolled_user(session: Any, now: dt.datetime) -> tuple[Any, str, list[str]]:
    user = make_user(session, now, make_agency(session, now), "officer")
    secret = tf.begin_enrolment(session, user, secret_key=SECRET_KEY)
    codes = tf.confirm_enrolment(
        session, user, totp.code_at(secret, now.timestamp()), secret_key=SECRET_KEY, now=now
    )
    return user, secret, codes


def test_the_secret_is_stored_encrypted_and_the_recovery_codes_only_hashed(session: Any, now: dt.datetime):
    user, secret, codes = enrolled_user(session, now)
    assert tf.enrolled(user)
    assert user.totp_secret and secret not in user.totp_secret
    assert tf.stored_secret(user, SECRET_KEY) == secret
    assert tf.stored_secret(user, "another-secret-key") is None  # the database alone does not reveal it
    assert len(codes) == tf.RECOVERY_CODES == len(set(codes))
    stored = [row.code_hash for row in session.query(RecoveryCode).filter_by(user_id=user.id)]
    assert len(stored) == tf.RECOVERY_CODES
    for code in codes:
        assert len(tf.normalise(code)) == tf.RECOVERY_CODE_LENGTH
        assert not any(tf.normalise(code) in h or code in h for h in stored)
        assert hashlib.sha256(tf.normalise(code).encode()).hexdigest() not in stored  # keyed, not plain


def test_a_code_is_accepted_once_and_never_one_of_an_earlier_step(session: Any, now: dt.datetime):
    user, secret, _ = enrolled_user(session, now)
    moment = now.timestamp()
    # the code that confirmed the enrolment is used up
    assert tf.verify(session, user, totp.code_at(secret, moment), secret_key=SECRET_KEY, now=now) is None
    later = now + dt.timedelta(seconds=30)
    code = totp.code_at(secret, later.timestamp())
    assert tf.verify(session, user, code, secret_key=SECRET_KEY, now=later) == "totp"
    assert tf.verify(session, user, code, secret_key=SECRET_KEY, now=later) is None  # replayed
    # nor a code of the step before it, though still inside the window
    even_later = later + dt.timedelta(seconds=30)
    assert tf.verify(session, user, code, secret_key=SECRET_KEY, now=even_later) is None
    assert (
        tf.verify(
            session, user, totp.code_at(secret, even_later.timestamp()), secret_key=SECRET_KEY, now=even_later
        )
        == "totp"
    )


def test_a_recovery_code_opens_once_typed_in_any_case_and_spacing(session: Any, now: dt.datetime):
    user, _, codes = enrolled_user(session, now)
    typed = codes[3].lower().replace("-", " ")
    assert tf.verify(session, user, typed, secret_key=SECRET_KEY, now=now) == "recovery"
    assert tf.verify(session, user, codes[3], secret_key=SECRET_KEY, now=now) is None
    assert tf.remaining_recovery_codes(session, user) == tf.RECOVERY_CODES - 1
    assert tf.verify(session, user, codes[4], secret_key="another-secret-key", now=now) is None


def test_enrolment_needs_a_right_code_of_the_new_secret(session: Any, now: dt.datetime):
    user = make_user(session, now, make_agency(session, now), "officer")
    secret = tf.begin_enrolment(session, user, secret_key=SECRET_KEY)
    assert tf.begin_enrolment(session, user, secret_key=SECRET_KEY) == secret  # a reloaded page: the same
    wrong = "000000" if totp.code_at(secret, now.timestamp()) != "000000" else "111111"
    with pytest.raises(ValidationError) as caught:
        tf.confirm_enrolment(session, user, wrong, secret_key=SECRET_KEY, now=now)
    assert "code" in caught.value.fields
    assert not tf.enrolled(user)


def test_who_must_use_it(session: Any, now: dt.datetime):
    agency, other = make_agency(session, now), make_agency(session, now)
    admin = make_user(session, now, None, "admin")
    agency_admin = make_user(session, now, other, "admin")
    officer = make_user(session, now, agency, "officer")
    head = make_user(session, now, other, "head")
    tf.set_agency_requirement(session, agency, required=True)
    assert [tf.required(u, "admins") for u in (admin, agency_admin, officer, head)] == [
        True,
        True,
        True,
        False,
    ]
    assert all(tf.required(u, "all") for u in (admin, agency_admin, officer, head))
    assert not any(tf.required(u, "off") for u in (admin, agency_admin, officer, head))


def test_the_setting_takes_only_its_three_values(tmp_path: Any):
    assert Settings.from_env({"DATA_DIR": str(tmp_path)}).flask_config()["STAFF_2FA"] == "admins"
    for value in ("admins", "all", "off", " ALL "):
        config = Settings.from_env({"DATA_DIR": str(tmp_path), "STAFF_2FA": value}).flask_config()
        assert config["STAFF_2FA"] == value.strip().lower()
    with pytest.raises(ValueError, match="STAFF_2FA"):
        Settings.from_env({"DATA_DIR": str(tmp_path), "STAFF_2FA": "everyone"})
