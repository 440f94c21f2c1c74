"""The SMS relay: sends the outbox's SMS rows (webapp/domain/sms.py), each once, as the e-mail relay does
(workers/notices.py: the same lease, the same retries, the same recorded failures officers see).

Two providers: the file sink (no SMS_PROVIDER, the embedded default: one JSON file per message under
DATA_DIR/smsdrop, like the mail drop) and 阿里云短信服务 (SMS_PROVIDER=aliyun), whose HTTP API — the RPC
style `SendSms` of version 2017-05-25, signed with HMAC-SHA1 — is spoken here directly. A number gets at
most SMS_PER_NUMBER_PER_HOUR messages an hour: later ones wait for the next hour, none is dropped.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from celery import shared_task
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.domain.citizens import notify_choice
from webapp.domain.sms import SMS_KIND, Sms, compose_sms
from webapp.files import write_private
from webapp.models import OutboxMessage
from workers.notices import (
    PermanentFailure,
    RelayResult,
    RelaySettings,
    _finish,
    _give_up,
    _retry_or_fail,
    claim_next,
    utcnow,
)
from workers.schedule import RELAY_SMS

log = logging.getLogger(__name__)


class SmsTransport(Protocol):
    name: str

    def send(self, sms: Sms, key: str) -> None: ...


class SmsDropTransport:
    """No provider configured: each SMS becomes a file named by its delivery key."""

    name = "smsdrop"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, sms: Sms, key: str) -> None:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".json"
        body = {"to": sms.to, "template": sms.template, "params": sms.params, "text": sms.text}
        write_private(self.directory / name, json.dumps(body, ensure_ascii=False).encode(), atomic=True)


# 阿里云短信服务's answers that no retry will change: a bad number, template, signature or account state.
ALIYUN_PERMANENT = re.compile(
    r"isv\.(MOBILE_NUMBER_ILLEGAL|MOBILE_COUNT_OVER_LIMIT|TEMPLATE_MISSING_PARAMETERS|INVALID_PARAMETERS|"
    r"SMS_TEMPLATE_ILLEGAL|SMS_SIGNATURE_ILLEGAL|SMS_SIGN_ILLEGAL|INVALID_JSON_PARAM|BLACK_KEY_CONTROL_LIMIT|"
    r"PARAM_LENGTH_LIMIT|PARAM_NOT_SUPPORT_URL|ACCOUNT_NOT_EXISTS|ACCOUNT_ABNORMAL|OUT_OF_SERVICE)"
    r"|InvalidAccessKeyId\..*|SignatureDoesNotMatch|Forbidden\..*"
)


def percent(value: str) -> str:
    """The API's URL encoding: RFC 3986 unreserved characters kept, everything else %XX (space %20)."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """HMAC-SHA1 over METHOD&%2F&<the sorted, encoded query>, keyed with the secret and "&"."""
    query = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent('/')}&{percent(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class AliyunTransport:
    endpoint: str
    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: dict[str, str]  # our template name -> the provider's approved template code
    timeout: float = 10.0
    clock: Callable[[], dt.datetime] = utcnow
    name: str = "aliyun"

    def send(self, sms: Sms, key: str) -> None:
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": key[:64],
            "PhoneNumbers": sms.to,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "TemplateCode": self.templates[sms.template],
            "TemplateParam": json.dumps(sms.params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.access_key_secret)
        body = "&".join(f"{percent(k)}={percent(v)}" for k, v in params.items()).encode()
        request = urllib.request.Request(  # noqa: S310 — the configured https endpoint
            self.endpoint,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:  # the API answers errors with a JSON body too
            try:
                answer = json.loads(exc.read() or b"{}")
            except ValueError:
                raise OSError(f"HTTP {exc.code}") from exc
            if exc.code >= 500 and not answer.get("Code"):
                raise OSError(f"HTTP {exc.code}") from exc
        code = str(answer.get("Code", ""))
        if code == "OK":
            return
        error = f"{code}: {answer.get('Message', '')}".strip()
        if ALIYUN_PERMANENT.fullmatch(code):
            raise PermanentFailure(error)
        raise OSError(error)  # throttling (isv.BUSINESS_LIMIT_CONTROL), the service's own trouble: retried


def sms_transport_from_config(config: dict[str, Any]) -> SmsTransport:
    if config.get("SMS_PROVIDER") == "aliyun":
        return AliyunTransport(
            endpoint=config["SMS_ENDPOINT"],
            access_key_id=config["SMS_ACCESS_KEY_ID"],
            access_key_secret=config["SMS_ACCESS_KEY_SECRET"],
            sign_name=config["SMS_SIGN_NAME"],
            templates={
                "notice": config["SMS_TEMPLATE_NOTICE"],
                "code": config["SMS_TEMPLATE_CODE"],
                "access_code": config["SMS_TEMPLATE_ACCESS_CODE"],
            },
            timeout=float(config.get("SMS_TIMEOUT") or 10),
        )
    return SmsDropTransport(Path(config["DATA_DIR"]) / "smsdrop")


def _sent_to_number_last_hour(session: Session, to: str, now: dt.datetime) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.kind == SMS_KIND,
                OutboxMessage.delivered_via.is_not(None),
                OutboxMessage.delivered_via != "none",
                OutboxMessage.sent_at > now - dt.timedelta(hours=1),
                OutboxMessage.payload["to"].as_string() == to,
            )
        ).scalar_one()
    )


