"""Rung 3: the ombudsman phase of a closed case (DOMAIN.md section 2).

A coordinator, the organisation's contact for the ombudsman (``accounts.liaise_ombudsman``),
records that an ombudsman took up a closed rung-2 case (a rung change 2 -> 3), then what
follows: the ombudsman's information requests (each with a deadline the reminder sweep
watches, ``complaints.services.ombudsman_reminders``), their outcome, their judgment per norm,
their recommendations, and the organisation's response. The owner of a recommendation, any
member of staff, records its follow-up too.

Every write locks the case row and records one timeline event, in one transaction: a refused
request writes nothing at all. A save that replaces a record (the outcome, the response, the
follow-up of a recommendation) names the record as its form showed it (``seen``): when a
colleague saved it since, it is refused (``ReplacedMeanwhile``), not replaced unseen. The case
is closed during this phase, so none of the Awb 9:11 machinery (version check, due dates)
applies; the ombudsman's deadlines are rows of their own.
"""

import hashlib
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.models import (
    CaseEvent,
    Complaint,
    EventKind,
    InformationRequest,
    Judgment,
    Norm,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanFinding,
    OmbudsmanOutcome,
    Recommendation,
    RecommendationStatus,
    Rung,
    Stage,
)
from complaints.selectors import complaints_visible_to

from .errors import CaseError, ReplacedMeanwhile

LIAISE = "accounts.liaise_ombudsman"

# The names of the timeline events (CaseEvent.name).
REFERRED = "referred_to_ombudsman"  # kind RUNG, 2 -> 3
REQUEST_ADDED = "information_request"
REQUEST_ANSWERED = "information_answered"
OUTCOME = "ombudsman_outcome"
FINDING = "ombudsman_finding"
RECOMMENDATION_ADDED = "recommendation"
RECOMMENDATION_UPDATED = "recommendation_follow_up"
RESPONSE = "ombudsman_response"


# ---------------------------------------------------------------------------
# Locks and checks
# ---------------------------------------------------------------------------
def _lock(complaint_id: int, actor: User) -> Complaint:
    """The case row, locked, for a coordinator who may see it."""
    if not actor.has_perm(LIAISE):
        raise PermissionDenied
    return complaints_visible_to(actor).select_for_update(of=("self",)).get(pk=complaint_id)


def _phase(complaint: Complaint) -> OmbudsmanCase:
    phase = OmbudsmanCase.objects.select_related("ombudsman").filter(complaint=complaint).first()
    if phase is None:
        raise CaseError(_("No ombudsman has taken up this case. Record that first."))
    return phase


def _lock_phase(complaint_id: int, actor: User) -> tuple[Complaint, OmbudsmanCase]:
    """The locked case row and its ombudsman phase, for a coordinator."""
    complaint = _lock(complaint_id, actor)
    return complaint, _phase(complaint)


def _record(complaint: Complaint, *, actor: User, name: str, note: str, **data) -> None:
    """Bump the case's version and record one ombudsman event on its timeline."""
    complaint.version += 1
    complaint.save(update_fields=["version", "updated_at"])
    CaseEvent.record(complaint, actor=actor, kind=EventKind.OMBUDSMAN, name=name, note=note, **data)


def _not_before_phase(day: date, phase: OmbudsmanCase, message: str) -> None:
    if day < phase.taken_up_on:
        raise CaseError(message)


def _not_in_the_future(day: date, message: str) -> None:
    if day > timezone.localdate():
        raise CaseError(message)


