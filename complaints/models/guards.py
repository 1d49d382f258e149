"""The guards of the transitions (DOMAIN.md section 3). Each is a small check on the case
with a message that tells the handler what is still missing; the case page shows it next
to the button it keeps unavailable.

Guards read related rows through ``.all()`` so a prefetched case page costs no extra query.
"""

from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Judgment, PartyRole, Rung
from .events import EventKind
from .letters import LetterKind, LetterStatus, RecipientRole

Guard = Callable[[object], bool]


def guard(message: str | Promise) -> Callable[[Guard], Guard]:
    def attach(check: Guard) -> Guard:
        check.message = message
        return check

    return attach


def complained_about_users(complaint) -> set[int]:
    return {
        party.employee_id
        for party in complaint.parties.all()
        if party.role == PartyRole.COMPLAINED_ABOUT and party.employee_id
    }


@guard(_("Assign a handler."))
def has_handler(complaint) -> bool:
    return complaint.handler_id is not None


@guard(_("The handler is a person complained about; assign someone else (Awb 9:7)."))
def handler_is_impartial(complaint) -> bool:
    return complaint.handler_id is None or complaint.handler_id not in complained_about_users(
        complaint
    )


@guard(_("Acknowledge receipt of the written complaint first (Awb 9:6)."))
def acknowledged_if_written(complaint) -> bool:
    if complaint.rung != Rung.HANDLER or not complaint.is_written:
        return True
    return complaint.acknowledged_on is not None


@guard(_("Record at least one contact with the complainant."))
def has_contact(complaint) -> bool:
    return len(complaint.contacts.all()) > 0


@guard(_("Record the problem behind the complaint."))
def has_problem(complaint) -> bool:
    return bool(complaint.underlying_problem.strip())


@guard(_("Record what the complainant wants (desired outcome)."))
def has_desired_outcome(complaint) -> bool:
    return bool(complaint.desired_outcome.strip())


@guard(_("Add at least one complaint part."))
def has_parts(complaint) -> bool:
    return len(complaint.parts.all()) > 0


@guard(_("Record the solution."))
def has_solution(complaint) -> bool:
    return bool(complaint.solution.strip())


@guard(_("Record the complainant's confirmed satisfaction: date and channel (Awb 9:5)."))
def satisfaction_confirmed(complaint) -> bool:
    return complaint.satisfaction_confirmed_on is not None and bool(complaint.satisfaction_channel)


@guard(_("Judge every complaint part."))
def every_part_judged(complaint) -> bool:
    parts = complaint.parts.all()
    return len(parts) > 0 and all(part.judgment in Judgment.values for part in parts)


@guard(_("Write the hearing report, or record why the complainant was not heard (Awb 9:10)."))
def heard_or_waived(complaint) -> bool:
    return bool(complaint.hearing_report.strip()) or bool(complaint.hearing_waiver)


@guard(_("Record the ground not to handle the complaint (Awb 9:8)."))
def has_not_handled_ground(complaint) -> bool:
    return bool(complaint.not_handled_ground)


@guard(_("Record the competent body the complaint goes to (Awb 2:3)."))
def has_receiving_body(complaint) -> bool:
    return bool(complaint.forwarded_to.strip())


def letters_of(complaint) -> list:
    """The case's letters. The case page prefetches the timeline with the letter of each
    LETTER event (every letter has one from its draft on): read them from there, with no
    query of their own; elsewhere one query."""
    cache = getattr(complaint, "_prefetched_objects_cache", {})
    if "events" in cache:
        return list({e.letter_id: e.letter for e in cache["events"] if e.letter_id}.values())
    return list(complaint.letters.all())


def sent_letters(complaint, kind: str) -> list:
    return [
        letter
        for letter in letters_of(complaint)
        if letter.kind == kind and letter.status == LetterStatus.SENT
    ]


# The LETTER events of the step that makes a letter sent: by e-mail, or posted.
SENT_STEPS = frozenset({LetterStatus.SENT, "posted"})


def sent_since_reopening(complaint, kind: str) -> list:
    """The letters of ``kind`` sent since the case was last reopened (all sent ones if it
    never was): a reopened complaint is answered anew, so the outcome letter or notice of
    the earlier round does not close it again. Compared by event id, not by time (two events
    can share a timestamp). No query on the case page (the timeline is prefetched), else one,
    and only when such a letter exists."""
    letters = sent_letters(complaint, kind)
    if not letters:
        return []
    cache = getattr(complaint, "_prefetched_objects_cache", {})
    if "events" in cache:
        events = cache["events"]
    else:
        events = complaint.events.filter(kind__in=[EventKind.TRANSITION, EventKind.LETTER]).only(
            "pk", "kind", "name", "letter_id"
        )
    reopened = max(
        (e.pk for e in events if e.kind == EventKind.TRANSITION and e.name == "reopen"),
        default=0,
    )
    if not reopened:
        return letters
    fresh = {
        e.letter_id
        for e in events
        if e.kind == EventKind.LETTER and e.name in SENT_STEPS and e.pk > reopened
    }
    return [letter for letter in letters if letter.pk in fresh]


@guard(
    _(
        "Send the outcome letter first (Awb 9:12); after a reopening, a new one. A letter for "
        "post counts once it is marked as posted."
    )
)
def outcome_letter_sent(complaint) -> bool:
    return bool(sent_since_reopening(complaint, LetterKind.OUTCOME))


@guard(
    _(
        "Send the notice that the complaint is not handled, naming the ombudsman (Awb 9:8). A "
        "letter for post counts once it is marked as posted."
    )
)
def not_handled_notice_sent(complaint) -> bool:
    return bool(sent_since_reopening(complaint, LetterKind.NOT_HANDLED))


@guard(
    _(
        "Post the notices of the postponement and mark them as posted: the complainant and "
        "every person complained about must have theirs (Awb 9:11 lid 2)."
    )
)
def postponement_notified(complaint) -> bool:
    """The postponement service writes a notice to the complainant and to every person
    complained about; each must have gone out (a letter for post: marked posted)."""
    if complaint.postponed_on is None:
        return True
    notices = [letter for letter in letters_of(complaint) if letter.kind == LetterKind.POSTPONEMENT]
    to_complainant = any(letter.recipient_role == RecipientRole.COMPLAINANT for letter in notices)
    return to_complainant and all(letter.status == LetterStatus.SENT for letter in notices)


EXPLORED = [has_contact, has_problem, has_desired_outcome, has_parts]
