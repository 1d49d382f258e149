"""The learning loop (DOMAIN.md section 6): a lesson per case, improvement actions, feedback
to the complainants concerned and the reminders of overdue actions.

Every outgoing mail is an outbox row under a unique key, written in the transaction that
caused it (complaints.services.outbox): pressing "inform" twice or running the sweep twice
writes nothing new.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints.models import Complaint, Norm, OutboxKind, OutboxMessage, Stage, Theme
from complaints.selectors import complaints_visible_to
from complaints.services.errors import CaseError
from complaints.services.mail import render_mail
from complaints.services.outbox import outbox_enqueue
from reporting.models import ActionStatus, Cause, ImprovementAction, Lesson
from reporting.models.learning import OPEN_ACTION_STATUSES
from reporting.selectors import actions_visible_to, may_handle, may_work_on_actions

log = logging.getLogger(__name__)

# A lesson is recorded at closing; while judging or resolving it may be written down already.
LESSON_STAGES = (Stage.RESOLVE, Stage.JUDGE, Stage.CLOSED)
# What a person edits on an improvement action, in the order of its form (reporting.forms).
ACTION_FIELDS = (
    "title",
    "description",
    "department",
    "owner",
    "due_on",
    "status",
    "effect",
    "effect_note",
    "effect_checked_on",
)
EFFECT_FIELDS = ("effect", "effect_note", "effect_checked_on")
MAIL_FEEDBACK = "reporting/mail/action_feedback.txt"
MAIL_OVERDUE = "reporting/mail/action_overdue.txt"


class LearningError(CaseError):
    default = _("This is not possible.")


class ActionChanged(LearningError):
    default = _(
        "A colleague changed this improvement action after you opened it, so your changes are "
        "not saved. What you typed is still in the form; the action as it is saved now is shown "
        "above it. Check both and save again."
    )


# ---------------------------------------------------------------------------
# Lessons
# ---------------------------------------------------------------------------
@transaction.atomic
def lesson_record(
    *,
    complaint_id: int,
    actor: User,
    cause: Cause,
    text: str,
    theme: Theme | None = None,
    norms: list[Norm] | None = None,
) -> Lesson:
    """Record (or replace) the lesson of a case: one per case, by who may handle it."""
    if not may_handle(actor):
        raise PermissionDenied
    complaint = complaints_visible_to(actor).select_for_update().get(pk=complaint_id)
    if complaint.stage not in LESSON_STAGES:
        raise LearningError(_("A lesson is recorded when the case is judged, resolved or closed."))
    lesson, _created = Lesson.objects.update_or_create(
        complaint=complaint,
        defaults={"cause": cause, "theme": theme, "text": text.strip(), "recorded_by": actor},
    )
    lesson.norms.set(norms or [])
    return lesson


# ---------------------------------------------------------------------------
# Improvement actions
# ---------------------------------------------------------------------------
def _apply(action: ImprovementAction, fields: dict, *, today: date) -> None:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(action, name, value)
    if action.status != ActionStatus.DONE:
        if action.effect or action.effect_note or action.effect_checked_on:
            raise LearningError(_("The effect can only be checked once the action is done."))
        action.completed_on = None
    elif action.completed_on is None:
        action.completed_on = today


@transaction.atomic
def action_create(
    *, actor: User, fields: dict, complaints: list[Complaint], today: date | None = None
) -> ImprovementAction:
    if not may_work_on_actions(actor):
        raise PermissionDenied
    action = ImprovementAction(created_by=actor)
    _apply(action, fields, today=today or timezone.localdate())
    action.save()
    action.complaints.set(complaints)
    return action


@transaction.atomic
def action_update(
    *,
    action_id: int,
    actor: User,
    fields: dict,
    complaints: list[Complaint],
    today: date | None = None,
    seen: str = "",
) -> ImprovementAction:
    """Change an action; ``completed_on`` is set the first time its status becomes done and
    cleared when it is reopened. ``seen``: the action's last change as the user saw it
    (``action_seen``); changed since (a colleague saved it, or informed the complainants):
    ``ActionChanged``, and nothing is saved."""
    if not may_work_on_actions(actor):
        raise PermissionDenied
    action = actions_visible_to(actor).select_for_update().get(pk=action_id)
    if seen and seen != action_seen(action):
        raise ActionChanged()
    _apply(action, fields, today=today or timezone.localdate())
    action.save()
    action.complaints.set(complaints)
    return action


def action_seen(action: ImprovementAction) -> str:
    """The action's last change, as the edit form carries it."""
    return action.updated_at.isoformat() if action.updated_at else ""


