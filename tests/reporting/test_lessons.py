"""The lesson of a case (issue 8, point 1; DOMAIN.md section 6): recorded by who may handle
the case, one per case (saving again replaces it), another department's case answers 404,
bad input is kept; the case page prompts for it once closed without costing a query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from complaints.models import ClosureReason, Norm, Theme
from reporting.models import Cause, Lesson
from tests.complaints.test_query_counts import CASE_PAGE_CEILING
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(department, handler):
    return ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=department, handler=handler, parts=1
    )


def lesson_url(complaint) -> str:
    return reverse("reporting:lesson", args=[complaint.reference])


def test_a_handler_records_the_lesson_of_a_closed_case(client, handler, closed):
    theme = Theme.objects.filter(is_active=True).first()
    norms = list(Norm.objects.filter(number__in=[3, 14]))
    client.force_login(handler)
    assert client.get(lesson_url(closed)).status_code == 200
    response = client.post(
        lesson_url(closed),
        {
            "cause": Cause.objects.get(code="communication").pk,
            "theme": theme.pk,
            "norms": [norm.pk for norm in norms],
            "text": "Bel terug wanneer je het belooft.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("complaints:case", args=[closed.reference]) + "#lesson"
    )
    lesson = Lesson.objects.get(complaint=closed)
    assert lesson.cause.code == "communication"
    assert lesson.theme == theme
    assert set(lesson.norms.all()) == set(norms)
    assert lesson.recorded_by == handler


def test_saving_the_lesson_again_replaces_it(client, handler, closed):
    client.force_login(handler)
    first = {"cause": Cause.objects.get(code="process").pk, "text": "Eerste les."}
    client.post(lesson_url(closed), {**first, "norms": [Norm.objects.get(number=1).pk]})
    page = client.get(lesson_url(closed)).content.decode()
    assert "Eerste les." in page  # the form shows the recorded lesson to edit

    second = {"cause": Cause.objects.get(code="it").pk, "text": "Tweede les."}
    assert client.post(lesson_url(closed), second).status_code == 302
    lesson = Lesson.objects.get(complaint=closed)
    assert (lesson.cause.code, lesson.text) == ("it", "Tweede les.")
    assert lesson.norms.count() == 0
    assert Lesson.objects.count() == 1


def test_another_departments_case_answers_404(client, closed):
    outsider = UserFactory(handler=True, department=DepartmentFactory(code="bel"))
    client.force_login(outsider)
    data = {"cause": Cause.objects.get(code="process").pk, "text": "Niet van mij."}
    assert client.get(lesson_url(closed)).status_code == 404
    assert client.post(lesson_url(closed), data).status_code == 404
    assert reverse("complaints:case", args=["KL-1999-00001"])  # unknown answers the same:
    assert client.get(reverse("reporting:lesson", args=["KL-1999-00001"])).status_code == 404
    assert not Lesson.objects.exists()


def test_a_manager_who_sees_the_case_but_does_not_handle_it_may_not_record(
    client, department, closed
):
    client.force_login(UserFactory(manager=True, department=department))
    assert client.get(lesson_url(closed)).status_code == 403


def test_bad_input_is_kept_and_explained(client, handler, closed):
    client.force_login(handler)
    with translation.override("en"):
        response = client.post(
            lesson_url(closed),
            {"cause": "", "text": "Wat ik al typte.", "norms": [Norm.objects.get(number=5).pk]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Wat ik al typte." in page
    ticked = re.findall(r'<input type="checkbox" name="norms" value="(\d+)"[^>]*checked', page)
    assert ticked == [str(Norm.objects.get(number=5).pk)]
    assert response.context["form"].errors["cause"]
    assert "kl-error-summary" in page
    assert not Lesson.objects.exists()


def test_an_open_case_in_intake_takes_no_lesson(client, handler, department):
    case = ComplaintFactory(department=department, handler=handler)
    client.force_login(handler)
    data = {"cause": Cause.objects.get(code="process").pk, "text": "Te vroeg."}
    assert client.post(lesson_url(case), data).status_code == 400
    assert not Lesson.objects.exists()


def test_a_lesson_written_while_the_case_was_reopened_is_shown_to_copy(client, handler, closed):
    """The form is gone once the case is open again (no lesson then); the text is not."""
    from complaints.models import Stage

    client.force_login(handler)
    client.cookies["django_language"] = "en"
    assert client.get(lesson_url(closed)).status_code == 200
    type(closed).objects.filter(pk=closed.pk).update(stage=Stage.EXPLORE)  # reopened meanwhile
    text = "Bel terug <wanneer> je het belooft."
    response = client.post(
        lesson_url(closed), {"cause": Cause.objects.get(code="process").pk, "text": text}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not saved: what you typed" in page
    assert "Bel terug &lt;wanneer&gt; je het belooft." in page
    assert not Lesson.objects.exists()


def test_the_norms_are_grouped_under_the_four_headings(client, handler, closed):
    client.force_login(handler)
    form = client.get(lesson_url(closed)).context["form"]
    groups = form.norm_groups()
    assert len(groups) == 4
    assert sum(len(boxes) for _label, boxes in groups) == Norm.objects.count() == 22


# ---------------------------------------------------------------------------
# The case page
# ---------------------------------------------------------------------------
def case_page_queries(client, complaint) -> tuple[int, str]:
    url = reverse("complaints:case", args=[complaint.reference])
    client.get(url)  # warm up what is cached per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_closed_case_page_prompts_for_the_lesson_then_shows_it_at_no_extra_query(
    client, handler, closed
):
    client.force_login(handler)
    before, page = case_page_queries(client, closed)
    assert lesson_url(closed) in page
    assert 'id="lesson"' in page
    assert reverse("reporting:action_new") + f"?complaint={closed.reference}" in page

    lesson = Lesson.objects.create(
        complaint=closed,
        cause=Cause.objects.get(code="attitude"),
        theme=Theme.objects.first(),
        text="Luister eerst, leg daarna uit.",
        recorded_by=handler,
    )
    lesson.norms.set(Norm.objects.filter(number__in=[7, 8]))
    after, page = case_page_queries(client, closed)
    assert "Luister eerst, leg daarna uit." in page
    assert lesson_url(closed) in page  # to change it
    assert after == before <= CASE_PAGE_CEILING


def test_an_open_case_page_shows_no_lesson_prompt(client, handler, department):
    case = ComplaintFactory(explore=True, department=department, handler=handler)
    client.force_login(handler)
    _count, page = case_page_queries(client, case)
    assert 'id="lesson"' not in page


def test_a_case_being_judged_may_take_its_lesson_already(client, handler, department):
    case = ComplaintFactory(judge=True, department=department, handler=handler)
    client.force_login(handler)
    _count, page = case_page_queries(client, case)
    assert lesson_url(case) in page
    data = {"cause": Cause.objects.get(code="policy").pk, "text": "Beleid is onduidelijk."}
    assert client.post(lesson_url(case), data).status_code == 302
    assert Lesson.objects.get().complaint == case


def test_a_functional_admin_keeps_the_list_of_causes_in_the_admin(client):
    client.force_login(UserFactory(functional_admin=True))
    listed = client.get(reverse("admin:reporting_cause_changelist"))
    assert listed.status_code == 200
    assert "Bejegening" in listed.content.decode()
    response = client.post(
        reverse("admin:reporting_cause_add"),
        {"code": "capacity", "name_nl": "Capaciteit", "name_en": "Capacity", "order": 7,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Cause.objects.filter(code="capacity", is_active=True).exists()
