"""Reminders of the ombudsman phase (rung 3): information requests and recommendations.

The same kind of sweep as ``complaints.services.reminders`` (read its docstring: unique keys,
the catch-up rule, safe to run twice and at once), over the rows of the ombudsman phase
instead of the due dates on the case. It runs right after the deadline sweep, in the same
Celery task (``complaints.reminder_sweep``) and in ``manage.py run_sweeps``; it is a function
of its own because these cases are closed, which the deadline sweep (open cases only, on the
partial indexes of the case) rightly never reads.

- **Information requests** of the ombudsman, while not answered: from each configured offset
  of working days before the answer is due (``before-5``, ``before-1``), on the day
  (``on-the-day``) and every day after it (``overdue-<date>``), the latest one only after
  downtime. To whoever may answer the ombudsman (``accounts.liaise_ombudsman``: the
  coordinators) in the case's department; with none there, to the case's handler; with
  neither, skipped and logged. The partial index ``inforequest_open_due`` makes it a range scan.
- **Recommendations** that are open or in progress after their due date: once to their owner
  (``overdue``), who also sees them on the staff home page. A new due date or a new owner gets
  a reminder of its own.

Keys: ``information-request:<reference>:<request id>:<due date>:<suffix>:<recipient id>`` and
``recommendation:<reference>:<id>:<due date>:overdue:<owner id>``; ``Reminder.due_field`` is
``information_request:<id>`` or ``recommendation:<id>``. The mail holds the case reference, the
ombudsman, the due date and a link, never the question, the recommendation or anything about
the complainant.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from accounts.models import User
from complaints.models import (
    Complaint,
    InformationRequest,
    Recommendation,
    RecommendationStatus,
    ReminderKind,
)

from .reminders import (
    USER_FIELDS,
    Rules,
    Store,
    keys_probed,
    latest_reminder,
    load_rules,
    reminders_store,
)

log = logging.getLogger(__name__)

LIAISE_APP, LIAISE_CODENAME = "accounts", "liaise_ombudsman"
OPEN_RECOMMENDATION = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)
CASE_FIELDS = ("id", "reference", "stage", "department", "handler")
PHASE_FIELDS = ("id", "reference", "complaint", "ombudsman", "ombudsman__name")


@dataclass(frozen=True)
class Planned:
    """One reminder that has come due today for one recipient."""

    key: str
    complaint_id: int
    due_field: str
    due_on: date
    kind: str  # ReminderKind
    days: int  # working days to go (before) or calendar days overdue
    recipient: User
    about: str  # "request" or "recommendation"
    object_id: int
    ombudsman: str
    their_reference: str


# ---------------------------------------------------------------------------
# What to read
# ---------------------------------------------------------------------------
def open_requests_near(horizon: date, complaint_id: int | None = None):
    """Unanswered information requests due on or before ``horizon`` (the partial index)."""
    requests = InformationRequest.objects.filter(answered_on__isnull=True, due_on__lte=horizon)
    if complaint_id is not None:
        requests = requests.filter(ombudsman_case__complaint_id=complaint_id)
    return (
        requests.select_related(
            "ombudsman_case", "ombudsman_case__ombudsman", "ombudsman_case__complaint"
        )
        .only(
            "id",
            "due_on",
            "ombudsman_case",
            *(f"ombudsman_case__{name}" for name in PHASE_FIELDS),
            *(f"ombudsman_case__complaint__{name}" for name in CASE_FIELDS),
        )
        .order_by("id")
    )


def overdue_recommendations(today: date, complaint_id: int | None = None):
    """Open recommendations past their due date, with their (active) owner."""
    recommendations = Recommendation.objects.filter(
        status__in=OPEN_RECOMMENDATION, due_on__lt=today, owner__is_active=True
    )
    if complaint_id is not None:
        recommendations = recommendations.filter(ombudsman_case__complaint_id=complaint_id)
    return (
        recommendations.select_related(
            "owner",
            "ombudsman_case",
            "ombudsman_case__ombudsman",
            "ombudsman_case__complaint",
        )
        .only(
            "id",
            "due_on",
            "owner",
            "ombudsman_case",
            *(f"owner__{name}" for name in USER_FIELDS),
            *(f"ombudsman_case__{name}" for name in PHASE_FIELDS),
            *(f"ombudsman_case__complaint__{name}" for name in CASE_FIELDS),
        )
        .order_by("id")
    )


def ombudsman_contacts(department_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active staff who may answer the ombudsman (by role or in person), per department; one
    query for a whole sweep."""
    department_ids = set(department_ids)
    if not department_ids:
        return {}
    holders = User.objects.filter(
        Q(
            groups__permissions__content_type__app_label=LIAISE_APP,
            groups__permissions__codename=LIAISE_CODENAME,
        )
        | Q(
            user_permissions__content_type__app_label=LIAISE_APP,
            user_permissions__codename=LIAISE_CODENAME,
        )
    )
    found: dict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(
        pk__in=holders.values("pk"), is_active=True, department_id__in=department_ids
    ).only(*USER_FIELDS)
    for user in users.order_by("id"):
        found[user.department_id].append(user)
    return found


