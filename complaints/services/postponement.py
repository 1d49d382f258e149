"""Postponing the decision (Awb 9:11 lid 2) and extending it with consent (lid 3).

Both lock the case, check the page was not stale, change the decision date, write the notices
and record one DEADLINE event, in one transaction: a refused request writes nothing at all.
The postponement notices are letters (``complaints.services.letters``): by e-mail through the
outbox with the PDF attached, or ready to post; the extension's confirmation is a mail.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.models import Complaint, LetterKind, LetterStatus, OutboxKind, PartyRole
from ladder import deadlines, selectors

from .deadlines import EXTENDED, POSTPONED, due_dates_of, due_dates_record, is_formal
from .errors import CaseError
from .letters import letter_issue, recipient_complainant, recipient_of_party
from .mail import render_mail
from .outbox import outbox_enqueue
from .records import _lock


def postponement_refusal(complaint: Complaint, *, today: date) -> str | None:
    """Why the case cannot be postponed now, or None when it can (Awb 9:11 lid 2)."""
    if not complaint.is_open:
        return _("A closed case cannot be postponed.")
    if not is_formal(complaint) or complaint.decision_due is None:
        return _("Only a written complaint with a decision date can be postponed (Awb 9:11).")
    if complaint.postponed_on:
        return _(
            "The decision was already postponed on %(day)s. It can be postponed only once "
            "(Awb 9:11 lid 2); a further delay needs the complainant's written consent."
        ) % {"day": complaint.postponed_on.isoformat()}
    if complaint.extended_until:
        return _("The decision date was already extended with the complainant's consent.")
    if today > complaint.decision_due:
        return _(
            "The decision was due on %(day)s. A postponement must be decided within the term "
            "(Awb 9:11 lid 2); a further delay needs the complainant's written consent."
        ) % {"day": complaint.decision_due.isoformat()}
    return None


def extension_refusal(complaint: Complaint) -> str | None:
    if not complaint.is_open:
        return _("A closed case cannot be extended.")
    if not is_formal(complaint) or complaint.decision_due is None:
        return _("Only a written complaint with a decision date can be extended (Awb 9:11).")
    return None


@transaction.atomic
def complaint_postpone(
    *,
    complaint_id: int,
    actor: User,
    expected_version: int,
    reason: str,
    weeks: int = deadlines.POSTPONEMENT_WEEKS,
) -> Complaint:
    """Awb 9:11 lid 2: postpone the decision once, by at most 4 weeks, with written notice
    to the complainant and to every person complained about."""
    complaint = _lock(complaint_id, actor, expected_version)
    refusal = postponement_refusal(complaint, today=timezone.localdate())
    if refusal:
        raise CaseError(refusal)
    if not 1 <= weeks <= deadlines.POSTPONEMENT_WEEKS:
        raise CaseError(_("A postponement is 1 to 4 weeks (Awb 9:11 lid 2)."))
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Give the reason for the postponement; the notice states it."))

    before = due_dates_of(complaint)
    complaint.decision_due = deadlines.postponed_decision_due(
        complaint.received_on,
        weeks,
        committee=complaint.advisory_committee,
        equal_days=selectors.equal_days(),
    )
    complaint.postponed_on = timezone.localdate()
    complaint.postponement_reason = reason
    complaint.postponement_weeks = weeks
    complaint.version += 1
    complaint.save(
        update_fields=[
            "decision_due", "postponed_on", "postponement_reason", "postponement_weeks",
            "version", "updated_at",
        ]
    )  # fmt: skip

    # Awb 9:11 lid 2: a written notice to the complainant and to every person complained
    # about, as letters of the postponement kind: by e-mail with the PDF, or ready to post.
    sent, to_post = [], []

    def notify(recipient, key: str) -> None:
        letter = letter_issue(
            complaint, kind=LetterKind.POSTPONEMENT, recipient=recipient, actor=actor, key=key
        )
        (sent if letter.status == LetterStatus.SENT else to_post).append(recipient.name)

    notify(recipient_complainant(complaint), f"postpone:{complaint.reference}:complainant")
    parties = complaint.parties.filter(role=PartyRole.COMPLAINED_ABOUT).select_related("employee")
    notified = set()  # one notice per address, even if a person is recorded twice
    for party in parties:
        recipient = recipient_of_party(party)
        if recipient.email:
            if recipient.email.lower() in notified:
                continue
            notified.add(recipient.email.lower())
        notify(recipient, f"postpone:{complaint.reference}:party:{party.pk}")

    note = _("Postponed by %(weeks)d weeks (Awb 9:11 lid 2). Reason: %(reason)s") % {
        "weeks": weeks,
        "reason": reason,
    }
    if to_post:
        note += "\n" + _(
            "No e-mail address: post the notice to %(names)s and mark it as posted (Letters)."
        ) % {"names": ", ".join(to_post)}
    due_dates_record(
        complaint,
        before,
        actor=actor,
        name=POSTPONED,
        note=note,
        weeks=weeks,
        reason=reason,
        notified=sent,
        letters_to_post=to_post,
    )
    return complaint


@transaction.atomic
def complaint_extend(
    *,
    complaint_id: int,
    actor: User,
    expected_version: int,
    until: date,
    consent_on: date,
    consent_note: str,
) -> Complaint:
    """Awb 9:11 lid 3: a delay beyond the (postponed) term, only with the complainant's
    written consent; the new date is the one agreed."""
    complaint = _lock(complaint_id, actor, expected_version)
    refusal = extension_refusal(complaint)
    if refusal:
        raise CaseError(refusal)
    if until <= complaint.decision_due:
        raise CaseError(
            _("The new date must be later than the current decision date, %(day)s.")
            % {"day": complaint.decision_due.isoformat()}
        )
    if consent_on > timezone.localdate():
        raise CaseError(_("The date of the written consent cannot be in the future."))
    if consent_on < complaint.received_on:
        raise CaseError(_("The written consent cannot be older than the complaint."))
    consent_note = consent_note.strip()
    if not consent_note:
        raise CaseError(
            _("Describe the written consent (Awb 9:11 lid 3): how and what the complainant agreed.")
        )

    before = due_dates_of(complaint)
    complaint.extended_until = until
    complaint.extension_consent_on = consent_on
    complaint.extension_consent_note = consent_note
    complaint.decision_due = until
    complaint.version += 1
    complaint.save(
        update_fields=[
            "extended_until", "extension_consent_on", "extension_consent_note", "decision_due",
            "version", "updated_at",
        ]
    )  # fmt: skip

    to_post = []
    if complaint.complainant_email:
        subject, body = render_mail(
            "extension_complainant",
            complaint.language,
            {
                "complaint": complaint,
                "old_due": before["decision_due"],
                "new_due": until,
                "consent_on": consent_on,
            },
        )
        outbox_enqueue(
            key=f"extend:{complaint.reference}:{until.isoformat()}",
            kind=OutboxKind.EXTENSION,
            to=complaint.complainant_email,
            subject=subject,
            body=body,
            complaint=complaint,
            language=complaint.language,
        )
    else:
        to_post.append(complaint.complainant_name)
    note = _("Extended with written consent of %(day)s (Awb 9:11 lid 3): %(note)s") % {
        "day": consent_on.isoformat(),
        "note": consent_note,
    }
    if to_post:
        note += "\n" + _("No e-mail address: send the confirmation by post to %(names)s.") % {
            "names": ", ".join(to_post)
        }
    due_dates_record(
        complaint,
        before,
        actor=actor,
        name=EXTENDED,
        note=note,
        consent_on=consent_on.isoformat(),
        consent_note=consent_note,
        letters_to_post=to_post,
    )
    return complaint
