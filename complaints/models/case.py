"""The complaint case and its state machine: five stages, closure reasons, the ladder rung.

Transition methods only change fields on ``self``; ``complaints.services.complaint_transition``
performs every move (row lock, stale check, permission, event row). The transition table:

    intake   -> explore          start_exploring   handler assigned, impartial (9:7),
                                                   written complaint acknowledged (9:6)
    explore  -> resolve          seek_solution     explored: contact, problem, desired
                                                   outcome, at least one part
    explore  -> judge            start_judging     explored
    resolve  -> judge            solution_failed
    resolve  -> closed           close_resolved    solution and confirmed satisfaction (9:5)
    judge    -> closed           close_judged      every part judged; heard or waiver ground (9:10);
                                                   the outcome letter sent (9:12); a postponement's
                                                   notices all sent (9:11 lid 2)
    intake, explore -> closed    close_not_handled a 9:8 ground and its notice sent
    intake   -> closed           close_forwarded   the competent body (2:3)
    any open -> closed           withdraw          how it was withdrawn (a note)
    closed   -> explore          reopen            coordinator only, with a reason

The ladder (DOMAIN.md section 2). A move whose ``custom["rungs"]`` names rungs exists only at
those rungs (``complaints.moves.transition_of``); the others exist at every rung. The formal
steps of Awb chapter 9 (marked *) are for rungs 2 and 3; at rung 1 there are no formal duties:

    explore  -> closed           close_resolved    rung 1 only: solution and confirmed
                                                   satisfaction (9:5), logged or later
    any      -> intake           escalate          rung 1 only: hand over to a complaint
                                                   handler (rung 2); not a case-page move:
                                                   complaints.services.ladder.complaint_escalate

    * seek_solution, start_judging, solution_failed, close_resolved (from resolve),
      close_judged, close_not_handled
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from . import guards
from .choices import (
    OPEN_STAGES,
    Channel,
    ClosureReason,
    ContactPreference,
    HearingWaiver,
    Language,
    NotHandledGround,
    Rung,
    Stage,
)
from .validators import from_1900

HANDLE = "accounts.handle_complaint"


def not_in_the_future(day) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The date of receipt cannot be in the future."))


REOPEN = "accounts.reopen_complaint"
LOG_RUNG1 = "accounts.log_rung1"
# The rungs of the formal procedure of Awb chapter 9 (rung 3 keeps the rung-2 case).
FORMAL = (Rung.HANDLER, Rung.OMBUDSMAN)


def may_escalate(complaint, user) -> bool:
    """Whoever logs rung-1 cases, or handles complaints, may hand one to a handler."""
    return user.has_perm(LOG_RUNG1) or user.has_perm(HANDLE)


class Complaint(ConcurrentTransitionMixin, models.Model):
    # --- identity and registration -------------------------------------------------
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    stage = FSMField(_("stage"), default=Stage.INTAKE, choices=Stage.choices, protected=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    rung = models.PositiveSmallIntegerField(_("rung"), choices=Rung.choices, default=Rung.HANDLER)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("received on"), validators=[not_in_the_future])
    is_written = models.BooleanField(
        _("written complaint"), help_text=_("Written complaints have formal duties (Awb 9:4).")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("handling department"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_complaints",
    )
    # The one-time key of the public form: a double submit or a retry makes one complaint.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # --- the ladder (DOMAIN.md section 2) --------------------------------------------
    # Rung 1: the day an employee logged dissatisfaction they dealt with themselves, and
    # the service norm for handling it; rung 2: the day it became a formal complaint (the
    # Awb clock starts then: received_on is set to it). Rung 3 is an OmbudsmanCase row.
    logged_on = models.DateField(_("logged at rung 1 on"), null=True, blank=True)
    rung1_due = models.DateField(_("rung-1 handling due"), null=True, blank=True)
    escalated_on = models.DateField(_("handed to a complaint handler on"), null=True, blank=True)

    # --- the complainant (other parties are Party rows) ----------------------------
    complainant_name = models.CharField(_("name"), max_length=200)
    complainant_email = models.EmailField(_("e-mail address"), blank=True)
    complainant_phone = models.CharField(_("phone number"), max_length=40, blank=True)
    complainant_address = models.TextField(_("address"), blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"),
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.PHONE,
    )
    complainant_needs = models.TextField(
        _("needs"), blank=True, help_text=_("For example an interpreter, or large print.")
    )

    # --- the conduct complained about ----------------------------------------------
    conduct_description = models.TextField(_("what happened"))
    conduct_date = models.DateField(_("when"), null=True, blank=True)
    conduct_place = models.CharField(_("where"), max_length=200, blank=True)
    conduct_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department the complaint is about"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
    )
    desired_outcome = models.TextField(_("desired outcome"), blank=True)
    underlying_problem = models.TextField(_("problem behind the complaint"), blank=True)
    themes = models.ManyToManyField(
        "complaints.Theme", verbose_name=_("themes"), blank=True, related_name="complaints"
    )

    # --- Awb 9:4 checklist for a written complaint ---------------------------------
    is_signed = models.BooleanField(_("signed"), default=False)
    states_name = models.BooleanField(_("states name"), default=False)
    states_address = models.BooleanField(_("states address"), default=False)
    states_date = models.BooleanField(_("states the date"), default=False)
    states_conduct = models.BooleanField(_("describes the conduct"), default=False)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)  # 9:6

    # --- screening (Awb 9:8, 2:3) ---------------------------------------------------
    not_handled_ground = models.CharField(
        _("ground not to handle"), max_length=4, choices=NotHandledGround.choices, blank=True
    )
    forwarded_to = models.CharField(_("forwarded to (competent body)"), max_length=200, blank=True)

    # --- hearing (Awb 9:10) ---------------------------------------------------------
    hearing_planned_at = models.DateTimeField(
        _("hearing planned at"), null=True, blank=True, validators=[from_1900]
    )
    hearing_held_on = models.DateField(_("hearing held on"), null=True, blank=True)
    hearing_parties = models.TextField(_("parties heard"), blank=True)
    hearing_waiver = models.CharField(
        _("reason not to hear"), max_length=1, choices=HearingWaiver.choices, blank=True
    )
    hearing_report = models.TextField(_("hearing report"), blank=True)

    # --- solution (Awb 9:5) ---------------------------------------------------------
    solution = models.TextField(_("solution"), blank=True)
    satisfaction_confirmed_on = models.DateField(
        _("satisfaction confirmed on"), null=True, blank=True
    )
    satisfaction_channel = models.CharField(
        _("satisfaction confirmed by"), max_length=10, choices=Channel.choices, blank=True
    )
    satisfaction_note = models.TextField(_("satisfaction note"), blank=True)

    # --- deadlines (stored so lists and reminders are plain indexed queries) --------
    # Computed by complaints.services.deadlines from ladder.deadlines; never typed in.
    advisory_committee = models.BooleanField(
        _("advisory committee"),
        default=False,
        help_text=_("An advisory committee hears the complaint (Awb 9:13): 10 weeks to decide."),
    )
    decision_due = models.DateField(_("decision due"), null=True, blank=True)  # Awb 9:11
    acknowledgement_due = models.DateField(
        _("acknowledgement due"), null=True, blank=True
    )  # service norm for 9:6
    first_contact_due = models.DateField(_("first contact due"), null=True, blank=True)
    first_contact_on = models.DateField(_("first contact on"), null=True, blank=True)
    not_handled_notice_due = models.DateField(
        _("notice of not handling due"), null=True, blank=True
    )  # Awb 9:8, only while a ground is recorded
    # Awb 9:11 lid 2: once, at most 4 weeks, with notice to both parties.
    postponed_on = models.DateField(_("postponed on"), null=True, blank=True)
    postponement_reason = models.TextField(_("reason for postponement"), blank=True)
    postponement_weeks = models.PositiveSmallIntegerField(
        _("postponed by (weeks)"), null=True, blank=True
    )
    # Awb 9:11 lid 3: any further delay only with the complainant's written consent.
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_consent_on = models.DateField(_("written consent given on"), null=True, blank=True)
    extension_consent_note = models.TextField(_("consent"), blank=True)

    # --- bookkeeping ----------------------------------------------------------------
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Bumped by every service write; an edit form carries it to detect a stale page.
    version = models.PositiveIntegerField(default=1, editable=False)
    # DOMAIN.md section 7: set by the retention sweep (complaints.services.retention) when
    # the personal data of the closed case was removed; the statistics stay.
    anonymised_at = models.DateTimeField(
        _("personal data removed at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]
        indexes = [
            # Worklists: open cases of a department or a handler, by deadline.
            models.Index(
                fields=["department", "decision_due"],
                name="complaint_open_dept_due",
                condition=~models.Q(stage=Stage.CLOSED),
            ),
            models.Index(
                fields=["handler", "decision_due"],
                name="complaint_open_handler_due",
                condition=~models.Q(stage=Stage.CLOSED),
            ),
            # Dashboards: the open cases of a department by stage and rung, counted from
            # the index alone (an index-only scan; reporting.figures.open_now counts rows).
            models.Index(
                fields=["department", "stage", "rung"],
                name="complaint_open_dept_stage",
                condition=~models.Q(stage=Stage.CLOSED),
            ),
            models.Index(fields=["received_on"], name="complaint_received"),
            # The coordinator's "due this week and overdue" list and the reminder sweep.
            models.Index(
                fields=["decision_due"],
                name="complaint_open_decision_due",
                condition=~models.Q(stage=Stage.CLOSED),
            ),
            models.Index(
                fields=["acknowledgement_due"],
                name="complaint_open_ack_due",
                condition=~models.Q(stage=Stage.CLOSED) & models.Q(acknowledged_on__isnull=True),
            ),
            models.Index(
                fields=["first_contact_due"],
                name="complaint_open_contact_due",
                condition=~models.Q(stage=Stage.CLOSED) & models.Q(first_contact_on__isnull=True),
            ),
            models.Index(
                fields=["rung1_due"],
                name="complaint_open_rung1_due",
                condition=~models.Q(stage=Stage.CLOSED) & models.Q(rung=1),
            ),
            # Ladder metrics per period: where cases ended, by rung.
            models.Index(fields=["closed_at", "rung"], name="complaint_closed_rung"),
            models.Index(fields=["department", "closed_at"], name="complaint_dept_closed"),
            models.Index(
                fields=["logged_on"],
                name="complaint_logged_on",
                condition=models.Q(logged_on__isnull=False),
            ),
            models.Index(
                fields=["escalated_on"],
                name="complaint_escalated_on",
                condition=models.Q(escalated_on__isnull=False),
            ),
            models.Index(
                fields=["not_handled_notice_due"],
                name="complaint_open_notice_due",
                condition=~models.Q(stage=Stage.CLOSED),
            ),
            # The retention sweep: closed cases whose personal data is still held.
            models.Index(
                fields=["closed_at"],
                name="complaint_retention_due",
                condition=models.Q(closed_at__isnull=False, anonymised_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    # --- transitions ------------------------------------------------------------------
    @transition(
        field=stage,
        source=Stage.INTAKE,
        target=Stage.EXPLORE,
        conditions=[
            guards.has_handler,
            guards.handler_is_impartial,
            guards.acknowledged_if_written,
        ],
        permission=HANDLE,
        custom={"label": _("Start exploring")},
    )
    def start_exploring(self, note: str = "") -> None:
        pass

    @transition(
        field=stage,
        source=Stage.EXPLORE,
        target=Stage.RESOLVE,
        conditions=guards.EXPLORED,
        permission=HANDLE,
        custom={"label": _("There is a solution: resolve"), "rungs": FORMAL},
    )
    def seek_solution(self, note: str = "") -> None:
        pass

    @transition(
        field=stage,
        source=Stage.EXPLORE,
        target=Stage.JUDGE,
        conditions=guards.EXPLORED,
        permission=HANDLE,
        custom={"label": _("No solution: judge"), "rungs": FORMAL},
    )
    def start_judging(self, note: str = "") -> None:
        pass

    @transition(
        field=stage,
        source=Stage.RESOLVE,
        target=Stage.JUDGE,
        permission=HANDLE,
        custom={"label": _("The solution failed: judge"), "needs_note": True, "rungs": FORMAL},
    )
    def solution_failed(self, note: str = "") -> None:
        pass

    @transition(
        field=stage,
        source=Stage.RESOLVE,
        target=Stage.CLOSED,
        conditions=[guards.has_solution, guards.satisfaction_confirmed],
        permission=HANDLE,
        custom={
            "label": _("Close: resolved"),
            "closure_reason": ClosureReason.RESOLVED,
            "rungs": FORMAL,
        },
    )
    @transition(
        field=stage,
        source=Stage.EXPLORE,
        target=Stage.CLOSED,
        conditions=[guards.has_solution, guards.satisfaction_confirmed],
        permission=LOG_RUNG1,
        custom={
            "label": _("Close: resolved"),
            "closure_reason": ClosureReason.RESOLVED,
            "rungs": (Rung.EMPLOYEE,),
        },
    )
    def close_resolved(self, note: str = "") -> None:
        self._close(ClosureReason.RESOLVED, note)

    @transition(
        field=stage,
        source=Stage.JUDGE,
        target=Stage.CLOSED,
        conditions=[
            guards.every_part_judged,
            guards.heard_or_waived,
            guards.outcome_letter_sent,
            guards.postponement_notified,
        ],
        permission=HANDLE,
        custom={
            "label": _("Close: judged"),
            "closure_reason": ClosureReason.JUDGED,
            "rungs": FORMAL,
        },
    )
    def close_judged(self, note: str = "") -> None:
        self._close(ClosureReason.JUDGED, note)

    @transition(
        field=stage,
        source=[Stage.INTAKE, Stage.EXPLORE],
        target=Stage.CLOSED,
        conditions=[guards.has_not_handled_ground, guards.not_handled_notice_sent],
        permission=HANDLE,
        custom={
            "label": _("Close: not handled"),
            "closure_reason": ClosureReason.NOT_HANDLED,
            "rungs": FORMAL,
        },
    )
    def close_not_handled(self, note: str = "") -> None:
        self._close(ClosureReason.NOT_HANDLED, note)

    @transition(
        field=stage,
        source=Stage.INTAKE,
        target=Stage.CLOSED,
        conditions=[guards.has_receiving_body],
        permission=HANDLE,
        custom={"label": _("Close: forwarded"), "closure_reason": ClosureReason.FORWARDED},
    )
    def close_forwarded(self, note: str = "") -> None:
        self._close(ClosureReason.FORWARDED, note)

    @transition(
        field=stage,
        source=list(OPEN_STAGES),
        target=Stage.CLOSED,
        permission=HANDLE,
        custom={
            "label": _("Close: withdrawn"),
            "closure_reason": ClosureReason.WITHDRAWN,
            "needs_note": True,
        },
    )
    def withdraw(self, note: str = "") -> None:
        self._close(ClosureReason.WITHDRAWN, note)

    @transition(
        field=stage,
        source=Stage.CLOSED,
        target=Stage.EXPLORE,
        permission=REOPEN,
        custom={"label": _("Reopen"), "needs_note": True},
    )
    def reopen(self, note: str = "") -> None:
        self.closure_reason = ""
        self.closure_note = ""
        self.closed_at = None

    @transition(
        field=stage,
        source=list(Stage.values),
        target=Stage.INTAKE,
        permission=may_escalate,
        custom={"label": _("Hand over to a complaint handler"), "rungs": (Rung.EMPLOYEE,)},
    )
    def escalate(self, *, on, is_written: bool, note: str = "") -> None:
        """Rung 1 -> 2: the formal complaint starts on ``on`` (the Awb clock runs from then:
        it becomes the date of receipt). A closure at rung 1 and its satisfaction evidence no
        longer hold; the service keeps them in the RUNG event. The due dates are the
        service's (``due_dates_compute``)."""
        self.rung = Rung.HANDLER
        self.escalated_on = on
        self.received_on = on
        self.is_written = is_written
        self.closure_reason = ""
        self.closure_note = ""
        self.closed_at = None
        self.satisfaction_confirmed_on = None
        self.satisfaction_channel = ""

    def _close(self, reason: str, note: str) -> None:
        self.closure_reason = reason
        self.closure_note = note
        self.closed_at = timezone.now()
