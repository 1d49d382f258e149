"""The monthly and quarterly learning reports (issue 8, point 3).

The figures of a stored report are compared with the figures computed from the specs in plain
Python (``expected`` of test_rollups), never with the ORM or the rollup code. Then: re-running
a period replaces its snapshot and mails once; the sweep makes the right periods and catches
up; the mails go to the department's managers and the board only; the pages are scoped and
cost a fixed number of queries; the PDF is a PDF.
"""

import io
from datetime import date, datetime, timedelta

import pypdf
import pytest
from django.conf import settings
from django.urls import reverse

from complaints.models import OutboxKind, OutboxMessage, Stage
from reporting.models import ActionStatus, Cause, ImprovementAction, LearningReport, Lesson
from reporting.rollups import rollups_rebuild
from reporting.services.reports import (
    complete_periods,
    learning_report_make,
    learning_reports_sweep,
    period_of,
)
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory
from tests.reporting.test_rollups import LOCAL, QUARTERS, build, data_set, expected

pytestmark = pytest.mark.django_db

Q2 = QUARTERS[1]
MAY = (date(2025, 5, 1), date(2025, 5, 31))


def check_snapshot(report: LearningReport, specs, built, period, department) -> None:
    want = expected(specs, period, department)
    counts = report.data["figures"]["counts"]
    maps = report.data["figures"]["maps"]
    assert counts["received"] == want["received"]
    assert counts["received_written"] == want["received_written"]
    assert counts["closed"] == want["closed"]
    assert [counts[f"ended_rung{r}"] for r in (1, 2, 3)] == want["ended"]
    assert (counts["in_term"], counts["with_term"]) == (want["in_term"], want["with_term"])
    assert counts["escalated"] == want["escalated"]
    assert counts["ombudsman_taken_up"] == want["taken_up"]
    assert {k: v for k, v in maps["closure_reasons"].items() if v} == dict(want["reasons"])
    assert maps["judgments"] == dict(want["judgments"])
    themes = built["themes"]
    assert {row["name_nl"]: row["count"] for row in report.data["themes"]} == {
        themes[i].name_nl: n for i, n in want["themes"].items()
    }
    causes = built["causes"]
    assert {row["code"]: row["count"] for row in report.data["causes"]} == {
        causes[i].code: n for i, n in want["causes"].items()
    }
    assert report.data["lessons"]["total"] == sum(want["causes"].values())


def test_report_figures_equal_the_figures_computed_from_the_specs():
    specs = data_set(40)
    built = build(specs)
    for kind, period in (("quarterly", Q2), ("monthly", MAY)):
        for department in (None, "a", "b"):
            dept_id = built["departments"][department].pk if department else None
            report = learning_report_make(kind=kind, period_start=period[0], department_id=dept_id)
            assert (report.period_start, report.period_end) == period
            check_snapshot(report, specs, built, period, department)


