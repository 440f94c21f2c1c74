"""Time-based one-time passwords (RFC 6238), as authenticator apps make them: HMAC-SHA-1, 30-second
steps, 6 digits. Thirty lines over the standard library's hmac rather than a dependency; the RFC's own
test vectors check it (tests/domain/test_two_factor.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

STEP = 30  # seconds
DIGITS = 6
WINDOW = 1  # a code of the step before or after is accepted too (clocks drift, people type slowly)
SECRET_BYTES = 20  # 160 bits, the length RFC 4226 recommends for HMAC-SHA-1


def new_secret() -> str:
    """A random secret, in base 32 without padding (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    text = "".join(secret.split()).upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: Callable[..., Any] = hashlib.sha1) -> str:
    """RFC 4226: the counter's HMAC, dynamically truncated to `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(moment: float) -> int:
    """The RFC's T: whole steps since the Unix epoch."""
    return int(moment // STEP)


def code_at(secret: str, moment: float) -> str:
    return hotp(secret_bytes(secret), step_at(moment))


def matching_step(secret: str, code: str, moment: float, *, window: int = WINDOW) -> int | None:
    """The time step (within ±window of `moment`) whose code `code` is, or None. Every step of the window
    is compared, in constant time, whatever matched first."""
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    key = secret_bytes(secret)
    now = step_at(moment)
    found = None
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Google Authenticator's format)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