def handlers_of(complaint_ids: Iterable[int]) -> dict[int, User]:
    """The active handlers of these cases: the fallback when a department has no contact."""
    complaint_ids = set(complaint_ids)
    if not complaint_ids:
        return {}
    cases = (
        Complaint.objects.filter(pk__in=complaint_ids, handler__is_active=True)
        .select_related("handler")
        .only("id", "stage", "handler", *(f"handler__{name}" for name in USER_FIELDS))
    )
    return {case.pk: case.handler for case in cases}


# ---------------------------------------------------------------------------
# Planning (no queries of its own)
# ---------------------------------------------------------------------------
@dataclass
class Recipients:
    contacts: dict[int, list[User]]
    handlers: dict[int, User]

    def for_request(self, case: Complaint) -> list[User]:
        contacts = self.contacts.get(case.department_id)
        if contacts:
            return contacts
        handler = self.handlers.get(case.pk)
        return [handler] if handler else []


def plan(
    requests: Iterable[InformationRequest],
    recommendations: Iterable[Recommendation],
    rules: Rules,
    recipients: Recipients,
    unaddressed: set[str] | None = None,
) -> list[Planned]:
    planned = []
    for request in requests:
        due = latest_reminder(request.due_on, rules)
        if due is None:
            continue
        kind, suffix, days = due
        phase = request.ombudsman_case
        case = phase.complaint
        users = recipients.for_request(case)
        if not users and unaddressed is not None:
            unaddressed.add(case.reference)
        for user in users:
            planned.append(
                Planned(
                    key=(
                        f"information-request:{case.reference}:{request.pk}:"
                        f"{request.due_on.isoformat()}:{suffix}:{user.pk}"
                    ),
                    complaint_id=case.pk,
                    due_field=f"information_request:{request.pk}",
                    due_on=request.due_on,
                    kind=kind,
                    days=days,
                    recipient=user,
                    about="request",
                    object_id=request.pk,
                    ombudsman=phase.ombudsman.name,
                    their_reference=phase.reference,
                )
            )
    for recommendation in recommendations:
        if rules.today <= recommendation.due_on:
            continue
        phase = recommendation.ombudsman_case
        case = phase.complaint
        owner = recommendation.owner
        planned.append(
            Planned(
                key=(
                    f"recommendation:{case.reference}:{recommendation.pk}:"
                    f"{recommendation.due_on.isoformat()}:overdue:{owner.pk}"
                ),
                complaint_id=case.pk,
                due_field=f"recommendation:{recommendation.pk}",
                due_on=recommendation.due_on,
                kind=ReminderKind.OVERDUE,
                days=(rules.today - recommendation.due_on).days,
                recipient=owner,
                about="recommendation",
                object_id=recommendation.pk,
                ombudsman=phase.ombudsman.name,
                their_reference=phase.reference,
            )
        )
    return planned