def deliver_sms(
    session: Session,
    transport: SmsTransport,
    outbox_id: int,
    settings: RelaySettings,
    *,
    base_url: str,
    per_hour: int,
    clock: Callable[[], dt.datetime] = utcnow,
) -> str:
    """Send one claimed SMS row; returns sent | retrying | failed."""
    msg = session.get(OutboxMessage, outbox_id)
    if msg is None:
        return "failed"
    key, attempts = msg.delivery_key, msg.attempts
    try:
        notify = notify_choice(session, msg.request) if msg.request is not None else "both"
        sms = compose_sms(msg, base_url=base_url, notify=notify)
    except Exception as exc:  # a notice that cannot be written: retried, then failed and shown
        log.exception("sms %s could not be composed", key)
        return _retry_or_fail(
            session, outbox_id, attempts, f"无法生成短信：{type(exc).__name__}", settings, clock()
        )
    if not sms.to:  # no mobile number, or the applicant chose e-mail only
        _finish(session, outbox_id, sent_at=clock(), delivered_via="none", last_error=None)
        return "sent"
    now = clock()
    if _sent_to_number_last_hour(session, sms.to, now) >= per_hour:
        # not an attempt: the row waits for the hour to pass, its attempts unchanged
        _finish(session, outbox_id, attempts=attempts - 1, next_attempt_at=now + dt.timedelta(minutes=10))
        return "retrying"
    # the number is kept with the row (the per-number count reads it); a sign-in or access code is not
    payload = {k: v for k, v in msg.payload.items() if k != "code"} | {"to": sms.to}
    session.commit()  # no transaction stays open while the provider answers
    try:
        transport.send(sms, key)
    except PermanentFailure as exc:
        _finish(session, outbox_id, payload=payload)
        _give_up(session, outbox_id, str(exc), clock())
        return "failed"
    except Exception as exc:
        log.warning("sms %s not sent (attempt %s): %s", key, attempts, type(exc).__name__)
        return _retry_or_fail(session, outbox_id, attempts, f"{type(exc).__name__}: {exc}", settings, clock())
    _finish(
        session, outbox_id, sent_at=clock(), delivered_via=transport.name, last_error=None, payload=payload
    )
    log.info("sms %s sent via %s", key, transport.name)
    return "sent"


def relay_sms_rows(
    session: Session,
    transport: SmsTransport,
    settings: RelaySettings,
    *,
    base_url: str,
    per_hour: int,
    clock: Callable[[], dt.datetime] = utcnow,
    max_messages: int = 200,
) -> RelayResult:
    result = RelayResult()
    while result.handled < max_messages:
        outbox_id = claim_next(session, now=clock(), lease=settings.lease, sms=True)
        if outbox_id is None:
            break
        outcome = deliver_sms(
            session, transport, outbox_id, settings, base_url=base_url, per_hour=per_hour, clock=clock
        )
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


@shared_task(name=RELAY_SMS)
def relay_sms() -> dict[str, int]:
    from webapp.extensions import db

    config = current_app.config
    result = relay_sms_rows(
        db.session(),
        sms_transport_from_config(config),
        RelaySettings.from_config(config),
        base_url=config["PUBLIC_URL"],
        per_hour=int(config["SMS_PER_NUMBER_PER_HOUR"]),
    )
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
