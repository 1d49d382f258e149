"""The worklist and the case page cost a fixed number of queries (STYLE.md "Tests").

Their counts do not grow with the number of cases on the worklist, nor with the events,
parts, norms, contacts, notes, parties and attachments on one case; and they stay under
the ceilings of QUALITY.md ("Performance"). Each count is the whole request as the
browser makes it: session, user and permissions included.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Attachment, Complaint, Norm, PartyRole, Stage, Theme
from complaints.page_cache import case_pages_changed
from complaints.uploads import CleanFile
from reporting.figures import open_now_changed
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

WORKLIST_CEILING = 10  # QUALITY.md: handler worklist, <= 10 queries
CASE_PAGE_CEILING = 15  # QUALITY.md: case page with full timeline, <= 15 queries


@pytest.fixture
def other_department():
    return DepartmentFactory(code="bel", name="Belastingen")


@pytest.fixture
def coordinator(user_factory, department):
    return user_factory(coordinator=True, department=department)


@pytest.fixture
def viewer(request, handler, coordinator):
    return {"handler": handler, "coordinator": coordinator}[request.param]


@pytest.fixture
def attachments_cleaned_up():
    yield
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


def register(actor, department, number: int = 0, **overrides) -> Complaint:
    fields = {
        "channel": "letter",
        "received_on": timezone.localdate() - timedelta(days=number % 70),
        "is_written": True,
        "language": "nl",
        "department": department,
        "complainant_name": f"Klager {number}",
        "complainant_phone": "0612345678",
        "conduct_description": "Niemand belde terug.",
        **overrides,
    }
    return services.complaint_register(
        actor=actor, fields=fields, themes=list(Theme.objects.all()[:2])
    )


def fill_worklist(coordinator, handler, department, other_department, start: int, stop: int):
    """Open cases in two departments; every other one has a handler, some are explored."""
    for number in range(start, stop):
        complaint = register(coordinator, department if number % 3 else other_department, number)
        if number % 2:
            handler_for = handler if complaint.department == department else coordinator
            complaint = services.complaint_assign(
                complaint_id=complaint.pk,
                actor=coordinator,
                handler=handler_for,
                expected_version=complaint.version,
            )
            services.complaint_acknowledge(
                complaint_id=complaint.pk, actor=coordinator, on=timezone.localdate()
            )
            services.complaint_transition(
                complaint_id=complaint.pk,
                name="start_exploring",
                actor=coordinator,
                expected_stage=Stage.INTAKE,
            )


def queries_of(client, url: str, *, drawn: bool = False) -> int:
    """The queries of a visit of ``url``; ``drawn``: of a case page drawn, not kept (no page
    kept so far is used: ``complaints.page_cache``)."""
    if drawn:
        case_pages_changed()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# ---------------------------------------------------------------------------
# The worklist
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("viewer", "scope"), [("handler", "department"), ("coordinator", "all")], indirect=["viewer"]
)
def test_the_worklist_costs_the_same_for_3_cases_as_for_60(
    client,
    viewer,
    scope,
    handler,
    coordinator,
    department,
    other_department,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    url = f"{reverse('complaints:worklist')}?scope={scope}"
    fill_worklist(coordinator, handler, department, other_department, 0, 3)
    client.force_login(viewer)
    client.get(url)  # warm up whatever is cached per process (content types)

    # Counted and read: what a visit costs after a case changed (the count, the rows and the
    # themes are kept until then: reporting.figures.kept_now).
    open_now_changed()
    with django_assert_max_num_queries(WORKLIST_CEILING):
        few = client.get(url)
    assert len(few.context["page"].object_list) == (3 if scope == "all" else 2)
    open_now_changed()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    baseline = len(captured.captured_queries)

    fill_worklist(coordinator, handler, department, other_department, 3, 60)
    with django_assert_num_queries(baseline):  # the cases changed: counted and read again
        many = client.get(url)
    rows = many.context["page"].object_list
    assert len(rows) == (50 if scope == "all" else 40)  # a full page: 50 a page
    assert {row["handler__full_name"] for row in rows} > {None}  # with and without a handler
    with django_assert_num_queries(1):  # nothing changed since: the signed-in user only
        kept = client.get(url)
    assert not kept.templates  # the whole page kept: nothing drawn
    assert all(row["reference"] in kept.content.decode() for row in rows)
    case_pages_changed()  # what the shell shows changed (a name, a permission): drawn again
    with django_assert_num_queries(1):  # from the count and rows kept
        drawn = client.get(url)
    assert drawn.context["page"].object_list == rows
    print(f"worklist scope={scope}: {baseline} queries for 3 and for 60 cases, 1 kept")


# ---------------------------------------------------------------------------
# The case page
# ---------------------------------------------------------------------------
def case_with(
    coordinator,
    handler,
    department,
    colleagues,
    *,
    parts: int,
    contacts: int,
    notes: int,
    parties: int,
    attachments: int,
) -> Complaint:
    """A case in the judge stage with this much recorded on it, all through the services."""
    complaint = register(coordinator, department)
    pk = complaint.pk
    services.complaint_assign(
        complaint_id=pk, actor=coordinator, handler=handler, expected_version=complaint.version
    )
    services.complaint_acknowledge(complaint_id=pk, actor=handler, on=timezone.localdate())
    services.complaint_transition(
        complaint_id=pk, name="start_exploring", actor=handler, expected_stage=Stage.INTAKE
    )
    for number in range(contacts):
        services.contact_add(
            complaint_id=pk,
            actor=handler,
            fields={
                "at": timezone.now() - timedelta(hours=number + 1),
                "channel": "phone",
                "with_whom": "Klager",
                "summary": f"Gesprek {number}",
            },
        )
    for number in range(notes):
        services.note_add(complaint_id=pk, actor=handler, text=f"Notitie {number}")
    for number in range(parties):
        colleague = colleagues[number % len(colleagues)]
        fields = (
            {"role": PartyRole.COMPLAINED_ABOUT, "name": colleague.full_name, "employee": colleague}
            if number % 2 == 0
            else {"role": PartyRole.REPRESENTATIVE, "name": f"Gemachtigde {number}"}
        )
        services.party_add(complaint_id=pk, actor=handler, fields=fields)
    for number in range(attachments):
        file = CleanFile(
            name=f"bijlage-{number}.pdf",
            content=b"%PDF-1.4 test",
            content_type="application/pdf",
            extension="pdf",
        )
        services.attachment_add(complaint_id=pk, actor=handler, file=file)
    norms = list(Norm.objects.order_by("number"))
    for number in range(parts):
        part = services.part_add(complaint_id=pk, actor=handler, description=f"Onderdeel {number}")
        services.part_update(
            part_id=part.pk,
            actor=handler,
            fields={"judgment": "well_founded", "reasoning": "Zo was het."},
            norms=norms[number : number + 2],
        )
    complaint = Complaint.objects.get(pk=pk)
    services.complaint_update(
        complaint_id=pk,
        actor=handler,
        expected_version=complaint.version,
        fields={"underlying_problem": "Geen terugbelactie", "desired_outcome": "Excuses"},
    )
    if parts:
        services.complaint_transition(
            complaint_id=pk, name="start_judging", actor=handler, expected_stage=Stage.EXPLORE
        )
    return complaint


@pytest.mark.usefixtures("attachments_cleaned_up")
@pytest.mark.parametrize("viewer", ["handler", "coordinator"], indirect=True)
def test_the_case_page_costs_the_same_whatever_is_on_the_case(
    client, viewer, handler, coordinator, department, user_factory, django_assert_num_queries
):
    colleagues = [
        user_factory(employee=True, department=department, full_name=f"Collega {n}")
        for n in range(3)
    ]
    bare = register(coordinator, department)
    one = case_with(
        coordinator, handler, department, colleagues,
        parts=1, contacts=1, notes=1, parties=2, attachments=1,
    )  # fmt: skip
    many = case_with(
        coordinator, handler, department, colleagues,
        parts=5, contacts=10, notes=10, parties=5, attachments=3,
    )  # fmt: skip
    assert many.events.count() >= 20
    assert many.parts.filter(norms__isnull=False).distinct().count() == 5

    client.force_login(viewer)
    url = reverse("complaints:case", args=[one.reference])
    client.get(url)  # warm up whatever is cached per process (content types)
    baseline = queries_of(client, url, drawn=True)

    many_url = reverse("complaints:case", args=[many.reference])
    case_pages_changed()
    with django_assert_num_queries(baseline):
        response = client.get(many_url)
    page = response.content.decode()
    assert page.count('class="kl-timeline__event"') == many.events.count()
    assert page.count('class="kl-part"') == 5
    # The case changed, nothing else: drawn again, with the list of the department's
    # handlers that every case page of the department offers kept.
    case_pages_changed(many.pk)
    with django_assert_num_queries(baseline - 1):
        client.get(many_url)
    # Opened again, nothing changed: the user, the case's row and the read audit's row.
    with django_assert_num_queries(3):
        again = client.get(many_url)
    assert again.content.decode().count('class="kl-timeline__event"') == many.events.count()
    # A bare case (just registered) has fewer kinds of rows to read, never more.
    bare_url = reverse("complaints:case", args=[bare.reference])
    assert queries_of(client, bare_url, drawn=True) <= baseline
    print(f"case page as {viewer.full_name}: {baseline} queries (one of each and many of each)")


@pytest.mark.parametrize("viewer", ["handler", "coordinator"], indirect=True)
def test_the_worklist_stays_under_its_ceiling(
    client, viewer, handler, coordinator, department, other_department,
    django_assert_max_num_queries,
):  # fmt: skip
    fill_worklist(coordinator, handler, department, other_department, 0, 60)
    client.force_login(viewer)
    url = reverse("complaints:worklist")
    client.get(url)
    for query in ("", "?scope=department", "?scope=all", "?scope=department&overdue=1"):
        with django_assert_max_num_queries(WORKLIST_CEILING):
            client.get(url + query)


@pytest.mark.usefixtures("attachments_cleaned_up")
@pytest.mark.parametrize("viewer", ["handler", "coordinator"], indirect=True)
def test_the_case_page_stays_under_its_ceiling(
    client, viewer, handler, coordinator, department, user_factory,
    django_assert_max_num_queries,
):  # fmt: skip
    colleagues = [user_factory(employee=True, department=department, full_name="Piet Balie")]
    many = case_with(
        coordinator, handler, department, colleagues,
        parts=5, contacts=10, notes=10, parties=5, attachments=3,
    )  # fmt: skip
    client.force_login(viewer)
    url = reverse("complaints:case", args=[many.reference])
    client.get(url)
    case_pages_changed()  # drawn, not kept
    with django_assert_max_num_queries(CASE_PAGE_CEILING):
        client.get(url)


# ---------------------------------------------------------------------------
# The ladder: a rung-1 case (with its hand-over form and the rungs) and the quick log
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("viewer", ["handler", "coordinator"], indirect=True)
def test_a_rung_1_case_page_stays_under_its_ceiling_before_and_after_the_hand_over(
    client, viewer, handler, coordinator, department, django_assert_max_num_queries
):
    logged = services.rung1_log(
        actor=handler,
        fields={
            "channel": "counter",
            "department": department,
            "conduct_description": "De balie was dicht.",
            "solution": "Afspraak gemaakt.",
        },
        themes=list(Theme.objects.all()[:1]),
        resolved=False,
    )
    for number in range(5):
        services.note_add(complaint_id=logged.pk, actor=handler, text=f"Notitie {number}")
    escalated = services.rung1_log(
        actor=handler,
        fields={
            "channel": "phone",
            "department": department,
            "conduct_description": "Niet teruggebeld.",
            "solution": "Teruggebeld.",
        },
        resolved=True,
    )
    services.complaint_escalate(
        complaint_id=escalated.pk, actor=coordinator, reason="Wil een oordeel.", is_written=True
    )
    client.force_login(viewer)
    client.get(reverse("complaints:case", args=[logged.reference]))  # warm up
    for case in (logged, escalated):
        url = reverse("complaints:case", args=[case.reference])
        case_pages_changed()  # drawn, not kept
        with django_assert_max_num_queries(CASE_PAGE_CEILING):
            response = client.get(url)
        assert 'class="kl-rungs"' in response.content.decode()


def test_the_quick_log_costs_a_fixed_number_of_queries(
    client, handler, department, django_assert_max_num_queries
):
    url = reverse("complaints:quick_log")
    client.force_login(handler)
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    baseline = len(captured.captured_queries)
    for number in range(3):
        DepartmentFactory(code=f"afd-q{number}", name=f"Afdeling {number}")
        Theme.objects.create(name_nl=f"Thema {number}", name_en=f"Theme {number}")
    with django_assert_max_num_queries(baseline):
        client.get(url)
    assert baseline <= 8  # session, user, permissions, departments, themes
    print(f"quick log: {baseline} queries")


# ---------------------------------------------------------------------------
# The case page of a rung-3 case (the ombudsman phase)
# ---------------------------------------------------------------------------
def rung3_case_with(coordinator, handler, department, *, rows: int) -> Complaint:
    from tests.factories import ComplaintFactory, ComplaintPartFactory

    """A closed, judged case the ombudsman took up, with ``rows`` information requests,
    findings and recommendations (and their events), all through the services."""
    from complaints.models import ClosureReason, Ombudsman
    from complaints.services import ombudsman

    complaint = ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=department, handler=handler, parts=0
    )
    norms = list(Norm.objects.order_by("number"))
    for number in range(1, rows + 1):
        part = ComplaintPartFactory(complaint=complaint, number=number, judgment="well_founded")
        part.norms.set(norms[number : number + 2])
    today = timezone.localdate()
    pk = complaint.pk
    ombudsman.ombudsman_phase_start(
        complaint_id=pk,
        actor=coordinator,
        ombudsman=Ombudsman.objects.get(is_default=True),
        reference="2026.00042",
        taken_up_on=today,
    )
    for number in range(rows):
        request = ombudsman.information_request_add(
            complaint_id=pk,
            actor=coordinator,
            question=f"Vraag {number}",
            received_on=today,
            due_on=today + timedelta(days=number),
        )
        if number % 2:
            ombudsman.information_request_answer(
                request_id=request.pk, actor=coordinator, answered_on=today
            )
        ombudsman.ombudsman_finding_set(
            complaint_id=pk, actor=coordinator, norm=norms[number * 2], judgment="unfounded"
        )
        ombudsman.recommendation_add(
            complaint_id=pk,
            actor=coordinator,
            text=f"Aanbeveling {number}",
            owner=handler if number % 2 else coordinator,
            due_on=today + timedelta(days=number),
        )
    ombudsman.ombudsman_outcome_record(
        complaint_id=pk, actor=coordinator, outcome="report", outcome_on=today, summary="Rapport"
    )
    ombudsman.ombudsman_response_record(
        complaint_id=pk, actor=coordinator, response="Reactie", response_on=today
    )
    return complaint


@pytest.mark.parametrize("viewer", ["handler", "coordinator"], indirect=True)
def test_the_case_page_of_a_rung_3_case_costs_the_same_and_stays_under_its_ceiling(
    client, viewer, handler, coordinator, department, django_assert_num_queries
):
    from tests.factories import ComplaintFactory

    one = rung3_case_with(coordinator, handler, department, rows=1)
    many = rung3_case_with(coordinator, handler, department, rows=6)
    client.force_login(viewer)
    url = reverse("complaints:case", args=[one.reference])
    client.get(url)  # warm up whatever is cached per process (content types)
    baseline = queries_of(client, url, drawn=True)
    assert baseline <= CASE_PAGE_CEILING

    case_pages_changed()
    with django_assert_num_queries(baseline):
        response = client.get(reverse("complaints:case", args=[many.reference]))
    assert len(response.context["ombudsman_requests"]) == 6
    assert len(response.context["ombudsman_recommendations"]) == 6
    assert sum(1 for row in response.context["ombudsman_judgments"] if row["finding"]) == 6
    # A closed rung-2 case (the panel offers a coordinator the start) costs no more.
    closed = ComplaintFactory(closed=True, reason="judged", department=department, parts=2)
    closed_url = reverse("complaints:case", args=[closed.reference])
    assert queries_of(client, closed_url, drawn=True) <= baseline
    print(f"rung-3 case page as {viewer.full_name}: {baseline} queries (1 and 6 of each)")
