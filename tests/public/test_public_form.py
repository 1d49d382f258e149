"""The public complaint form: steps, nothing lost, one complaint per submission, abuse."""

import io
import threading
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from complaints.models import (
    Attachment,
    CaseEvent,
    Channel,
    Complaint,
    OutboxKind,
    OutboxMessage,
    PartyRole,
)
from complaints.services.status_links import status_link_find
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

ABOUT = {
    "complainant_name": "Fatima Yilmaz",
    "complainant_email": "fatima@example.nl",
    "complainant_phone": "06 12345678",
    "preferred_contact": "email",
    "complainant_address": "Dorpsstraat 1\n1234 AB Voorbeeld",
    "complainant_needs": "",
}
WHAT = {
    "conduct_description": "Aan de balie werd ik onvriendelijk weggestuurd.",
    "conduct_date": "2026-11-20",
    "conduct_department": "",
    "conduct_place": "Balie stadhuis",
    "persons": "De baliemedewerker",
}
WISH = {"desired_outcome": "Excuses en een nieuwe afspraak."}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def desk():
    return DepartmentFactory(code="kl", name="Klachtenbureau", receives_public_complaints=True)


def url(step):
    return reverse("complaint_form", args=[step])


def fill(client, *, about=ABOUT, what=WHAT, wish=WISH, files=()):
    assert client.post(url(1), about).status_code == 302
    assert client.post(url(2), what).status_code == 302
    assert client.post(url(3), {**wish, "files": list(files)}).status_code == 302
    page = client.get(url(4))
    assert page.status_code == 200
    return page.context["form"]["key"].value()


def send(client, key, **extra):
    return client.post(url(4), {"key": key, "website": "", **extra})


