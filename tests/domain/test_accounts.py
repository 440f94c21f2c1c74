"""Staff accounts (webapp/domain/accounts.py): how a login lockout grows. The sign-in pages' use of it is in
tests/web/test_security.py; failed logins at an unknown address in tests/domain/test_login_failures.py."""

from __future__ import annotations

import datetime as dt

from webapp.domain import accounts
from webapp.models import User


def test_the_lockout_grows_with_further_failures():
    user = User(email="x@example", role="officer", failed_logins=0)
    now = dt.datetime(2024, 6, 14, 2, 0, tzinfo=dt.UTC)
    lengths = []
    for _ in range(4 * accounts.LOCK_AFTER):
        until = accounts.login_failed(user, now=now)
        if until is not None:
            lengths.append(until - now)
    minutes = [int(d.total_seconds() // 60) for d in lengths]
    assert minutes == [15, 30, 60, 120]
    for _ in range(40 * accounts.LOCK_AFTER):
        accounts.login_failed(user, now=now)
    assert user.locked_until == now + accounts.LOCK_LONGEST  # never more than a day
    accounts.login_succeeded(user)
    assert user.failed_logins == 0 and accounts.locked_until(user, now=now) is None
