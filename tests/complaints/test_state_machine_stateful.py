"""The state machine under random use (QUALITY.md, "state machine"): hypothesis drives
every move name, every kind of actor, and the actions that change what the guards read
(contacts, problem, outcome, parts and their judgments, hearing, solution, screening,
assignment, parties complained about, acknowledgement, the date of receipt), and the
deadline actions of DOMAIN.md section 5 / Awb 9:11: postponing the decision (lid 2), extending
it with the complainant's written consent (lid 3) and the advisory committee (9:13); and the
ladder of DOMAIN.md section 2: a case may start as a rung-1 log (open, or closed as resolved on
the spot) and be handed over to a complaint handler (rung 1 -> 2).

Everything goes through the services. Next to the invariants of QUALITY.md (the stage is
always valid, a refused move changes nothing, one event row per move, the decision date
follows DOMAIN.md section 5), each move's outcome is predicted by an oracle written from
DOMAIN.md sections 1 and 3: who may see and do what, and which guard data each move needs.
The deadline actions have their own oracle from DOMAIN.md sections 4 and 5: the machine keeps
its own record of the postponement, the extension and the committee, and the stored decision
date must always be the one section 5 gives for them.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from complaints import services
from complaints.models import (
    CaseEvent,
    Channel,
    ClosureReason,
    Complaint,
    EventKind,
    HearingWaiver,
    Judgment,
    Letter,
    LetterKind,
    LetterStatus,
    NotHandledGround,
    OutboxKind,
    OutboxMessage,
    Party,
    PartyRole,
    Rung,
    Stage,
    guards,
)
from complaints.moves import MOVES
from complaints.services import CaseError, MoveRefused, StaleAction, letters
from ladder import selectors
from ladder.deadlines import decision_due, postponed_decision_due
from tests.complaints.cases import ALLOWED_AT, ESCALATE, NEEDS_NOTE
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

# Own department unless the name says otherwise.
ACTORS = ("handler", "second_handler", "coordinator", "other_handler", "manager", "employee")
MAY_HANDLE = {"handler", "second_handler", "coordinator", "other_handler"}
HANDLERS = ("handler", "second_handler", "coordinator")
# Who makes the data changes: mostly someone who may, sometimes someone who may not.
WRITERS = ("handler", "coordinator", "second_handler", "handler", "coordinator", *ACTORS[3:])
# Every one of them holds accounts.log_rung1 (accounts/roles.py, DOMAIN.md section 1): any
# member of staff logs, closes and hands over a rung-1 log, if they can see it.
MAY_LOG_RUNG1 = set(ACTORS)
STARTS = ("registered", *Stage.values, "logged_open", "logged_resolved")
# How long ago a case was received: anything in a year, often around the 6-week decision
# date (so postponements are still possible, and "due today" is reached).
DAYS_AGO = st.one_of(
    st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=75)
)
COMPLAINANT_EMAIL = "klager@example.nl"
# A weekday (Tuesday 15 December 2026) with Christmas and the New Year's decree day ahead, so
# the Atw rolls some decision dates; received on 3 November, a case is due today.
TODAY = "2026-12-15 10:00 +01:00"


def sent_kinds(complaint: Complaint) -> set[str]:
    """The kinds of the letters sent (by e-mail or posted) since the last reopening."""
    reopenings = CaseEvent.objects.filter(
        complaint=complaint, kind=EventKind.TRANSITION, name="reopen"
    ).values_list("pk", flat=True)
    since = max(reopenings, default=0)
    return set(
        Letter.objects.filter(
            complaint=complaint,
            status=LetterStatus.SENT,
            pk__in=CaseEvent.objects.filter(
                complaint=complaint,
                kind=EventKind.LETTER,
                name__in=["sent", "posted"],
                pk__gt=since,
            ).values("letter_id"),
        ).values_list("kind", flat=True)
    )


def expected_guard_failures(complaint: Complaint, name: str) -> set[str]:
    """The guard messages DOMAIN.md section 3 predicts for ``name``, read from the rows."""
    handler_complained_about = Party.objects.filter(
        complaint=complaint,
        role=PartyRole.COMPLAINED_ABOUT,
        employee_id=complaint.handler_id,
        employee__isnull=False,
    ).exists()
    parts = list(complaint.parts.values_list("judgment", flat=True))
    facts = {
        guards.has_handler: complaint.handler_id is not None,
        guards.handler_is_impartial: not handler_complained_about,
        guards.acknowledged_if_written: not (
            complaint.rung == Rung.HANDLER and complaint.is_written
        )
        or complaint.acknowledged_on is not None,
        guards.has_contact: complaint.contacts.exists(),
        guards.has_problem: complaint.underlying_problem.strip() != "",
        guards.has_desired_outcome: complaint.desired_outcome.strip() != "",
        guards.has_parts: bool(parts),
        guards.has_solution: complaint.solution.strip() != "",
        guards.satisfaction_confirmed: complaint.satisfaction_confirmed_on is not None
        and complaint.satisfaction_channel != "",
        guards.every_part_judged: bool(parts) and all(j in Judgment.values for j in parts),
        guards.heard_or_waived: complaint.hearing_report.strip() != ""
        or complaint.hearing_waiver != "",
        guards.has_not_handled_ground: complaint.not_handled_ground != "",
        guards.has_receiving_body: complaint.forwarded_to.strip() != "",
        # Awb 9:12, 9:8, 9:11 lid 2: the letters, sent (by e-mail, or posted).
        guards.outcome_letter_sent: LetterKind.OUTCOME in sent_kinds(complaint),
        guards.not_handled_notice_sent: LetterKind.NOT_HANDLED in sent_kinds(complaint),
        guards.postponement_notified: complaint.postponed_on is None
        or (
            Letter.objects.filter(
                complaint=complaint, kind=LetterKind.POSTPONEMENT, recipient_role="complainant"
            ).exists()
            and not Letter.objects.filter(complaint=complaint, kind=LetterKind.POSTPONEMENT)
            .exclude(status=LetterStatus.SENT)
            .exists()
        ),
    }
    explored = [
        guards.has_contact,
        guards.has_problem,
        guards.has_desired_outcome,
        guards.has_parts,
    ]
    needed = {
        "start_exploring": [
            guards.has_handler,
            guards.handler_is_impartial,
            guards.acknowledged_if_written,
        ],
        "seek_solution": explored,
        "start_judging": explored,
        "close_resolved": [guards.has_solution, guards.satisfaction_confirmed],
        "close_judged": [
            guards.every_part_judged,
            guards.heard_or_waived,
            guards.outcome_letter_sent,
            guards.postponement_notified,
        ],
        "close_not_handled": [guards.has_not_handled_ground, guards.not_handled_notice_sent],
        "close_forwarded": [guards.has_receiving_body],
    }.get(name, [])
    return {str(check.message) for check in needed if not facts[check]}


class CaseMachine(RuleBasedStateMachine):
    """One case per example; ``users`` and ``department`` are set by the test."""

    users: dict
    department = None
    equal_days: frozenset = frozenset()  # the decree days in the database

    # --- bookkeeping ------------------------------------------------------------------
    def fresh(self) -> Complaint:
        return Complaint.objects.get(pk=self.complaint_id)

    def state(self) -> tuple:
        row = self.fresh()
        return (
            row.stage,
            row.version,
            row.closure_reason,
            row.closure_note,
            row.closed_at,
            row.updated_at,
            row.handler_id,
            row.decision_due,
            (row.acknowledgement_due, row.first_contact_due, row.not_handled_notice_due),
            (row.postponed_on, row.postponement_reason, row.postponement_weeks),
            (row.extended_until, row.extension_consent_on, row.extension_consent_note),
            (row.advisory_committee, row.complainant_email, row.received_on, row.is_written),
            (row.rung, row.escalated_on, row.logged_on, row.rung1_due),
            # The letters (each step of one is a LETTER event, counted here with them).
            tuple(Letter.objects.filter(complaint=row).order_by("pk").values_list("pk", "status")),
            CaseEvent.objects.filter(complaint=row, kind=EventKind.LETTER).count(),
            OutboxMessage.objects.filter(complaint=row).count(),
            # DEADLINE events come with a write that moves a due date; the rest one per write.
            CaseEvent.objects.filter(complaint=row, kind=EventKind.DEADLINE).count(),
            CaseEvent.objects.filter(complaint=row)
            .exclude(kind__in=[EventKind.DEADLINE, EventKind.LETTER])
            .count(),
        )

    def sees(self, who: str, complaint: Complaint) -> bool:
        # DOMAIN.md section 7: need to know. Coordinators see every case; handlers and
        # managers their department's cases and the cases assigned to them.
        if who == "coordinator":
            return True
        if who in ("handler", "second_handler", "manager", "other_handler"):
            user = self.users[who]
            return complaint.department_id == user.department_id or complaint.handler_id == user.pk
        return False

    @initialize(
        start=st.sampled_from(STARTS),
        is_written=st.booleans(),
        days_ago=DAYS_AGO,
        reason=st.sampled_from(ClosureReason.values),
        email=st.sampled_from(["", COMPLAINANT_EMAIL]),
    )
    def open_a_case(self, start, is_written, days_ago, reason, email):
        received_on = timezone.localdate() - timedelta(days=days_ago)
        self.moves_done = 0
        if start.startswith("logged"):
            # An employee at the counter logs dissatisfaction they removed (rung 1); closed
            # as resolved at once when the citizen was satisfied: one move.
            resolved = start == "logged_resolved"
            complaint = services.rung1_log(
                actor=self.users["employee"],
                fields={
                    "channel": Channel.COUNTER,
                    "department": self.department,
                    "conduct_description": "De balie was dicht.",
                    "solution": "Een nieuwe afspraak gemaakt.",
                    "complainant_email": email,
                },
                resolved=resolved,
            )
            self.moves_done = int(resolved)
        elif start == "registered":
            complaint = services.complaint_register(
                actor=self.users["coordinator"],
                fields={
                    "channel": Channel.LETTER if is_written else Channel.PHONE,
                    "received_on": received_on,
                    "is_written": is_written,
                    "department": self.department,
                    "complainant_name": "Jan Smit",
                    "complainant_email": email,
                    "conduct_description": "Niemand belde terug.",
                },
            )
        else:
            complaint = ComplaintFactory(
                **{start: True},
                department=self.department,
                handler=self.users["handler"],
                received_on=received_on,
                is_written=is_written,
                complainant_email=email,
                reason=reason,  # used by closed=True only
            )
        self.complaint_id = complaint.pk
        self.stage = complaint.stage
        self.transition_events = 0
        # The machine's own record of the deadline actions (DOMAIN.md section 5).
        self.postponed_weeks = None
        self.extended_until = None
        self.committee = False

    # --- moves ------------------------------------------------------------------------
    def predicted(self, name: str, who: str, expected_stage: str, note: str):
        """(exception class, reasons) or (None, target stage)."""
        complaint = self.fresh()
        if not self.sees(who, complaint):
            return Complaint.DoesNotExist, None
        if expected_stage != complaint.stage:
            return StaleAction, None
        allowed = ALLOWED_AT[complaint.rung]
        if (complaint.stage, name) not in allowed:
            return MoveRefused, set()
        if name == "reopen":
            may = who == "coordinator"
        elif complaint.rung == Rung.EMPLOYEE and name == "close_resolved":
            may = who in MAY_LOG_RUNG1  # whoever logs rung-1 cases closes one
        else:
            may = who in MAY_HANDLE
        if not may:
            return PermissionDenied, None
        failures = expected_guard_failures(complaint, name)
        if failures:
            return MoveRefused, failures
        if name in NEEDS_NOTE and not note.strip():
            return MoveRefused, {gettext("Give a reason.")}
        return None, allowed[complaint.stage, name]

    @rule(
        name=st.sampled_from(MOVES),
        who=st.sampled_from(ACTORS),
        note=st.sampled_from(["", "  ", "De klager heeft gebeld."]),
    )
    def move(self, name, who, note):
        self.try_move(name, who, note, self.stage)

    @rule(data=st.data(), note=st.sampled_from(["", "De klager heeft gebeld."]))
    def move_on(self, data, note):
        # Biased towards progress: a move the stage has, by someone who may make it.
        rung = self.fresh().rung
        names = sorted(name for stage, name in ALLOWED_AT[rung] if stage == self.stage)
        name = data.draw(st.sampled_from(names), label="name")
        who = "coordinator" if name == "reopen" else data.draw(st.sampled_from(HANDLERS))
        self.try_move(name, who, note, self.stage)

    @rule(
        name=st.sampled_from(MOVES),
        who=st.sampled_from(ACTORS),
        page_stage=st.sampled_from(Stage.values),
    )
    def move_from_a_stale_page(self, name, who, page_stage):
        # The page showed another stage than the case now has.
        self.try_move(name, who, "De klager heeft gebeld.", page_stage)

    def try_move(self, name, who, note, expected_stage):
        refused, outcome = self.predicted(name, who, expected_stage, note)
        before = self.state()

        try:
            services.complaint_transition(
                complaint_id=self.complaint_id,
                name=name,
                actor=self.users[who],
                expected_stage=expected_stage,
                note=note,
            )
        except (Complaint.DoesNotExist, StaleAction, MoveRefused, PermissionDenied) as error:
            assert type(error) is refused, f"{name} by {who}: {error!r}, predicted {refused}"
            if refused is MoveRefused:
                assert str(error)
                assert set(error.reasons) == outcome
            assert self.state() == before, f"the refused {name} changed the case"
            return
        assert refused is None, f"{name} by {who} succeeded; predicted {refused} {outcome}"

        after = self.fresh()
        assert after.stage == outcome
        assert after.version == before[1] + 1
        events = CaseEvent.objects.filter(complaint=after).exclude(
            kind__in=[EventKind.DEADLINE, EventKind.LETTER]
        )
        assert events.count() == before[-1] + 1
        event = events.order_by("-id").first()
        assert (event.kind, event.name, event.actor_id) == (
            EventKind.TRANSITION,
            name,
            self.users[who].pk,
        )
        assert (event.from_stage, event.to_stage, event.note) == (
            before[0],
            outcome,
            note.strip(),
        )
        self.stage = outcome
        self.moves_done += 1

    # --- actions that change what the guards read -------------------------------------
    def write(self, who: str, call, *, refused_when=None) -> bool:
        """Run a data service as ``who``. Predict the refusal from the roles (and
        ``refused_when``, a CaseError the domain predicts); a write bumps the version
        and adds one event, or changes nothing at all. True when it went through."""
        complaint = self.fresh()
        if who not in MAY_HANDLE:
            predicted = PermissionDenied
        elif not self.sees(who, complaint):
            predicted = Complaint.DoesNotExist
        else:
            predicted = refused_when(complaint) if refused_when else None
        before = self.state()
        try:
            call(self.users[who])
        except (PermissionDenied, Complaint.DoesNotExist, CaseError) as error:
            assert predicted is not None, f"refused unexpectedly: {error!r}"
            assert isinstance(error, predicted), f"{error!r}, predicted {predicted}"
            assert not isinstance(error, StaleAction)
            assert self.state() == before
            return False
        assert predicted is None, f"predicted {predicted}, but the write went through"
        after = self.state()
        assert after[0] == before[0], "a data action never moves the stage"
        versions, events = after[1] - before[1], after[-1] - before[-1]
        assert versions == events <= 1, "one version bump and one event per write"
        # decision_due, the service-norm dates and, at rung 1, rung1_due (DUE_FIELDS).
        moved = after[7:9] != before[7:9] or after[12][3] != before[12][3]
        assert after[-2] - before[-2] == (1 if moved else 0), "a DEADLINE event per moved date"
        assert after[-3] == before[-3], "a data action sends nothing"
        return True

    def edit(self, who: str, fields: dict) -> bool:
        def call(actor):
            services.complaint_update(
                complaint_id=self.complaint_id,
                actor=actor,
                expected_version=self.fresh().version,
                fields=fields,
            )

        return self.write(who, call, refused_when=lambda c: CaseError if not c.is_open else None)

    @rule(who=st.sampled_from(WRITERS))
    def add_contact(self, who):
        fields = {
            "at": timezone.now(),
            "channel": Channel.PHONE,
            "with_whom": "klager",
            "summary": "Gebeld.",
        }
        self.write(
            who,
            lambda actor: services.contact_add(
                complaint_id=self.complaint_id, actor=actor, fields=fields
            ),
        )

    @rule(who=st.sampled_from(WRITERS), text=st.sampled_from(["", "  ", "Geen antwoord."]))
    def set_problem(self, who, text):
        self.edit(who, {"underlying_problem": text})

    @rule(who=st.sampled_from(WRITERS), text=st.sampled_from(["", "Een excuus."]))
    def set_desired_outcome(self, who, text):
        self.edit(who, {"desired_outcome": text})

    @rule(who=st.sampled_from(WRITERS))
    def add_part(self, who):
        self.write(
            who,
            lambda actor: services.part_add(
                complaint_id=self.complaint_id, actor=actor, description="Niet teruggebeld."
            ),
        )

    @rule(
        who=st.sampled_from(WRITERS),
        which=st.integers(min_value=0, max_value=3),
        judgment=st.sampled_from(["", *Judgment.values]),
    )
    def judge_a_part(self, who, which, judgment):
        parts = list(self.fresh().parts.order_by("number"))
        if not parts:
            return
        part = parts[which % len(parts)]
        self.write(
            who,
            lambda actor: services.part_update(
                part_id=part.pk, actor=actor, fields={"judgment": judgment}
            ),
            refused_when=lambda c: CaseError if not c.is_open else None,
        )

    @rule(
        who=st.sampled_from(WRITERS),
        report=st.sampled_from(["", " ", "Beide partijen gehoord."]),
        waiver=st.sampled_from(["", *HearingWaiver.values]),
    )
    def set_hearing(self, who, report, waiver):
        self.edit(who, {"hearing_report": report, "hearing_waiver": waiver})

    @rule(
        who=st.sampled_from(WRITERS),
        solution=st.sampled_from(["", "Excuses en een besluit."]),
        confirmed=st.booleans(),
        channel=st.sampled_from(["", Channel.PHONE, Channel.EMAIL]),
    )
    def set_solution(self, who, solution, confirmed, channel):
        self.edit(
            who,
            {
                "solution": solution,
                "satisfaction_confirmed_on": timezone.localdate() if confirmed else None,
                "satisfaction_channel": channel,
            },
        )

    @rule(who=st.sampled_from(WRITERS), ground=st.sampled_from(["", *NotHandledGround.values]))
    def set_not_handled_ground(self, who, ground):
        self.edit(who, {"not_handled_ground": ground})

    @rule(who=st.sampled_from(WRITERS), body=st.sampled_from(["", "  ", "Belastingdienst"]))
    def set_forwarded_to(self, who, body):
        self.edit(who, {"forwarded_to": body})

    @rule(who=st.sampled_from(WRITERS), days_ago=DAYS_AGO, is_written=st.booleans())
    def change_receipt(self, who, days_ago, is_written):
        # The deadline action: the decision date must follow (DOMAIN.md section 5).
        received_on = timezone.localdate() - timedelta(days=days_ago)
        self.edit(who, {"received_on": received_on, "is_written": is_written})

    @rule(who=st.sampled_from(WRITERS), whom=st.sampled_from(ACTORS))
    def assign(self, who, whom):
        handler = self.users[whom]

        def refused(complaint):
            if not complaint.is_open:
                return CaseError
            if whom != who and who != "coordinator":
                return PermissionDenied  # only a coordinator assigns someone else
            if whom not in ("handler", "second_handler", "coordinator"):
                return CaseError  # not a handler of this department
            if Party.objects.filter(
                complaint=complaint, role=PartyRole.COMPLAINED_ABOUT, employee=handler
            ).exists():
                return CaseError  # Awb 9:7
            return None

        self.write(
            who,
            lambda actor: services.complaint_assign(
                complaint_id=self.complaint_id,
                actor=actor,
                handler=handler,
                expected_version=self.fresh().version,
            ),
            refused_when=refused,
        )

    @rule(who=st.sampled_from(WRITERS), email=st.sampled_from(["", COMPLAINANT_EMAIL]))
    def set_complainant_email(self, who, email):
        self.edit(who, {"complainant_email": email})

    @rule(who=st.sampled_from(WRITERS), email=st.sampled_from(["", "devries@example.nl"]))
    def complain_about_someone_outside(self, who, email):
        # A person complained about who is no user here: notified at the party's own
        # address, or by post when there is none.
        fields = {"role": PartyRole.COMPLAINED_ABOUT, "name": "A. de Vries", "email": email}
        self.write(
            who,
            lambda actor: services.party_add(
                complaint_id=self.complaint_id, actor=actor, fields=fields
            ),
        )

    @rule(who=st.sampled_from(WRITERS), whom=st.sampled_from(["handler", "second_handler"]))
    def complain_about(self, who, whom):
        employee = self.users[whom]
        fields = {
            "role": PartyRole.COMPLAINED_ABOUT,
            "name": employee.full_name,
            "employee": employee,
        }
        self.write(
            who,
            lambda actor: services.party_add(
                complaint_id=self.complaint_id, actor=actor, fields=fields
            ),
        )

    @rule(who=st.sampled_from(WRITERS))
    def remove_a_complained_about_party(self, who):
        party = Party.objects.filter(
            complaint_id=self.complaint_id, role=PartyRole.COMPLAINED_ABOUT
        ).first()
        if party is None:
            return
        self.write(who, lambda actor: services.party_remove(party_id=party.pk, actor=actor))

    @rule(who=st.sampled_from(WRITERS), days_after=st.integers(min_value=0, max_value=10))
    def acknowledge(self, who, days_after):
        on = self.fresh().received_on + timedelta(days=days_after)
        self.write(
            who,
            lambda actor: services.complaint_acknowledge(
                complaint_id=self.complaint_id, actor=actor, on=on
            ),
        )

    # --- deadline actions (DOMAIN.md sections 4 and 5, Awb 9:11) ----------------------
    @staticmethod
    def formal(complaint: Complaint) -> bool:
        # Awb 9:11 binds the written complaints at rung 2; oral ones have no legal term. A
        # case at rung 3 keeps its rung-2 procedure, terms included (reopened there too).
        return complaint.rung in (Rung.HANDLER, Rung.OMBUDSMAN) and complaint.is_written

    def expected_decision_due(self, complaint: Complaint) -> date | None:
        """DOMAIN.md section 5, from the machine's own record of the deadline actions."""
        if not self.formal(complaint):
            return None
        if self.extended_until:  # further extension: the date agreed in writing wins
            return self.extended_until
        if self.postponed_weeks:  # + the weeks on the original term, Atw up to 12 weeks
            return postponed_decision_due(
                complaint.received_on,
                self.postponed_weeks,
                committee=self.committee,
                equal_days=self.equal_days,
            )
        return decision_due(
            complaint.received_on, committee=self.committee, equal_days=self.equal_days
        )

    def notices(self, complaint: Complaint, *, parties: bool) -> list[str]:
        """Who gets an e-mail: the complainant, and (``parties``) every person complained
        about, when they have an address (the others get a letter by post). One e-mail per
        address, even if a person is recorded twice."""
        to = [complaint.complainant_email] if complaint.complainant_email else []
        if parties:
            for party in Party.objects.filter(
                complaint=complaint, role=PartyRole.COMPLAINED_ABOUT
            ).select_related("employee"):
                email = (party.employee.email if party.employee_id else "") or party.email
                if email and email.lower() not in {address.lower() for address in to}:
                    to.append(email)
        return sorted(to)

    @staticmethod
    def notice_letters(complaint: Complaint) -> int:
        """How many postponement letters: the complainant's, and one per person complained
        about (one per e-mail address, even if a person is recorded twice)."""
        count, addresses = 1, set()
        for party in Party.objects.filter(
            complaint=complaint, role=PartyRole.COMPLAINED_ABOUT
        ).select_related("employee"):
            email = ((party.employee.email if party.employee_id else "") or party.email).lower()
            if email and email in addresses:
                continue
            addresses.add(email)
            count += 1
        return count

    def deadline_action(self, who, call, *, stale, allowed, kind, notify, letters=0) -> bool:
        """Run a deadline service as ``who`` on the page's version (or an older one when
        ``stale``). Refused: nothing changes at all (row, events, letters, outbox). Accepted:
        one version bump, exactly one DEADLINE event and no other but a LETTER event per
        notice letter (``letters``: how many), and the notices to ``notify`` in the outbox,
        each with its letter. True when it went through."""
        complaint = self.fresh()
        if who not in MAY_HANDLE:
            predicted = PermissionDenied
        elif not self.sees(who, complaint):
            predicted = Complaint.DoesNotExist
        elif stale:
            predicted = StaleAction
        elif not allowed:
            predicted = CaseError
        else:
            predicted = None
        before = self.state()
        outbox_before = set(
            OutboxMessage.objects.filter(complaint=complaint).values_list("pk", flat=True)
        )
        version = complaint.version - 1 if stale else complaint.version
        try:
            call(self.users[who], version)
        except (PermissionDenied, Complaint.DoesNotExist, CaseError) as error:
            assert predicted is not None, f"{kind} by {who} refused unexpectedly: {error!r}"
            if predicted is CaseError:
                assert type(error) is CaseError, f"{error!r}, predicted a CaseError"
                assert str(error).strip(), "a refusal says why"
            else:
                assert type(error) is predicted, f"{error!r}, predicted {predicted}"
            assert self.state() == before, f"the refused {kind} changed something"
            return False
        assert predicted is None, f"{kind} by {who} went through; predicted {predicted}"

        after = self.state()
        row = self.fresh()
        assert row.stage == complaint.stage
        assert after[1] == before[1] + 1, "one version bump"
        assert after[-1] == before[-1], "no other event than the DEADLINE one and LETTER ones"
        assert after[-2] == before[-2] + 1, "exactly one DEADLINE event"
        new_letters = Letter.objects.filter(complaint=row).exclude(
            pk__in=[pk for pk, _status in before[-5]]
        )
        assert new_letters.count() == letters, "one notice letter per addressee"
        assert set(new_letters.values_list("kind", flat=True)) <= {LetterKind.POSTPONEMENT}
        assert after[-4] == before[-4] + letters, "one LETTER event per notice letter"
        event = (
            CaseEvent.objects.filter(complaint=row, kind=EventKind.DEADLINE).order_by("-id").first()
        )
        assert event.actor_id == self.users[who].pk
        assert event.data["changes"]["decision_due"] == [
            complaint.decision_due.isoformat(),
            row.decision_due.isoformat(),
        ]
        sent = OutboxMessage.objects.filter(complaint=row).exclude(pk__in=outbox_before)
        assert sorted(sent.values_list("to", flat=True)) == notify
        assert set(sent.values_list("kind", flat=True)) <= {kind}
        if letters:  # every mailed notice carries its letter (the PDF attached)
            assert {m.letter_id for m in sent} == {
                letter.pk for letter in new_letters if letter.status == LetterStatus.SENT
            }
        return True

    @rule(
        who=st.sampled_from(WRITERS),
        weeks=st.integers(min_value=0, max_value=6),
        reason=st.sampled_from(["", "  ", "Het advies van de afdeling is nodig."]),
        stale=st.sampled_from([False, False, False, True]),
    )
    def postpone(self, who, weeks, reason, stale):
        complaint = self.fresh()
        # Awb 9:11 lid 2: once, by at most 4 weeks, on an open written complaint, decided
        # within the term, with a notice that gives the reason. Once a later date was
        # agreed in writing (lid 3) a postponement would change nothing.
        allowed = (
            complaint.is_open
            and self.formal(complaint)
            and self.postponed_weeks is None
            and self.extended_until is None
            and timezone.localdate() <= self.expected_decision_due(complaint)
            and 1 <= weeks <= 4
            and reason.strip() != ""
        )

        def call(actor, version):
            services.complaint_postpone(
                complaint_id=self.complaint_id,
                actor=actor,
                expected_version=version,
                reason=reason,
                weeks=weeks,
            )

        if self.deadline_action(
            who,
            call,
            stale=stale,
            allowed=allowed,
            kind=OutboxKind.POSTPONEMENT,
            notify=self.notices(complaint, parties=True),  # to both sides (Awb 9:11 lid 2)
            letters=self.notice_letters(complaint),
        ):
            self.postponed_weeks = weeks
            row = self.fresh()
            assert row.postponed_on == timezone.localdate()
            assert (row.postponement_weeks, row.postponement_reason) == (weeks, reason.strip())

    @rule(data=st.data())
    def prepare_a_deadline_action(self, data):
        # As a coordinator: a written complaint received within the term, the addresses the
        # notices go to, and people complained about (with and without an address), so the
        # runs reach accepted postponements with every kind of notice.
        if data.draw(st.booleans(), label="received recently"):
            # Received 42 days ago (3 November), the case is due today: the last day a
            # postponement is still possible.
            days_ago = data.draw(
                st.one_of(st.just(42), st.integers(min_value=0, max_value=42)), label="days ago"
            )
            self.change_receipt("coordinator", days_ago, True)
        if data.draw(st.booleans(), label="set the e-mail address"):
            self.set_complainant_email("coordinator", COMPLAINANT_EMAIL)
        whom = data.draw(st.sampled_from(["", "second_handler", "outside", "outside by post"]))
        if whom == "second_handler":
            self.complain_about("coordinator", whom)
        elif whom:
            email = "" if whom == "outside by post" else "devries@example.nl"
            self.complain_about_someone_outside("coordinator", email)

    @rule(data=st.data())
    def postpone_properly(self, data):
        # Biased towards acceptance: on a prepared case, by someone who may, 1 to 4 weeks,
        # with a reason.
        self.prepare_a_deadline_action(data)
        who = data.draw(st.sampled_from(HANDLERS), label="who")
        weeks = data.draw(
            st.one_of(st.integers(min_value=1, max_value=4), st.sampled_from([0, 5])),
            label="weeks",
        )
        self.postpone(who, weeks, "Het advies van de afdeling is nodig.", False)

    @rule(
        who=st.sampled_from(WRITERS),
        days_after_due=st.integers(min_value=-5, max_value=40),
        consent_days_ago=st.integers(min_value=-3, max_value=80),
        consent_note=st.sampled_from(["", "  ", "Klager stemde per brief van 1 december in."]),
        stale=st.sampled_from([False, False, False, True]),
    )
    def extend(self, who, days_after_due, consent_days_ago, consent_note, stale):
        complaint = self.fresh()
        today = timezone.localdate()
        until = (complaint.decision_due or today) + timedelta(days=days_after_due)
        consent_on = today - timedelta(days=consent_days_ago)
        # Awb 9:11 lid 3: any further delay only with the complainant's written consent,
        # given (not promised) on this complaint; the agreed date must be a delay.
        allowed = (
            complaint.is_open
            and self.formal(complaint)
            and until > self.expected_decision_due(complaint)
            and complaint.received_on <= consent_on <= today
            and consent_note.strip() != ""
        )

        def call(actor, version):
            services.complaint_extend(
                complaint_id=self.complaint_id,
                actor=actor,
                expected_version=version,
                until=until,
                consent_on=consent_on,
                consent_note=consent_note,
            )

        if self.deadline_action(
            who,
            call,
            stale=stale,
            allowed=allowed,
            kind=OutboxKind.EXTENSION,
            notify=self.notices(complaint, parties=False),  # confirmed to the complainant
        ):
            self.extended_until = until
            row = self.fresh()
            assert (row.extension_consent_on, row.extension_consent_note) == (
                consent_on,
                consent_note.strip(),
            )

    @rule(data=st.data())
    def extend_properly(self, data):
        who = data.draw(st.sampled_from(HANDLERS), label="who")
        days = data.draw(st.integers(min_value=1, max_value=40), label="days after due")
        consent_days_ago = data.draw(st.integers(min_value=0, max_value=30), label="consent")
        self.extend(who, days, consent_days_ago, "Klager stemde per e-mail in.", False)

    @rule(who=st.sampled_from(WRITERS), committee=st.booleans())
    def set_advisory_committee(self, who, committee):
        # Awb 9:13: 10 weeks instead of 6; the decision date must follow.
        if self.edit(who, {"advisory_committee": committee}):
            self.committee = committee

    # --- letters (Awb 9:12, 9:8; the postponement's in ``postpone``) -------------------
    @rule(
        who=st.sampled_from(WRITERS),
        kind=st.sampled_from([LetterKind.OUTCOME, LetterKind.NOT_HANDLED]),
        complete=st.booleans(),
        by_email=st.booleans(),
    )
    def send_a_letter(self, who, kind, complete, by_email):
        """Draft a letter to the complainant, write the sections a handler writes (when
        ``complete``) and send it: by e-mail with an address, else ready to post. Refused
        while a mandatory section is empty (DOMAIN.md section 3: the outcome letter has all
        mandatory sections), changing nothing; a letter never moves the stage."""
        complaint = self.fresh()
        predicted = self.refusal_by_role(who, complaint)
        before = self.state()
        actor = self.users[who]
        try:
            letter = letters.letter_draft(
                complaint_id=self.complaint_id, actor=actor, kind=kind, recipient="complainant"
            )
        except (PermissionDenied, Complaint.DoesNotExist) as error:
            assert type(error) is predicted, f"{error!r}, predicted {predicted}"
            assert self.state() == before
            return
        assert predicted is None, f"a letter by {who}; predicted {predicted}"
        # What the sections need from the case (complaints/letters/kinds.py).
        if kind == LetterKind.OUTCOME:
            missing = [
                not complete,  # findings, written by the handler
                not complaint.parts.filter(judgment__in=Judgment.values).exists(),
                not complete,  # conclusions and measures
                complaint.handler_id is None,  # the contact person
            ]
        else:
            missing = [complaint.not_handled_ground == ""]  # the ground (Awb 9:8)
        texts = {"findings": "Wij spraken beide kanten.", "conclusions": "Wij maken excuses."}
        letters.letter_update(
            letter_id=letter.pk,
            actor=actor,
            subject=letter.subject,
            sections=texts if complete else {},
            recipient_name=letter.recipient_name or "De klager",  # a rung-1 log may have none
            recipient_email=COMPLAINANT_EMAIL if by_email else "",
            recipient_address="Dorpsstraat 1\n1234 AB Voorbeeld",
        )
        drafted = self.state()
        try:
            sent = letters.letter_send(letter_id=letter.pk, actor=actor)
        except CaseError as error:
            assert any(missing), f"refused: {error.reasons}"
            assert len(error.reasons) == sum(missing), error.reasons
            assert self.state() == drafted, "a refused letter changes nothing"
            letters.letter_discard(letter_id=letter.pk, actor=actor)
            return
        assert not any(missing), f"sent with {missing}"
        assert sent.status == (LetterStatus.SENT if by_email else LetterStatus.TO_POST)
        assert sent.is_intact()
        after = self.state()
        assert after[:2] == before[:2], "a letter moves no stage and bumps no version"
        assert after[-4] == before[-4] + 2, "a LETTER event for the draft and for sending"
        assert after[-3] == before[-3] + int(by_email), "one mail, with the PDF"
        assert after[-1] == before[-1]

    @rule(who=st.sampled_from(WRITERS))
    def mark_a_letter_posted(self, who):
        letter = Letter.objects.filter(
            complaint_id=self.complaint_id, status=LetterStatus.TO_POST
        ).first()
        if letter is None:
            return
        predicted = self.refusal_by_role(who, self.fresh())
        before = self.state()
        try:
            letters.letter_mark_posted(letter_id=letter.pk, actor=self.users[who])
        except (PermissionDenied, Complaint.DoesNotExist) as error:
            assert type(error) is predicted, f"{error!r}, predicted {predicted}"
            assert self.state() == before
            return
        assert predicted is None
        letter.refresh_from_db()
        assert letter.status == LetterStatus.SENT
        after = self.state()
        assert after[:2] == before[:2] and after[-3] == before[-3]
        assert after[-4] == before[-4] + 1, "one LETTER event: posted"

    def refusal_by_role(self, who: str, complaint: Complaint):
        if who not in MAY_HANDLE:
            return PermissionDenied
        if not self.sees(who, complaint):
            return Complaint.DoesNotExist
        return None

    def send_and_post(self, kind: str, by_email: bool) -> None:
        self.send_a_letter("coordinator", kind, True, by_email)
        while Letter.objects.filter(
            complaint_id=self.complaint_id, status=LetterStatus.TO_POST
        ).exists():
            self.mark_a_letter_posted("coordinator")

    @rule(data=st.data())
    def prepare_a_move(self, data):
        # Record, as a coordinator, everything one move of this stage needs, so the
        # runs also reach the later stages and their closing moves.
        rung = self.fresh().rung
        names = sorted(name for stage, name in ALLOWED_AT[rung] if stage == self.stage)
        name = data.draw(st.sampled_from(names), label="prepare")
        if name == "start_exploring":
            complained_about = set(
                Party.objects.filter(
                    complaint_id=self.complaint_id, role=PartyRole.COMPLAINED_ABOUT
                ).values_list("employee_id", flat=True)
            )
            free = [h for h in HANDLERS if self.users[h].pk not in complained_about]
            self.assign("coordinator", free[0])
            self.acknowledge("coordinator", 1)
        elif name in ("seek_solution", "start_judging"):
            self.add_contact("coordinator")
            self.set_problem("coordinator", "Geen antwoord.")
            self.set_desired_outcome("coordinator", "Een excuus.")
            self.add_part("coordinator")
        elif name == "close_resolved":
            self.set_solution("coordinator", "Excuses en een besluit.", True, Channel.PHONE)
        elif name == "close_judged":
            for which in range(self.fresh().parts.count()):
                self.judge_a_part("coordinator", which, Judgment.UNFOUNDED)
            self.set_hearing("coordinator", "Beide partijen gehoord.", "")
            # Awb 9:12 and 9:11 lid 2: the outcome letter, and every notice posted.
            self.send_and_post(LetterKind.OUTCOME, data.draw(st.booleans(), label="by e-mail"))
        elif name == "close_not_handled":
            self.set_not_handled_ground("coordinator", NotHandledGround.OLDER_THAN_A_YEAR)
            self.send_and_post(LetterKind.NOT_HANDLED, data.draw(st.booleans(), label="by e-mail"))
        elif name == "close_forwarded":
            self.set_forwarded_to("coordinator", "Belastingdienst")

    # --- the ladder: hand over to a complaint handler (DOMAIN.md section 2) -----------
    @rule(
        who=st.sampled_from(ACTORS),
        days_ago=st.sampled_from([0, 0, 1, -1]),
        reason=st.sampled_from(["", "  ", "De klager wil een formeel oordeel."]),
        is_written=st.booleans(),
        stale=st.sampled_from([False, False, False, True]),
    )
    def escalate(self, who, days_ago, reason, is_written, stale):
        complaint = self.fresh()
        today = timezone.localdate()
        on = today - timedelta(days=days_ago)
        # Any member of staff who can see the case may hand over a rung-1 log, open or
        # closed, and so may whoever logged it (an employee who sees no cases); the formal
        # complaint is of a day from the log up to today.
        user = self.users[who]
        logged_it = complaint.registered_by_id == user.pk and complaint.rung == Rung.EMPLOYEE
        if not (user.has_perm("accounts.log_rung1") or user.has_perm("accounts.handle_complaint")):
            predicted = PermissionDenied
        elif not (self.sees(who, complaint) or logged_it):
            predicted = Complaint.DoesNotExist
        elif stale:
            predicted = StaleAction
        elif (
            complaint.rung != Rung.EMPLOYEE  # rung 2 or 3 already
            or not complaint.logged_on <= on <= today
            or not reason.strip()
        ):
            predicted = CaseError
        else:
            predicted = None
        before = self.state()
        outbox_before = set(
            OutboxMessage.objects.filter(complaint=complaint).values_list("pk", flat=True)
        )
        last_event = CaseEvent.objects.filter(complaint=complaint).order_by("-id").first()
        try:
            services.complaint_escalate(
                complaint_id=self.complaint_id,
                actor=self.users[who],
                reason=reason,
                is_written=is_written,
                on=on,
                expected_version=complaint.version - 1 if stale else complaint.version,
            )
        except (PermissionDenied, Complaint.DoesNotExist, CaseError) as error:
            assert predicted is not None, f"escalation by {who} refused unexpectedly: {error!r}"
            assert type(error) is predicted, f"{error!r}, predicted {predicted}"
            assert str(error).strip(), "a refusal says why"
            assert self.state() == before, "the refused escalation changed something"
            return
        assert predicted is None, f"escalation by {who} went through; predicted {predicted}"

        row = self.fresh()
        assert (row.stage, row.rung) == ESCALATE[complaint.rung, complaint.stage]
        # The Awb clock starts on the date of the formal complaint.
        assert row.received_on == row.escalated_on == on
        assert row.is_written == is_written
        assert row.logged_on == complaint.logged_on
        assert row.rung1_due is None
        assert (row.closure_reason, row.closure_note, row.closed_at) == ("", "", None)
        assert row.version == complaint.version + 1
        events = list(CaseEvent.objects.filter(complaint=row, pk__gt=last_event.pk).order_by("id"))
        kinds = [event.kind for event in events]
        assert kinds[:2] == [EventKind.TRANSITION, EventKind.RUNG]
        assert kinds[2:] in ([], [EventKind.DEADLINE]), kinds
        transition, rung_event = events[:2]
        assert (transition.from_stage, transition.to_stage) == (complaint.stage, Stage.INTAKE)
        assert (rung_event.from_rung, rung_event.to_rung) == (Rung.EMPLOYEE, Rung.HANDLER)
        assert transition.actor_id == rung_event.actor_id == self.users[who].pk
        assert rung_event.note == reason.strip()
        # Awb 9:6: a written complaint is acknowledged, by e-mail when there is an address.
        sent = OutboxMessage.objects.filter(complaint=row).exclude(pk__in=outbox_before)
        expected = [OutboxKind.ACKNOWLEDGEMENT] if is_written and row.complainant_email else []
        assert list(sent.values_list("kind", flat=True)) == expected
        self.stage = row.stage
        self.moves_done += 1

    @rule(is_written=st.booleans())
    def escalate_properly(self, is_written):
        # Biased towards acceptance: today, with a reason, by a handler of the department.
        self.escalate("handler", 0, "De klager wil een formeel oordeel.", is_written, False)

    # --- invariants (QUALITY.md) ----------------------------------------------------
    @invariant()
    def the_stage_is_one_of_the_five_and_as_expected(self):
        complaint = self.fresh()
        assert complaint.stage in Stage.values
        assert complaint.stage == self.stage

    @invariant()
    def a_closure_reason_exactly_when_closed(self):
        complaint = self.fresh()
        closed = complaint.stage == Stage.CLOSED
        assert (complaint.closure_reason != "") == closed
        assert (complaint.closed_at is not None) == closed
        if closed:
            assert complaint.closure_reason in ClosureReason.values

    @invariant()
    def one_transition_event_per_move(self):
        events = CaseEvent.objects.filter(complaint_id=self.complaint_id, kind="transition")
        assert events.count() == self.moves_done

    @invariant()
    def the_decision_date_follows_section_5(self):
        complaint = self.fresh()
        assert complaint.advisory_committee == self.committee
        assert complaint.postponement_weeks == self.postponed_weeks
        assert (complaint.postponed_on is not None) == (self.postponed_weeks is not None)
        assert complaint.extended_until == self.extended_until
        # Awb 9:11 with the Atw, the committee, the postponement and the extension.
        assert complaint.decision_due == self.expected_decision_due(complaint)


@pytest.mark.django_db
def test_the_state_machine_keeps_its_invariants_under_random_use():
    from hypothesis.stateful import run_state_machine_as_test

    department = DepartmentFactory(code="bz", name="Burgerzaken")
    other = DepartmentFactory(code="bel", name="Belastingen")
    users = {
        "handler": UserFactory(handler=True, department=department),
        "second_handler": UserFactory(handler=True, department=department),
        "coordinator": UserFactory(coordinator=True, department=department),
        "other_handler": UserFactory(handler=True, department=other),
        "manager": UserFactory(manager=True, department=department),
        "employee": UserFactory(employee=True, department=department),
    }
    machine = type(
        "Machine",
        (CaseMachine,),
        {"users": users, "department": department, "equal_days": selectors.equal_days()},
    )

    with time_machine.travel(TODAY):
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=60,
                stateful_step_count=25,
                deadline=None,
                database=None,  # no example database written into the checkout
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
