# ruff: noqa: E501 -- SQL reads better unwrapped
"""The benchmark data set (issue 10, QUALITY.md section Performance): 20 departments, about 60
handlers and 20 years of complaints up to today, written by PostgreSQL itself.

Every row is generated server-side with ``INSERT ... SELECT`` over ``generate_series`` (no row
passes through Python), in chunks: the complaints one calendar year at a time, what hangs off
them (themes, parts and their norms, contact moments, about five timeline events per case, the
ombudsman phase) per range of case ids, each derived from the case row so that dates, stages,
rungs and closure reasons agree. A million complaints take minutes on two cores.

The mix (roughly, per case): 35% logged at rung 1 (of those 15% handed to a complaint handler);
closed rung-2 cases resolved 45%, judged 35%, not handled 8%, forwarded 5%, withdrawn 7%; 3% of
the resolved or judged ones taken up by an ombudsman (rung 3). About 5% of the cases are open:
nearly all of the last six weeks, the rest from the two years before (about a third of those with
a consented extension, the others overdue). Intake grows over the years (the last year about
three times the first).

Bench data is recognisable: its departments have codes starting with ``bench-`` and its users
e-mail addresses at ``bench.example.nl``. References follow the real scheme (KL-2026-00042,
numbered per year by date of receipt) and the reference counters are set past them, so a
complaint registered afterwards gets the next free number.

Bulk writes bypass ``save()`` and its signals: the month rollups are rebuilt at the end
(``reporting.rollups.rollups_rebuild``) and the tables analysed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.db.models import NOT_PROVIDED, Q

from accounts.models import Department, User
from complaints.models import (
    Complaint,
    Letter,
    Norm,
    Ombudsman,
    OutboxMessage,
    ReferenceCounter,
    Reminder,
    StatusLink,
    Theme,
    token_hash,
)
from complaints.services.register import REFERENCE_PREFIX

from .rollups import rollups_rebuild

BENCH_CODE_PREFIX = "bench-"
BENCH_EMAIL_DOMAIN = "bench.example.nl"
BENCH_PASSWORD = "klachtenladder-bench"  # noqa: S105 -- a throw-away benchmark database
YEARS = 20
HANDLERS_PER_DEPARTMENT = 3
CHILD_CHUNK = 100_000  # case ids per statement for the child tables
OPEN_SHARE = 0.05
RECENT_DAYS = 42  # the six weeks of Awb 9:11
RECENT_OPEN = 0.9
BAND_DAYS = 730  # older open cases come from the two years before
STATUS_TOKENS_OPEN = 150
STATUS_TOKENS_CLOSED = 50

DEPARTMENTS = [
    "Klantcontactcentrum",
    "Belastingen",
    "Burgerzaken",
    "Werk en Inkomen",
    "Jeugd en Onderwijs",
    "Zorg en Welzijn",
    "Vergunningen",
    "Handhaving",
    "Parkeren",
    "Afval en Reiniging",
    "Openbare Ruimte",
    "Wonen",
    "Verkeer en Vervoer",
    "Sport en Cultuur",
    "Economische Zaken",
    "Milieu",
    "Financiën",
    "Personeel en Organisatie",
    "Informatievoorziening",
    "Bestuurszaken",
]
FIRST_NAMES = [
    "Anna", "Bram", "Chantal", "Daan", "Emma", "Fatima", "Gijs", "Hanna", "Ilse", "Jan",
    "Kees", "Lotte", "Mohamed", "Noor", "Olga", "Pieter", "Rachid", "Sanne", "Tim", "Yara",
]  # fmt: skip
LAST_NAMES = [
    "de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "Mulder",
    "de Boer", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "van Dijk", "Yilmaz",
    "El Amrani", "Kok", "Brouwer", "van Leeuwen",
]  # fmt: skip
CONDUCTS = [
    "Ik heb drie keer gebeld en ben steeds niet teruggebeld.",
    "De medewerker aan de balie was onvriendelijk en luisterde niet.",
    "Mijn aanvraag ligt al maanden stil zonder dat iemand laat weten waarom.",
    "Ik kreeg een aanslag voor een bedrag dat niet klopt en niemand legt het uit.",
    "De brief die ik kreeg was onbegrijpelijk en verwees naar een verkeerd nummer.",
    "Mijn container is al drie weken niet geleegd ondanks mijn melding.",
    "Bij de controle werd ik behandeld alsof ik fraude pleegde.",
    "Er werd een afspraak gemaakt die later zonder bericht werd afgezegd.",
    "De stoep voor mijn deur is al een jaar kapot en er gebeurt niets.",
    "Ik heb mijn stukken twee keer opgestuurd en ze zijn weer kwijt.",
    "Op mijn e-mail kreeg ik na zes weken nog geen antwoord.",
    "Ik werd aan de telefoon van het kastje naar de muur gestuurd.",
]
OUTCOMES = [
    "Excuses en een uitleg.",
    "Dat mijn aanvraag alsnog wordt behandeld.",
    "Dat het bedrag wordt gecorrigeerd.",
    "Dat iemand mij terugbelt.",
    "Dat dit anderen niet overkomt.",
    "",
]
PROBLEMS = [
    "Wacht op een besluit en heeft geld nodig.",
    "Voelt zich niet serieus genomen.",
    "Begrijpt de brief niet en weet niet wat te doen.",
    "",
]


class BenchRefused(Exception):
    """The database holds data that is not bench data (or bench data already)."""


@dataclass
class BenchState:
    bench_complaints: int  # seeded cases (no submission key)
    submitted: int  # cases from the public form (submission key), e.g. the benchmark's own
    other_complaints: int  # cases of departments that are not bench departments
    other_users: int


@dataclass
class Seeded:
    complaints: int
    handler_email: str
    manager_email: str
    department_id: int
    tokens: list[str]
    seconds: dict[str, float] = field(default_factory=dict)


def bench_state() -> BenchState:
    bench_dept = Q(department__code__startswith=BENCH_CODE_PREFIX)
    return BenchState(
        bench_complaints=Complaint.objects.filter(bench_dept, submission_key__isnull=True).count(),
        submitted=Complaint.objects.filter(bench_dept, submission_key__isnull=False).count(),
        other_complaints=Complaint.objects.exclude(bench_dept).count(),
        other_users=User.objects.exclude(email__iendswith="@" + BENCH_EMAIL_DOMAIN).count(),
    )


def bench_reset() -> None:
    """Empty a bench database: every case and what hangs off it, the bench users and
    departments. Only for a database that holds bench data only (checked by the caller)."""
    # CASCADE empties the tables whose foreign keys the database checks; the reminders' keys
    # it does not check (complaints.models.outbox.Reminder), so that table is named here.
    tables = [
        Complaint._meta.db_table,
        Reminder._meta.db_table,
        ReferenceCounter._meta.db_table,
        "reporting_monthfigures",
        "reporting_dirtymonth",
        "django_session",
    ]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
    User.objects.filter(email__iendswith="@" + BENCH_EMAIL_DOMAIN).delete()
    Department.objects.filter(code__startswith=BENCH_CODE_PREFIX).delete()


def bench_submissions_forget() -> int:
    """Delete the complaints earlier bench runs sent on the public form, with everything that
    hangs off them (their acknowledgements in the outbox first: those keep their case). They
    would pile up, 300 a run, all received today in the intake department, and change what
    the next run measures: on 3 December, 7,500 of them had made the open cases 57,600
    instead of 51,500 and the reminder sweep's ordinary day 84,551 reminders instead of
    69,523. Returns how many were deleted."""
    submitted = Complaint.objects.filter(
        department__code__startswith=BENCH_CODE_PREFIX, submission_key__isnull=False
    )
    ids = list(submitted.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        OutboxMessage.objects.filter(complaint_id__in=ids).delete()
        Letter.objects.filter(complaint_id__in=ids).delete()
        Complaint.objects.filter(pk__in=ids).delete()
    return len(ids)


# ---------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class YearPlan:
    year: int
    start: date
    days: int  # days of the year up to today
    count: int


def year_plans(total: int, today: date) -> list[YearPlan]:
    """``total`` cases over the 20 calendar years up to ``today``, growing linearly (the
    last year about three times the first), in proportion to the days of each year."""
    years = range(today.year - YEARS + 1, today.year + 1)
    spans = []
    for index, year in enumerate(years):
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), today)
        days = (end - start).days + 1
        weight = (1 + 2 * (index + 0.5) / YEARS) * days / 365
        spans.append((year, start, days, weight))
    whole = sum(weight for *_rest, weight in spans)
    plans, given = [], 0
    for number, (year, start, days, weight) in enumerate(spans):
        count = total - given if number == len(spans) - 1 else round(total * weight / whole)
        given += count
        plans.append(YearPlan(year, start, days, count))
    return plans


def days_in(plan: YearPlan, first: date, last: date) -> int:
    lo = max(plan.start, first)
    hi = min(plan.start + timedelta(days=plan.days - 1), last)
    return max((hi - lo).days + 1, 0)


def band_share(plans: list[YearPlan], total: int, today: date) -> float:
    """The share of the cases received 43 to 730 days ago that is open, so that about
    OPEN_SHARE of all cases are open."""
    recent_first = today - timedelta(days=RECENT_DAYS)
    band_first = today - timedelta(days=BAND_DAYS)
    recent = sum(p.count * days_in(p, recent_first, today) / p.days for p in plans)
    band = sum(
        p.count * days_in(p, band_first, recent_first - timedelta(days=1)) / p.days for p in plans
    )
    wanted = OPEN_SHARE * total - RECENT_OPEN * recent
    return min(max(wanted / band, 0.0), 1.0) if band else 0.0


# ---------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------
def bench_seed(
    *, complaints: int, today: date, log: Callable[[str], None] = print, tokens: bool = True
) -> Seeded:
    """Fill an empty (or bench-only, after ``bench_reset``) database; see the module
    docstring. Returns the log-ins and the status tokens the benchmark drives."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        cursor.execute("SET work_mem TO '64MB'")
        cursor.execute("SELECT setseed(0.42)")
        # The rows are consistent by construction: skip the foreign-key triggers while loading
        # (a superuser's setting; without it the load is only slower).
        try:
            with transaction.atomic():
                cursor.execute("SET session_replication_role TO replica")
        except DatabaseError:
            pass
    people = _people()
    seconds["departments and users"] = time.perf_counter() - started
    plans = year_plans(complaints, today)
    share = band_share(plans, complaints, today)
    mark = time.perf_counter()
    for plan in plans:
        if plan.count:
            _complaints_of_year(plan, today=today, band_share=share)
        log(f"  {plan.year}: {plan.count} complaints")
    seconds["complaints"] = time.perf_counter() - mark
    _reference_counters(plans)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Complaint._meta.db_table}")
        cursor.execute(f"SELECT min(id), max(id) FROM {Complaint._meta.db_table}")  # noqa: S608
        first, last = cursor.fetchone()
    themes = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
    norms = list(Norm.objects.order_by("pk").values_list("pk", flat=True))
    ombudsmen = list(Ombudsman.objects.order_by("pk").values_list("pk", flat=True))
    steps = [
        ("themes", lambda lo, hi: _themes(lo, hi, themes)),
        ("parts", _parts),
        ("part norms", lambda lo, hi: _part_norms(lo, hi, norms)),
        ("contact moments", _contacts),
        ("timeline events", _events),
        ("ombudsman phases", lambda lo, hi: _ombudsman(lo, hi, ombudsmen, people["coordinator"])),
    ]
    for name, step in steps:
        mark = time.perf_counter()
        if first is not None:
            for lo in range(first, last + 1, CHILD_CHUNK):
                with transaction.atomic():
                    step(lo, min(lo + CHILD_CHUNK - 1, last))
        seconds[name] = time.perf_counter() - mark
        log(f"  {name}: {seconds[name]:.1f} s")
    issued = _status_tokens(people["department"]) if tokens else []
    mark = time.perf_counter()
    rollups_rebuild()
    seconds["month rollups"] = time.perf_counter() - mark
    log(f"  month rollups: {seconds['month rollups']:.1f} s")
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("RESET session_replication_role")
        # VACUUM too: it sets the visibility map, as autovacuum would have on a live database,
        # so the index-only scans the dashboards rely on read no table pages.
        cursor.execute("VACUUM (ANALYZE)")
    seconds["analyze"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return Seeded(
        complaints=complaints,
        handler_email=people["handler_email"],
        manager_email=people["manager_email"],
        department_id=people["department"],
        tokens=issued,
        seconds=seconds,
    )


def _people() -> dict:
    """The departments, three handlers and a manager each, two coordinators; one password
    hash for all (hashing 80 times would take longer than the rest of this step)."""
    departments = Department.objects.bulk_create(
        [
            Department(
                name=name,
                code=f"{BENCH_CODE_PREFIX}{number:02d}",
                receives_public_complaints=number == 0,
            )
            for number, name in enumerate(DEPARTMENTS)
        ]
    )
    password = make_password(BENCH_PASSWORD)
    users, roles = [], []

    def add(email: str, name: str, department, role: str) -> None:
        users.append(User(email=email, full_name=name, department=department, password=password))
        roles.append(role)

    for number, department in enumerate(departments):
        for index in range(1, HANDLERS_PER_DEPARTMENT + 1):
            name = f"{FIRST_NAMES[(number + index) % 20]} {LAST_NAMES[(number * 3 + index) % 20]}"
            add(f"handler{number:02d}-{index}@{BENCH_EMAIL_DOMAIN}", name, department, "handler")
        add(f"manager{number:02d}@{BENCH_EMAIL_DOMAIN}", f"Manager {department.name}",
            department, "manager")  # fmt: skip
    for index in (1, 2):
        add(f"coordinator{index}@{BENCH_EMAIL_DOMAIN}", f"Coördinator {index}", departments[0],
            "coordinator")  # fmt: skip
    users = User.objects.bulk_create(users)
    groups = {group.name: group for group in Group.objects.filter(name__in=set(roles))}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=user.pk, group_id=groups[role].pk)
            for user, role in zip(users, roles, strict=True)
        ]
    )
    handlers = [u for u, role in zip(users, roles, strict=True) if role == "handler"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_dept "
            "(no int PRIMARY KEY, dept_id bigint, h1 bigint, h2 bigint, h3 bigint)"
        )
        cursor.execute("TRUNCATE bench_dept")
        for number, department in enumerate(departments):
            own = [h.pk for h in handlers if h.department_id == department.pk]
            cursor.execute(
                "INSERT INTO bench_dept VALUES (%s, %s, %s, %s, %s)", [number, department.pk, *own]
            )
    coordinator = next(u for u, role in zip(users, roles, strict=True) if role == "coordinator")
    return {
        "department": departments[0].pk,
        "handler_email": f"handler00-1@{BENCH_EMAIL_DOMAIN}",
        "manager_email": f"manager00@{BENCH_EMAIL_DOMAIN}",
        "coordinator": coordinator.pk,
    }


