"""What a citizen does from the private status link (issue 5, points 3 and 6).

The token is the authority: these services check no permission and record events without an
actor (the timeline shows "the complainant"). Each one locks the case row, checks the case is
in a state where the action makes sense, and writes its rows, its event and its mail in one
transaction: a refused request writes nothing.

Staff hear about it by an outbox mail (``OutboxKind.CITIZEN``) that holds only the reference,
what kind of thing happened and the link to the case page. What the citizen wrote stays in
the application: mail is no place for personal data.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from accounts.models import User
from accounts.roles import Role
from complaints.models import (
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    Letter,
    LetterKind,
    OutboxKind,
    Rating,
    ReopenRequest,
    Rung,
    Stage,
    StatusLink,
    SurveyResponse,
    token_hash,
)
from complaints.selectors import complaints_visible_to
from complaints.uploads import CleanFile
from ladder import deadlines

from .errors import CaseError, StaleAction
from .mail import render_mail
from .outbox import outbox_enqueue
from .records import attachment_store
from .status_links import status_link_expired, status_link_issue, status_link_url

log = logging.getLogger(__name__)

# The names of the CITIZEN events (and of the withdraw TRANSITION event), also the keys of
# NOTICES below.
INFORMATION = "information"
WITHDRAW = "withdraw"
REOPEN_REQUEST = "reopen_request"
SURVEY = "survey"
REOPEN_REQUEST_HANDLED = "reopen_request_handled"  # by a coordinator
FORMAL_HANDLING = "formal_handling"  # a rung-1 case escalated at the citizen's request
REOPEN = "accounts.reopen_complaint"

# What the staff mail says happened: (subject, sentence). Nothing the citizen typed.
NOTICES = {
    INFORMATION: (
        gettext_lazy("The complainant added information"),
        gettext_lazy("the complainant added information on the status page."),
    ),
    WITHDRAW: (
        gettext_lazy("The complainant withdrew the complaint"),
        gettext_lazy(
            "the complainant withdrew the complaint on the status page. The case is closed."
        ),
    ),
    FORMAL_HANDLING: (
        gettext_lazy("The complainant wants formal handling"),
        gettext_lazy(
            "the complainant asked on the status page for formal handling of what was logged "
            "at rung 1. The case is now a formal complaint at intake and needs a handler."
        ),
    ),
    REOPEN_REQUEST: (
        gettext_lazy("The complainant says the problem is not solved"),
        gettext_lazy(
            "the case is closed, but the complainant says the problem is not solved and asks "
            "to look at it again. A coordinator decides whether to reopen the case."
        ),
    ),
}
# After these outcomes the ombudsman is the next rung (Awb 9:12 and 9:8 letters name it).
OMBUDSMAN_AFTER = (ClosureReason.RESOLVED, ClosureReason.JUDGED, ClosureReason.NOT_HANDLED)
STAFF_FIELDS = ("id", "email", "full_name", "is_active", "department_id")
MAX_TEXT = 5000  # characters; the forms say the same
LINKS_PER_DAY = 5  # status links per case per 24 hours, the acknowledgement's included


def _lock(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("handler")
        .get(pk=complaint_id)
    )


def _touch(complaint: Complaint) -> None:
    """A staff page open on this case sees it changed (its version check)."""
    complaint.version += 1
    complaint.save(update_fields=["version", "updated_at"])


def _check_length(text: str) -> None:
    """The forms limit the length too; this holds for any other caller."""
    if len(text) > MAX_TEXT:
        raise CaseError(_("Please keep it under %(count)d characters.") % {"count": MAX_TEXT})


def _staff_language() -> str:
    # Staff have no language stored yet: the site's default, as the reminders do.
    return settings.LANGUAGE_CODE


# ---------------------------------------------------------------------------
# A new status link
# ---------------------------------------------------------------------------
@transaction.atomic
def status_link_request(*, reference: str, email: str) -> None:
    """Mail a new status link when a case has this reference and this complainant e-mail
    (case-insensitive) and its link may still work (open, or closed less than
    ``STATUS_LINK_DAYS_AFTER_CLOSURE`` days ago). Otherwise do nothing.

    Returns nothing on purpose: the page answers the same either way, so it cannot be used to
    find out whether a case exists or which address it has. The new link revokes the old
    ones, so a link in an old, forwarded mail stops working. At most ``LINKS_PER_DAY`` links
    per case in 24 hours: beyond that, nothing (the page still says the same).
    """
    reference = "".join(reference.split()).upper()
    email = email.strip()
    if not reference or not email:
        return
    complaint = (
        Complaint.objects.select_for_update()
        .filter(reference=reference, complainant_email__iexact=email)
        .first()
    )
    if complaint is None or status_link_expired(complaint):
        return
    # Whoever knows a reference and its address could otherwise fill the complainant's inbox
    # and revoke each link they just got; the per-address rate limit does not stop a botnet.
    recent = StatusLink.objects.filter(
        complaint=complaint, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    if recent >= LINKS_PER_DAY:
        log.warning("status link for case %s: daily limit reached, none sent", complaint.pk)
        return
    token = status_link_issue(complaint)
    link_id = StatusLink.objects.values_list("pk", flat=True).get(token_hash=token_hash(token))
    subject, body = render_mail(
        "status_link",
        complaint.language,
        {"complaint": complaint, "url": status_link_url(token)},
    )
    outbox_enqueue(
        key=f"status-link:{complaint.reference}:{link_id}",
        kind=OutboxKind.STATUS_LINK,
        to=complaint.complainant_email,
        subject=subject,
        body=body,
        complaint=complaint,
        language=complaint.language,
    )


# ---------------------------------------------------------------------------
# While the case is open
# ---------------------------------------------------------------------------
@transaction.atomic
def citizen_add_information(
    *, complaint_id: int, text: str, files: list[CleanFile] | tuple = ()
) -> CaseEvent:
    """The citizen adds information and files (already checked by ``clean_upload``) to an
    open case. A closed case refuses: "my problem is not solved" is the way back then."""
    complaint = _lock(complaint_id)
    if not complaint.is_open:
        raise CaseError(
            _(
                "Your complaint is closed, so you cannot add information to it any more. "
                "Is your problem not solved? Tell us below under "
                "“My problem is not solved”."
            )
        )
    text = text.strip()
    files = list(files)
    if not text and not files:
        raise CaseError(_("Write what you want to add, or choose a file."))
    _check_length(text)
    if len(files) > settings.PUBLIC_MAX_FILES:
        raise CaseError(
            _("You can add at most %(count)d files at a time.")
            % {"count": settings.PUBLIC_MAX_FILES}
        )
    attachments = [
        attachment_store(complaint, clean, actor=None, by_citizen=True) for clean in files
    ]
    _touch(complaint)
    event = CaseEvent.record(
        complaint,
        actor=None,
        kind=EventKind.CITIZEN,
        name=INFORMATION,
        note=text,
        files=[attachment.original_name for attachment in attachments],
        attachments=[attachment.pk for attachment in attachments],
    )
    staff_notify(complaint, event, INFORMATION, _handler_first(complaint))
    return event


@transaction.atomic
def citizen_withdraw(*, complaint_id: int, reason: str = "") -> Complaint:
    """The citizen withdraws the complaint: the case closes as withdrawn (the FSM move
    ``withdraw``), with a note that says it happened on the status page."""
    complaint = _lock(complaint_id)
    move = complaint.withdraw
    if not complaint.is_open or not can_proceed(move):
        raise CaseError(_("Your complaint is already closed."))
    reason = reason.strip()[:MAX_TEXT]
    # The note is for staff: written in the staff's language, whatever the citizen reads.
    with translation.override(_staff_language()):
        note = _("The complainant withdrew the complaint on the status page.")
        if reason:
            note += "\n" + _("Reason given: %(reason)s") % {"reason": reason}
    from_stage = complaint.stage
    move(note=note)
    complaint.version += 1
    try:
        complaint.save()
    except ConcurrentTransition as error:  # the row lock makes this rare; be safe anyway
        raise StaleAction from error
    event = CaseEvent.record(
        complaint,
        actor=None,
        kind=EventKind.TRANSITION,
        name=WITHDRAW,
        note=note,
        from_stage=from_stage,
        to_stage=complaint.stage,
        by_citizen=True,
    )
    staff_notify(complaint, event, WITHDRAW, _handler_first(complaint))
    return complaint


# ---------------------------------------------------------------------------
# After closure
# ---------------------------------------------------------------------------
def _closed_or_refuse(complaint: Complaint, message: str) -> None:
    if complaint.stage != Stage.CLOSED:
        raise CaseError(message)


@transaction.atomic
def citizen_reopen_request(*, complaint_id: int, reason: str) -> ReopenRequest:
    """ "My problem is not solved": a request to reopen, for the department's coordinators
    (who may reopen a case). One open request per case: a second one while a coordinator has
    not yet looked at the first is refused, so the coordinators get one message."""
    complaint = _lock(complaint_id)
    _closed_or_refuse(
        complaint,
        _(
            "We are still handling your complaint. If something is missing, add it to your "
            "complaint under “Add information”."
        ),
    )
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Tell us what is not solved."))
    _check_length(reason)
    waiting = complaint.reopen_requests.filter(handled_at__isnull=True).first()
    if waiting is not None:
        raise CaseError(
            _(
                "We already received your message of %(day)s. A complaint coordinator "
                "will contact you."
            )
            % {"day": _day(waiting.created_at)}
        )
    request = ReopenRequest.objects.create(complaint=complaint, reason=reason)
    _touch(complaint)
    event = CaseEvent.record(
        complaint,
        actor=None,
        kind=EventKind.CITIZEN,
        name=REOPEN_REQUEST,
        note=reason,
        reopen_request=request.pk,
    )
    staff_notify(complaint, event, REOPEN_REQUEST, coordinators_first(complaint))
    return request


@transaction.atomic
def citizen_survey_answer(
    *, complaint_id: int, rating: int, felt_heard: bool | None, comment: str = ""
) -> SurveyResponse:
    """The short satisfaction survey after closure; a second answer replaces the first."""
    complaint = _lock(complaint_id)
    _closed_or_refuse(
        complaint, _("The survey opens when we have finished handling your complaint.")
    )
    if rating not in Rating.values:
        raise CaseError(_("Choose how satisfied you are, from 1 to 5."))
    comment = comment.strip()
    _check_length(comment)
    response, created = SurveyResponse.objects.update_or_create(
        complaint=complaint,
        defaults={"rating": rating, "felt_heard": felt_heard, "comment": comment},
    )
    _touch(complaint)
    CaseEvent.record(
        complaint,
        actor=None,
        kind=EventKind.CITIZEN,
        name=SURVEY,
        note=comment,
        rating=rating,
        felt_heard=felt_heard,
        replaced=not created,
    )
    return response


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


# ---------------------------------------------------------------------------
# Telling staff
# ---------------------------------------------------------------------------
def _coordinators_of(complaint: Complaint) -> list[User]:
    return list(
        User.objects.filter(
            groups__name=Role.COORDINATOR,
            is_active=True,
            department_id=complaint.department_id,
        )
        .only(*STAFF_FIELDS)
        .distinct()
        .order_by("pk")
    )


def _active_handler(complaint: Complaint) -> list[User]:
    handler = complaint.handler
    return [handler] if handler is not None and handler.is_active else []


def _handler_first(complaint: Complaint) -> list[User]:
    """The handler knows the case; without an (active) one, the coordinators assign it."""
    return _active_handler(complaint) or _coordinators_of(complaint)


def coordinators_first(complaint: Complaint) -> list[User]:
    """Only a coordinator may reopen a case; without one in the department, the handler
    at least hears of it."""
    return _coordinators_of(complaint) or _active_handler(complaint)


def staff_notify(complaint: Complaint, event: CaseEvent, what: str, recipients: list[User]) -> None:
    """One mail per recipient, under a key unique per event and recipient."""
    if not recipients:
        # Nobody to tell by mail; the event is on the timeline and a reopen request on the
        # coordinators' "due" page.
        log.warning("citizen %s on case %s: nobody to notify", what, complaint.pk)
        return
    url = settings.SITE_URL.rstrip("/") + reverse("complaints:case", args=[complaint.reference])
    language = _staff_language()
    with translation.override(language):
        subject_text, sentence = (str(text) for text in NOTICES[what])
    for user in recipients:
        if not user.email:
            continue
        context = {
            "reference": complaint.reference,
            "what": subject_text,
            "sentence": sentence,
            "url": url,
            "recipient_name": user.get_short_name(),
            "organisation": settings.ORGANISATION_NAME,
        }
        subject, body = render_mail("citizen_notice", language, context)
        outbox_enqueue(
            key=f"citizen:{complaint.reference}:{event.pk}:{user.pk}",
            kind=OutboxKind.CITIZEN,
            to=user.email,
            subject=subject,
            body=body,
            complaint=complaint,
            language=language,
        )


def ombudsman_deadline(complaint: Complaint) -> date | None:
    """The last day to go to the ombudsman: one year after our decision (Awb 9:24): the date
    of the outcome letter (or the notice not to handle) as sent, which the letter itself names
    too; the closing date where no such letter was sent (resolved to satisfaction). One query.
    None when the ombudsman is not the next rung: the case is open, ended without a decision
    (forwarded, withdrawn), or was only logged at rung 1 (the ombudsman comes after the formal
    procedure, rung 2)."""
    if (
        complaint.closed_at is None
        or complaint.closure_reason not in OMBUDSMAN_AFTER
        or complaint.rung == Rung.EMPLOYEE
    ):
        return None
    decided = (
        Letter.objects.filter(
            complaint=complaint,
            kind__in=(LetterKind.OUTCOME, LetterKind.NOT_HANDLED),
            finalised_at__isnull=False,
        )
        .order_by("-letter_date")
        .values_list("letter_date", flat=True)
        .first()
    )
    return deadlines.ombudsman_term_end(decided or timezone.localdate(complaint.closed_at))


# ---------------------------------------------------------------------------
# The coordinator's side of a request to reopen
# ---------------------------------------------------------------------------
@transaction.atomic
def reopen_request_handle(*, request_id: int, actor: User) -> ReopenRequest:
    """A coordinator marks a request to reopen as dealt with, whether the case was reopened
    (the ``reopen`` move) or not (the coordinator told the citizen why). It then leaves the
    "due" page. Handling it twice changes nothing."""
    if not actor.has_perm(REOPEN):
        raise PermissionDenied
    complaint_id = ReopenRequest.objects.values_list("complaint_id", flat=True).get(pk=request_id)
    complaint = complaints_visible_to(actor).select_for_update().get(pk=complaint_id)
    request = ReopenRequest.objects.select_for_update().get(pk=request_id)
    if request.handled_at is not None:
        return request
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save(update_fields=["handled_at", "handled_by"])
    _touch(complaint)
    CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.CITIZEN,
        name=REOPEN_REQUEST_HANDLED,
        reopen_request=request.pk,
    )
    return request
