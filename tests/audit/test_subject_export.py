"""The data-subject export (issue 9, point 5; DOMAIN.md section 7): a coordinator downloads
everything held about one person, and nothing about anyone else; the export is audited.

Two people share a case (Anna complains, Bert is a party on it) and Bert has a case of his own;
every personal field holds a marker, so the test can look for the other person's markers in
every file of the ZIP.
"""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AccessAction, AccessRecord, AccessResult
from complaints.models import Attachment, CaseEvent, EventKind, PartyRole, RecipientRole
from tests.factories import (
    ComplaintFactory,
    ContactMomentFactory,
    LetterFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db

URL = "privacy:subject_export"

ANNA = {
    "name": "Annamarker Vlietstra",
    "email": "anna.marker@example.org",
    "phone": "0611119999",
    "address": "Annamarkerstraat 11\n1111 AA Annamarkerstad",
}
BERT = {
    "name": "Bertmarker Hoogland",
    "email": "bert.marker@example.org",
    "phone": "0622228888",
    "address": "Bertmarkerlaan 22\n2222 BB Bertmarkerdorp",
}
ANNA_FILE = b"%PDF annamarker-attachment"
BERT_FILE = b"%PDF bertmarker-attachment"


def markers(person: dict) -> list[str]:
    return [person["name"], person["email"], person["phone"], *person["address"].splitlines()]


def attach(case, content: bytes) -> Attachment:
    attachment = Attachment(
        complaint=case, original_name="bewijs.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("bewijs.pdf", ContentFile(content), save=True)
    return attachment


@pytest.fixture
def people():
    shared = ComplaintFactory(
        complainant_name=ANNA["name"],
        complainant_email=ANNA["email"],
        complainant_phone=ANNA["phone"],
        complainant_address=ANNA["address"],
        conduct_description=f"Anna schrijft dat {BERT['name']} ook werd benadeeld.",
    )
    bert_party = PartyFactory(
        complaint=shared,
        role=PartyRole.AFFECTED,
        name=BERT["name"],
        email=BERT["email"].upper(),  # matched whatever its capitals
        phone=BERT["phone"],
        address=BERT["address"],
    )
    # The timeline names a party when it is added; a contact moment says with whom.
    CaseEvent.record(shared, actor=None, kind=EventKind.PARTY, role="affected", name=BERT["name"])
    ContactMomentFactory(complaint=shared, with_whom=ANNA["name"], summary="Anna gebeld.")
    ContactMomentFactory(
        complaint=shared,
        with_whom=BERT["name"],
        summary=f"Gebeld op {BERT['phone']}; {ANNA['name']} was erbij.",
    )
    LetterFactory(complaint=shared)  # to Anna, the complainant
    LetterFactory(
        complaint=shared,
        recipient_role=RecipientRole.PARTY,
        party_pk=bert_party.pk,
        recipient_name=BERT["name"],
        recipient_email=BERT["email"],
        recipient_address=BERT["address"],
    )
    attach(shared, ANNA_FILE)
    own = ComplaintFactory(
        complainant_name=BERT["name"],
        complainant_email=BERT["email"],
        complainant_phone=BERT["phone"],
        complainant_address=BERT["address"],
        conduct_description="Bertmarker-klacht over de parkeervergunning.",
    )
    attach(own, BERT_FILE)
    unrelated = ComplaintFactory(complainant_email="iemand.anders@example.org")
    return shared, own, unrelated


@pytest.fixture
def coordinator(user_factory):
    return user_factory(coordinator=True, email="coordinator@gemeente.example")


def export(client, email: str) -> tuple[zipfile.ZipFile, dict]:
    answer = client.post(reverse(URL), {"email": email})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    return archive, json.loads(archive.read("data.json"))


def every_file(archive: zipfile.ZipFile) -> dict[str, str]:
    return {name: archive.read(name).decode("latin-1") for name in archive.namelist()}


def assert_absent(archive: zipfile.ZipFile, person: dict, extra: bytes) -> None:
    for name, text in every_file(archive).items():
        for marker in markers(person):
            assert marker.lower() not in text.lower(), (name, marker)
            assert marker.lower() not in name.lower()
        assert extra.decode() not in text, name


def test_the_complainant_gets_their_cases_letters_and_files_and_nobody_elses(
    client, coordinator, people
):
    shared, _own, unrelated = people
    client.force_login(coordinator)
    archive, data = export(client, "  Anna.Marker@EXAMPLE.org ")

    assert [case["reference"] for case in data["cases"]] == [shared.reference]
    case = data["cases"][0]
    assert case["as"] == ["complainant"]
    assert case["complainant"]["name"] == ANNA["name"]
    assert case["complainant"]["address"] == ANNA["address"]
    assert case["parties"] == []  # Bert's row is left out
    assert "[...] ook werd benadeeld" in case["complaint"]["conduct_description"]
    assert sorted(c["with_whom"] for c in case["contact_moments"]) == sorted(
        [ANNA["name"], "[...]"]
    )
    assert len(case["letters"]) == 1 and case["letters"][0]["to"]["name"] == ANNA["name"]
    names = archive.namelist()
    assert sorted(n.split("/")[0] for n in names) == [
        "README.txt",
        "attachments",
        "data.json",
        "letters",
    ]
    (attachment,) = [n for n in names if n.startswith("attachments/")]
    assert archive.read(attachment) == ANNA_FILE
    assert archive.read(case["letters"][0]["file"]).startswith(b"%PDF")
    assert_absent(archive, BERT, BERT_FILE)
    assert unrelated.reference not in every_file(archive)["data.json"]


def test_a_party_gets_their_own_row_and_letter_and_not_the_complainants_details(
    client, coordinator, people
):
    shared, own, _unrelated = people
    client.force_login(coordinator)
    archive, data = export(client, BERT["email"])

    by_reference = {case["reference"]: case for case in data["cases"]}
    assert set(by_reference) == {shared.reference, own.reference}
    as_party = by_reference[shared.reference]
    assert as_party["as"] == ["party"]
    assert "complainant" not in as_party and "complaint" not in as_party
    assert [p["name"] for p in as_party["parties"]] == [BERT["name"]]
    assert [c["with_whom"] for c in as_party["contact_moments"]] == [BERT["name"]]
    assert "[...] was erbij" in as_party["contact_moments"][0]["summary"]
    assert [letter["to"]["name"] for letter in as_party["letters"]] == [BERT["name"]]
    assert "attachments" not in as_party  # the complainant's case file is not his
    assert by_reference[own.reference]["complainant"]["email"] == BERT["email"]
    (attachment,) = [n for n in archive.namelist() if n.startswith("attachments/")]
    assert archive.read(attachment) == BERT_FILE
    assert_absent(archive, ANNA, ANNA_FILE)


def test_the_export_is_audited_by_its_cases_never_by_the_address(client, coordinator, people):
    shared, own, _unrelated = people
    client.force_login(coordinator)
    export(client, BERT["email"])
    record = AccessRecord.objects.get()
    assert (record.user, record.action, record.result) == (
        coordinator,
        AccessAction.DATA_SUBJECT_EXPORT,
        AccessResult.ALLOWED,
    )
    assert set(record.reference.split()) == {shared.reference, own.reference}
    assert record.detail["cases"] == 2
    assert record.address == "127.0.0.1"
    row = str(AccessRecord.objects.filter(pk=record.pk).values().get()).lower()
    for marker in markers(BERT):
        assert marker.lower() not in row


def test_nothing_found_says_so_and_is_audited(client, coordinator, people):
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    answer = client.post(reverse(URL), {"email": "nobody@example.org"})
    assert answer.status_code == 200
    assert "Nothing is held about this e-mail address" in answer.content.decode()
    assert 'value="nobody@example.org"' in answer.content.decode()
    record = AccessRecord.objects.get()
    assert (record.action, record.result, record.reference) == (
        AccessAction.DATA_SUBJECT_EXPORT,
        AccessResult.NOT_FOUND,
        "",
    )
    assert "nobody" not in str(AccessRecord.objects.values().get())


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, coordinator):
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    answer = client.post(reverse(URL), {"email": "anna.marker at example"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="anna.marker at example"' in page
    assert "Enter a valid email address" in page
    assert not AccessRecord.objects.exists()


def test_only_coordinators_may_export(client, coordinator, user_factory, people):
    client.force_login(coordinator)
    assert client.get(reverse(URL)).status_code == 200
    for role in ("employee", "handler", "manager", "board", "functional_admin"):
        client.force_login(user_factory(**{role: True}))
        assert client.get(reverse(URL)).status_code == 403, role
        assert client.post(reverse(URL), {"email": ANNA["email"]}).status_code == 403, role
    assert not AccessRecord.objects.exists()


def test_the_navigation_offers_the_export_to_coordinators_only(client, coordinator, user_factory):
    client.force_login(coordinator)
    assert reverse(URL) in client.get(reverse("staff-home")).content.decode()
    client.force_login(user_factory(handler=True))
    assert reverse(URL) not in client.get(reverse("staff-home")).content.decode()
