"""The beat schedule, in one place, with the tasks' explicit names.

Every task is idempotent and takes no personal data, so a second beat process (or a missed run caught up
later) costs a little work and changes nothing twice. Frequent entries expire: a backlog queued while no
worker ran is dropped rather than run hundreds of times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from celery.schedules import crontab

SWEEP_DEADLINES = "workers.deadlines.sweep"
RELAY_NOTICES = "workers.notices.relay"
RELAY_SMS = "workers.sms.relay"
POLL_MAILBOXES = "workers.mailbox.poll"
SNAPSHOT_REPORTS = "workers.reports.snapshot_last_year"
PURGE_EXPIRED = "workers.housekeeping.purge"
DRAFT_ANNUAL_REPORTS = "workers.annual_reports.draft_last_year"
REMIND_ANNUAL_REPORTS = "workers.annual_reports.remind_unsigned"

TASK_MODULES = [
    "workers.deadlines",
    "workers.notices",
    "workers.sms",
    "workers.mailbox",
    "workers.reports",
    "workers.housekeeping",
    "workers.annual_reports",
]


def every(seconds: float) -> dict[str, Any]:
    return {"schedule": dt.timedelta(seconds=seconds), "options": {"expires": max(2 * seconds, 10.0)}}


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        # due soon / overdue marks, lapsed corrections, unpaid fees, consultation timeouts, daily digest
        "deadline-sweep": {"task": SWEEP_DEADLINES, **every(config["SWEEP_INTERVAL_SECONDS"])},
        # the outbox relay: applicant notices and staff notices by SMTP (or the mail drop)
        "notice-relay": {"task": RELAY_NOTICES, **every(config["NOTICE_RELAY_INTERVAL_SECONDS"])},
        # the SMS relay: applicant notices' SMS forms and citizens' sign-in codes (or the SMS sink)
        "sms-relay": {"task": RELAY_SMS, **every(config["NOTICE_RELAY_INTERVAL_SECONDS"])},
        # the email channel: every agency's request mailbox over IMAP
        "mailbox-poll": {"task": POLL_MAILBOXES, **every(config["MAIL_POLL_INTERVAL_SECONDS"])},
        # last year's annex two, frozen for every agency: every night of January (a no-op once taken)
        "annual-snapshot": {
            "task": SNAPSHOT_REPORTS,
            "schedule": crontab(minute="30", hour="2", month_of_year="1"),
            "options": {"expires": 6 * 3600},
        },
        # last year's whole annual report drafted for every agency: every morning of January, from its
        # first working day (a no-op before it and once the year's run is finished)
        "annual-report-drafts": {
            "task": DRAFT_ANNUAL_REPORTS,
            "schedule": crontab(minute="0", hour="4", month_of_year="1"),
            "options": {"expires": 6 * 3600},
        },
        # heads reminded of unsigned reports as 31 January (31 March for governments) nears
        "annual-report-reminders": {
            "task": REMIND_ANNUAL_REPORTS,
            "schedule": crontab(minute="0", hour="9", month_of_year="1-3"),
            "options": {"expires": 6 * 3600},
        },
        # expired tracking grants, old staff sessions, forgotten failed-login counts: every night
        "housekeeping": {
            "task": PURGE_EXPIRED,
            "schedule": crontab(minute="10", hour="3"),
            "options": {"expires": 6 * 3600},
        },
    }