def test_periods_are_calendar_months_and_quarters():
    assert period_of("monthly", date(2026, 2, 17)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_of("quarterly", date(2026, 11, 3)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_of("quarterly", date(2026, 5, 31)) == (date(2026, 4, 1), date(2026, 6, 30))


def closed_case(department, closed_on: date, **fields):
    return ComplaintFactory(
        stage=Stage.CLOSED,
        department=department,
        received_on=closed_on - timedelta(days=10),
        closed_at=datetime(closed_on.year, closed_on.month, closed_on.day, 12, tzinfo=LOCAL),
        closure_reason="judged",
        parts=0,
        letters=[],
        **fields,
    )


def test_the_snapshot_holds_the_lessons_without_complainant_data_and_the_actions():
    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    cause = Cause.objects.get(code="process")
    case = closed_case(department, date(2025, 5, 10), complainant_name="Zwaantje Uniekenaam")
    case.themes.set([])
    Lesson.objects.create(
        complaint=case, cause=cause, text="Bel terug binnen een dag.", recorded_by=handler
    )
    other = closed_case(DepartmentFactory(), date(2025, 5, 11))  # another department
    Lesson.objects.create(complaint=other, cause=cause, text="Elders.", recorded_by=handler)
    owner = UserFactory(manager=True, department=department)

    def action(title, due, status=ActionStatus.PLANNED, completed=None, created=None):
        made = ImprovementAction.objects.create(
            title=title, department=department, owner=owner, created_by=owner, due_on=due,
            status=status, completed_on=completed,
        )  # fmt: skip
        ImprovementAction.objects.filter(pk=made.pk).update(
            created_at=created or datetime(2025, 1, 5, 12, tzinfo=LOCAL)
        )

    action("Started in May", date(2025, 9, 1), created=datetime(2025, 5, 2, 9, tzinfo=LOCAL))
    action("Done in May", date(2025, 6, 1), ActionStatus.DONE, completed=date(2025, 5, 20))
    action("Overdue in May", date(2025, 5, 15))
    action("Done late", date(2025, 5, 15), ActionStatus.DONE, completed=date(2025, 6, 3))
    action("Cancelled", date(2025, 5, 15), ActionStatus.CANCELLED)
    action("Not yet due", date(2025, 8, 1))
    rollups_rebuild(since=date(2025, 1, 1))

    report = learning_report_make(
        kind="monthly", period_start=date(2025, 5, 1), department_id=department.pk
    )
    lessons = report.data["lessons"]
    assert lessons["total"] == 1
    assert lessons["items"] == [
        {
            "reference": case.reference,
            "closed_on": "2025-05-10",
            "theme": None,
            "cause": {"code": "process", "name_nl": cause.name_nl, "name_en": cause.name_en},
            "text": "Bel terug binnen een dag.",
        }
    ]
    assert "Uniekenaam" not in str(report.data)
    actions = report.data["actions"]
    assert (actions["created"], actions["completed"], actions["overdue"]) == (1, 1, 2)
    assert {item["title"] for item in actions["items"]} == {
        "Started in May",
        "Done in May",
        "Overdue in May",
        "Done late",
    }


def managers_and_board(department):
    manager = UserFactory(manager=True, department=department, email="chef@example.nl")
    UserFactory(manager=True, department=DepartmentFactory(), email="chef-elders@example.nl")
    UserFactory(manager=True, department=department, is_active=False, email="weg@example.nl")
    UserFactory(handler=True, department=department, email="behandelaar@example.nl")
    UserFactory(coordinator=True, department=department, email="coordinator@example.nl")
    board = UserFactory(board=True, department=None, email="bestuur@example.nl")
    return manager, board


def test_mails_go_to_the_departments_managers_and_for_the_organisation_to_the_board_only():
    department = DepartmentFactory()
    closed_case(department, date(2025, 5, 10))
    rollups_rebuild(since=date(2025, 1, 1))
    managers_and_board(department)

    report = learning_report_make(
        kind="monthly", period_start=date(2025, 5, 1), department_id=department.pk
    )
    organisation = learning_report_make(kind="monthly", period_start=date(2025, 5, 1))

    mails = OutboxMessage.objects.filter(key__startswith="learning-report:")
    assert sorted(mails.values_list("to", flat=True)) == ["bestuur@example.nl", "chef@example.nl"]
    to_manager = mails.get(to="chef@example.nl")
    assert to_manager.kind == OutboxKind.OTHER and to_manager.complaint_id is None
    link = settings.SITE_URL.rstrip("/") + reverse("reporting:report", args=[report.pk])
    assert link in to_manager.body
    to_board = mails.get(to="bestuur@example.nl")
    assert reverse("reporting:report", args=[organisation.pk]) in to_board.body


def test_making_a_period_again_replaces_its_snapshot_and_does_not_mail_again():
    department = DepartmentFactory()
    closed_case(department, date(2025, 5, 10))
    rollups_rebuild(since=date(2025, 1, 1))
    managers_and_board(department)
    first = learning_report_make(kind="monthly", period_start=date(2025, 5, 1))
    assert first.data["figures"]["counts"]["closed"] == 1
    mails = OutboxMessage.objects.count()

    closed_case(department, date(2025, 5, 20))
    rollups_rebuild(since=date(2025, 1, 1))
    again = learning_report_make(kind="monthly", period_start=date(2025, 5, 14))

    assert again.pk == first.pk
    assert LearningReport.objects.filter(kind="monthly").count() == 1
    assert LearningReport.objects.get().data["figures"]["counts"]["closed"] == 2
    assert OutboxMessage.objects.count() == mails == 1


def test_the_sweep_makes_the_last_complete_month_and_quarter_and_catches_up():
    department = DepartmentFactory()
    closed_case(department, date(2026, 2, 10))
    rollups_rebuild(since=date(2025, 10, 1))

    # On 2 April: March, and Q1 has ended. The catch-up window also covers January,
    # February and Q4 2025.
    assert complete_periods(today=date(2026, 4, 2)) == [
        ("monthly", date(2026, 1, 1)),
        ("monthly", date(2026, 2, 1)),
        ("monthly", date(2026, 3, 1)),
        ("quarterly", date(2025, 10, 1)),
        ("quarterly", date(2026, 1, 1)),
    ]
    made = learning_reports_sweep(today=date(2026, 4, 2))
    rows = set(LearningReport.objects.values_list("kind", "period_start", "department_id"))
    organisation = {
        ("monthly", date(2026, 1, 1), None),
        ("monthly", date(2026, 2, 1), None),
        ("monthly", date(2026, 3, 1), None),
        ("quarterly", date(2025, 10, 1), None),
        ("quarterly", date(2026, 1, 1), None),
    }
    # The department had cases in February (received in January): January, February, Q1.
    departmental = {
        ("monthly", date(2026, 1, 1), department.pk),
        ("monthly", date(2026, 2, 1), department.pk),
        ("quarterly", date(2026, 1, 1), department.pk),
    }
    assert rows == organisation | departmental
    assert made == len(rows)

    # A second run, and the next day: nothing new.
    assert learning_reports_sweep(today=date(2026, 4, 2)) == 0
    assert learning_reports_sweep(today=date(2026, 4, 3)) == 0
    # A month later: April only (no quarter has ended since).
    assert learning_reports_sweep(today=date(2026, 5, 1)) == 1
    assert LearningReport.objects.filter(period_start=date(2026, 4, 1)).count() == 1


def test_the_sweep_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reporting.learning_reports_sweep" in tasks
    from reporting.tasks import learning_reports_sweep_task

    assert learning_reports_sweep_task.name == "reporting.learning_reports_sweep"


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
@pytest.fixture
def reports():
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    for department in (mine, theirs):
        closed_case(department, date(2025, 5, 10))
    rollups_rebuild(since=date(2025, 1, 1))
    made = {
        "organisation": learning_report_make(kind="monthly", period_start=date(2025, 5, 1)),
        "mine": learning_report_make(
            kind="monthly", period_start=date(2025, 5, 1), department_id=mine.pk
        ),
        "theirs": learning_report_make(
            kind="monthly", period_start=date(2025, 5, 1), department_id=theirs.pk
        ),
    }
    return mine, made


def test_a_manager_sees_their_departments_and_the_organisations_reports_only(client, reports):
    mine, made = reports
    client.force_login(UserFactory(manager=True, department=mine))
    page = client.get(reverse("reporting:reports"))
    assert page.status_code == 200
    shown = {r.pk for r in page.context["page"].object_list}
    assert shown == {made["organisation"].pk, made["mine"].pk}
    assert client.get(reverse("reporting:report", args=[made["mine"].pk])).status_code == 200
    assert client.get(reverse("reporting:report", args=[made["theirs"].pk])).status_code == 404
    remake = {"kind": "monthly", "month": "2025-05", "department": ""}
    assert client.post(reverse("reporting:report_make"), remake).status_code == 403


def test_the_board_sees_every_report_and_can_make_a_period_again(client, reports):
    _mine, made = reports
    client.force_login(UserFactory(board=True))
    page = client.get(reverse("reporting:reports"))
    assert len(page.context["page"].object_list) == 3
    detail = client.get(reverse("reporting:report", args=[made["theirs"].pk]))
    assert detail.status_code == 200
    assert made["theirs"].department.name in detail.content.decode()
    answer = client.post(
        reverse("reporting:report_make"),
        {"kind": "monthly", "month": "2025-05", "department": made["theirs"].department_id},
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("reporting:report", args=[made["theirs"].pk])
    assert LearningReport.objects.count() == 3


def test_an_employee_may_not_see_the_reports(client, reports):
    client.force_login(UserFactory(employee=True))
    assert client.get(reverse("reporting:reports")).status_code == 403


def test_the_report_page_shows_labels_in_the_readers_language(client, reports):
    _mine, made = reports
    client.force_login(UserFactory(board=True))
    url = reverse("reporting:report", args=[made["organisation"].pk])
    assert client.get(url).status_code == 200
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Handled with a judgment" in english


def test_the_report_pdf_is_a_pdf_download(client, reports):
    _mine, made = reports
    client.force_login(UserFactory(board=True))
    answer = client.get(reverse("reporting:report_pdf", args=[made["mine"].pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment")
    pdf = pypdf.PdfReader(io.BytesIO(answer.content))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert made["mine"].department.name in text


def test_the_list_page_costs_the_same_number_of_queries_for_few_and_many_reports(
    client, django_assert_max_num_queries
):
    client.force_login(UserFactory(board=True))
    url = reverse("reporting:reports")
    learning_report_make(kind="monthly", period_start=date(2025, 1, 1))
    client.get(url)  # warm up: session, permissions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for month in range(2, 13):
        learning_report_make(kind="monthly", period_start=date(2025, month, 1))
        department = DepartmentFactory()
        learning_report_make(
            kind="quarterly", period_start=date(2025, month, 1), department_id=department.pk
        )
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert len(page.context["page"].object_list) == 23