def record_seen(*values) -> str:
    """What a form saw of the record its save replaces (a digest of the record's values):
    the form carries it, and the save is refused when the record has changed since
    (``_unchanged_since``). Empty means "not checked" (a form opened before this existed)."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def outcome_seen(phase: OmbudsmanCase) -> str:
    return record_seen(phase.outcome, phase.outcome_on, phase.outcome_summary)


def response_seen(phase: OmbudsmanCase) -> str:
    return record_seen(phase.response, phase.response_on)


def follow_up_seen(recommendation: Recommendation) -> str:
    return record_seen(recommendation.status, recommendation.follow_up)


def _unchanged_since(seen: str, now: str) -> None:
    """A save over a colleague's later save is refused (last write wins would replace their
    record unseen); the error carries what the form must carry to replace it deliberately."""
    if seen and seen != now:
        raise ReplacedMeanwhile(now)


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(message)
    return text


def ombudsman_start_refusal(complaint: Complaint) -> str | None:
    """Why an ombudsman phase cannot be recorded on this case, or None when it can."""
    if complaint.rung == Rung.OMBUDSMAN:
        return _("An ombudsman has already taken up this case.")
    if complaint.rung == Rung.EMPLOYEE:
        return _(
            "This case is at rung 1: it was never handled as a formal complaint. The "
            "ombudsman takes up a complaint only after the organisation handled it (rung 2)."
        )
    if complaint.stage != Stage.CLOSED:
        return _(
            "The case is still open. The ombudsman takes up a complaint after our own "
            "handling: close the case first."
        )
    return None


# ---------------------------------------------------------------------------
# The start of the phase: rung 2 -> 3
# ---------------------------------------------------------------------------
@transaction.atomic
def ombudsman_phase_start(
    *,
    complaint_id: int,
    actor: User,
    ombudsman: Ombudsman,
    reference: str,
    taken_up_on: date,
) -> OmbudsmanCase:
    """Record that ``ombudsman`` took up a closed rung-2 case: the case moves to rung 3."""
    complaint = _lock(complaint_id, actor)
    refusal = ombudsman_start_refusal(complaint)
    if refusal is None and OmbudsmanCase.objects.filter(complaint=complaint).exists():
        refusal = _("An ombudsman has already taken up this case.")
    if refusal:
        raise CaseError(refusal)
    if not ombudsman.is_active:
        raise CaseError(_("This ombudsman is no longer in the list. Choose another one."))
    _not_in_the_future(taken_up_on, _("The date the ombudsman took it up cannot be in the future."))
    if complaint.closed_at and taken_up_on < timezone.localdate(complaint.closed_at):
        raise CaseError(
            _(
                "The ombudsman takes up a complaint after our own handling: the case was "
                "closed on %(day)s."
            )
            % {"day": timezone.localdate(complaint.closed_at).isoformat()}
        )
    reference = (reference or "").strip()

    phase = OmbudsmanCase.objects.create(
        complaint=complaint,
        ombudsman=ombudsman,
        reference=reference,
        taken_up_on=taken_up_on,
        recorded_by=actor,
    )
    complaint.rung = Rung.OMBUDSMAN
    complaint.version += 1
    complaint.save(update_fields=["rung", "version", "updated_at"])
    if reference:
        note = _("%(ombudsman)s took up the complaint on %(day)s (their reference %(reference)s).")
    else:
        note = _("%(ombudsman)s took up the complaint on %(day)s.")
    CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.RUNG,
        name=REFERRED,
        note=note
        % {"ombudsman": ombudsman.name, "day": taken_up_on.isoformat(), "reference": reference},
        from_rung=Rung.HANDLER,
        to_rung=Rung.OMBUDSMAN,
        ombudsman=ombudsman.name,
        ombudsman_id=ombudsman.pk,
        reference=reference,
        taken_up_on=taken_up_on.isoformat(),
    )
    return phase


# ---------------------------------------------------------------------------
# Information requests
# ---------------------------------------------------------------------------
@transaction.atomic
def information_request_add(
    *, complaint_id: int, actor: User, question: str, received_on: date, due_on: date
) -> InformationRequest:
    """A question of the ombudsman, with the date our answer is due (the sweep reminds)."""
    complaint, phase = _lock_phase(complaint_id, actor)
    question = _required(question, _("Write down what the ombudsman asks."))
    _not_in_the_future(received_on, _("The date the request was received cannot be in the future."))
    if received_on < phase.taken_up_on:
        raise CaseError(
            _("The request cannot be older than the ombudsman's case (%(day)s).")
            % {"day": phase.taken_up_on.isoformat()}
        )
    if due_on < received_on:
        raise CaseError(_("The answer cannot be due before the request was received."))
    request = InformationRequest.objects.create(
        ombudsman_case=phase, question=question, received_on=received_on, due_on=due_on
    )
    _record(
        complaint,
        actor=actor,
        name=REQUEST_ADDED,
        note=_("Information request, answer due on %(day)s: %(question)s")
        % {"day": due_on.isoformat(), "question": question},
        information_request=request.pk,
        due_on=due_on.isoformat(),
    )
    return request


@transaction.atomic
def information_request_answer(
    *, request_id: int, actor: User, answered_on: date, documents_sent: str = ""
) -> InformationRequest:
    """Our answer went to the ombudsman: the reminders for this request stop."""
    complaint_id = (
        InformationRequest.objects.filter(pk=request_id)
        .values_list("ombudsman_case__complaint_id", flat=True)
        .first()
    )
    if complaint_id is None:
        raise InformationRequest.DoesNotExist
    complaint = _lock(complaint_id, actor)
    request = InformationRequest.objects.select_for_update().get(pk=request_id)
    if request.answered_on:
        raise CaseError(
            _("This request was already answered on %(day)s.")
            % {"day": request.answered_on.isoformat()}
        )
    _not_in_the_future(answered_on, _("The date of the answer cannot be in the future."))
    if answered_on < request.received_on:
        raise CaseError(_("The answer cannot be older than the request."))
    request.answered_on = answered_on
    request.documents_sent = (documents_sent or "").strip()
    request.save(update_fields=["answered_on", "documents_sent"])
    _record(
        complaint,
        actor=actor,
        name=REQUEST_ANSWERED,
        note=_("Information request of %(received)s answered on %(day)s.")
        % {"received": request.received_on.isoformat(), "day": answered_on.isoformat()}
        + (
            "\n" + _("Documents sent: %(documents)s") % {"documents": request.documents_sent}
            if request.documents_sent
            else ""
        ),
        information_request=request.pk,
        answered_on=answered_on.isoformat(),
    )
    return request


# ---------------------------------------------------------------------------
# The ombudsman's outcome and judgment per norm
# ---------------------------------------------------------------------------
@transaction.atomic
def ombudsman_outcome_record(
    *,
    complaint_id: int,
    actor: User,
    outcome: str,
    outcome_on: date,
    summary: str,
    seen: str = "",
) -> OmbudsmanCase:
    """What the ombudsman concluded (recorded again, it replaces the earlier record; ``seen``:
    the record as the form showed it, ``outcome_seen``)."""
    complaint, phase = _lock_phase(complaint_id, actor)
    _unchanged_since(seen, outcome_seen(phase))
    if outcome not in OmbudsmanOutcome.values:
        raise CaseError(_("Choose one of the outcomes."))
    _not_in_the_future(outcome_on, _("The date of the outcome cannot be in the future."))
    _not_before_phase(
        outcome_on, phase, _("The outcome cannot be older than the ombudsman's case.")
    )
    phase.outcome = outcome
    phase.outcome_on = outcome_on
    phase.outcome_summary = (summary or "").strip()
    phase.save(update_fields=["outcome", "outcome_on", "outcome_summary"])
    _record(
        complaint,
        actor=actor,
        name=OUTCOME,
        note=_("Outcome of %(day)s: %(outcome)s")
        % {"day": outcome_on.isoformat(), "outcome": OmbudsmanOutcome(outcome).label}
        + ("\n" + phase.outcome_summary if phase.outcome_summary else ""),
        outcome=outcome,
        outcome_on=outcome_on.isoformat(),
    )
    return phase


@transaction.atomic
def ombudsman_finding_set(
    *, complaint_id: int, actor: User, norm: Norm, judgment: str, note: str = ""
) -> OmbudsmanFinding:
    """The ombudsman's judgment on one norm; a second one for the same norm replaces it."""
    complaint, phase = _lock_phase(complaint_id, actor)
    if judgment not in Judgment.values:
        raise CaseError(_("Choose the ombudsman's judgment."))
    finding, created = OmbudsmanFinding.objects.update_or_create(
        ombudsman_case=phase,
        norm=norm,
        defaults={"judgment": judgment, "note": (note or "").strip()},
    )
    _record(
        complaint,
        actor=actor,
        name=FINDING,
        note=_("The ombudsman's judgment on norm %(norm)s: %(judgment)s")
        % {"norm": norm, "judgment": Judgment(judgment).label}
        + ("\n" + finding.note if finding.note else ""),
        norm=norm.number,
        judgment=judgment,
        replaced=not created,
    )
    return finding


