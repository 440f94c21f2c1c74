"""The applicant's access code (访问码): made once at submission, shown once, stored only hashed.

At the bottom of the house (nothing of the product's imported): `authz` checks a code with it, the
intake makes one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webapp.models import Request

ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
# 16 characters of 32: 32^16 = 2^80 ≈ 1.2 × 10^24 codes. With RATELIMIT_TRACKING's default of 100 wrong
# tries a day per IP (webapp/security.py), one IP tries 36,500 codes a year: a chance of about 3 × 10^-20
# of hitting a given request's code; a million IPs for a year, below 10^-13. Long enough: not lengthened.
ACCESS_CODE_LENGTH = 16  # 80 bits
_TO_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ACCESS_CODE_ALPHABET)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_access_code() -> str:
    # 10 random bytes are exactly 16 base-32 digits, spelled in our alphabet (one letter for one letter)
    raw = base64.b32encode(secrets.token_bytes(ACCESS_CODE_LENGTH * 5 // 8)).decode().translate(_TO_ALPHABET)
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalise_access_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def access_code_matches(req: Request, code: str) -> bool:
    candidate = hash_secret(normalise_access_code(code))
    return hmac.compare_digest(candidate, req.access_code_hash)