def _insert(model, expressions: dict[str, str], source: str, params: dict) -> None:
    """``INSERT INTO <model> (...) SELECT <expressions> <source>``. Every concrete column
    not in ``expressions`` gets the field's default as a parameter (a column added later
    with a default does not break the generator)."""
    columns, selects = [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if model_field.primary_key and column not in expressions:
            continue
        if column in expressions:
            selects.append(expressions[column])
        elif model_field.null:
            continue
        elif model_field.default is not NOT_PROVIDED:
            key = f"default_{column}"
            params[key] = model_field.get_db_prep_save(model_field.get_default(), connection)
            selects.append(f"%({key})s")
        else:
            raise ValueError(f"bench data: no value for {model._meta.db_table}.{column}")
        columns.append(f'"{column}"')
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# The attributes of one generated case, decided once (in the subquery "g") and used by every
# column. r1..r9 are independent uniform numbers.
CASE_SOURCE = """
FROM (
  SELECT s.*,
    row_number() OVER (ORDER BY s.day, s.r9) AS seq,
    CASE WHEN s.rung1_log AND NOT s.escalated THEN 1
         WHEN s.omb THEN 3 ELSE 2 END AS rung,
    CASE WHEN s.rung1_log AND NOT s.escalated THEN s.day
         WHEN s.rung1_log THEN least(s.day + 1 + floor(s.r8 * 5)::int, %(today)s::date)
         ELSE s.day END AS received
  FROM (
    SELECT t.*,
      (t.rung1_log AND t.r8 < 0.15) AS escalated,
      (NOT t.is_open AND NOT (t.rung1_log AND t.r8 >= 0.15) AND t.r5 < 0.80 AND t.r8 < 0.03
        AND t.day + 300 <= %(today)s::date) AS omb
    FROM (
      SELECT u.*,
        (%(today)s::date - u.day) AS age,
        u.r1 < 0.35 AS rung1_log,
        u.r2 < CASE WHEN %(today)s::date - u.day <= %(recent)s THEN %(recent_open)s
                    WHEN %(today)s::date - u.day <= %(band)s THEN %(band_share)s
                    ELSE 0.0002 END AS is_open
      FROM (
        SELECT %(start)s::date + floor(random() * %(days)s)::int AS day,
          random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
          random() AS r6, random() AS r7, random() AS r8, random() AS r9,
          least(19, floor(20 * power(random(), 1.6)))::int AS dept_no
        FROM generate_series(1, %(count)s)
      ) u
    ) t
  ) s
) g0
CROSS JOIN LATERAL (
  SELECT
    CASE WHEN g0.rung = 1 THEN
           (ARRAY['phone','phone','phone','counter','counter','email','social'])[1 + floor(g0.r3 * 7)::int]
         ELSE (ARRAY['web','web','web','web','email','email','letter','letter','phone','counter'])[1 + floor(g0.r3 * 10)::int]
    END AS channel,
    CASE WHEN NOT g0.is_open THEN 'closed'
         WHEN g0.rung = 1 THEN CASE WHEN g0.r4 < 0.4 THEN 'intake' ELSE 'explore' END
         WHEN g0.r4 < 0.25 THEN 'intake' WHEN g0.r4 < 0.55 THEN 'explore'
         WHEN g0.r4 < 0.70 THEN 'resolve' ELSE 'judge' END AS stage,
    CASE WHEN g0.is_open THEN ''
         WHEN g0.rung = 1 THEN 'resolved'
         WHEN g0.rung = 3 THEN CASE WHEN g0.r5 < 0.45 THEN 'resolved' ELSE 'judged' END
         WHEN g0.r5 < 0.45 THEN 'resolved' WHEN g0.r5 < 0.80 THEN 'judged'
         WHEN g0.r5 < 0.88 THEN 'not_handled' WHEN g0.r5 < 0.93 THEN 'forwarded'
         ELSE 'withdrawn' END AS reason
) g1
CROSS JOIN LATERAL (
  SELECT
    g1.channel IN ('web', 'email', 'letter') OR (g0.escalated AND g0.r8 < 0.07) AS written,
    CASE WHEN g1.stage <> 'closed' THEN NULL
         ELSE least(g0.received + CASE
           WHEN g0.rung = 1 THEN floor(power(g0.r6, 3) * 5)::int
           WHEN g1.reason = 'resolved' THEN 5 + floor(g0.r6 * 35)::int
           WHEN g1.reason = 'judged' THEN 15 + floor(g0.r6 * 32)::int
           WHEN g1.reason = 'not_handled' THEN 5 + floor(g0.r6 * 25)::int
           WHEN g1.reason = 'forwarded' THEN 1 + floor(g0.r6 * 9)::int
           ELSE 3 + floor(g0.r6 * 50)::int END, %(today)s::date) END AS closed_day,
    g0.rung >= 2 AND g1.stage = 'intake' AND g0.r7 < 0.4 AS unassigned,
    g1.stage <> 'intake' AND g1.reason NOT IN ('forwarded') AS explored
) g2
CROSS JOIN LATERAL (
  SELECT
    CASE WHEN g0.rung >= 2 AND g2.written THEN
      CASE WHEN g0.is_open AND g0.age > %(recent)s AND g0.r7 >= 0.7
           THEN %(today)s::date + 1 + floor(g0.r6 * 60)::int
           ELSE g0.received + CASE WHEN g0.r7 < 0.03 THEN 70 ELSE 42 END END
    END AS decision_due,
    g0.is_open AND g0.rung >= 2 AND g2.written AND g0.age > %(recent)s AND g0.r7 >= 0.7
      AS extended
) g3
JOIN bench_dept d ON d.no = g0.dept_no
ORDER BY g0.seq
"""

CASE_COLUMNS = {
    "reference": "%(prefix)s || '-' || %(year)s || '-' || lpad(g0.seq::text, 5, '0')",
    "public_id": "gen_random_uuid()",
    "stage": "g1.stage",
    "closure_reason": "g1.reason",
    "rung": "g0.rung",
    "channel": "g1.channel",
    "received_on": "g0.received",
    "is_written": "g2.written",
    "language": "CASE WHEN g0.r9 < 0.03 THEN 'en' ELSE 'nl' END",
    "department_id": "d.dept_id",
    "conduct_department_id": "CASE WHEN g0.r9 < 0.9 THEN d.dept_id END",
    "handler_id": """CASE WHEN g0.rung = 1 OR g2.unassigned THEN NULL
        ELSE (ARRAY[d.h1, d.h2, d.h3])[1 + floor(g0.r7 * 3)::int] END""",
    "registered_by_id": """CASE WHEN g1.channel = 'web' THEN NULL
        ELSE (ARRAY[d.h1, d.h2, d.h3])[1 + floor(g0.r8 * 3)::int] END""",
    "logged_on": "CASE WHEN g0.rung1_log THEN g0.day END",
    "rung1_due": "CASE WHEN g0.rung = 1 THEN g0.day + 7 END",
    "escalated_on": "CASE WHEN g0.escalated THEN g0.received END",
    "complainant_name": """(ARRAY%(first_names)s)[1 + floor(g0.r4 * 20)::int] || ' '
        || (ARRAY%(last_names)s)[1 + floor(g0.r5 * 20)::int]""",
    "complainant_email": """CASE WHEN g0.r6 < 0.7 THEN
        'burger' || g0.seq || '.' || %(year)s || '@example.nl' ELSE '' END""",
    "complainant_phone": "'06 ' || lpad((floor(g0.r9 * 99999999))::bigint::text, 8, '0')",
    "complainant_address": "'Dorpsstraat ' || (1 + floor(g0.r3 * 200)::int) || ', 1234 AB Voorbeeld'",
    "preferred_contact": """CASE WHEN g0.r6 < 0.6 THEN 'email'
        WHEN g0.r6 < 0.9 THEN 'phone' ELSE 'letter' END""",
    "complainant_needs": "''",
    "conduct_description": "(ARRAY%(conducts)s)[1 + floor(g0.r1 * 12)::int]",
    "conduct_date": "g0.day - floor(g0.r2 * 20)::int",
    "conduct_place": "''",
    "desired_outcome": "(ARRAY%(outcomes)s)[1 + floor(g0.r2 * 6)::int]",
    "underlying_problem": "CASE WHEN g2.explored THEN (ARRAY%(problems)s)[1 + floor(g0.r3 * 4)::int] ELSE '' END",
    "is_signed": "g1.channel = 'letter'",
    "states_name": "g2.written",
    "states_address": "g2.written AND g0.r4 < 0.9",
    "states_date": "g2.written",
    "states_conduct": "g2.written",
    "acknowledged_on": """CASE WHEN g0.rung >= 2 AND g2.written AND NOT g2.unassigned
        AND NOT (g1.stage = 'intake' AND g0.r8 < 0.5)
        THEN least(g0.received + 1 + floor(g0.r6 * 5)::int, %(today)s::date) END""",
    "acknowledgement_due": "CASE WHEN g0.rung >= 2 AND g2.written THEN g0.received + 7 END",
    "first_contact_due": "CASE WHEN g0.rung >= 2 THEN g0.received + 5 END",
    "first_contact_on": """CASE WHEN g0.rung >= 2 AND g2.explored
        THEN least(g0.received + 1 + floor(g0.r9 * 6)::int, %(today)s::date) END""",
    "not_handled_ground": """CASE WHEN g1.reason = 'not_handled'
        THEN (ARRAY['a','b','c','d','lid2'])[1 + floor(g0.r7 * 5)::int] ELSE '' END""",
    "not_handled_notice_due": "NULL",
    "forwarded_to": "CASE WHEN g1.reason = 'forwarded' THEN 'Belastingdienst' ELSE '' END",
    "hearing_held_on": """CASE WHEN g1.reason = 'judged' AND g0.r8 < 0.8
        THEN g2.closed_day - 7 END""",
    "hearing_parties": "CASE WHEN g1.reason = 'judged' AND g0.r8 < 0.8 THEN 'Klager en medewerker' ELSE '' END",
    "hearing_waiver": "CASE WHEN g1.reason = 'judged' AND g0.r8 >= 0.8 THEN 'b' ELSE '' END",
    "hearing_report": "CASE WHEN g1.reason = 'judged' AND g0.r8 < 0.8 THEN 'Verslag van het gesprek.' ELSE '' END",
    "solution": "CASE WHEN g1.reason = 'resolved' OR g1.stage = 'resolve' THEN 'Excuses en uitleg gegeven; aanvraag alsnog behandeld.' ELSE '' END",
    "satisfaction_confirmed_on": "CASE WHEN g1.reason = 'resolved' THEN g2.closed_day END",
    "satisfaction_channel": "CASE WHEN g1.reason = 'resolved' THEN 'phone' ELSE '' END",
    "satisfaction_note": "''",
    "advisory_committee": "g0.rung >= 2 AND g2.written AND g0.r7 < 0.03 AND NOT g3.extended",
    "decision_due": "g3.decision_due",
    "extended_until": "CASE WHEN g3.extended THEN g3.decision_due END",
    "extension_consent_on": "CASE WHEN g3.extended THEN %(today)s::date - floor(g0.r5 * 20)::int END",
    "extension_consent_note": "CASE WHEN g3.extended THEN 'Schriftelijk akkoord van klager.' ELSE '' END",
    "postponement_reason": "''",
    "closure_note": "''",
    "closed_at": """CASE WHEN g2.closed_day IS NOT NULL THEN least(
        (g2.closed_day + time '09:00' + g0.r9 * interval '8 hours') AT TIME ZONE %(tz)s,
        %(now)s::timestamptz) END""",
    "created_at": """least((g0.day + time '08:30' + g0.r8 * interval '9 hours') AT TIME ZONE %(tz)s,
        %(now)s::timestamptz)""",
    "updated_at": """least(coalesce(
        (g2.closed_day + time '17:30') AT TIME ZONE %(tz)s,
        (g0.received + time '17:30') AT TIME ZONE %(tz)s), %(now)s::timestamptz)""",
    "version": "3",
}


def _sql_array(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _complaints_of_year(plan: YearPlan, *, today: date, band_share: float) -> None:
    from django.conf import settings
    from django.utils import timezone

    columns = {
        name: expression.replace("%(first_names)s", _sql_array(FIRST_NAMES))
        .replace("%(last_names)s", _sql_array(LAST_NAMES))
        .replace("%(conducts)s", _sql_array(CONDUCTS))
        .replace("%(outcomes)s", _sql_array(OUTCOMES))
        .replace("%(problems)s", _sql_array(PROBLEMS))
        for name, expression in CASE_COLUMNS.items()
    }
    params = {
        "prefix": REFERENCE_PREFIX,
        "year": str(plan.year),
        "start": plan.start,
        "days": plan.days,
        "count": plan.count,
        "today": today,
        "now": timezone.now(),
        "tz": settings.TIME_ZONE,
        "recent": RECENT_DAYS,
        "recent_open": RECENT_OPEN,
        "band": BAND_DAYS,
        "band_share": band_share,
    }
    with transaction.atomic():
        _insert(Complaint, columns, CASE_SOURCE, params)


def _reference_counters(plans: list[YearPlan]) -> None:
    """Past the bench references: the next registration of a year gets the next number."""
    for plan in plans:
        if plan.count:
            ReferenceCounter.objects.update_or_create(year=plan.year, defaults={"last": plan.count})


def _themes(lo: int, hi: int, themes: list[int]) -> None:
    """One theme per case, a second for about a third."""
    if not themes:
        return
    n = len(themes)
    source = f"""
        FROM {Complaint._meta.db_table} c
        CROSS JOIN LATERAL (VALUES (0), (1)) k(extra)
        CROSS JOIN LATERAL (SELECT (c.id * 7 + (c.received_on - date '2000-01-01')) %% {n} AS first) f
        WHERE c.id BETWEEN %(lo)s AND %(hi)s AND (k.extra = 0 OR c.id %% 3 = 0)
    """
    through = Complaint.themes.through
    _insert(
        through,
        {
            "complaint_id": "c.id",
            "theme_id": f"(%(themes)s::bigint[])[1 + (f.first + k.extra * (1 + c.id %% {max(n - 1, 1)})) %% {n}]",
        },
        source,
        {"lo": lo, "hi": hi, "themes": themes},
    )


def _parts(lo: int, hi: int) -> None:
    """One to three parts for a rung-2 or rung-3 case that was explored; judged for a case
    closed as judged (well-founded 35%, unfounded 50%, no judgment 15%)."""
    from complaints.models import ComplaintPart

    source = f"""
        FROM {Complaint._meta.db_table} c
        CROSS JOIN LATERAL generate_series(1, 1 + (c.id * 31 %% 7) / 3) n
        WHERE c.id BETWEEN %(lo)s AND %(hi)s AND c.rung >= 2
          AND (c.stage IN ('explore', 'resolve', 'judge')
               OR c.closure_reason IN ('resolved', 'judged', 'withdrawn'))
    """
    _insert(
        ComplaintPart,
        {
            "complaint_id": "c.id",
            "number": "n",
            "description": """(ARRAY['De klager is niet teruggebeld.',
                'De bejegening aan de balie.', 'De duur van de behandeling.',
                'De uitleg in de brief.'])[1 + (c.id + n) %% 4]""",
            "judgment": """CASE WHEN c.closure_reason = 'judged' THEN
                (ARRAY['well_founded','well_founded','unfounded','unfounded','unfounded',
                       'well_founded','no_judgment','unfounded','unfounded',
                       'unfounded'])[1 + (c.id * 13 + n * 7) %% 10] ELSE '' END""",
            "reasoning": "CASE WHEN c.closure_reason = 'judged' THEN 'Gehoord en gewogen.' ELSE '' END",
        },
        source,
        {"lo": lo, "hi": hi},
    )


def _part_norms(lo: int, hi: int, norms: list[int]) -> None:
    from complaints.models import ComplaintPart

    if not norms:
        return
    through = ComplaintPart.norms.through
    _insert(
        through,
        {
            "complaintpart_id": "p.id",
            "norm_id": f"(%(norms)s::bigint[])[1 + p.id %% {len(norms)}]",
        },
        f"FROM {ComplaintPart._meta.db_table} p WHERE p.complaint_id BETWEEN %(lo)s AND %(hi)s "
        "AND p.judgment <> ''",
        {"lo": lo, "hi": hi, "norms": norms},
    )


def _contacts(lo: int, hi: int) -> None:
    """The first contact of a formal case, and a second one for about a third."""
    from complaints.models import ContactMoment

    source = f"""
        FROM {Complaint._meta.db_table} c
        JOIN bench_dept d ON d.dept_id = c.department_id
        CROSS JOIN LATERAL (VALUES (0), (1)) k(extra)
        WHERE c.id BETWEEN %(lo)s AND %(hi)s AND c.first_contact_on IS NOT NULL
          AND (k.extra = 0 OR (c.id %% 3 = 1 AND c.first_contact_on + 10 <= %(today)s::date))
    """
    _insert(
        ContactMoment,
        {
            "complaint_id": "c.id",
            "at": "(c.first_contact_on + k.extra * 10 + time '10:15') AT TIME ZONE %(tz)s",
            "channel": "CASE WHEN k.extra = 0 THEN 'phone' ELSE 'email' END",
            "with_whom": "c.complainant_name",
            "summary": """CASE WHEN k.extra = 0 THEN 'Gebeld: het probleem besproken en de
                verwachtingen over de behandeling.' ELSE 'Stand van zaken gemaild.' END""",
            "recorded_by_id": "coalesce(c.handler_id, c.registered_by_id, d.h1)",
        },
        source,
        {"lo": lo, "hi": hi, "today": date.today(), "tz": _tz()},
    )


def _tz() -> str:
    from django.conf import settings

    return settings.TIME_ZONE


# The timeline: which events a case has, from its own fields. Each row of the VALUES list is
# (kind, name, from_stage, to_stage, day, actor, from_rung, to_rung, present).
EVENTS_SOURCE = """
    FROM {table} c
    JOIN bench_dept d ON d.dept_id = c.department_id
    CROSS JOIN LATERAL (SELECT coalesce(c.handler_id, c.registered_by_id, d.h1) AS who,
        c.closed_at::date AS closed_day) x
    CROSS JOIN LATERAL (VALUES
      ('registered', CASE WHEN c.logged_on IS NOT NULL THEN 'quick_log' ELSE '' END, '', 'intake',
        coalesce(c.logged_on, c.received_on), c.registered_by_id, NULL::int, NULL::int, true, 0),
      ('rung', 'escalate', '', 'intake', c.escalated_on, x.who, 1, 2,
        c.escalated_on IS NOT NULL, 1),
      ('assigned', '', '', '', c.received_on + 1, x.who, NULL, NULL, c.handler_id IS NOT NULL, 2),
      ('acknowledged', '', '', '', c.acknowledged_on, x.who, NULL, NULL,
        c.acknowledged_on IS NOT NULL, 3),
      ('transition', 'start_exploring', 'intake', 'explore', c.received_on + 2, x.who, NULL, NULL,
        c.stage IN ('explore', 'resolve', 'judge')
        OR c.closure_reason IN ('resolved', 'judged') OR (c.closure_reason = 'withdrawn'
        AND c.id %% 2 = 0), 4),
      ('contact', '', '', '', c.first_contact_on, x.who, NULL, NULL,
        c.first_contact_on IS NOT NULL, 5),
      ('transition', CASE WHEN c.stage = 'resolve' OR (c.closure_reason = 'resolved' AND c.rung >= 2)
        THEN 'seek_solution' ELSE 'start_judging' END, 'explore',
        CASE WHEN c.stage = 'resolve' OR c.closure_reason = 'resolved' THEN 'resolve' ELSE 'judge' END,
        c.received_on + 9, x.who, NULL, NULL,
        c.stage IN ('resolve', 'judge') OR c.closure_reason = 'judged'
        OR (c.closure_reason = 'resolved' AND c.rung >= 2), 6),
      ('transition', CASE c.closure_reason WHEN 'withdrawn' THEN 'withdraw'
        ELSE 'close_' || c.closure_reason END,
        CASE WHEN c.closure_reason = 'judged' THEN 'judge'
             WHEN c.closure_reason = 'resolved' AND c.rung >= 2 THEN 'resolve'
             WHEN c.closure_reason = 'forwarded' THEN 'intake'
             ELSE 'explore' END, 'closed', x.closed_day, x.who, NULL, NULL, c.stage = 'closed', 7)
    ) e(kind, name, from_stage, to_stage, day, actor, from_rung, to_rung, present, step)
    WHERE c.id BETWEEN %(lo)s AND %(hi)s AND e.present
"""


def _events(lo: int, hi: int) -> None:
    from complaints.models import CaseEvent

    source = EVENTS_SOURCE.format(table=Complaint._meta.db_table)
    _insert(
        CaseEvent,
        {
            "complaint_id": "c.id",
            "at": """CASE WHEN e.step = 7 THEN c.closed_at ELSE least(
                (least(e.day, coalesce(x.closed_day, e.day)) + time '09:00'
                 + e.step * interval '40 minutes') AT TIME ZONE %(tz)s, %(now)s::timestamptz) END""",
            "actor_id": "e.actor",
            "kind": "e.kind",
            "name": "e.name",
            "from_stage": "e.from_stage",
            "to_stage": "e.to_stage",
            "from_rung": "e.from_rung",
            "to_rung": "e.to_rung",
            "note": "''",
            "data": "'{}'::jsonb",
        },
        source,
        {"lo": lo, "hi": hi, "tz": _tz(), "now": _now()},
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def _ombudsman(lo: int, hi: int, ombudsmen: list[int], coordinator: int) -> None:
    """The rung-3 phase of the cases at rung 3, and its event on the timeline."""
    from complaints.models import CaseEvent, OmbudsmanCase

    if not ombudsmen:
        return
    table = Complaint._meta.db_table
    taken = "(c.closed_at::date + 60 + (c.id %% 180)::int)"
    _insert(
        OmbudsmanCase,
        {
            "complaint_id": "c.id",
            "ombudsman_id": f"(%(ombudsmen)s::bigint[])[CASE WHEN c.id %% 10 = 0 THEN {len(ombudsmen)} ELSE 1 END]",
            "reference": "'NO-' || c.id",
            "taken_up_on": taken,
            "outcome": f"""CASE WHEN {taken} + 120 <= %(today)s::date THEN
                (ARRAY['intervention','mediation','report','not_investigated'])[1 + c.id %% 4]
                ELSE '' END""",
            "outcome_on": f"CASE WHEN {taken} + 120 <= %(today)s::date THEN {taken} + 120 END",
            "outcome_summary": "''",
            "response": "''",
            "recorded_by_id": "%(coordinator)s",
            "created_at": f"({taken} + time '11:00') AT TIME ZONE %(tz)s",
        },
        f"FROM {table} c WHERE c.id BETWEEN %(lo)s AND %(hi)s AND c.rung = 3",
        {
            "lo": lo,
            "hi": hi,
            "ombudsmen": ombudsmen,
            "today": date.today(),
            "coordinator": coordinator,
            "tz": _tz(),
        },
    )
    _insert(
        CaseEvent,
        {
            "complaint_id": "o.complaint_id",
            "at": "o.created_at",
            "actor_id": "o.recorded_by_id",
            "kind": "'ombudsman'",
            "name": "'ombudsman_start'",
            "from_stage": "''",
            "to_stage": "''",
            "from_rung": "2",
            "to_rung": "3",
            "note": "''",
            "data": "'{}'::jsonb",
        },
        f"FROM {OmbudsmanCase._meta.db_table} o WHERE o.complaint_id BETWEEN %(lo)s AND %(hi)s",
        {"lo": lo, "hi": hi},
    )


def _status_tokens(department_id: int) -> list[str]:
    """Private status links for open cases and cases closed in the last months (a link
    works until some time after closure); the tokens go to the benchmark, only their hashes
    to the database."""
    recent = _now() - timedelta(days=200)
    open_ids = list(
        Complaint.objects.exclude(stage="closed")
        .order_by("-id")
        .values_list("pk", flat=True)[:STATUS_TOKENS_OPEN]
    )
    closed_ids = list(
        Complaint.objects.filter(stage="closed", closed_at__gte=recent)
        .order_by("-id")
        .values_list("pk", flat=True)[:STATUS_TOKENS_CLOSED]
    )
    tokens, links = [], []
    for pk in open_ids + closed_ids:
        token = secrets.token_urlsafe(24)
        tokens.append(token)
        links.append(StatusLink(complaint_id=pk, token_hash=token_hash(token)))
    StatusLink.objects.bulk_create(links)
    return tokens