# ---------------------------------------------------------------------------
# Recommendations and their follow-up
# ---------------------------------------------------------------------------
@transaction.atomic
def recommendation_add(
    *, complaint_id: int, actor: User, text: str, owner: User, due_on: date
) -> Recommendation:
    """A recommendation of the ombudsman, owned by one member of staff until it is done."""
    complaint, phase = _lock_phase(complaint_id, actor)
    text = _required(text, _("Write down the recommendation."))
    if not owner.is_active:
        raise CaseError(_("%(name)s no longer works here. Choose another owner.") % {"name": owner})
    _not_before_phase(
        due_on, phase, _("The due date cannot be before the ombudsman took up the case.")
    )
    recommendation = Recommendation.objects.create(
        ombudsman_case=phase, text=text, owner=owner, due_on=due_on
    )
    _record(
        complaint,
        actor=actor,
        name=RECOMMENDATION_ADDED,
        note=_("Recommendation for %(owner)s, due on %(day)s: %(text)s")
        % {"owner": owner.full_name, "day": due_on.isoformat(), "text": text},
        recommendation=recommendation.pk,
        owner=owner.full_name,
        due_on=due_on.isoformat(),
    )
    return recommendation


def may_follow_up(user: User, recommendation: Recommendation) -> bool:
    """The owner records the follow-up of their recommendation; a coordinator any."""
    return user.is_active and (recommendation.owner_id == user.pk or user.has_perm(LIAISE))