# ---------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------
def ombudsman_reminder_sweep(*, today: date) -> int:
    """Write every ombudsman-phase reminder that is due on ``today``; return how many.

    Quiet days cost four queries (the rules, the requests, the recommendations); the keys
    already written are checked in one query, and only cases with a missing key get a locked
    transaction of their own."""
    rules = load_rules(today)
    requests = [r for r in open_requests_near(rules.horizon) if latest_reminder(r.due_on, rules)]
    recommendations = list(overdue_recommendations(today))
    if not requests and not recommendations:
        return 0
    cases = {r.ombudsman_case.complaint for r in requests}
    contacts = ombudsman_contacts(case.department_id for case in cases)
    recipients = Recipients(
        contacts=contacts,
        handlers=handlers_of(
            case.pk for case in cases if not contacts.get(case.department_id) and case.handler_id
        ),
    )
    unaddressed: set[str] = set()
    planned = plan(requests, recommendations, rules, recipients, unaddressed)
    if unaddressed:
        log.warning(
            "ombudsman reminders: nobody to tell (no coordinator or handler) for %s",
            ", ".join(sorted(unaddressed)[:20]),
        )
    written = keys_probed(p.key for p in planned)
    missing = sorted({p.complaint_id for p in planned if p.key not in written})
    count = 0
    for complaint_id in missing:
        count += ombudsman_reminders_write(
            complaint_id=complaint_id, rules=rules, recipients=recipients
        )
    if count:
        log.info("ombudsman reminders for %s: %s written", today.isoformat(), count)
    return count


@transaction.atomic
def ombudsman_reminders_write(*, complaint_id: int, rules: Rules, recipients: Recipients) -> int:
    """Lock one case, read its requests and recommendations again, write what is missing.

    The lock serialises concurrent sweeps on this case; the second one finds the first one's
    keys. A request answered since the sweep read it is not read again."""
    case = Complaint.objects.select_for_update(of=("self",)).only(*CASE_FIELDS).get(pk=complaint_id)
    planned = plan(
        open_requests_near(rules.horizon, complaint_id=case.pk),
        overdue_recommendations(rules.today, complaint_id=case.pk),
        rules,
        recipients,
    )
    written = keys_probed(p.key for p in planned)
    missing = list({item.key: item for item in planned if item.key not in written}.values())
    reminders_store([store_item(case=case, item=item) for item in missing])
    return len(missing)


def store_item(*, case: Complaint, item: Planned) -> Store:
    return Store(
        case=case,
        key=item.key,
        recipient=item.recipient,
        due_field=item.due_field,
        due_on=item.due_on,
        kind=item.kind,
        render=partial(reminder_render, case=case, item=item),
    )


def reminder_render(*, case: Complaint, item: Planned, language: str) -> tuple[str, str]:
    """Subject and body in ``language``: reference, ombudsman, due date and link only."""
    if item.about == "recommendation":
        path = reverse("complaints:recommendation", args=[item.object_id])
    else:
        path = reverse("complaints:case", args=[case.reference]) + "#ombudsman"
    with translation.override(language):
        context = {
            "reference": case.reference,
            "about": item.about,
            "kind": item.kind,
            "days": item.days,
            "ombudsman": item.ombudsman,
            "their_reference": item.their_reference,
            "due_text": date_format(item.due_on, "l j F Y"),
            "url": settings.SITE_URL.rstrip("/") + path,
            "recipient_name": item.recipient.get_short_name(),
            "organisation": settings.ORGANISATION_NAME,
        }
        subject = render_to_string("complaints/mail/ombudsman_reminder_subject.txt", context)
        body = render_to_string("complaints/mail/ombudsman_reminder_body.txt", context)
    # At most the outbox's 250 characters: an ombudsman's name may be up to 200 itself.
    return " ".join(subject.split())[:250], body.strip() + "\n"
