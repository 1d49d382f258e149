"""The citizen's private status link and what the citizen does from it (issue 5, points 3
and 6; QUALITY.md "status link": a token of at least 128 bits stored hashed, rate-limited,
0 hits in 10,000 guesses, no personal data on the page).

Real PostgreSQL, real files (checked by ``clean_upload``), the outbox rows as they are written.
"""

import base64
import io
import re
import secrets
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from complaints.models import (
    Attachment,
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    Ombudsman,
    OutboxKind,
    OutboxMessage,
    ReopenRequest,
    Stage,
    StatusLink,
    SurveyResponse,
    token_hash,
)
from complaints.services import CaseError
from complaints.services.citizen import (
    citizen_add_information,
    citizen_reopen_request,
    citizen_survey_answer,
    citizen_withdraw,
    reopen_request_handle,
    status_link_request,
)
from complaints.services.status_links import status_link_find, status_link_issue
from complaints.uploads import clean_upload
from complaints.views.status import status_steps
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "Fenna Zwartkruis-Oosterbeek"
EMAIL = "fenna.zwartkruis@voorbeeldmail.nl"
PHONE = "0687654321"
ADDRESS = "Lindelaan 77, 9999 ZZ Zuiderhout"
DESCRIPTION = "De baliemedewerker weigerde mijn aanvraag voor een parkeervergunning aan te nemen."
HANDLER_NAME = "Hendrikje Ommeren"
COORDINATOR_NAME = "Cornelis Baanstra"
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate-limit counters live in the cache: every test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and messages in English (the source strings), whatever the .po files say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def generous_rate(settings):
    # The rate-limit test sets its own small rate; the others must not run into it.
    settings.STATUS_LINK_RATE = "100000/h"


@pytest.fixture
def files_cleaned_up():
    yield
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


@pytest.fixture
def handler(department):
    return UserFactory(
        handler=True, department=department, full_name=HANDLER_NAME, email="h@example.nl"
    )


@pytest.fixture
def coordinator(department):
    return UserFactory(
        coordinator=True, department=department, full_name=COORDINATOR_NAME,
        email="coordinator@example.nl",
    )  # fmt: skip


def make_case(department, handler, **overrides) -> Complaint:
    fields = {
        "explore": True,
        "department": department,
        "handler": handler,
        "complainant_name": NAME,
        "complainant_email": EMAIL,
        "complainant_phone": PHONE,
        "complainant_address": ADDRESS,
        "conduct_description": DESCRIPTION,
        "conduct_place": "Stadskantoor Zuiderhout",
        "desired_outcome": "Excuses van de medewerker",
        **overrides,
    }
    if fields.get("closed"):
        fields.pop("explore")
    return ComplaintFactory(**fields)


@pytest.fixture
def case(department, handler):
    return make_case(department, handler)


@pytest.fixture
def closed_case(department, handler):
    return make_case(department, handler, closed=True, reason=ClosureReason.JUDGED)