@transaction.atomic
def recommendation_update(
    *, recommendation_id: int, actor: User, status: str, follow_up: str, seen: str = ""
) -> Recommendation:
    """The follow-up of a recommendation. Done sets the day it was done; declined needs the
    reasons (the ombudsman expects them). ``seen``: the follow-up as the form showed it
    (``follow_up_seen``)."""
    found = (
        Recommendation.objects.filter(pk=recommendation_id)
        .values_list("ombudsman_case__complaint_id", "owner_id")
        .first()
    )
    if found is None:
        raise Recommendation.DoesNotExist
    complaint_id, owner_id = found
    if not actor.is_active or (owner_id != actor.pk and not actor.has_perm(LIAISE)):
        raise PermissionDenied
    # The owner need not see the case (a manager of another department): lock it by id.
    complaint = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint_id)
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation_id)
    _unchanged_since(seen, follow_up_seen(recommendation))
    if status not in RecommendationStatus.values:
        raise CaseError(_("Choose a status."))
    follow_up = (follow_up or "").strip()
    if status == RecommendationStatus.DECLINED and not follow_up:
        raise CaseError(
            _(
                "Give the reasons why the recommendation is not followed: the ombudsman "
                "asks for them."
            )
        )
    if status == recommendation.status and follow_up == recommendation.follow_up:
        return recommendation
    if status == RecommendationStatus.DONE:
        recommendation.done_on = recommendation.done_on or timezone.localdate()
    else:
        recommendation.done_on = None
    before = recommendation.status
    recommendation.status = status
    recommendation.follow_up = follow_up
    recommendation.save(update_fields=["status", "follow_up", "done_on"])
    _record(
        complaint,
        actor=actor,
        name=RECOMMENDATION_UPDATED,
        note=_("Recommendation of %(day)s: %(status)s")
        % {"day": recommendation.due_on.isoformat(), "status": RecommendationStatus(status).label}
        + ("\n" + follow_up if follow_up else ""),
        recommendation=recommendation.pk,
        from_status=before,
        status=status,
    )
    return recommendation


# ---------------------------------------------------------------------------
# The organisation's response
# ---------------------------------------------------------------------------
@transaction.atomic
def ombudsman_response_record(
    *, complaint_id: int, actor: User, response: str, response_on: date, seen: str = ""
) -> OmbudsmanCase:
    """What the organisation answered to the ombudsman's outcome (recorded again, it
    replaces the earlier record; ``seen``: the record as the form showed it,
    ``response_seen``)."""
    complaint, phase = _lock_phase(complaint_id, actor)
    _unchanged_since(seen, response_seen(phase))
    response = _required(response, _("Write down the organisation's response."))
    _not_in_the_future(response_on, _("The date of the response cannot be in the future."))
    _not_before_phase(
        response_on, phase, _("The response cannot be older than the ombudsman's case.")
    )
    phase.response = response
    phase.response_on = response_on
    phase.save(update_fields=["response", "response_on"])
    _record(
        complaint,
        actor=actor,
        name=RESPONSE,
        note=_("Response sent to the ombudsman on %(day)s: %(response)s")
        % {"day": response_on.isoformat(), "response": response},
        response_on=response_on.isoformat(),
    )
    return phase
