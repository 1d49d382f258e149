"""Drawing a year of demo cases for ``reporting.demo.seed_year``: each case as it would stand
today, with its timeline, before any row is written. Deterministic: one ``random.Random`` with a
fixed seed, every date relative to ``today``."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import (
    WRITTEN_CHANNELS,
    Channel,
    ClosureReason,
    Complaint,
    ContactPreference,
    EventKind,
    HearingWaiver,
    Judgment,
    Language,
    Norm,
    NotHandledGround,
    Rung,
    Stage,
    SurveyResponse,
    Theme,
)
from complaints.services.deadlines import due_dates_compute
from ladder import selectors as ladder_selectors

from . import demo_texts as texts
from .models import Cause, Lesson

SEED = 82026
MARKER = {"demo": "year"}  # in the data of each year case's registration event
CASES = 760  # drawn at random; plus the SCRIPTED open cases
RUNG1_SHARE = 0.55
ESCALATED_SHARE = 0.09  # of the rung-1 logs
OMBUDSMAN_CASES = 14

# Department code -> weight and the themes its complaints are mostly about.
DEPARTMENTS = {
    "kcc": (14, ("Bereikbaarheid", "Bejegening", "Communicatie en informatie")),
    "bz": (18, ("Wachttijd en termijnen", "Bejegening", "Procedure en besluitvorming")),
    "bel": (16, ("Financiën en betalingen", "Communicatie en informatie")),
    "sd": (8, ("Procedure en besluitvorming", "Communicatie en informatie", "Privacy")),
    "wi": (16, ("Financiën en betalingen", "Wachttijd en termijnen", "Bejegening")),
    "jeugd": (10, ("Communicatie en informatie", "Bejegening", "Privacy")),
    "or": (18, ("Openbare ruimte", "Bereikbaarheid", "Wachttijd en termijnen")),
}
OUTCOMES = {  # how a formal complaint ends
    ClosureReason.RESOLVED: 40,
    ClosureReason.JUDGED: 30,
    ClosureReason.NOT_HANDLED: 8,
    ClosureReason.FORWARDED: 7,
    ClosureReason.WITHDRAWN: 8,
}
# Open cases that must be there whatever the draw: (days ago received, stage it waits in).
# The older ones are past their decision date.
SCRIPTED = (
    (1, Stage.INTAKE),
    (9, Stage.EXPLORE),
    (20, Stage.RESOLVE),
    (30, Stage.JUDGE),
    (50, Stage.INTAKE),
    (47, Stage.EXPLORE),
    (55, Stage.RESOLVE),
    (60, Stage.JUDGE),
    (45, Stage.JUDGE),
)
DIRECT_CHANNELS = {  # how formal complaints come in
    Channel.WEB_FORM: 35,
    Channel.EMAIL: 25,
    Channel.LETTER: 15,
    Channel.PHONE: 18,
    Channel.COUNTER: 7,
}
LOG_CHANNELS = {Channel.PHONE: 45, Channel.COUNTER: 35, Channel.EMAIL: 12, Channel.SOCIAL: 8}
STAGE_ORDER = {Stage.INTAKE: 0, Stage.EXPLORE: 1, Stage.RESOLVE: 2, Stage.JUDGE: 3}
FREQUENT_NORMS = (2, 3, 4, 7, 10, 11, 14, 15, 16, 19)


@dataclass
class Step:
    """One timeline row of a planned case."""

    day: date
    kind: str
    name: str = ""
    from_stage: str = ""
    to_stage: str = ""
    from_rung: int | None = None
    to_rung: int | None = None
    note: str = ""
    data: dict = field(default_factory=dict)
    at: datetime | None = None  # set from ``day`` when the case is finished


@dataclass
class Case:
    """A case before it becomes rows: the complaint and what hangs off it."""

    complaint: "Complaint | Draft"  # a Draft until ``finish``
    anchor: date  # the day its reference is of (the log or the receipt)
    themes: list[Theme]
    steps: list[Step] = field(default_factory=list)
    # (description, judgment, reasoning, norms)
    parts: list[tuple[str, str, str, list[Norm]]] = field(default_factory=list)
    survey: SurveyResponse | None = None
    lesson: Lesson | None = None
    lesson_norms: list[Norm] = field(default_factory=list)


class Draft:
    """The fields of a case being drawn: built into a Complaint once, with its stage, by
    ``Year.finish`` (the stage is a protected field: given once, to the constructor). A
    field not set reads as None."""

    def __init__(self, **fields):
        vars(self).update(fields)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return None


class Year:
    """The year being drawn: ``draw`` fills ``cases``."""

    def __init__(self, departments: dict[str, Department], staff: dict[Role, User], today: date):
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not a secret
        self.today = today
        self.start = _months_back(today, 12)
        end_of_today = timezone.make_aware(datetime.combine(today, time(23, 59)))
        self.now = min(timezone.now(), end_of_today)
        self.departments = {code: departments[code] for code in DEPARTMENTS if code in departments}
        self.staff = staff
        self.themes = {theme.name_nl: theme for theme in Theme.objects.filter(is_active=True)}
        norms = {norm.number: norm for norm in Norm.objects.all()}
        self.norms = [norms[n] for n in FREQUENT_NORMS if n in norms] or list(norms.values())
        self.causes = {cause.code: cause for cause in Cause.objects.filter(is_active=True)}
        self.equal_days = ladder_selectors.equal_days()
        self.service_norms = ladder_selectors.service_norms()
        self.cases: list[Case] = []
        self.names = 0

    # --- small draws -------------------------------------------------------------------
    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def moment(self, day: date, step: int) -> datetime:
        at = timezone.make_aware(datetime.combine(day, time(9, 0))) + timedelta(minutes=17 * step)
        return min(at, self.now)

    def later(self, day: date, days: tuple[int, int]) -> date:
        return day + timedelta(days=self.rng.randint(*days))

    def received_day(self, channel: str) -> date:
        day = self.today - timedelta(days=self.rng.randint(0, (self.today - self.start).days))
        if day.weekday() >= 5 and channel not in (Channel.WEB_FORM, Channel.EMAIL, Channel.SOCIAL):
            day -= timedelta(days=day.weekday() - 4)  # offices are closed: the Friday before
        return max(day, self.start)

    def department_and_themes(self, day: date) -> tuple[Department, list[Theme]]:
        code = self.pick({code: DEPARTMENTS[code][0] for code in self.departments})
        weights = {}
        for number, name in enumerate(DEPARTMENTS[code][1]):
            weight = 3 if number == 0 else 1.5
            if name == "Wachttijd en termijnen" and (self.today - day).days < 120:
                weight *= 3  # a rising theme: the dashboards' trend shows it
            if name == "Openbare ruimte" and day.month in (11, 12, 1, 2):
                weight *= 2  # winter: potholes, lights, leaves
            weights[name] = weight
        names = [self.pick(weights)]
        if self.rng.random() < 0.25 and self.themes:
            names.append(self.rng.choice(list(self.themes)))
        themes = [self.themes[name] for name in dict.fromkeys(names) if name in self.themes]
        return self.departments[code], themes

    def person(self, channel: str) -> dict:
        first, last = self.rng.choice(texts.FIRST_NAMES), self.rng.choice(texts.LAST_NAMES)
        self.names += 1
        name = f"{first} {last}"
        email = f"{slugify(name).replace('-', '.')}.{self.names}@{texts.YEAR_DOMAIN}"
        phone = f"06 {self.rng.randint(10_000_000, 99_999_999)}"
        fields = {"complainant_name": name, "complainant_phone": phone}
        if channel in (Channel.WEB_FORM, Channel.EMAIL) or self.rng.random() < 0.3:
            fields["complainant_email"] = email
        if channel == Channel.LETTER:
            street = self.rng.choice(texts.STREETS)
            fields["complainant_address"] = f"{street} {self.rng.randint(1, 120)}\n1234 AB Demodorp"
        fields["preferred_contact"] = (
            ContactPreference.EMAIL if "complainant_email" in fields else ContactPreference.PHONE
        )
        fields["language"] = Language.ENGLISH if self.rng.random() < 0.04 else Language.DUTCH
        return fields

    def handler_for(self, department: Department) -> User:
        # The demo has one complaint handler (Burgerzaken); elsewhere the coordinator handles.
        if department.code == "bz":
            return self.staff[Role.HANDLER]
        return self.staff[Role.COORDINATOR]

    # --- cases ---------------------------------------------------------------------------
    def rung1(self, stuck_open_days: int | None = None) -> Case:
        """A quick log by the demo employee; most are closed on the spot or the next day,
        some are handed to a complaint handler later."""
        channel = self.pick(LOG_CHANNELS)
        if stuck_open_days is None:
            logged = self.received_day(channel)
        else:
            logged = self.today - timedelta(days=stuck_open_days)
        department, themes = self.department_and_themes(logged)
        if self.rng.random() < 0.1:
            themes = []  # not every quick log gets a theme
        theme = themes[0].name_nl if themes else "Communicatie en informatie"
        complaint = Draft(
            **self.person(channel),
            channel=channel,
            department=department,
            conduct_department=department,
            conduct_description=self.rng.choice(
                texts.CONDUCT.get(theme, texts.CONDUCT["Bejegening"])
            ),
            solution=self.rng.choice(texts.RUNG1_SOLUTIONS),
            rung=Rung.EMPLOYEE,
            received_on=logged,
            logged_on=logged,
            is_written=False,
            registered_by=self.staff[Role.EMPLOYEE],
        )
        case = Case(complaint=complaint, anchor=logged, themes=themes)
        case.steps.append(
            Step(
                logged,
                EventKind.REGISTERED,
                "rung1_log",
                to_stage=Stage.EXPLORE,
                note="Vastgelegd op trede 1",
                data=dict(MARKER),
            )
        )
        r = self.rng.random()
        closed = logged + timedelta(
            days=0 if r < 0.8 else 1 if r < 0.93 else self.rng.randint(2, 4)
        )
        escalated = self.rng.random() < ESCALATED_SHARE
        closes_at_rung1 = not escalated or self.rng.random() < 0.5
        if stuck_open_days is not None:
            closes_at_rung1 = escalated = False
        stage = Stage.EXPLORE
        if closes_at_rung1 and closed <= self.today:
            stage = Stage.CLOSED
            case.steps.append(
                Step(
                    closed,
                    EventKind.TRANSITION,
                    "close_resolved",
                    Stage.EXPLORE,
                    Stage.CLOSED,
                    note="Ter plekke opgelost; de burger was tevreden.",
                )
            )
            complaint.satisfaction_confirmed_on = closed
            complaint.satisfaction_channel = channel
            complaint.satisfaction_note = self.rng.choice(texts.SATISFIED)
            complaint.closure_reason = ClosureReason.RESOLVED
            complaint.closure_note = "Ter plekke opgelost; de burger was tevreden."
        on = self.later(max(logged, closed if stage == Stage.CLOSED else logged), (1, 10))
        if escalated and on <= self.today:
            reason = self.rng.choice(texts.ESCALATION)
            written = self.rng.random() < 0.6
            case.steps += [
                Step(on, EventKind.TRANSITION, "escalate", stage, Stage.INTAKE, note=reason),
                Step(
                    on,
                    EventKind.RUNG,
                    "escalate",
                    from_rung=Rung.EMPLOYEE,
                    to_rung=Rung.HANDLER,
                    note=reason,
                    data={"on": on.isoformat(), "is_written": written},
                ),
            ]
            for name in (
                "satisfaction_confirmed_on",
                "satisfaction_channel",
                "satisfaction_note",
                "closure_reason",
                "closure_note",
            ):
                vars(complaint).pop(name, None)  # what held at rung 1 holds no more
            complaint.escalated_on = complaint.received_on = on
            complaint.rung = Rung.HANDLER
            complaint.is_written = written
            complaint.desired_outcome = self.rng.choice(texts.DESIRED)
            return self.formal(case, on, self.pick(OUTCOMES))
        return self.finish(case, stage)

    def formal(self, case: Case, received: date, outcome: str, stop: str | None = None) -> Case:
        """A complaint at rung 2 from ``received``: the moves towards ``outcome``, as far as
        they lie before today (or up to the stage ``stop``, where it waits)."""
        complaint, rng = case.complaint, self.rng
        explored = self.later(received, (1, 5))
        moves: list[tuple[date, str, str, str]] = []  # (day, move, from, to)
        if outcome == ClosureReason.FORWARDED:
            moves.append(
                (self.later(received, (1, 6)), "close_forwarded", Stage.INTAKE, Stage.CLOSED)
            )
        elif outcome == ClosureReason.NOT_HANDLED and rng.random() < 0.6:
            moves.append(
                (self.later(received, (5, 25)), "close_not_handled", Stage.INTAKE, Stage.CLOSED)
            )
        else:
            moves.append((explored, "start_exploring", Stage.INTAKE, Stage.EXPLORE))
            if outcome == ClosureReason.NOT_HANDLED:
                moves.append(
                    (
                        self.later(explored, (5, 20)),
                        "close_not_handled",
                        Stage.EXPLORE,
                        Stage.CLOSED,
                    )
                )
            elif outcome == ClosureReason.WITHDRAWN:
                last = Stage.EXPLORE
                if rng.random() < 0.3:
                    moves.append(
                        (
                            self.later(explored, (3, 10)),
                            "seek_solution",
                            Stage.EXPLORE,
                            Stage.RESOLVE,
                        )
                    )
                    last = Stage.RESOLVE
                moves.append((self.later(moves[-1][0], (3, 20)), "withdraw", last, Stage.CLOSED))
            elif outcome == ClosureReason.RESOLVED:
                resolve = self.later(explored, (3, 12))
                moves.append((resolve, "seek_solution", Stage.EXPLORE, Stage.RESOLVE))
                moves.append(
                    (self.later(resolve, (2, 14)), "close_resolved", Stage.RESOLVE, Stage.CLOSED)
                )
            else:  # judged; some after a solution that failed
                if rng.random() < 0.12:
                    resolve = self.later(explored, (3, 10))
                    moves.append((resolve, "seek_solution", Stage.EXPLORE, Stage.RESOLVE))
                    judge = self.later(resolve, (5, 12))
                    moves.append((judge, "solution_failed", Stage.RESOLVE, Stage.JUDGE))
                else:
                    judge = self.later(explored, (5, 15))
                    moves.append((judge, "start_judging", Stage.EXPLORE, Stage.JUDGE))
                # Mostly within the six weeks; some take longer (a few postponed, Awb 9:11).
                lead = rng.randint(20, 41) if rng.random() < 0.75 else rng.randint(43, 72)
                closed = max(received + timedelta(days=lead), self.later(judge, (3, 8)))
                moves.append((closed, "close_judged", Stage.JUDGE, Stage.CLOSED))
                late = (closed - received).days > 42
                if late and stop is None and rng.random() < 0.4:
                    complaint.postponed_on = received + timedelta(days=35)
                    complaint.postponement_weeks = 4
                    complaint.postponement_reason = texts.POSTPONEMENT
                complaint.advisory_committee = stop is None and rng.random() < 0.03
        if stop is not None:  # waits in ``stop``: no move out of it
            moves = [m for m in moves if STAGE_ORDER.get(m[2], 9) < STAGE_ORDER[stop]]
        moves = [m for m in moves if m[0] <= self.today]
        if complaint.postponed_on and complaint.postponed_on > self.today:
            complaint.postponed_on, complaint.postponement_weeks = None, None
            complaint.postponement_reason = ""

        written = complaint.is_written
        if written:
            complaint.acknowledged_on = min(self.later(received, (0, 2)), self.today)
        stage = moves[-1][3] if moves else Stage.INTAKE
        done = {m[1]: m[0] for m in moves}
        for day, name, source, target in moves:
            note = texts.WITHDRAWN[0] if name == "withdraw" else ""
            case.steps.append(Step(day, EventKind.TRANSITION, name, source, target, note=note))
        department = complaint.department
        if stage != Stage.INTAKE or rng.random() < 0.5:
            complaint.handler = self.handler_for(department)
        if "start_exploring" in done:
            complaint.first_contact_on = done["start_exploring"]
            complaint.underlying_problem = rng.choice(texts.PROBLEMS)
            descriptions = rng.sample(texts.PARTS, rng.choice((1, 1, 2, 2, 3)))
            case.parts = [(text, "", "", []) for text in descriptions]
        if "seek_solution" in done:
            complaint.solution = rng.choice(texts.SOLUTIONS)
        if "close_resolved" in done:
            complaint.satisfaction_confirmed_on = done["close_resolved"]
            complaint.satisfaction_channel = Channel.PHONE
            complaint.satisfaction_note = rng.choice(texts.SATISFIED)
        if "close_judged" in done:
            judged = []
            for text, *_rest in case.parts:
                judgment = self.pick(
                    {Judgment.WELL_FOUNDED: 40, Judgment.UNFOUNDED: 45, Judgment.NO_JUDGMENT: 15}
                )
                norms = rng.sample(self.norms, min(len(self.norms), rng.choice((1, 1, 2))))
                judged.append((text, judgment, rng.choice(texts.REASONING[judgment]), norms))
            case.parts = judged
            if rng.random() < 0.7:
                complaint.hearing_held_on = done["close_judged"] - timedelta(days=rng.randint(2, 6))
                complaint.hearing_parties = f"{complaint.complainant_name}; de medewerker"
                complaint.hearing_report = rng.choice(texts.HEARING_REPORT)
            else:
                complaint.hearing_waiver = rng.choice(
                    (HearingWaiver.WAIVED, HearingWaiver.MANIFESTLY_UNFOUNDED)
                )
        if "close_not_handled" in done:
            complaint.not_handled_ground = rng.choice(
                (
                    NotHandledGround.OLDER_THAN_A_YEAR,
                    NotHandledGround.OBJECTION_POSSIBLE,
                    NotHandledGround.APPEAL_POSSIBLE,
                    NotHandledGround.INSUFFICIENT_INTEREST,
                )
            )
        if "close_forwarded" in done:
            complaint.forwarded_to = rng.choice(texts.FORWARDED_TO)
        if stage == Stage.CLOSED:
            name = moves[-1][1]
            complaint.closure_reason = {
                "close_forwarded": ClosureReason.FORWARDED,
                "close_not_handled": ClosureReason.NOT_HANDLED,
                "withdraw": ClosureReason.WITHDRAWN,
                "close_resolved": ClosureReason.RESOLVED,
                "close_judged": ClosureReason.JUDGED,
            }[name]
            if name == "withdraw":
                complaint.closure_note = texts.WITHDRAWN[0]
        return self.finish(case, stage)

    def finish(self, case: Case, stage: str) -> Case:
        """The stage, the due dates and the timeline moments; the lesson and survey."""
        complaint = case.complaint
        complaint = Complaint(**vars(complaint), stage=stage)  # the protected field, once
        case.complaint = complaint
        due_dates_compute(complaint, equal_days=self.equal_days, norms=self.service_norms)
        at = None
        for number, step in enumerate(case.steps):
            step.at = at = self.moment(step.day, number)
            if step.kind == EventKind.TRANSITION and step.to_stage == Stage.CLOSED:
                complaint.closed_at = at
            elif step.kind == EventKind.TRANSITION and step.name == "escalate":
                complaint.closed_at = None
        complaint.created_at = self.moment(case.anchor, 0)
        complaint.updated_at = at or complaint.created_at
        if stage == Stage.CLOSED:
            self.survey(case)
            self.lesson(case)
        self.cases.append(case)
        return case

    def survey(self, case: Case) -> None:
        complaint, rng = case.complaint, self.rng
        reason = complaint.closure_reason
        share = 0.06 if complaint.rung == Rung.EMPLOYEE else 0.4
        if reason not in (ClosureReason.RESOLVED, ClosureReason.JUDGED) or rng.random() > share:
            return
        weights = (2, 3, 10, 35, 50) if reason == ClosureReason.RESOLVED else (8, 12, 25, 35, 20)
        rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        answered = complaint.closed_at + timedelta(days=rng.randint(1, 12))
        if answered > self.now:  # closed only just now: not answered yet
            return
        case.survey = SurveyResponse(
            rating=rating,
            felt_heard=rng.random() < (0.9 if rating >= 3 else 0.4),
            comment=rng.choice(texts.SURVEY_COMMENTS),
            answered_at=answered,
        )

    def lesson(self, case: Case) -> None:
        complaint, rng = case.complaint, self.rng
        share = {
            ClosureReason.RESOLVED: 0.85,
            ClosureReason.JUDGED: 0.9,
            ClosureReason.NOT_HANDLED: 0.4,
        }
        if complaint.rung == Rung.EMPLOYEE or rng.random() > share.get(complaint.closure_reason, 0):
            return
        if not self.causes:  # the list the functional admin keeps is empty
            return
        theme = case.themes[0] if case.themes else None
        code = texts.CAUSE_OF_THEME.get(theme.name_nl if theme else "", "other")
        if rng.random() < 0.25 or code not in self.causes:
            code = rng.choice(list(self.causes))
        case.lesson = Lesson(
            theme=theme,
            cause=self.causes[code],
            text=rng.choice(texts.LESSONS.get(code, texts.LESSONS["other"])),
            recorded_by=complaint.handler or self.staff[Role.COORDINATOR],
            recorded_at=complaint.closed_at,
            updated_at=complaint.closed_at,
        )
        case.lesson_norms = [
            norm
            for _t, judgment, _r, norms in case.parts
            if judgment == Judgment.WELL_FOUNDED
            for norm in norms
        ]

    def draw(self) -> None:
        for _number in range(CASES):
            if self.rng.random() < RUNG1_SHARE:
                self.rung1()
                continue
            self.direct(self.pick(OUTCOMES))
        for days_ago, stage in SCRIPTED:
            outcome = ClosureReason.JUDGED if stage == Stage.JUDGE else ClosureReason.RESOLVED
            received = self.today - timedelta(days=days_ago)
            self.direct(outcome, received=received, stop=stage, channel=Channel.EMAIL)
        self.rung1(stuck_open_days=1)
        self.rung1(stuck_open_days=12)  # past the rung-1 service norm

    def direct(
        self,
        outcome: str,
        *,
        received: date | None = None,
        stop: str | None = None,
        channel: str | None = None,
    ) -> Case:
        """A complaint that came in as a formal one (rung 2)."""
        channel = channel or self.pick(DIRECT_CHANNELS)
        received = received or self.received_day(channel)
        department, themes = self.department_and_themes(received)
        theme = themes[0].name_nl if themes else "Bejegening"
        written = channel in WRITTEN_CHANNELS
        complaint = Draft(
            **self.person(channel),
            channel=channel,
            department=department,
            conduct_department=department,
            conduct_description=self.rng.choice(
                texts.CONDUCT.get(theme, texts.CONDUCT["Bejegening"])
            ),
            conduct_date=received - timedelta(days=self.rng.randint(0, 20)),
            desired_outcome=self.rng.choice(texts.DESIRED),
            rung=Rung.HANDLER,
            received_on=received,
            is_written=written,
            is_signed=channel == Channel.LETTER,
            states_name=written,
            states_address=channel == Channel.LETTER,
            states_date=written,
            states_conduct=written,
            registered_by=self.staff[Role.COORDINATOR],
        )
        case = Case(complaint=complaint, anchor=received, themes=themes)
        case.steps.append(
            Step(received, EventKind.REGISTERED, to_stage=Stage.INTAKE, data=dict(MARKER))
        )
        return self.formal(case, received, outcome, stop)


def _months_back(today: date, months: int) -> date:
    """The first day of the month ``months`` before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