def png(name="foto.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_a_citizen_complains_in_four_steps_and_gets_a_reference_and_a_private_link(client, desk):
    key = fill(client, files=[png()])
    response = send(client, key)
    assert response.status_code == 302
    assert response["Location"] == reverse("complaint_sent")

    complaint = Complaint.objects.get()
    assert complaint.submission_key == uuid.UUID(key)
    assert complaint.channel == Channel.WEB_FORM
    assert complaint.is_written
    assert complaint.department == desk
    assert complaint.registered_by is None
    assert complaint.complainant_name == "Fatima Yilmaz"
    assert complaint.conduct_place == "Balie stadhuis"
    assert complaint.desired_outcome == "Excuses en een nieuwe afspraak."
    assert complaint.states_address and complaint.states_name
    assert complaint.decision_due is not None
    assert complaint.language == "nl"
    assert complaint.parties.get().role == PartyRole.COMPLAINED_ABOUT
    attachment = Attachment.objects.get(complaint=complaint)
    assert attachment.added_by_citizen and attachment.original_name == "foto.png"

    ack = OutboxMessage.objects.get(kind=OutboxKind.ACKNOWLEDGEMENT)
    assert ack.to == "fatima@example.nl"
    assert complaint.reference in ack.body
    link = next(word for word in ack.body.split() if "/status/" in word)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert status_link_find(token) == complaint

    page = client.get(reverse("complaint_sent"))
    html = page.content.decode()
    assert complaint.reference in html
    assert link in html  # the private link is also shown once, for who has no e-mail
    assert page["Referrer-Policy"] == "no-referrer"
    assert CaseEvent.objects.filter(complaint=complaint, kind="registered").exists()


def test_errors_are_linked_to_their_fields_and_nothing_typed_is_lost(client, desk):
    response = client.post(url(1), {**ABOUT, "complainant_name": "", "complainant_email": "x@"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_complainant_name"' in html  # the summary links to the field
    assert 'aria-describedby="id_complainant_name_error1"' in html
    assert 'aria-invalid="true"' in html
    assert "06 12345678" in html and "Dorpsstraat 1" in html  # the rest is still there
    assert "x@" in html
    # and it is still there when the citizen comes back to the step later
    assert "Dorpsstraat 1" in client.get(url(1)).content.decode()


def test_the_chosen_contact_way_needs_its_details(client, desk):
    response = client.post(
        url(1), {**ABOUT, "preferred_contact": "letter", "complainant_address": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "so we can send you a letter" in html or "zodat wij u een brief kunnen sturen" in html


def test_back_keeps_what_was_typed_without_checking_it(client, desk):
    client.post(url(1), ABOUT)
    response = client.post(
        url(2), {**WHAT, "conduct_description": "", "conduct_place": "Loket 3", "back": "1"}
    )
    assert response["Location"] == url(1)
    assert "Loket 3" in client.get(url(2)).content.decode()


def test_a_later_step_cannot_be_reached_before_the_earlier_ones(client, desk):
    assert client.get(url(4))["Location"] == url(1)
    client.post(url(1), ABOUT)
    assert client.get(url(4))["Location"] == url(2)


def test_a_double_submit_makes_one_complaint(client, desk):
    key = fill(client)
    first = send(client, key)
    second = send(client, key)
    assert first["Location"] == second["Location"] == reverse("complaint_sent")
    assert Complaint.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=OutboxKind.ACKNOWLEDGEMENT).count() == 1


def test_the_usual_submission_asks_nothing_before_its_transaction(client, desk):
    """With its draft, a submission goes straight to the service (the unique key guards a
    repeat): no look-up of the key first. Only a send without the draft looks it up."""
    key = fill(client)
    with CaptureQueriesContext(connection) as captured:
        assert send(client, key)["Location"] == reverse("complaint_sent")
    assert captured.captured_queries[0]["sql"].startswith("SAVEPOINT")  # the transaction
    with CaptureQueriesContext(connection) as again:
        assert send(client, key)["Location"] == reverse("complaint_sent")
    assert "submission_key" in again.captured_queries[0]["sql"]
    assert Complaint.objects.count() == 1


def test_the_submission_takes_its_number_before_it_writes_and_writes_the_case_once(desk):
    """The reference's upsert locks the year's counter until commit, and every other
    registration waits for it: the reads and the rendering of the acknowledgement (with a
    placeholder for the number) come before it, and no write does. Then the case is inserted
    once, with its number: no UPDATE after it, which would write each of the case's indexes a
    second time. The placeholder is in nothing committed."""
    from complaints.models import StatusLink
    from complaints.services.public import PENDING_PREFIX, complaint_submit

    fields = {"complainant_name": "Ina Twee", "complainant_email": "ina@example.nl",
              "conduct_description": "Niet teruggebeld.", "language": "nl"}  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        submitted = complaint_submit(key=uuid.uuid4(), fields=fields)
    statements = [query["sql"].lstrip() for query in captured]
    counter = next(n for n, sql in enumerate(statements) if "complaints_referencecounter" in sql)
    assert not [sql for sql in statements[:counter] if sql.startswith(("INSERT", "UPDATE"))]
    after = [" ".join(sql.split()[:3]) for sql in statements[counter + 1 :]]
    assert after[0] == 'INSERT INTO "complaints_complaint"'
    assert not [sql for sql in after if sql.startswith("UPDATE")]
    for table in ("complaints_caseevent", "complaints_statuslink", "complaints_outboxmessage"):
        assert f'INSERT INTO "{table}"' in after

    complaint = Complaint.objects.get()
    assert complaint.reference == submitted.complaint.reference
    assert complaint.reference.startswith("KL-") and PENDING_PREFIX not in complaint.reference
    ack = OutboxMessage.objects.get(kind=OutboxKind.ACKNOWLEDGEMENT)
    assert ack.key == f"ack:{complaint.reference}"
    assert complaint.reference in ack.subject and complaint.reference in ack.body
    assert PENDING_PREFIX not in ack.subject + ack.body
    assert CaseEvent.objects.filter(complaint=complaint).exists()
    assert StatusLink.objects.filter(complaint=complaint).exists()


def test_a_submission_reads_the_desk_decree_days_and_norms_kept_from_the_one_before(desk):
    from complaints.services.public import complaint_submit

    fields = {"complainant_name": "Ina Twee", "conduct_description": "Niet teruggebeld.",
              "language": "nl"}  # fmt: skip
    complaint_submit(key=uuid.uuid4(), fields=fields)
    with CaptureQueriesContext(connection) as captured:
        second = complaint_submit(key=uuid.uuid4(), fields=fields).complaint
    read = " ".join(q["sql"] for q in captured if q["sql"].lstrip().startswith("SELECT"))
    for table in ("accounts_department", "ladder_equalday", "ladder_servicenorms"):
        assert f'FROM "{table}"' not in read
    assert second.department == desk


def test_a_changed_desk_decree_day_or_norm_counts_for_the_next_submission(desk):
    """What a functional admin changes applies to the very next complaint, kept or not."""
    from datetime import timedelta

    from django.utils import timezone

    from complaints.services.public import complaint_submit
    from ladder.deadlines import add_working_days
    from ladder.models import EqualDay, ServiceNorms

    fields = {"complainant_name": "Ina Twee", "conduct_description": "Niet teruggebeld.",
              "language": "nl"}  # fmt: skip
    first = complaint_submit(key=uuid.uuid4(), fields=fields).complaint  # the setup is kept
    norms = ServiceNorms.current()
    norms.first_contact_days += 3
    norms.save()
    today = timezone.localdate()
    EqualDay.objects.create(day=add_working_days(today, 1), decree="test")
    desk.receives_public_complaints = False
    desk.save()
    other = DepartmentFactory(code="kb", name="Klantenbureau", receives_public_complaints=True)

    case = complaint_submit(key=uuid.uuid4(), fields=fields).complaint
    assert case.department == other
    days = frozenset(EqualDay.objects.values_list("day", flat=True))
    assert case.first_contact_due == add_working_days(
        today, norms.first_contact_days, equal_days=days
    )
    assert case.first_contact_due > first.first_contact_due + timedelta(days=3)


def test_a_send_whose_draft_outlived_its_complaint_shows_the_first(client, desk):
    """The complaint was registered, but the session kept the draft (its save was lost):
    sending again registers nothing new and shows the "sent" page."""
    from complaints.services.public import complaint_submit

    key = fill(client)
    complaint_submit(key=uuid.UUID(key), fields={"complainant_name": "Ina Twee"})
    assert send(client, key)["Location"] == reverse("complaint_sent")
    assert Complaint.objects.count() == 1
    assert (
        Complaint.objects.get().reference in client.get(reverse("complaint_sent")).content.decode()
    )


def test_the_service_returns_the_first_complaint_for_a_repeated_key(desk):
    """Without the form's own check: the unique key makes the repeat's insert fail, and the
    first complaint comes back with no new token, acknowledgement or status link."""
    from complaints.models import StatusLink
    from complaints.services.public import complaint_submit

    key = uuid.uuid4()
    fields = {"complainant_name": "Ina Twee", "complainant_email": "ina@example.nl",
              "conduct_description": "Niet teruggebeld.", "language": "nl"}  # fmt: skip
    first = complaint_submit(key=key, fields=fields)
    again = complaint_submit(key=key, fields=fields)
    assert first.created and first.token
    assert not again.created and again.token == ""
    assert again.complaint.pk == first.complaint.pk
    assert Complaint.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=OutboxKind.ACKNOWLEDGEMENT).count() == 1
    assert StatusLink.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_make_one_complaint(desk):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    clients = [Client() for _ in range(4)]
    key = fill(clients[0])
    for other in clients[1:]:  # the same session in four tabs
        other.cookies = clients[0].cookies
    barrier = threading.Barrier(len(clients))
    statuses = []

    def submit(c):
        barrier.wait()
        statuses.append(send(c, key).status_code)
        connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Complaint.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=OutboxKind.ACKNOWLEDGEMENT).count() == 1
    assert set(statuses) <= {302}


def test_a_retry_after_an_error_makes_one_complaint(client, desk, settings):
    key = fill(client)
    send(client, key)
    # the citizen's browser retries the POST after a timeout: same key, same answer
    assert send(client, key)["Location"] == reverse("complaint_sent")
    assert Complaint.objects.count() == 1


def test_the_honeypot_registers_nothing_and_says_thank_you(client, desk):
    key = fill(client)
    response = send(client, key, website="http://spam.example")
    assert response.status_code == 200
    assert Complaint.objects.count() == 0
    assert (
        "We received your complaint" in response.content.decode()
        or "ontvangen" in response.content.decode()
    )


def test_too_many_submissions_from_one_address_get_429_and_keep_the_answers(client, desk, settings):
    settings.PUBLIC_SUBMIT_RATE = "2/h"
    for _ in range(2):
        send(client, fill(client))
    key = fill(client)
    response = send(client, key)
    assert response.status_code == 429
    assert Complaint.objects.count() == 2
    # the answers are still in the draft: after the wait, sending works
    assert client.get(url(4)).status_code == 200
    cache.clear()
    assert send(client, key).status_code == 302
    assert Complaint.objects.count() == 3


def test_a_bad_file_is_refused_by_name_and_the_text_is_kept(client, desk):
    client.post(url(1), ABOUT)
    client.post(url(2), WHAT)
    html_file = io.BytesIO(b"<html><script>alert(1)</script></html>")
    html_file.name = "brief.pdf"
    response = client.post(url(3), {**WISH, "files": [html_file]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "brief.pdf" in html
    assert "Excuses en een nieuwe afspraak." in html


def test_files_can_be_removed_before_sending(client, desk):
    client.post(url(1), ABOUT)
    client.post(url(2), WHAT)
    client.post(url(3), {**WISH, "files": [png("een.png"), png("twee.png")]})
    kept = client.session["complaint_draft"]["files"]
    assert [f["name"] for f in kept] == ["een.png", "twee.png"]
    client.post(url(3), {**WISH, "remove": [kept[0]["id"]]})
    send(client, client.get(url(4)).context["form"]["key"].value())
    assert [a.original_name for a in Attachment.objects.all()] == ["twee.png"]


def test_a_file_with_a_long_name_is_sent_with_the_complaint(client, desk):
    """A name as long as a photo's or a scanned letter's (more than 40 characters: the
    timeline event that records it failed, and the whole complaint with it)."""
    name = "Scan van de brief van de gemeente over mijn aanvraag van 12 maart 2026.png"
    response = send(client, fill(client, files=[png(name)]))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert [a.original_name for a in complaint.attachments.all()] == [name]
    assert complaint.events.filter(kind="attachment", name=name).exists()


def test_a_step_sent_after_the_session_was_lost_keeps_what_was_typed_on_it(client, desk):
    """The earlier steps are gone (the session expired, the browser dropped its cookie): the
    citizen is sent back to step 1 with a reason, and finds step 2 as they typed it."""
    client.cookies["django_language"] = "en"
    story = {**WHAT, "conduct_description": "Een lang verhaal dat niet verloren mag gaan."}
    answer = client.post(url(2), story)
    assert answer.status_code == 302 and answer["Location"] == url(1)
    page = client.get(url(1)).content.decode()
    assert "What you typed on the page you sent is kept" in page
    assert client.post(url(1), ABOUT).status_code == 302
    again = client.get(url(2)).content.decode()
    assert "Een lang verhaal dat niet verloren mag gaan." in again


def test_an_english_citizen_gets_an_english_complaint_and_acknowledgement(client, desk):
    client.cookies["django_language"] = "en"
    send(client, fill(client))
    complaint = Complaint.objects.get()
    assert complaint.language == "en"
    ack = OutboxMessage.objects.get(kind=OutboxKind.ACKNOWLEDGEMENT)
    assert ack.language == "en"
    assert "Thank you for your complaint" in ack.body


def test_without_a_complaints_desk_the_chosen_department_handles_it(client):
    chosen = DepartmentFactory(code="wz", name="Werk en inkomen")
    send(client, fill(client, what={**WHAT, "conduct_department": str(chosen.pk)}))
    complaint = Complaint.objects.get()
    assert complaint.department == chosen == complaint.conduct_department


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_in_every_field_is_shown_escaped_to_staff_and_kept_literally_in_mail(
    client, desk, user_factory
):
    about = {**ABOUT, "complainant_name": XSS, "complainant_needs": XSS, "complainant_address": XSS}
    what = {**WHAT, "conduct_description": XSS, "conduct_place": XSS[:200], "persons": XSS[:200]}
    send(client, fill(client, about=about, what=what, wish={"desired_outcome": XSS}))
    complaint = Complaint.objects.get()

    staff = Client()
    staff.force_login(user_factory(coordinator=True, department=desk))
    html = staff.get(reverse("complaints:case", args=[complaint.reference])).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    ack = OutboxMessage.objects.get(kind=OutboxKind.ACKNOWLEDGEMENT)
    assert XSS in ack.body  # plain text mail: shown as typed, nothing to execute
    worklist = staff.get(reverse("complaints:worklist")).content.decode()
    assert "<script>alert" not in worklist


def test_abandoned_draft_files_are_swept_and_fresh_ones_kept(client, desk, settings, tmp_path):
    import os
    import time
    from pathlib import Path

    from complaints.drafts import drafts_sweep

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    client.post(url(1), ABOUT)
    client.post(url(2), WHAT)
    client.post(url(3), {**WISH, "files": [png()]})
    [folder] = (Path(tmp_path) / "drafts").iterdir()
    assert drafts_sweep() == 0
    old = time.time() - 3 * 24 * 3600
    os.utime(folder, (old, old))
    assert drafts_sweep() == 1
    assert not folder.exists()


def test_the_status_link_leaves_the_outbox_once_the_mail_is_sent(client, desk, mailoutbox):
    from complaints.services.outbox import outbox_send

    send(client, fill(client))
    ack = OutboxMessage.objects.get(kind=OutboxKind.ACKNOWLEDGEMENT)
    link = next(word for word in ack.body.split() if "/status/" in word)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert outbox_send(message_id=ack.pk)
    ack.refresh_from_db()
    assert token not in ack.body and "/status/[...]/" in ack.body
    assert token in mailoutbox[0].body  # the citizen got it
    assert status_link_find(token) == Complaint.objects.get()


def test_behind_a_proxy_each_citizen_has_their_own_limit(client, desk, settings):
    settings.PUBLIC_SUBMIT_RATE = "1/h"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client.defaults["HTTP_X_REAL_IP"] = "203.0.113.7"
    assert send(client, fill(client)).status_code == 302
    assert send(client, fill(client)).status_code == 429  # same citizen, second complaint
    client.defaults["HTTP_X_REAL_IP"] = "198.51.100.9"  # another citizen, same proxy
    assert send(client, fill(client)).status_code == 302
    assert Complaint.objects.count() == 2


def test_back_from_the_files_step_keeps_the_files_chosen_there(client, desk):
    """A browser cannot keep a chosen file for a page it leaves: "Back" checks and keeps it
    as "Next" does, and says so when a file is refused."""
    client.post(url(1), ABOUT)
    client.post(url(2), WHAT)
    response = client.post(url(3), {**WISH, "files": [png("bon.png")], "back": "1"})
    assert response["Location"] == url(2)
    assert [f["name"] for f in client.session["complaint_draft"]["files"]] == ["bon.png"]
    assert "bon.png" in client.get(url(3)).content.decode()

    bad = io.BytesIO(b"<html><script>alert(1)</script></html>")
    bad.name = "brief.pdf"
    client.cookies["django_language"] = "en"
    answer = client.post(url(3), {**WISH, "files": [bad], "back": "1"}, follow=True)
    assert "The files you chose were not kept" in answer.content.decode()
    assert "brief.pdf" in answer.content.decode()
    assert [f["name"] for f in client.session["complaint_draft"]["files"]] == ["bon.png"]
    kept = client.session["complaint_draft"]["files"][0]["id"]
    client.post(url(3), {**WISH, "remove": [kept], "back": "1"})
    assert client.session["complaint_draft"]["files"] == []  # ticked to remove, as on "Next"

    client.post(url(3), {**WISH, "files": [png("foto.png")], "back": "1"})
    send(client, client.get(url(4)).context["form"]["key"].value())
    assert [a.original_name for a in Attachment.objects.all()] == ["foto.png"]
