"""What a user types is checked against the column it is stored in: a value that does not fit
gets a message on its field, with everything typed kept, never a server error.

A form's ``EmailField`` alone accepts addresses of up to 320 characters; the model's column
holds 254. A name or a contact typed into a free field goes to a party's columns (200, 254, 40).
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from complaints.forms import IntakeForm
from complaints.ladder_forms import QuickLogForm
from complaints.letter_forms import LetterForm
from complaints.models import Complaint, Letter, LetterKind, Party
from complaints.public_forms import AboutYouForm
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# A valid address (Django's validator agrees) longer than the 254 characters of the column.
LONG_EMAIL = ("a" * 60 + ".") * 4 + "x@example.nl"
TOO_LONG = "at most 254 characters"


def test_the_long_address_is_valid_but_longer_than_the_column():
    from django.core.validators import validate_email

    validate_email(LONG_EMAIL)
    assert 254 < len(LONG_EMAIL) <= 320


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("form_class", "field", "data"),
    [
        (AboutYouForm, "complainant_email", {"complainant_name": "Fatima Yilmaz"}),
        (QuickLogForm, "complainant_email", {}),
        (LetterForm, "recipient_email", {"recipient_name": "Jan Smit"}),
    ],
    ids=["public form", "rung-1 quick log", "letter"],
)
def test_an_address_longer_than_its_column_is_refused_on_its_field(form_class, field, data):
    extra = {"letter": letter_to_edit()} if form_class is LetterForm else {}
    form = form_class({**data, field: LONG_EMAIL}, **extra)
    assert not form.is_valid()
    assert TOO_LONG in " ".join(form.errors[field])
    assert form[field].value() == LONG_EMAIL  # kept, to be corrected
    assert 'maxlength="254"' in str(form[field])


def letter_to_edit() -> Letter:
    """An acknowledgement being written (unsaved: the form reads only its fields)."""
    return Letter(kind=LetterKind.ACKNOWLEDGEMENT, recipient_name="Jan Smit", sections=[])


def test_the_public_form_says_the_address_is_too_long_and_keeps_what_was_typed(client):
    DepartmentFactory(code="kl", name="Klachtenbureau", receives_public_complaints=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("complaint_form", args=[1]),
        {
            "complainant_name": "Fatima Yilmaz",
            "complainant_email": LONG_EMAIL,
            "complainant_phone": "06 12345678",
            "preferred_contact": "email",
            "complainant_address": "Dorpsstraat 1",
            "complainant_needs": "",
        },
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert TOO_LONG in page
    assert "Fatima Yilmaz" in page and LONG_EMAIL in page
    assert not Complaint.objects.exists()


def test_signing_in_with_an_address_longer_than_any_account_is_a_failed_sign_in(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("accounts:login"), {"username": LONG_EMAIL + "x" * 40, "password": "wrong"}
    )
    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    # Whatever axes records of the attempt fits its column (255).
    assert all(len(a.username or "") <= 255 for a in AccessAttempt.objects.all())


def intake(department, **overrides) -> dict:
    return {
        "channel": "letter",
        "received_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "is_written": "on",
        "language": "nl",
        "department": department.pk,
        "complainant_name": "Jan Smit",
        "complainant_address": "Dorpsstraat 1, Voorbeeld",
        "preferred_contact": "letter",
        "conduct_description": "Onbeschoft behandeld aan de balie.",
        "is_signed": "on",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("representative_name", "Mr. J. de Vries, " + "advocaat te Utrecht, " * 10, "at most 200"),
        ("affected_name", "Mevrouw A. Jansen en haar kinderen " * 7, "at most 200"),
        ("representative_contact", "dewit@example.nl, 06 12345678", "not a valid e-mail address"),
        ("representative_contact", "06 12345678 of 030 1234567, na 17 uur: 06 87654321", "40"),
        ("representative_contact", LONG_EMAIL, "254"),
    ],
    ids=["representative", "affected", "address and phone", "long phone", "long address"],
)
def test_intake_refuses_what_a_party_cannot_hold_and_keeps_it(field, value, message):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    form = IntakeForm(intake(department, **{"representative_name": "Mr. De Wit", field: value}))
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert form[field].value() == value


def test_intake_stores_a_representatives_phone_whole_and_an_address_as_an_address():
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    phone = IntakeForm(
        intake(department, representative_name="Mr. De Wit", representative_contact="06 1234 5678")
    )
    assert phone.is_valid(), phone.errors
    assert phone.parties()[0] | {"name": ""} == {
        "role": "representative",
        "name": "",
        "email": "",
        "phone": "06 1234 5678",
    }
    mail = IntakeForm(
        intake(department, representative_name="Mr. De Wit", representative_contact="w@example.nl")
    )
    assert mail.is_valid(), mail.errors
    assert mail.parties()[0]["email"] == "w@example.nl"
    assert Party._meta.get_field("phone").max_length == 40


def test_the_intake_page_shows_the_message_at_the_field_and_keeps_the_text(client, user_factory):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    client.force_login(user_factory(handler=True, department=department))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    contact = "06 12345678 of 030 1234567, na 17 uur: 06 87654321"
    response = client.post(
        reverse("complaints:register"),
        intake(department, representative_name="Mr. De Wit", representative_contact=contact),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_representative_contact_error"' in page
    assert "A phone number has at most 40 characters." in page
    assert f'value="{contact}"' in page
    assert not Complaint.objects.exists()