def png(name: str = "foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def url(name: str, token: str, *args) -> str:
    return reverse(name, args=[token, *args])


def outbox(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("id"))


# ---------------------------------------------------------------------------
# The token
# ---------------------------------------------------------------------------
def test_a_token_has_at_least_128_random_bits_and_only_its_hash_is_stored(case):
    token = status_link_issue(case)

    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    links = list(StatusLink.objects.values())
    assert len(links) == 1
    assert links[0]["token_hash"] == token_hash(token) != token
    assert not any(token in str(value) for link in links for value in link.values())
    assert status_link_find(token) == case


def test_10000_guessed_tokens_find_nothing(client, department, handler):
    real = {status_link_issue(make_case(department, handler)) for _ in range(50)}
    guesses = [secrets.token_urlsafe(24) for _ in range(10_000)]
    assert not real & set(guesses)

    started = time.perf_counter()
    hits = [guess for guess in guesses if status_link_find(guess) is not None]
    seconds = time.perf_counter() - started
    print(f"10,000 guessed tokens: {len(hits)} hits in {seconds:.2f} s")
    assert hits == []  # the time is printed, not asserted: no timed tests (QUALITY.md)

    # Also wrong shapes: too short, too long, not base64.
    for guess in ("", "x", "A" * 31, "A" * 33, "%" * 32, guesses[0] + "A"):
        assert status_link_find(guess) is None

    for guess in guesses[:100]:
        response = client.get(url("status", guess))
        assert response.status_code == 404
    assert all(status_link_find(token) is not None for token in real)


def test_the_status_link_answers_429_once_the_rate_is_used_up(client, settings, case):
    settings.STATUS_LINK_RATE = "3/d"  # a day: the counting window cannot roll over mid-test
    token = status_link_issue(case)
    for _ in range(3):
        assert client.get(url("status", token)).status_code == 200

    refused = client.get(url("status", token))
    assert refused.status_code == 429
    assert "no-store" in refused["Cache-Control"]
    assert refused["Referrer-Policy"] == "same-origin"
    # Guessing and asking for new links share the same budget.
    assert client.get(url("status", secrets.token_urlsafe(24))).status_code == 429
    asked = client.post(reverse("status_request"), {"reference": "x", "email": "a@b.nl"})
    assert asked.status_code == 429
    assert client.post(url("status_information", token), {"text": "hallo"}).status_code == 429
    assert not CaseEvent.objects.filter(kind=EventKind.CITIZEN).exists()

    # Another address still gets through.
    other = client.get(url("status", token), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_what_a_citizen_wrote_is_shown_to_copy_when_the_rate_is_used_up(
    client, settings, case, files_cleaned_up
):
    """A refused request saves nothing: the 429 page shows the text sent, to copy, and says
    the chosen files did not arrive, instead of claiming that nothing is lost."""
    settings.STATUS_LINK_RATE = "1/d"
    token = status_link_issue(case)
    assert client.get(url("status", token)).status_code == 200
    text = "De bon van 12 maart <b>zit erbij</b>."
    refused = client.post(
        url("status_information", token),
        {"text": text, "files": [png("bon.png")]},
    )
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Not saved: what you typed" in page
    assert escape(text) in page  # shown as text, not as markup
    assert "We did not receive the files you chose" in page
    assert not CaseEvent.objects.filter(kind=EventKind.CITIZEN).exists()
    assert not Attachment.objects.exists()

    plain = client.get(url("status", token)).content.decode()
    assert "Not saved" not in plain and "did not receive" not in plain


def test_revoked_and_expired_links_answer_404_with_a_way_to_a_new_link(
    client, settings, department, handler, case
):
    old = status_link_issue(case)
    new = status_link_issue(case)
    assert client.get(url("status", new)).status_code == 200

    revoked = client.get(url("status", old))
    assert revoked.status_code == 404
    assert reverse("status_request") in revoked.content.decode()
    assert "no-store" in revoked["Cache-Control"]
    assert client.post(url("status_information", old), {"text": "Nog iets"}).status_code == 404

    days = settings.STATUS_LINK_DAYS_AFTER_CLOSURE
    expired_case = make_case(
        department, handler, closed=True, closed_at=timezone.now() - timedelta(days=days + 1)
    )
    expired = status_link_issue(expired_case)
    assert client.get(url("status", expired)).status_code == 404

    recent_case = make_case(
        department, handler, closed=True, closed_at=timezone.now() - timedelta(days=days - 1)
    )
    assert client.get(url("status", status_link_issue(recent_case))).status_code == 200


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------
@pytest.mark.usefixtures("files_cleaned_up")
def test_the_page_shows_the_stage_and_dates_and_no_personal_data(client, case):
    token = status_link_issue(case)
    citizen_add_information(
        complaint_id=case.pk,
        text=f"Mijn BSN is 123456782, bel {PHONE}",
        files=[clean_upload(png(f"paspoort-{NAME}.png"))],
    )

    response = client.get(url("status", token))
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert case.reference in page
    assert page.count('aria-current="step"') == 1
    assert re.search(r'aria-current="step">.*?We listen to you\..*?We are here now', page, re.S)
    assert "Done" in page and "Still to come" in page  # the states in words, not colour only
    assert "2 November 2026" in page  # received
    assert case.decision_due.strftime("%-d %B %Y") in page
    assert "File 1 (PNG" in page
    for private in (
        NAME, "Zwartkruis", EMAIL, PHONE, ADDRESS, "Lindelaan", DESCRIPTION, "parkeervergunning",
        "Stadskantoor", "Excuses van de medewerker", HANDLER_NAME, "Hendrikje", "123456782",
        "paspoort",
    ):  # fmt: skip
        assert private not in page, private


@pytest.mark.parametrize(
    ("stage", "reason", "states"),
    [
        (Stage.INTAKE, "", ["now", "later", "later", "later", "later"]),
        (Stage.EXPLORE, "", ["done", "now", "later", "later", "later"]),
        (Stage.RESOLVE, "", ["done", "done", "now", "later", "later"]),
        (Stage.JUDGE, "", ["done", "done", "done", "now", "later"]),
        (Stage.CLOSED, ClosureReason.RESOLVED, ["done", "done", "done", "skipped", "finished"]),
        (Stage.CLOSED, ClosureReason.JUDGED, ["done", "done", "done", "done", "finished"]),
        (
            Stage.CLOSED,
            ClosureReason.WITHDRAWN,
            ["done", "skipped", "skipped", "skipped", "finished"],
        ),
    ],
)
def test_the_five_steps_say_where_the_case_is(stage, reason, states):
    steps = status_steps(Complaint(stage=stage, closure_reason=reason))
    assert [step["state"] for step in steps] == states
    assert [step["current"] for step in steps].count(True) == 1
    assert all(step["words"] for step in steps)


def test_a_postponed_decision_is_shown_with_its_new_date(client, case):
    Complaint.objects.filter(pk=case.pk).update(
        postponed_on=case.received_on + timedelta(days=30),
        decision_due=case.received_on + timedelta(weeks=10),
    )
    page = client.get(url("status", status_link_issue(case))).content.decode()
    assert "postponed" in page
    assert (case.received_on + timedelta(weeks=10)).strftime("%-d %B %Y") in page


def test_a_closed_case_shows_the_outcome_and_the_ombudsman_term(client, settings, closed_case):
    # No ombudsman marked as named in letters: the settings name it (test_ombudsman.py has
    # the marked one).
    Ombudsman.objects.update(is_default=False)
    settings.OMBUDSMAN_NAME = "Nationale ombudsman"
    page = client.get(url("status", status_link_issue(closed_case))).content.decode()
    closed_on = timezone.localdate(closed_case.closed_at)
    assert "We sent you our judgment in writing" in page
    assert closed_on.replace(year=closed_on.year + 1).strftime("%-d %B %Y") in page
    assert 'href="https://www.nationaleombudsman.nl"' in page
    assert "Nationale ombudsman" in page
    assert url("status_reopen", "x").rsplit("x", 1)[0] in page  # the form to say "not solved"
    assert "status_information" not in page and "/information/" not in page


# ---------------------------------------------------------------------------
# Adding information
# ---------------------------------------------------------------------------
@pytest.mark.usefixtures("files_cleaned_up")
def test_adding_information_records_it_stores_the_files_and_tells_the_handler_only_that(
    client, case, handler, coordinator
):
    token = status_link_issue(case)
    secret = "De medewerker heette Piet en gaf mij een boete van 90 euro."
    response = client.post(
        url("status_information", token), {"text": secret, "files": [png(), png("tweede.png")]}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url("status", token))

    event = CaseEvent.objects.get(kind=EventKind.CITIZEN)
    assert (event.name, event.note, event.actor) == ("information", secret, None)
    assert event.data["files"] == ["foto.png", "tweede.png"]
    attachments = list(Attachment.objects.filter(complaint=case))
    assert [a.added_by_citizen for a in attachments] == [True, True]
    assert {a.uploaded_by for a in attachments} == {None}
    assert attachments[0].file.read().startswith(b"\x89PNG")

    [mail] = outbox(OutboxKind.CITIZEN)
    assert mail.to == handler.email  # the handler, not the coordinators
    assert case.reference in mail.body
    assert reverse("complaints:case", args=[case.reference]) in mail.body
    for private in (secret, "Piet", "foto.png", NAME, EMAIL, PHONE, DESCRIPTION):
        assert private not in mail.body and private not in mail.subject

    # The citizen can download what they sent, and only that.
    page = client.get(url("status", token)).content.decode()
    assert "File 2 (PNG" in page
    download = client.get(url("status_attachment", token, attachments[0].pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    staff_file = Attachment.objects.create(
        complaint=case, original_name="intern.pdf", content_type="application/pdf", size=1,
        uploaded_by=handler, file=attachments[0].file.name,
    )  # fmt: skip
    assert client.get(url("status_attachment", token, staff_file.pk)).status_code == 404
    other = make_case(case.department, handler)
    other_file = citizen_add_information(
        complaint_id=other.pk, text="", files=[clean_upload(png())]
    ).data["attachments"][0]
    assert client.get(url("status_attachment", token, other_file)).status_code == 404


def test_without_a_handler_the_coordinators_of_the_department_are_told(department, coordinator):
    UserFactory(coordinator=True, email="elders@example.nl")  # another department
    case = make_case(department, None)
    citizen_add_information(complaint_id=case.pk, text="Aanvulling")
    assert [m.to for m in outbox(OutboxKind.CITIZEN)] == [coordinator.email]


@pytest.mark.usefixtures("files_cleaned_up")
def test_an_error_keeps_what_was_typed_and_adds_nothing(client, case):
    token = status_link_issue(case)
    empty = client.post(url("status_information", token), {"text": "  "})
    assert empty.status_code == 400
    assert "Write what you want to add, or choose a file." in empty.content.decode()

    text = "Hier is de brief die ik kreeg."
    hostile = SimpleUploadedFile("brief.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = client.post(url("status_information", token), {"text": text, "files": [hostile]})
    page = response.content.decode()
    assert response.status_code == 400
    assert f">\n{text}</textarea>" in page
    assert "brief.pdf" in page and 'href="#id_files"' in page  # the summary links to the field
    assert 'aria-describedby="id_files_helptext id_files_error"' in page
    assert 'id="id_files_error"' in page
    assert "choose them again" in page
    assert not CaseEvent.objects.filter(kind=EventKind.CITIZEN).exists()
    assert not Attachment.objects.exists()


def test_a_closed_case_refuses_information_and_points_to_not_solved(client, closed_case):
    with pytest.raises(CaseError) as refused:
        citizen_add_information(complaint_id=closed_case.pk, text="Nog iets")
    assert "My problem is not solved" in str(refused.value.message)

    token = status_link_issue(closed_case)
    typed = "Nog iets dat ik vergat: de brief kwam nooit aan."
    response = client.post(url("status_information", token), {"text": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "My problem is not solved" in page
    assert not CaseEvent.objects.filter(kind=EventKind.CITIZEN).exists()
    # What they typed is in the form the page offers now, ready to send as "not solved".
    assert re.search(r'name="reason"[^>]*>\s*' + re.escape(typed), page)


def test_not_solved_on_a_case_that_is_open_again_keeps_the_text_for_add_information(client, case):
    token = status_link_issue(case)
    typed = "Het probleem is er nog steeds, de brief kwam nooit aan."
    response = client.post(url("status_reopen", token), {"reason": typed})
    assert response.status_code == 400
    assert re.search(r'name="text"[^>]*>\s*' + re.escape(typed), response.content.decode())


# ---------------------------------------------------------------------------
# Withdrawing
# ---------------------------------------------------------------------------
def test_withdrawing_asks_to_confirm_and_then_closes_the_case_as_withdrawn(client, case, handler):
    token = status_link_issue(case)
    confirm = client.get(url("status_withdraw", token))
    assert confirm.status_code == 200
    assert "Yes, withdraw my complaint" in confirm.content.decode()
    assert Complaint.objects.get(pk=case.pk).stage == Stage.EXPLORE  # nothing happened yet

    response = client.post(url("status_withdraw", token), {"reason": "Het is opgelost."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.closure_reason) == (Stage.CLOSED, ClosureReason.WITHDRAWN)
    assert case.closed_at is not None
    assert "status page" in case.closure_note or "statuspagina" in case.closure_note
    assert "Het is opgelost." in case.closure_note
    event = CaseEvent.objects.get(kind=EventKind.TRANSITION)
    assert (event.name, event.actor, event.from_stage, event.to_stage) == (
        "withdraw", None, Stage.EXPLORE, Stage.CLOSED,
    )  # fmt: skip
    assert event.data["by_citizen"] is True
    [mail] = outbox(OutboxKind.CITIZEN)
    assert mail.to == handler.email and "Het is opgelost" not in mail.body

    page = client.get(url("status", token)).content.decode()
    assert "You withdrew your complaint." in page
    again = client.post(url("status_withdraw", token), {})
    assert again.status_code == 302
    assert CaseEvent.objects.filter(kind=EventKind.TRANSITION).count() == 1
    with pytest.raises(CaseError):
        citizen_withdraw(complaint_id=case.pk)


# ---------------------------------------------------------------------------
# "My problem is not solved"
# ---------------------------------------------------------------------------
def test_not_solved_after_closure_reaches_the_coordinators_of_the_department(
    client, closed_case, coordinator
):
    UserFactory(coordinator=True, email="elders@example.nl")  # another department
    token = status_link_issue(closed_case)
    reason = "De vergunning is nog steeds niet verstuurd."
    response = client.post(url("status_reopen", token), {"reason": reason})
    assert response.status_code == 302

    request = ReopenRequest.objects.get()
    assert (request.complaint, request.reason, request.handled_at) == (closed_case, reason, None)
    event = CaseEvent.objects.get(kind=EventKind.CITIZEN)
    assert (event.name, event.note, event.actor) == ("reopen_request", reason, None)
    [mail] = outbox(OutboxKind.CITIZEN)
    assert mail.to == coordinator.email
    assert closed_case.reference in mail.body and reason not in mail.body

    page = client.get(url("status", token)).content.decode()
    assert "A complaint coordinator reads it and contacts you." in page
    with pytest.raises(CaseError):  # one open request at a time
        citizen_reopen_request(complaint_id=closed_case.pk, reason="Nog een keer")
    assert ReopenRequest.objects.count() == 1


def test_not_solved_goes_to_the_handler_when_the_department_has_no_coordinator(
    closed_case, handler
):
    citizen_reopen_request(complaint_id=closed_case.pk, reason="Niet opgelost")
    assert [m.to for m in outbox(OutboxKind.CITIZEN)] == [handler.email]


def test_not_solved_is_refused_while_the_case_is_open(client, case):
    with pytest.raises(CaseError):
        citizen_reopen_request(complaint_id=case.pk, reason="Niet opgelost")
    token = status_link_issue(case)
    assert client.post(url("status_reopen", token), {"reason": "x"}).status_code == 400
    assert not ReopenRequest.objects.exists()
    missing = client.post(url("status_reopen", token), {"reason": ""})
    assert missing.status_code == 400


# ---------------------------------------------------------------------------
# The survey
# ---------------------------------------------------------------------------
def test_the_survey_is_only_after_closure_and_a_second_answer_replaces_the_first(
    client, case, closed_case
):
    with pytest.raises(CaseError):
        citizen_survey_answer(complaint_id=case.pk, rating=4, felt_heard=True, comment="")
    open_token = status_link_issue(case)
    assert client.post(url("status_survey", open_token), {"rating": "4"}).status_code == 400
    assert not SurveyResponse.objects.exists()

    token = status_link_issue(closed_case)
    first = client.post(
        url("status_survey", token), {"rating": "4", "felt_heard": "yes", "comment": "Prima"}
    )
    assert first.status_code == 302
    second = client.post(url("status_survey", token), {"rating": "2", "felt_heard": "no"})
    assert second.status_code == 302
    survey = SurveyResponse.objects.get()
    assert (survey.rating, survey.felt_heard, survey.comment) == (2, False, "")
    assert CaseEvent.objects.filter(kind=EventKind.CITIZEN, name="survey").count() == 2

    wrong = client.post(url("status_survey", token), {"rating": "7", "comment": "Blijft staan"})
    page = wrong.content.decode()
    assert wrong.status_code == 400
    assert 'href="#id_rating_0"' in page and ">\nBlijft staan</textarea>" in page
    assert SurveyResponse.objects.get().rating == 2


# ---------------------------------------------------------------------------
# A new link
# ---------------------------------------------------------------------------
def test_a_new_link_is_mailed_only_on_a_match_and_the_answer_is_the_same(
    client, settings, department, handler, case
):
    old = status_link_issue(case)
    expired_case = make_case(
        department, handler, closed=True, complainant_email="ander@example.nl",
        closed_at=timezone.now() - timedelta(days=settings.STATUS_LINK_DAYS_AFTER_CLOSURE + 1),
    )  # fmt: skip
    attempts = [
        {"reference": case.reference, "email": "iemand@example.nl"},  # wrong address
        {"reference": "KL-2026-99999", "email": EMAIL},  # no such case
        {"reference": expired_case.reference, "email": "ander@example.nl"},  # link expired
        {"reference": f" {case.reference.lower()} ", "email": EMAIL.upper()},  # the match
    ]
    answers = [client.post(reverse("status_request"), data) for data in attempts]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("status_request") + "?sent=1")
    }
    # The pages differ only in the per-response mask of the CSRF token (language switch)
    # and the per-response CSP nonce.
    pages = {
        re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"',
            "",
            client.get(a["Location"]).content.decode(),
        )
        for a in answers
    }
    assert len(pages) == 1
    assert "If the reference number and e-mail address match a complaint" in pages.pop()

    [mail] = outbox(OutboxKind.STATUS_LINK)
    assert (mail.to, mail.complaint_id, mail.language) == (EMAIL, case.pk, case.language)
    new = re.search(r"/status/([A-Za-z0-9_-]{32})/", mail.body).group(1)
    assert client.get(url("status", new)).status_code == 200
    assert client.get(url("status", old)).status_code == 404  # the old link stopped working

    # Asking again mails a second, different link under its own key.
    client.post(reverse("status_request"), attempts[-1])
    assert len({m.key for m in outbox(OutboxKind.STATUS_LINK)}) == 2


def test_at_most_five_links_a_day_are_mailed_for_one_case(case):
    for _ in range(7):
        status_link_request(reference=case.reference, email=EMAIL)
    assert len(outbox(OutboxKind.STATUS_LINK)) == 5
    assert StatusLink.objects.filter(complaint=case).count() == 5


def test_the_request_form_checks_its_fields(client):
    response = client.post(reverse("status_request"), {"reference": "", "email": "geen-adres"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_reference"' in page and 'href="#id_email"' in page
    assert 'value="geen-adres"' in page
    status_link_request(reference="", email="")  # nothing to look up: nothing happens
    assert not OutboxMessage.objects.exists()


# ---------------------------------------------------------------------------
# The staff side
# ---------------------------------------------------------------------------
@pytest.mark.usefixtures("files_cleaned_up")
def test_what_the_citizen_wrote_is_escaped_on_the_staff_pages(
    client, department, handler, coordinator
):
    case = make_case(department, handler)
    citizen_add_information(complaint_id=case.pk, text=XSS, files=[clean_upload(png())])
    closed = make_case(department, handler, closed=True, reason=ClosureReason.RESOLVED)
    citizen_reopen_request(complaint_id=closed.pk, reason=XSS)
    citizen_survey_answer(complaint_id=closed.pk, rating=1, felt_heard=False, comment=XSS)

    client.force_login(coordinator)
    pages = [
        client.get(reverse("complaints:case", args=[case.reference])),
        client.get(reverse("complaints:case", args=[closed.reference])),
        client.get(reverse("complaints:due")),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(" in page
    for mail in OutboxMessage.objects.all():
        assert "alert" not in mail.body


def test_the_case_page_shows_citizen_events_requests_and_the_survey(
    client, department, handler, coordinator
):
    closed = make_case(department, handler, closed=True, reason=ClosureReason.JUDGED)
    citizen_reopen_request(complaint_id=closed.pk, reason="Het probleem is terug.")
    citizen_survey_answer(complaint_id=closed.pk, rating=3, felt_heard=True, comment="Redelijk")
    client.force_login(coordinator)

    page = client.get(reverse("complaints:case", args=[closed.reference])).content.decode()
    assert 'id="citizen"' in page
    assert "Het probleem is terug." in page
    assert "3/5" in page and "Redelijk" in page
    assert "says the problem is not solved" in page
    assert "the complainant" in page
    assert "Mark as dealt with" in page

    request = ReopenRequest.objects.get()
    due = client.get(reverse("complaints:due")).content.decode()
    assert "Citizens say their problem is not solved" in due
    assert f"{reverse('complaints:case', args=[closed.reference])}#citizen" in due

    response = client.post(
        reverse("complaints:reopen_request_handled", args=[closed.reference, request.pk])
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.handled_by, request.handled_at is not None) == (coordinator, True)
    assert closed.reference not in client.get(reverse("complaints:due")).content.decode()
    page = client.get(reverse("complaints:case", args=[closed.reference])).content.decode()
    assert "Mark as dealt with" not in page


def test_only_a_coordinator_marks_a_request_to_reopen_as_dealt_with(client, closed_case, handler):
    request = citizen_reopen_request(complaint_id=closed_case.pk, reason="Niet opgelost")
    client.force_login(handler)
    page = client.get(reverse("complaints:case", args=[closed_case.reference])).content.decode()
    assert "Niet opgelost" in page and "Mark as dealt with" not in page
    response = client.post(
        reverse("complaints:reopen_request_handled", args=[closed_case.reference, request.pk])
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        reopen_request_handle(request_id=request.pk, actor=handler)
    request.refresh_from_db()
    assert request.handled_at is None


def test_the_due_page_lists_requests_to_reopen_in_one_query(
    client, department, handler, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    url_due = reverse("complaints:due")

    def add_requests(count):
        for _ in range(count):
            closed = make_case(department, handler, closed=True)
            citizen_reopen_request(complaint_id=closed.pk, reason="Niet opgelost")

    add_requests(1)
    client.get(url_due)  # warm up (content types, session)
    with CaptureQueriesContext(connection) as captured:
        few = client.get(url_due)
    baseline = len(captured.captured_queries)
    assert len(few.context["reopen_requests"]) == 1

    add_requests(20)
    with django_assert_num_queries(baseline):
        many = client.get(url_due)
    assert len(many.context["reopen_requests"]) == 21
    print(f"due page with 1 and with 21 requests to reopen: {baseline} queries")
