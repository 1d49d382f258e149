"""Special-category fields only for the assigned handler and the named roles (DOMAIN.md
section 7): the complainant's needs on the staff case page."""

import pytest
from django.urls import reverse

from complaints.selectors import SPECIAL_CATEGORY_FIELDS, may_see_special
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

NEEDS = "Doof; graag een gebarentolk bij het gesprek"
PLACEHOLDER = "Alleen de behandelaar van de zaak ziet dit"


@pytest.fixture
def assigned(user_factory, department):
    return user_factory(handler=True, department=department, full_name="Hamza El Amrani")


@pytest.fixture
def colleague(user_factory, department):
    """A handler of the same department who is not assigned to the case."""
    return user_factory(handler=True, department=department, full_name="Sanne de Vries")


@pytest.fixture
def coordinator(user_factory, department):
    return user_factory(coordinator=True, department=department)


@pytest.fixture
def complaint(department, assigned):
    return ComplaintFactory(
        department=department,
        handler=assigned,
        complainant_name="Jan Smit",
        complainant_email="jan@example.nl",
        complainant_needs=NEEDS,
    )


def case_page(client, user, complaint, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("complaints:case", args=[complaint.reference]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_needs_are_special_category():
    assert "complainant_needs" in SPECIAL_CATEGORY_FIELDS


def test_the_assigned_handler_and_the_coordinator_may_see_special_fields(
    assigned, colleague, coordinator, complaint
):
    assert may_see_special(assigned, complaint)
    assert may_see_special(coordinator, complaint)
    assert not may_see_special(colleague, complaint)


@pytest.mark.parametrize("who", ["assigned", "coordinator"])
def test_the_assigned_handler_and_the_coordinator_see_the_needs(client, request, who, complaint):
    page = case_page(client, request.getfixturevalue(who), complaint)
    assert NEEDS in page
    assert PLACEHOLDER not in page


def test_another_handler_of_the_department_sees_only_the_placeholder(client, colleague, complaint):
    page = case_page(client, colleague, complaint)
    assert "Jan Smit" in page  # the rest of the complainant section is there
    assert PLACEHOLDER in page
    assert "Doof" not in page  # not even part of it, in no form


def test_the_edit_form_of_another_handler_leaves_the_needs_out(client, colleague, complaint):
    page = case_page(client, colleague, complaint, edit="complainant")
    assert 'name="complainant_email"' in page  # the form is shown
    assert 'name="complainant_needs"' not in page
    assert "Doof" not in page


def test_the_edit_form_of_the_assigned_handler_includes_the_needs(client, assigned, complaint):
    client.force_login(assigned)
    response = client.get(
        reverse("complaints:case", args=[complaint.reference]), {"edit": "complainant"}
    )
    form = response.context["section_forms"]["complainant"]
    assert "complainant_needs" in form.fields
    assert 'name="complainant_needs"' in response.content.decode()
    assert NEEDS in response.content.decode()


def complainant_section(complaint, **changes) -> dict:
    return {
        "version": complaint.version,
        "complainant_name": complaint.complainant_name,
        "complainant_email": complaint.complainant_email,
        "complainant_phone": complaint.complainant_phone,
        "complainant_address": complaint.complainant_address,
        "preferred_contact": complaint.preferred_contact,
        **changes,
    }


def test_another_handler_saving_the_complainant_section_keeps_the_needs(
    client, colleague, complaint
):
    client.force_login(colleague)
    url = reverse("complaints:edit", args=[complaint.reference, "complainant"])
    response = client.post(url, complainant_section(complaint, complainant_phone="0201234567"))
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.complainant_phone == "0201234567"
    assert complaint.complainant_needs == NEEDS
    assert complaint.events.get(kind="edited").data["fields"] == ["complainant_phone"]


def test_another_handler_cannot_overwrite_the_needs_by_posting_them(client, colleague, complaint):
    client.force_login(colleague)
    url = reverse("complaints:edit", args=[complaint.reference, "complainant"])
    data = complainant_section(complaint, complainant_needs="")
    assert client.post(url, data).status_code == 302
    complaint.refresh_from_db()
    assert complaint.complainant_needs == NEEDS
    assert not complaint.events.filter(kind="edited").exists()  # nothing they may change changed


def test_the_assigned_handler_changes_the_needs(client, assigned, complaint):
    client.force_login(assigned)
    url = reverse("complaints:edit", args=[complaint.reference, "complainant"])
    data = complainant_section(complaint, complainant_needs="Graag in grote letters")
    assert client.post(url, data).status_code == 302
    complaint.refresh_from_db()
    assert complaint.complainant_needs == "Graag in grote letters"


def test_a_refused_save_by_another_handler_shows_no_needs(client, colleague, complaint):
    """The form shown again after an error is the reduced form too."""
    client.force_login(colleague)
    url = reverse("complaints:edit", args=[complaint.reference, "complainant"])
    response = client.post(url, complainant_section(complaint, complainant_name=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="complainant_needs"' not in page
    assert "Doof" not in page


def test_the_service_refuses_a_special_field_from_someone_who_may_not_see_it(
    colleague, assigned, coordinator, complaint
):
    """Not only the case page: ``complaint_update`` itself refuses to write a special-category
    field for a user who may not read it; the others' changes go through."""
    from django.core.exceptions import PermissionDenied

    from complaints import services

    with pytest.raises(PermissionDenied):
        services.complaint_update(
            complaint_id=complaint.pk,
            actor=colleague,
            expected_version=complaint.version,
            fields={"complainant_needs": "overschreven"},
        )
    complaint.refresh_from_db()
    assert complaint.complainant_needs == NEEDS
    for who, text in ((assigned, "Tolk Pools"), (coordinator, "Tolk Arabisch")):
        services.complaint_update(
            complaint_id=complaint.pk,
            actor=who,
            expected_version=complaint.version,
            fields={"complainant_needs": text},
        )
        complaint.refresh_from_db()
        assert complaint.complainant_needs == text
    services.complaint_update(  # a field that is not special: fine for the colleague
        complaint_id=complaint.pk,
        actor=colleague,
        expected_version=complaint.version,
        fields={"complainant_phone": "0612345678"},
    )
