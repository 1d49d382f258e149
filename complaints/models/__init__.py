from .case import Complaint
from .choices import (
    OPEN_STAGES,
    WRITTEN_CHANNELS,
    Channel,
    ClosureReason,
    ContactPreference,
    HearingWaiver,
    Judgment,
    Language,
    NotHandledGround,
    PartyRole,
    Rung,
    Stage,
)
from .citizen import Rating, ReopenRequest, StatusLink, SurveyResponse, token_hash
from .events import AppendOnly, CaseEvent, EventKind, ReferenceCounter
from .outbox import OutboxKind, OutboxMessage, OutboxStatus, Reminder, ReminderKind
from .records import Attachment, ComplaintPart, ContactMoment, Note, Party
from .reference import Norm, NormGroup, Theme

__all__ = [
    "OPEN_STAGES",
    "WRITTEN_CHANNELS",
    "AppendOnly",
    "Attachment",
    "CaseEvent",
    "Channel",
    "ClosureReason",
    "Complaint",
    "ComplaintPart",
    "ContactMoment",
    "ContactPreference",
    "EventKind",
    "HearingWaiver",
    "Judgment",
    "Language",
    "Norm",
    "NormGroup",
    "NotHandledGround",
    "Note",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Party",
    "PartyRole",
    "Rating",
    "ReferenceCounter",
    "Reminder",
    "ReminderKind",
    "ReopenRequest",
    "Rung",
    "Stage",
    "StatusLink",
    "SurveyResponse",
    "Theme",
    "token_hash",
]