# ---------------------------------------------------------------------------
# Feedback to the complainants concerned
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Informed:
    written: int  # new letters in the outbox
    already: int  # complainants who had this letter already
    without_email: int  # no e-mail address: no letter from here


def feedback_key(action: ImprovementAction, complaint: Complaint) -> str:
    return f"action-feedback:{action.pk}:{complaint.reference}"


@transaction.atomic
def action_complainants_inform(*, action_id: int, actor: User) -> Informed:
    """One mail per linked complaint with an e-mail address, in the complainant's language,
    about what the organisation changed. Idempotent per action and complaint."""
    if not may_work_on_actions(actor):
        raise PermissionDenied
    action = actions_visible_to(actor).select_for_update().get(pk=action_id)
    linked = list(
        action.complaints.only(
            "id", "reference", "stage", "language", "complainant_name", "complainant_email"
        ).order_by("reference")
    )
    with_email = [complaint for complaint in linked if complaint.complainant_email]
    keys = {feedback_key(action, complaint): complaint for complaint in with_email}
    done = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    written = 0
    for key, complaint in keys.items():
        if key in done:
            continue
        subject, body = render_mail(
            MAIL_FEEDBACK,
            complaint.language,
            {
                "reference": complaint.reference,
                "recipient_name": complaint.complainant_name,
                "title": action.title,
                "description": action.description,
                "due_on": action.due_on,
                "completed_on": action.completed_on,
                "organisation": settings.ORGANISATION_NAME,
            },
        )
        outbox_enqueue(
            key=key,
            kind=OutboxKind.OTHER,
            to=complaint.complainant_email,
            subject=subject,
            body=body,
            complaint=complaint,
            language=complaint.language,
        )
        written += 1
    if written:
        action.feedback_sent_at = timezone.now()
        action.save(update_fields=["feedback_sent_at", "updated_at"])
    return Informed(written=written, already=len(done), without_email=len(linked) - len(with_email))


# ---------------------------------------------------------------------------
# Reminders of overdue actions (the sweep)
# ---------------------------------------------------------------------------
def overdue_key(action: ImprovementAction) -> str:
    return f"action-overdue:{action.pk}:{action.due_on.isoformat()}"


def actions_remind(*, today: date) -> int:
    """Write one reminder to the owner of each open action past its due date: once per due
    date (the key holds it), so moving the due date reminds again. Safe to run twice or at
    once: the keys make a second run write nothing. Returns the number written."""
    overdue = list(
        ImprovementAction.objects.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)
        .select_related("owner")
        .only("id", "title", "due_on", "owner__email", "owner__full_name", "owner__is_active")
        .order_by("due_on", "id")
    )
    keys = {overdue_key(action): action for action in overdue}
    done = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    written = 0
    for key, action in keys.items():
        if key in done:
            continue
        if not action.owner.is_active or not action.owner.email:
            log.warning("Improvement action %s is overdue and its owner cannot be told", action.pk)
            continue
        subject, body = _overdue_mail(action, today)
        with transaction.atomic():
            outbox_enqueue(
                key=key,
                kind=OutboxKind.REMINDER,
                to=action.owner.email,
                subject=subject,
                body=body,
                language=settings.LANGUAGE_CODE,
            )
        written += 1
    return written


def _overdue_mail(action: ImprovementAction, today: date) -> tuple[str, str]:
    """Staff have no language stored yet: the site's default. The title and the link only."""
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        due_text = date_format(action.due_on, "j F Y")
    path = reverse("reporting:action", args=[action.pk])
    return render_mail(
        MAIL_OVERDUE,
        language,
        {
            "title": action.title,
            "recipient_name": action.owner.get_short_name(),
            "due_text": due_text,
            "days": (today - action.due_on).days,
            "url": settings.SITE_URL.rstrip("/") + path,
            "organisation": settings.ORGANISATION_NAME,
        },
    )
