"""Letters that give reasoned clarity (issue 7): every kind in Dutch and English from real
case data, the builder that refuses an incomplete letter, the closing guards, escaping of
what users typed in HTML, mail and PDF, sealed letters, the templates the functional admin
edits, and the readability aid.

Real PostgreSQL, real PDFs (WeasyPrint) read back with pypdf, mail through the outbox into
Django's test outbox (the browser test sends it to a real SMTP server).
"""

import io
from datetime import date, datetime, timedelta

import pypdf
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints.letters import placeholders
from complaints.letters.defaults import TEMPLATES
from complaints.letters.kinds import SPECS, spec_of
from complaints.letters.readability import readability
from complaints.models import (
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    Judgment,
    Letter,
    LetterKind,
    LetterSealed,
    LetterStatus,
    LetterTemplate,
    LetterTemplateSection,
    Norm,
    NotHandledGround,
    OutboxMessage,
    OutboxStatus,
    PartyRole,
    SendBy,
    Stage,
    guards,
)
from complaints.page_cache import case_pages_changed
from complaints.services import CaseError, MoveRefused, complaint_transition
from complaints.services.letters import (
    letter_discard,
    letter_draft,
    letter_mark_posted,
    letter_send,
    letter_update,
)
from complaints.services.outbox import outbox_sweep
from tests.factories import (
    RECEIVED_ON,
    ComplaintFactory,
    ComplaintPartFactory,
    DepartmentFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FINDINGS = "Wij spraken met u en met de medewerker. De medewerker erkent de toon."
CONCLUSIONS = "Wij maken excuses. De medewerker volgt een training."
PROPOSAL = "Wij willen graag tot 1 maart 2027 de tijd. Het advies van de afdeling is nodig."
# What a handler writes, per kind (the sections marked written_by_handler).
WRITTEN = {
    LetterKind.OUTCOME: {"findings": FINDINGS, "conclusions": CONCLUSIONS},
    LetterKind.EXTENSION_REQUEST: {"proposal": PROPOSAL},
}
BODY_EMAIL = "post@belastingdienst.example"


@pytest.fixture(autouse=True)
def english():
    """Refusals are matched on their English source text."""
    with translation.override("en"):
        yield


def rich_case(department, handler, language: str = "nl", **overrides) -> Complaint:
    """A case with everything a letter can name: judged parts with norms, a hearing planned
    and held, a 9:8 ground, a competent body, a solution, a postponement, a person
    complained about, and a written complaint that is not signed (Awb 9:4)."""
    fields = {
        "complainant_name": "Aaltje Proef",
        "complainant_email": "aaltje@example.nl",
        "complainant_address": "Kerkstraat 12\n3511 AB Utrecht",
        "conduct_description": "De baliemedewerker snauwde mij af toen ik om uitleg vroeg.",
        "is_signed": False,
        "not_handled_ground": NotHandledGround.OLDER_THAN_A_YEAR,
        "forwarded_to": "Belastingdienst",
        "solution": "De afdeling belt u deze week terug.",
        "hearing_planned_at": timezone.make_aware(datetime(2026, 11, 20, 14, 0)),
        "hearing_held_on": date(2026, 11, 20),
        "postponed_on": RECEIVED_ON + timedelta(days=30),
        "postponement_reason": "Het advies van de afdeling is nodig.",
        "postponement_weeks": 4,
        **overrides,
    }
    complaint = ComplaintFactory(
        judge=True,
        letters=[],
        parts=0,
        department=department,
        handler=handler,
        language=language,
        **fields,
    )
    part = ComplaintPartFactory(
        complaint=complaint,
        description="De medewerker snauwde klager af.",
        judgment=Judgment.WELL_FOUNDED,
        reasoning="Collega's bevestigen de toon.",
    )
    part.norms.set(Norm.objects.filter(number__in=[7, 22]))
    PartyFactory(
        complaint=complaint,
        role=PartyRole.COMPLAINED_ABOUT,
        name="Piet Balie",
        email="piet@example.nl",
    )
    return complaint


def recipient_for(complaint: Complaint, kind: str) -> str:
    if kind == LetterKind.COMPLAINT_COPY:
        party = complaint.parties.get(role=PartyRole.COMPLAINED_ABOUT)
        return f"party:{party.pk}"
    if kind == LetterKind.FORWARDING:
        return "body"
    return "complainant"


def write(letter: Letter, actor, **changes) -> Letter:
    """Save the handler's edits: the written sections of the kind, and ``changes``."""
    fields = {
        "subject": letter.subject,
        "sections": WRITTEN.get(letter.kind, {}),
        "recipient_name": letter.recipient_name,
        "recipient_email": letter.recipient_email,
        "recipient_address": letter.recipient_address,
        **changes,
    }
    return letter_update(letter_id=letter.pk, actor=actor, **fields)


def pdf_text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return squash(" ".join(page.extract_text() for page in pages))


def squash(text: str) -> str:
    return " ".join(text.split())


def flat(text: str) -> str:
    """Without any whitespace: a line of the PDF may break after a hyphen ("e-" "mail")."""
    return "".join(text.split())


def stored_pdf(letter: Letter) -> bytes:
    with letter.pdf.open("rb") as pdf:
        return pdf.read()


# ---------------------------------------------------------------------------
# Every kind, in Dutch and English, from real case data
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", LetterKind.values)
def test_every_kind_renders_from_the_case_and_its_pdf_holds_every_mandatory_section(
    kind, language, department, handler, django_capture_on_commit_callbacks
):
    complaint = rich_case(department, handler, language)
    letter = letter_draft(
        complaint_id=complaint.pk,
        actor=handler,
        kind=kind,
        recipient=recipient_for(complaint, kind),
    )
    email = BODY_EMAIL if kind == LetterKind.FORWARDING else letter.recipient_email
    letter = write(letter, handler, recipient_email=email)

    with django_capture_on_commit_callbacks(execute=True):
        sent = letter_send(letter_id=letter.pk, actor=handler)

    assert sent.status == LetterStatus.SENT and sent.send_by == SendBy.EMAIL
    assert sent.language == language
    text = flat(pdf_text(stored_pdf(sent)))
    sections = {section["key"]: section for section in sent.sections}
    for spec in spec_of(kind).mandatory:
        section = sections[spec.key]
        assert section["text"].strip(), f"{kind}/{language}: {spec.key} is empty"
        if section["heading"]:
            assert flat(section["heading"]) in text, f"{kind}/{language}: {spec.key}"
        assert flat(section["text"]) in text, f"{kind}/{language}: {spec.key}"
    # The letter is about this case, in the words of the template of its language.
    assert complaint.reference in text
    shown = {key for key, section in sections.items() if section["text"].strip()}
    template = TEMPLATES[kind][language]
    headings = [heading for key, heading, _text in template[1] if heading and key in shown]
    assert all(flat(heading) in text for heading in headings)
    # It went out by mail with the same PDF attached; the body is the letter's text.
    [message] = mail.outbox
    assert message.to == [email]
    assert message.subject == sent.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{complaint.reference}-{kind}.pdf", "application/pdf")
    assert content == stored_pdf(sent)
    assert sent.body_text in message.body
    assert sent.is_intact()


def test_a_letter_sent_days_after_its_draft_gives_the_ombudsman_year_from_the_day_sent(
    department, handler, client, django_capture_on_commit_callbacks
):
    """Awb 9:24: one year after the letter. Drafted on 2 December, sent on 12 December: the
    letter says 12 December next year (it said 2 December), and so does the status page."""
    import time_machine

    from complaints.services.citizen import ombudsman_deadline

    complaint = rich_case(department, handler)
    with time_machine.travel("2026-12-02 10:00 +01:00", tick=False):
        letter = letter_draft(
            complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME,
            recipient="complainant",
        )  # fmt: skip
        drafted = " ".join(section["text"] for section in letter.sections)
        assert "uiterlijk op 2 december 2027" in squash(drafted)
        letter = write(letter, handler)
    with (
        time_machine.travel("2026-12-12 10:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = letter_send(letter_id=letter.pk, actor=handler)
    text = squash(" ".join(section["text"] for section in sent.sections))
    assert sent.letter_date == date(2026, 12, 12)
    assert "uiterlijk op 12 december 2027" in text
    assert "2 december 2027" not in text.replace("12 december 2027", "")
    assert "uiterlijk op 12 december 2027" in squash(pdf_text(stored_pdf(sent)))
    # The other dates of the letter are left as they were ("2 november" stays, not "12").
    assert "2 november 2026" in text

    Complaint.objects.filter(pk=complaint.pk).update(
        stage="closed", closure_reason="judged", closed_at=timezone.now()
    )
    complaint.refresh_from_db()
    assert ombudsman_deadline(complaint) == date(2027, 12, 12)


def test_the_case_data_is_in_the_letters(department, handler):
    """Spot checks of the values the placeholders give, in Dutch and English."""
    nl = rich_case(department, handler, "nl")
    en = rich_case(department, handler, "en")

    def text_of(complaint, kind):
        letter = letter_draft(
            complaint_id=complaint.pk, actor=handler, kind=kind, recipient="complainant"
        )
        return squash(" ".join(s["text"] for s in letter.sections))

    outcome = text_of(nl, LetterKind.OUTCOME)
    assert "Klachtonderdeel 1: De medewerker snauwde klager af." in outcome
    assert "Oordeel: gegrond." in outcome
    assert f"Getoetst aan: 7. {Norm.objects.get(number=7).name_nl}; 22." in outcome
    assert "Ons oordeel over uw klacht als geheel: gegrond." in outcome
    assert "Nationale ombudsman Postbus 93122 2509 AC Den Haag" in outcome
    assert "Hamza El Amrani" in outcome
    # Awb 9:24: one year after the letter.
    today = timezone.localdate()
    assert f"uiterlijk op {today.day} " in outcome and str(today.year + 1) in outcome

    with translation.override("en"):
        english = text_of(en, LetterKind.OUTCOME)
    assert "Complaint part 1: De medewerker snauwde klager af." in english
    assert f"Judged against: 7. {Norm.objects.get(number=7).name_en}" in english
    assert "as a whole: well-founded." in english
    assert "We received your complaint on 2 November 2026." in english

    assert "meer dan een jaar" in text_of(nl, LetterKind.NOT_HANDLED)  # the 9:8 ground
    assert "- uw handtekening" in text_of(nl, LetterKind.COMPLETION_REQUEST)  # Awb 9:4
    assert "20 november 2026, 14:00 uur" in text_of(nl, LetterKind.HEARING_INVITATION)
    postponement = text_of(nl, LetterKind.POSTPONEMENT)
    assert "14 december 2026" in postponement  # the decision date before (6 weeks)
    assert "Het advies van de afdeling is nodig." in postponement


def test_a_section_whose_case_data_is_missing_starts_empty(department, handler):
    complaint = ComplaintFactory(explore=True, department=department, handler=handler)

    letter = letter_draft(
        complaint_id=complaint.pk,
        actor=handler,
        kind=LetterKind.HEARING_INVITATION,
        recipient="complainant",
    )

    invitation = next(s for s in letter.sections if s["key"] == "invitation")
    assert invitation["text"] == ""  # no hearing planned: the handler sees it at once
    practical = next(s for s in letter.sections if s["key"] == "practical")
    assert practical["text"]


# ---------------------------------------------------------------------------
# The builder refuses an incomplete letter, and says which section
# ---------------------------------------------------------------------------
def test_the_builder_refuses_an_incomplete_outcome_letter_and_names_the_missing_section(
    department, handler
):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter = write(letter, handler, sections={"conclusions": CONCLUSIONS})
    events = CaseEvent.objects.filter(complaint=complaint).count()

    with pytest.raises(CaseError) as refused:
        letter_send(letter_id=letter.pk, actor=handler)

    assert refused.value.reasons == [
        "The section “Wat wij hebben onderzocht” is empty. Write it before you send the letter."
    ]
    letter.refresh_from_db()
    assert (letter.status, letter.pdf.name, letter.content_hash) == (LetterStatus.DRAFT, "", "")
    assert not OutboxMessage.objects.filter(complaint=complaint).exists()
    assert CaseEvent.objects.filter(complaint=complaint).count() == events


def test_every_empty_mandatory_section_is_named(department, handler):
    # No part judged yet, and nothing written: three sections are missing.
    complaint = ComplaintFactory(judge=True, letters=[], parts__judgment="",
                                 department=department, handler=handler,
                                 complainant_email="klager@example.nl")  # fmt: skip
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )

    with pytest.raises(CaseError) as refused:
        letter_send(letter_id=letter.pk, actor=handler)

    assert [reason.split("”")[0] for reason in refused.value.reasons] == [
        "The section “Wat wij hebben onderzocht",
        "The section “Ons oordeel per klachtonderdeel",
        "The section “Conclusie en wat wij gaan doen",
    ]


def test_a_letter_without_any_address_is_refused(department, handler):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter = write(letter, handler, recipient_email="", recipient_address="")

    with pytest.raises(CaseError) as refused:
        letter_send(letter_id=letter.pk, actor=handler)

    assert refused.value.reasons == [
        "Fill in an e-mail address or a postal address for the addressee."
    ]


# ---------------------------------------------------------------------------
# The closing guards (DOMAIN.md section 3)
# ---------------------------------------------------------------------------
def close(complaint: Complaint, name: str, actor) -> Complaint:
    return complaint_transition(
        complaint_id=complaint.pk,
        name=name,
        actor=actor,
        expected_stage=Complaint.objects.get(pk=complaint.pk).stage,
    )


def test_closing_as_judged_waits_for_the_outcome_letter_to_be_sent(department, handler):
    complaint = rich_case(department, handler, postponed_on=None)
    waiting = str(guards.outcome_letter_sent.message)

    with pytest.raises(MoveRefused) as refused:
        close(complaint, "close_judged", handler)
    assert refused.value.reasons == [waiting]

    # A letter for post is not sent until it is marked posted.
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter = letter_send(letter_id=write(letter, handler).pk, actor=handler, by_post=True)
    assert letter.status == LetterStatus.TO_POST
    with pytest.raises(MoveRefused) as refused:
        close(complaint, "close_judged", handler)
    assert refused.value.reasons == [waiting]

    letter_mark_posted(letter_id=letter.pk, actor=handler)

    closed = close(complaint, "close_judged", handler)
    assert (closed.stage, closed.closure_reason) == (Stage.CLOSED, ClosureReason.JUDGED)
    assert list(
        CaseEvent.objects.filter(complaint=complaint, kind=EventKind.LETTER).values_list(
            "name", "letter_id"
        )
    ) == [("drafted", letter.pk), ("to_post", letter.pk), ("posted", letter.pk)]


def test_a_reopened_case_closes_again_only_after_a_new_outcome_letter(department, handler):
    """Awb 9:12: the reopened complaint gets its own outcome; the letter of the first round
    does not close it again."""
    complaint = rich_case(department, handler, postponed_on=None)
    waiting = str(guards.outcome_letter_sent.message)
    first = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter_send(letter_id=write(first, handler).pk, actor=handler)
    close(complaint, "close_judged", handler)
    coordinator = UserFactory(coordinator=True, department=department)
    complaint_transition(
        complaint_id=complaint.pk,
        name="reopen",
        actor=coordinator,
        expected_stage=Stage.CLOSED,
        note="De klager meldt dat de afspraak niet is nagekomen.",
    )
    close(complaint, "start_judging", handler)

    with pytest.raises(MoveRefused) as refused:
        close(complaint, "close_judged", handler)
    assert refused.value.reasons == [waiting]

    second = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter_send(letter_id=write(second, handler).pk, actor=handler)
    assert close(complaint, "close_judged", handler).stage == Stage.CLOSED


def test_closing_as_not_handled_waits_for_the_notice(department, handler):
    complaint = ComplaintFactory(
        intake=True,
        department=department,
        handler=handler,
        not_handled_ground=NotHandledGround.BEFORE_A_COURT,
        complainant_email="klager@example.nl",
    )
    with pytest.raises(MoveRefused) as refused:
        close(complaint, "close_not_handled", handler)
    assert refused.value.reasons == [str(guards.not_handled_notice_sent.message)]

    letter = letter_draft(
        complaint_id=complaint.pk,
        actor=handler,
        kind=LetterKind.NOT_HANDLED,
        recipient="complainant",
    )
    letter_send(letter_id=letter.pk, actor=handler)

    assert close(complaint, "close_not_handled", handler).stage == Stage.CLOSED


def test_a_postponed_case_closes_once_every_notice_is_sent(department, handler, user_factory):
    """Awb 9:11 lid 2: the complainant and every person complained about; one without an
    e-mail address gets a letter for post, which must be posted first."""
    from complaints.services import complaint_postpone

    complaint = rich_case(department, handler, postponed_on=None, received_on=timezone.localdate())
    PartyFactory(complaint=complaint, role=PartyRole.COMPLAINED_ABOUT, name="Oud-medewerker")
    complaint_postpone(
        complaint_id=complaint.pk,
        actor=handler,
        expected_version=Complaint.objects.get(pk=complaint.pk).version,
        reason="Het advies van de afdeling is nodig.",
    )
    outcome = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter_send(letter_id=write(outcome, handler).pk, actor=handler)

    with pytest.raises(MoveRefused) as refused:
        close(complaint, "close_judged", handler)
    assert refused.value.reasons == [str(guards.postponement_notified.message)]

    to_post = Letter.objects.get(complaint=complaint, status=LetterStatus.TO_POST)
    assert (to_post.kind, to_post.recipient_name) == (LetterKind.POSTPONEMENT, "Oud-medewerker")
    letter_mark_posted(letter_id=to_post.pk, actor=handler)

    assert close(complaint, "close_judged", handler).stage == Stage.CLOSED


def test_a_mailed_acknowledgement_records_receipt_acknowledged_when_it_goes_out(
    department, handler, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(
        intake=True, department=department, handler=handler, acknowledged_on=None,
        complainant_email="klager@example.nl",
    )  # fmt: skip
    letter = letter_draft(
        complaint_id=complaint.pk,
        actor=handler,
        kind=LetterKind.ACKNOWLEDGEMENT,
        recipient="complainant",
    )

    with django_capture_on_commit_callbacks(execute=True):
        letter_send(letter_id=letter.pk, actor=handler)

    assert Complaint.objects.get(pk=complaint.pk).acknowledged_on == timezone.localdate()
    assert complaint.events.filter(kind=EventKind.ACKNOWLEDGED).count() == 1


def test_a_posted_acknowledgement_records_receipt_acknowledged(department, handler):
    complaint = ComplaintFactory(
        intake=True, department=department, handler=handler, acknowledged_on=None,
        complainant_email="",
    )  # fmt: skip
    letter = letter_draft(
        complaint_id=complaint.pk,
        actor=handler,
        kind=LetterKind.ACKNOWLEDGEMENT,
        recipient="complainant",
    )
    letter = write(letter, handler, recipient_address="Kerkstraat 12\n3511 AB Utrecht")
    letter = letter_send(letter_id=letter.pk, actor=handler)
    assert Complaint.objects.get(pk=complaint.pk).acknowledged_on is None  # not posted yet

    letter_mark_posted(letter_id=letter.pk, actor=handler)

    assert Complaint.objects.get(pk=complaint.pk).acknowledged_on == timezone.localdate()


# ---------------------------------------------------------------------------
# What users typed comes out as text: HTML, mail and PDF
# ---------------------------------------------------------------------------
PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "</p><iframe src=//evil.example></iframe>",
    "{{ settings.SECRET_KEY }} {% debug %}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_placeholders_and_edits_with_xss_payloads_come_out_escaped_in_html_and_pdf(
    payload, department, handler, client, django_capture_on_commit_callbacks
):
    complaint = rich_case(department, handler, complainant_name=f"Aaltje {payload}")
    ComplaintPartFactory(complaint=complaint, description=payload, judgment=Judgment.UNFOUNDED)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    sections = {"findings": f"{FINDINGS} {payload}", "conclusions": CONCLUSIONS}
    letter = write(letter, handler, sections=sections)
    client.force_login(handler)
    url = reverse("complaints:letter", args=[complaint.reference, letter.pk])

    page = client.get(url).content.decode()

    if "<" in payload:
        assert payload not in page  # never as markup...
        assert payload.replace("<", "&lt;").replace(">", "&gt;")[:12] in page  # ...but text
    else:
        assert payload in page  # template code is shown as typed, never run
    assert "test-only-insecure-key" not in page

    with django_capture_on_commit_callbacks(execute=True):
        sent = letter_send(letter_id=letter.pk, actor=handler)
    text = pdf_text(stored_pdf(sent))
    assert text.count(squash(payload)) >= 3  # the greeting, the part, the findings: as text
    assert "test-only-insecure-key" not in text
    assert payload in mail.outbox[0].body  # a plain-text mail: the characters as typed
    assert not any(a[2] != "application/pdf" for a in mail.outbox[0].attachments)


def test_template_code_in_a_template_is_refused_and_never_run(department, handler):
    template = LetterTemplate.objects.get(kind=LetterKind.OUTCOME, language="nl")
    section = template.sections.get(key="contact")
    section.text = "Bel {handler_name}. {{ settings.SECRET_KEY }} {% debug %} {recipient.email}"

    with pytest.raises(ValidationError) as refused:
        section.full_clean()

    message = str(refused.value.message_dict["text"][0])
    assert "{% debug %}" in message and "{recipient.email}" in message
    # Saved anyway (past the admin): the renderer only substitutes its own names.
    assert placeholders.render(section.text, {"handler_name": "Hamza"}) == (
        "Bel Hamza. { settings.SECRET_KEY } {% debug %} {recipient.email}"
    )


# ---------------------------------------------------------------------------
# A sent letter never changes
# ---------------------------------------------------------------------------
def test_a_sent_letter_cannot_change(department, handler, settings):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    sent = letter_send(letter_id=write(letter, handler).pk, actor=handler)
    stored = Letter.objects.get(pk=sent.pk)
    assert stored.is_intact()
    original = (stored.body_text, stored.sections, stored.subject, stored.content_hash)

    stored.body_text = "Iets anders."
    with pytest.raises(LetterSealed):
        stored.save()
    stored = Letter.objects.get(pk=sent.pk)
    stored.status = LetterStatus.SENT
    with pytest.raises(LetterSealed):
        stored.save(update_fields=["status", "sent_at"])  # only a letter for post moves on
    with pytest.raises(LetterSealed):
        stored.delete()
    with pytest.raises(CaseError):
        write(stored, handler, sections={"findings": "Toch anders."})
    with pytest.raises(CaseError):
        letter_send(letter_id=stored.pk, actor=handler)
    with pytest.raises(CaseError):
        letter_discard(letter_id=stored.pk, actor=handler)

    stored = Letter.objects.get(pk=sent.pk)
    assert (stored.body_text, stored.sections, stored.subject, stored.content_hash) == original
    # The hash covers the stored PDF: a file changed behind the application's back shows.
    path = settings.PRIVATE_MEDIA_ROOT / stored.pdf.name
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% changed"))
    assert not Letter.objects.get(pk=sent.pk).is_intact()


def test_a_discarded_draft_is_kept_but_off_the_panel(department, handler, client):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.SURVEY, recipient="complainant"
    )
    letter_discard(letter_id=letter.pk, actor=handler)

    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DISCARDED
    client.force_login(handler)
    page = client.get(reverse("complaints:case", args=[complaint.reference]))
    assert page.context["letters"] == []


# ---------------------------------------------------------------------------
# The survey invitation carries a new status link in the mail only
# ---------------------------------------------------------------------------
def test_the_survey_invitation_mails_a_status_link_that_the_letter_never_holds(
    department, handler, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://klachten.example.nl"
    complaint = ComplaintFactory(closed=True, department=department, handler=handler,
                                 complainant_email="klager@example.nl")  # fmt: skip
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.SURVEY, recipient="complainant"
    )

    with django_capture_on_commit_callbacks(execute=True):
        sent = letter_send(letter_id=letter.pk, actor=handler)

    [message] = mail.outbox
    assert "https://klachten.example.nl/status/" in message.body
    token = message.body.rsplit("/status/", 1)[1].split("/")[0]
    assert len(token) == 32
    assert token not in sent.body_text and token.encode() not in stored_pdf(sent)
    assert token not in pdf_text(stored_pdf(sent))
    row = OutboxMessage.objects.get(letter=sent)
    assert row.status == OutboxStatus.SENT and token not in row.body  # redacted once sent


# ---------------------------------------------------------------------------
# The outbox attaches the PDF, also when a retry sends it later
# ---------------------------------------------------------------------------
def test_a_letter_mail_that_failed_is_retried_with_its_pdf(department, handler, settings):
    settings.EMAIL_BACKEND = "tests.complaints.test_outbox.FailingBackend"
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    sent = letter_send(letter_id=write(letter, handler).pk, actor=handler)
    row = OutboxMessage.objects.get(letter=sent)
    assert row.status == OutboxStatus.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_sweep(now=timezone.now() + timedelta(hours=1)) == 1

    [message] = mail.outbox
    assert message.attachments[0][1] == stored_pdf(sent)


# ---------------------------------------------------------------------------
# The pages: who may see letters, and the PDF as a download
# ---------------------------------------------------------------------------
def test_the_pdf_is_a_download_for_handlers_only(department, handler, client, user_factory):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    sent = letter_send(letter_id=write(letter, handler).pk, actor=handler)
    url = reverse("complaints:letter_pdf", args=[complaint.reference, sent.pk])

    client.force_login(handler)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == stored_pdf(sent)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"

    # A manager sees the case, but not its letters; another department's handler not even it.
    client.force_login(user_factory(manager=True, department=department))
    assert client.get(url).status_code == 403
    other = user_factory(handler=True, department=DepartmentFactory(code="bel"))
    client.force_login(other)
    assert client.get(url).status_code == 404
    page = reverse("complaints:letter", args=[complaint.reference, sent.pk])
    assert client.get(page).status_code == 404


def test_a_draft_pdf_is_a_preview_marked_as_draft(department, handler, client):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    client.force_login(handler)

    response = client.get(reverse("complaints:letter_pdf", args=[complaint.reference, letter.pk]))

    text = pdf_text(response.content)
    assert "CONCEPT: deze brief is nog niet verstuurd" in text
    assert "[Dit deel is nog leeg]" in text  # the findings, still to write
    assert Letter.objects.get(pk=letter.pk).pdf.name == ""  # nothing stored for a draft


def test_the_letter_pages_keep_what_was_typed_when_sending_is_refused(department, handler, client):
    complaint = rich_case(department, handler)
    client.force_login(handler)
    response = client.post(
        reverse("complaints:letter_new", args=[complaint.reference]),
        {"letter-kind": LetterKind.OUTCOME, "letter-recipient": "complainant"},
    )
    letter = Letter.objects.get(complaint=complaint)
    assert response["Location"] == reverse(
        "complaints:letter", args=[complaint.reference, letter.pk]
    )
    form = {
        "recipient_name": "Aaltje Proef",
        "recipient_email": "aaltje@example.nl",
        "recipient_address": "",
        "subject": "Ons oordeel",
        **{f"section_{s['key']}": s["text"] for s in letter.sections},
        "section_conclusions": CONCLUSIONS,
        "action": "send",
    }

    response = client.post(
        reverse("complaints:letter", args=[complaint.reference, letter.pk]), form
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Wat wij hebben onderzocht" in page and CONCLUSIONS in page
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


def test_a_draft_saved_by_a_colleague_meanwhile_is_not_overwritten_silently(
    department, handler, client, user_factory
):
    complaint = rich_case(department, handler)
    client.force_login(handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    url = reverse("complaints:letter", args=[complaint.reference, letter.pk])
    seen = client.get(url).context["form"]["seen"].value()
    assert seen
    colleague = user_factory(coordinator=True, department=department)
    write(letter, colleague, subject="Het oordeel van de collega", seen=seen)

    mine = {
        "recipient_name": "Aaltje Proef",
        "recipient_email": "",
        "recipient_address": "Kerkstraat 12",
        "subject": "Mijn onderwerp",
        "seen": seen,
        **{f"section_{s['key']}": s["text"] for s in letter.sections},
        "section_conclusions": CONCLUSIONS,
    }
    refused = client.post(url, mine)
    assert refused.status_code == 409
    assert CONCLUSIONS in refused.content.decode()
    assert Letter.objects.get(pk=letter.pk).subject == "Het oordeel van de collega"

    mine["seen"] = refused.context["form"]["seen"].value()
    assert client.post(url, mine).status_code == 302
    assert Letter.objects.get(pk=letter.pk).subject == "Mijn onderwerp"


def test_editing_a_deleted_draft_says_it_was_deleted(department, handler, client):
    complaint = rich_case(department, handler)
    client.force_login(handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.DISCARDED)
    url = reverse("complaints:letter", args=[complaint.reference, letter.pk])
    client.cookies["django_language"] = "en"
    answer = client.post(url, {"subject": "x", "recipient_name": "y"}, follow=True)
    assert "This draft was deleted" in answer.content.decode()


# ---------------------------------------------------------------------------
# The templates and the functional admin
# ---------------------------------------------------------------------------
def test_every_kind_has_a_seeded_template_per_language_with_its_sections():
    for kind, spec in SPECS.items():
        for language in ("nl", "en"):
            template = LetterTemplate.objects.get(kind=kind, language=language)
            keys = list(template.sections.values_list("key", flat=True))
            assert keys == [section.key for section in spec.sections], (kind, language)
            for section in template.sections.all():
                section.full_clean()  # no unknown placeholder in what we ship
            template.full_clean()
            for section in spec.mandatory:
                stored = template.sections.get(key=section.key)
                assert stored.heading, f"{kind}/{language}: a mandatory section has a name"
                assert stored.text or section.written_by_handler


def test_the_functional_admin_edits_a_template_and_unknown_placeholders_are_refused(
    client, user_factory
):
    client.force_login(user_factory(functional_admin=True))
    template = LetterTemplate.objects.get(kind=LetterKind.OUTCOME, language="nl")
    url = reverse("admin:complaints_lettertemplate_change", args=[template.pk])
    assert client.get(url).status_code == 200
    sections = list(template.sections.all())
    data = {
        "subject": "Ons oordeel ({reference})",
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for n, section in enumerate(sections):
        data |= {
            f"sections-{n}-id": section.pk,
            f"sections-{n}-template": template.pk,
            f"sections-{n}-heading": section.heading,
            f"sections-{n}-text": section.text,
        }
    contact = next(n for n, s in enumerate(sections) if s.key == "contact")

    data[f"sections-{contact}-text"] = "Bel {behandelaar} of {{ user.password }}."
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "{behandelaar}" in refused.content.decode()
    assert LetterTemplateSection.objects.get(pk=sections[contact].pk).text == sections[contact].text

    data[f"sections-{contact}-text"] = "Bel {handler_name} op {organisation_phone}; {{ok}}."
    assert client.post(url, data).status_code == 302
    section = LetterTemplateSection.objects.get(pk=sections[contact].pk)
    assert section.text == "Bel {handler_name} op {organisation_phone}; {{ok}}."
    assert LetterTemplate.objects.get(pk=template.pk).subject == "Ons oordeel ({reference})"

    client.force_login(user_factory(coordinator=True, is_staff=True))
    assert client.get(url).status_code == 403


def test_the_handler_drafts_from_the_edited_template(department, handler):
    section = LetterTemplateSection.objects.get(
        template__kind=LetterKind.SURVEY, template__language="nl", key="survey"
    )
    section.text = "Klacht {reference}: hoe was het? {{geen placeholder}}"
    section.save()
    complaint = ComplaintFactory(closed=True, department=department, handler=handler)

    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.SURVEY, recipient="complainant"
    )

    survey = next(s for s in letter.sections if s["key"] == "survey")
    assert survey["text"] == f"Klacht {complaint.reference}: hoe was het? {{geen placeholder}}"


def test_only_handlers_write_letters(department, handler, user_factory):
    complaint = rich_case(department, handler)
    manager = user_factory(manager=True, department=department)
    with pytest.raises(PermissionDenied):
        letter_draft(
            complaint_id=complaint.pk, actor=manager, kind=LetterKind.OUTCOME,
            recipient="complainant",
        )  # fmt: skip
    assert not Letter.objects.exists()


# ---------------------------------------------------------------------------
# Placeholders and readability
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("Beste {recipient_name}, uw klacht {reference}.", []),
        ("Literal {{ and }} braces", []),
        ("{onbekend}", ["{onbekend}"]),
        ("{ reference }", ["{ reference }"]),
        ("{% if x %}", ["{% if x %}"]),
        ("{{reference}}", []),  # a literal "{reference}", not a placeholder
        ("een losse { haak", ["{"]),
        ("een losse } haak", ["}"]),
    ],
)
def test_unknown_placeholders_are_found(text, problems):
    assert placeholders.unknown_in(text) == problems


def test_the_renderer_substitutes_only_its_own_names():
    values = {"reference": "KL-2026-00042", "recipient_name": "<b>Jan</b>"}
    assert placeholders.render("{reference} {{reference}} {recipient_name} {today}", values) == (
        "KL-2026-00042 {reference} <b>Jan</b> "
    )


def test_readability_counts_sentences_and_long_words_in_words():
    short = "Wij hebben uw klacht gelezen. U krijgt snel antwoord. Bel ons gerust."
    result = readability(short)
    assert (result.sentences, result.words) == (3, 12)
    assert result.average_sentence == 4
    assert result.ok and result.advice() == []
    assert "Easy to read" in result.verdict()

    long = (
        "Naar aanleiding van uw klacht over de klachtbehandelingsprocedure hebben wij, "
        "conform de geldende behoorlijkheidsnormen en na zorgvuldige afweging van alle "
        "betrokken belangen, besloten dat de klachtbehandelaar onvoldoende communicatief "
        "heeft gehandeld jegens u.\nDank u."
    )
    result = readability(long)
    assert result.sentences == 2
    assert result.long_sentences == 1
    assert result.longest[0][0] == 32 and result.longest[0][1].startswith("Naar aanleiding")
    assert result.long_word_examples[:2] == [
        "klachtbehandelingsprocedure",
        "behoorlijkheidsnormen",
    ]
    advice = " ".join(result.advice())
    assert "1 sentence has more than 20 words." in advice
    assert "of the words are long" in advice
    assert not result.ok


def test_the_outcome_letter_page_shows_the_readability_aid(department, handler, client):
    complaint = rich_case(department, handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    client.force_login(handler)

    page = client.get(reverse("complaints:letter", args=[complaint.reference, letter.pk]))

    html = page.content.decode()
    assert 'id="readability"' in html and "De langste zinnen" in html
    survey = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.SURVEY, recipient="complainant"
    )
    other = client.get(reverse("complaints:letter", args=[complaint.reference, survey.pk]))
    assert 'id="readability"' not in other.content.decode()


def test_the_case_page_reads_its_letters_with_the_timeline_at_no_extra_cost(
    department, handler, client, django_assert_num_queries
):
    complaint = rich_case(department, handler, postponed_on=None)
    client.force_login(handler)
    url = reverse("complaints:case", args=[complaint.reference])
    client.get(url)
    case_pages_changed()  # measured: the page drawn, not kept (complaints.page_cache)
    with CaptureQueriesContext(connection) as without_letters:
        client.get(url)

    for kind in (LetterKind.OUTCOME, LetterKind.SURVEY, LetterKind.HEARING_REPORT):
        letter_draft(complaint_id=complaint.pk, actor=handler, kind=kind, recipient="complainant")
    sent = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    letter_send(letter_id=write(sent, handler).pk, actor=handler)

    case_pages_changed()  # drawn as the first was, the lists of users and norms read again
    with django_assert_num_queries(len(without_letters.captured_queries)):
        page = client.get(url)
    assert [letter.kind for letter in page.context["letters"]] == [
        LetterKind.OUTCOME, LetterKind.SURVEY, LetterKind.HEARING_REPORT, LetterKind.OUTCOME,
    ]  # fmt: skip
    # The guard read the same letters: closing as judged is offered.
    assert {m.name: m.available for m in page.context["moves"]}["close_judged"]


@pytest.mark.parametrize("status", [LetterStatus.DISCARDED, LetterStatus.SENT])
def test_edits_to_a_draft_sent_or_deleted_meanwhile_are_shown_to_copy(
    department, handler, client, status
):
    """A colleague sent or deleted the draft while this user wrote: the edits cannot go into
    the letter, but they are not thrown away either: the page shows them to copy."""
    complaint = rich_case(department, handler)
    client.force_login(handler)
    letter = letter_draft(
        complaint_id=complaint.pk, actor=handler, kind=LetterKind.OUTCOME, recipient="complainant"
    )
    url = reverse("complaints:letter", args=[complaint.reference, letter.pk])
    seen = client.get(url).context["form"]["seen"].value()
    Letter.objects.filter(pk=letter.pk).update(status=status)
    mine = {
        "recipient_name": letter.recipient_name,
        "recipient_email": letter.recipient_email,
        "recipient_address": letter.recipient_address,
        "subject": letter.subject,
        "seen": seen,
        **{f"section_{s['key']}": s["text"] for s in letter.sections},
        "section_conclusions": CONCLUSIONS,
    }
    client.cookies["django_language"] = "en"
    answer = client.post(url, mine)
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "Not saved: what you typed" in page
    assert CONCLUSIONS in page
    # Only what differs from the letter as stored: the unchanged subject is not repeated.
    assert [label for label, _text in answer.context["unsaved"]] == [
        label for label, text in answer.context["unsaved"] if text == CONCLUSIONS
    ]
    # Nothing typed that the letter does not hold already: back to the letter, as before.
    unchanged = {
        **mine,
        "section_conclusions": next(
            s["text"] for s in letter.sections if s["key"] == "conclusions"
        ),
    }
    assert client.post(url, unchanged).status_code == 302
