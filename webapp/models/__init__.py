"""The tables, one module per family; importing this package registers them all on Base.metadata."""

from webapp.models.agency import Agency, ApiToken, User, agency_members
from webapp.models.annual import AnnualFigures, Enquiry
from webapp.models.annual_report import AnnualReportPublication, AnnualReportRun, AnnualReportText
from webapp.models.base import Base
from webapp.models.calendar import CalendarOverride, CalendarRevision, CalendarYear
from webapp.models.citizen import Citizen, CitizenClaim, CitizenCode, CitizenToken
from webapp.models.document import Document, DocumentCounter, DocumentSettings
from webapp.models.idempotency import IdempotencyRecord
from webapp.models.info_groups import InformationGroup, InformationGroupEvent, InformationGroupRequest
from webapp.models.mail import AgencyMailbox, InboundEmail
from webapp.models.outbox import OutboxMessage
from webapp.models.public import PublicAnswer
from webapp.models.report import Appeal, ReportSnapshot
from webapp.models.request import Attachment, Event, Request, TrackingCounter
from webapp.models.saved_view import SavedView
from webapp.models.sessions import LoginFailure, PasswordReset, StaffSession, TrackingGrant
from webapp.models.two_factor import RecoveryCode

__all__ = [
    "Agency",
    "AgencyMailbox",
    "AnnualFigures",
    "AnnualReportPublication",
    "AnnualReportRun",
    "AnnualReportText",
    "ApiToken",
    "Appeal",
    "Attachment",
    "Base",
    "CalendarOverride",
    "CalendarRevision",
    "CalendarYear",
    "Citizen",
    "CitizenClaim",
    "CitizenCode",
    "CitizenToken",
    "Document",
    "DocumentCounter",
    "DocumentSettings",
    "Enquiry",
    "Event",
    "IdempotencyRecord",
    "InboundEmail",
    "InformationGroup",
    "InformationGroupEvent",
    "InformationGroupRequest",
    "LoginFailure",
    "OutboxMessage",
    "PasswordReset",
    "PublicAnswer",
    "RecoveryCode",
    "ReportSnapshot",
    "Request",
    "SavedView",
    "StaffSession",
    "TrackingCounter",
    "TrackingGrant",
    "User",
    "agency_members",
]
