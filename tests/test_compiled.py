"""Querysets compiled once (config/compiled.py), and the case page's reads made with them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import CaseEvent, Complaint, ContactMoment
from complaints.selectors import case_row_for, complaint_for
from config.compiled import Compiled
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db


def contacts_of(case):
    return ContactMoment.objects.select_related("recorded_by").filter(complaint_id=case)


def test_the_rows_are_the_orms_with_their_related_objects_in_one_query():
    case = ComplaintFactory(explore=True, contacts=3)
    ComplaintFactory(explore=True, contacts=2)  # another case's contacts stay out
    compiled = Compiled(contacts_of, case=int)
    with CaptureQueriesContext(connection) as queries:
        rows = compiled.rows(case=case.pk)
        names = [row.recorded_by.full_name for row in rows]  # selected with them
    assert len(queries) == 1
    expected = list(contacts_of(case.pk))
    assert rows == expected  # the same rows, in the model's order
    assert [row.at for row in rows] == [row.at for row in expected]  # converted alike
    assert names == [row.recorded_by.full_name for row in expected]
    assert compiled.rows(case=case.pk + 10_000) == []


def test_a_values_query_gives_the_orms_dicts():
    case = ComplaintFactory()
    compiled = Compiled(
        lambda reference: Complaint.objects.filter(reference=reference).values("id", "updated_at"),
        reference=str,
    )
    assert compiled.rows(reference=case.reference) == [
        {"id": case.pk, "updated_at": Complaint.objects.get(pk=case.pk).updated_at}
    ]
    named = Compiled(
        lambda reference: Complaint.objects.filter(reference=reference).values(
            "reference", "id", "version"
        ),
        reference=str,
    )
    (row,) = named.rows(reference=case.reference)
    assert list(row.items()) == list(
        Complaint.objects.filter(pk=case.pk).values("reference", "id", "version")[0].items()
    )


def test_the_queryset_is_built_and_compiled_once():
    case = ComplaintFactory(contacts=1)
    built = []

    def build(case):
        built.append(case)
        return contacts_of(case)

    compiled = Compiled(build, case=int)
    compiled.rows(case=case.pk)
    compiled.rows(case=case.pk)
    assert len(built) == 1


def test_none_and_values_the_sql_would_change_are_refused():
    compiled = Compiled(contacts_of, case=int)
    with pytest.raises(ValueError, match="None"):
        compiled.rows(case=None)  # Django writes IS NULL for it
    with pytest.raises(TypeError):
        compiled.rows(other=1)
    like = Compiled(lambda text: Complaint.objects.filter(reference__contains=text), text=str)
    with pytest.raises(ValueError, match="not '='"):
        like.rows(text="KL")  # the value would be wrapped in % signs
    with pytest.raises(TypeError):
        Compiled(contacts_of, case=float)


def test_the_case_page_read_is_the_orms_and_reads_nothing_more(handler):
    case = ComplaintFactory(
        explore=True, department=handler.department, handler=handler, contacts=2, parts=2
    )
    handler.get_all_permissions()  # the permissions, read once per request anyway
    with CaptureQueriesContext(connection) as queries:
        complaint = complaint_for(handler, case.reference)
    read = len(queries)
    with CaptureQueriesContext(connection) as more:
        events = list(complaint.events.all())
        contacts = list(complaint.contacts.all())
        norms = [list(part.norms.all()) for part in complaint.parts.all()]
        themes = list(complaint.themes.all())
        assert complaint.department.name and complaint.handler == handler
    assert len(more) == 0
    assert read == 9  # the case, eight lists (the parts' norms among them)
    assert events == list(CaseEvent.objects.filter(complaint=case))
    assert contacts == list(case.contacts.all())
    assert norms == [list(part.norms.all()) for part in case.parts.all()]
    assert themes == list(case.themes.all())
    # Asked for more than the page read, the list is still the case's own.
    assert list(complaint.contacts.filter(pk__gt=0)) == contacts


def test_who_sees_a_case_is_the_same_through_the_compiled_reads(handler, department):
    own = ComplaintFactory(department=department, handler=handler)
    assigned_elsewhere = ComplaintFactory(handler=handler)
    other = ComplaintFactory()
    coordinator = UserFactory(coordinator=True)
    homeless = UserFactory(handler=True, department=None)  # Django: department IS NULL
    theirs = ComplaintFactory(handler=homeless)
    employee = UserFactory(department=department)
    for user, sees, not_seen in [
        (handler, [own, assigned_elsewhere], [other]),
        (coordinator, [own, other], []),
        (homeless, [theirs], [own]),
        (employee, [], [own]),
    ]:
        for case in sees:
            assert complaint_for(user, case.reference) == case
            assert case_row_for(user, case.reference)["id"] == case.pk
        for case in not_seen:
            with pytest.raises(Complaint.DoesNotExist):
                complaint_for(user, case.reference)
            assert case_row_for(user, case.reference) is None
