"""The staff workspace through HTTP: intake, worklist, case page, stale pages, attachments."""

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfWriter

from complaints import services
from complaints.models import CaseEvent, Complaint, Stage
from complaints.page_cache import case_pages_changed
from tests.factories import ComplaintFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def register(actor, department, **overrides) -> Complaint:
    fields = {
        "channel": "letter",
        "received_on": timezone.localdate() - timedelta(days=3),
        "is_written": True,
        "language": "nl",
        "department": department,
        "complainant_name": "Jan Smit",
        "complainant_phone": "0612345678",
        "conduct_description": "Niemand belde terug.",
        **overrides,
    }
    return services.complaint_register(actor=actor, fields=fields)


@pytest.fixture
def coordinator(user_factory, department):
    return user_factory(coordinator=True, department=department)


def test_intake_registers_a_complaint_with_reference_deadline_and_parties(
    client, handler, department, user_factory
):
    colleague = user_factory(employee=True, department=department, full_name="Piet Baliemedewerker")
    client.force_login(handler)
    response = client.post(
        reverse("complaints:register"),
        {
            "channel": "letter",
            "received_on": (timezone.localdate() - timedelta(days=400)).isoformat(),
            "is_written": "on",
            "language": "nl",
            "department": department.pk,
            "complainant_name": "Jan Smit",
            "complainant_address": "Dorpsstraat 1, Voorbeeld",
            "preferred_contact": "letter",
            "conduct_description": "Onbeschoft behandeld aan de balie.",
            "conduct_date": (timezone.localdate() - timedelta(days=800)).isoformat(),
            "persons_complained_about": [colleague.pk],
            "representative_name": "Mr. De Wit",
            "representative_contact": "dewit@example.nl",
            "is_signed": "on",
        },
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == reverse("complaints:case", args=[complaint.reference])
    assert complaint.reference == f"KL-{complaint.received_on.year}-00001"
    assert complaint.stage == Stage.INTAKE
    assert complaint.decision_due is not None
    roles = sorted(complaint.parties.values_list("role", "name"))
    assert roles == [("complained_about", "Piet Baliemedewerker"), ("representative", "Mr. De Wit")]
    page = response.content.decode()
    assert "meer dan een jaar oud" in page  # the Awb 9:8 b screening prompt
    assert list(complaint.events.values_list("kind", flat=True)) == ["registered"]


@pytest.mark.parametrize(
    ("conduct", "received", "prompted"),
    [
        ("2023-03-01", "2024-03-01", False),  # exactly a year (366 days: a leap year between)
        ("2023-02-28", "2024-03-01", True),  # more than a year
        ("2023-02-28", "2024-02-29", False),  # from 29 February, a year before is 28 February
        ("2023-02-27", "2024-02-29", True),
    ],
)
def test_the_one_year_prompt_of_awb_9_8_counts_a_calendar_year(
    department, conduct, received, prompted
):
    from complaints.forms import IntakeForm

    form = IntakeForm(
        {
            "channel": "letter", "received_on": received, "is_written": "on",
            "language": "nl", "department": department.pk, "complainant_name": "Jan Smit",
            "complainant_address": "Dorpsstraat 1", "preferred_contact": "letter",
            "conduct_description": "Onbeschoft behandeld.", "conduct_date": conduct,
        }
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert bool(form.screening_prompts()) is prompted


def test_intake_errors_keep_everything_typed(client, handler, department):
    client.force_login(handler)
    response = client.post(
        reverse("complaints:register"),
        {
            "channel": "phone",
            "received_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "language": "nl",
            "department": department.pk,
            "complainant_name": "Jan Smit",
            "conduct_description": "Een heel verhaal dat niet verloren mag gaan.",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not Complaint.objects.exists()
    assert "De datum van ontvangst kan niet in de toekomst liggen." in page
    assert "Geef ten minste één manier om de klager te bereiken" in page
    assert "Een heel verhaal dat niet verloren mag gaan." in page
    assert 'href="#id_received_on"' in page  # the summary links to the field


def test_an_employee_cannot_register_or_see_the_worklist(client, user_factory):
    client.force_login(user_factory(employee=True))
    assert client.get(reverse("complaints:register")).status_code == 403
    assert client.get(reverse("complaints:worklist")).status_code == 403


def test_worklist_scopes_filters_search_and_sorts_by_deadline(
    client, handler, coordinator, department
):
    other = DepartmentFactory(code="bel", name="Belastingen")
    today = timezone.localdate()
    late = register(
        coordinator,
        department,
        complainant_name="Anna Laat",
        received_on=today - timedelta(days=60),
    )
    soon = register(
        coordinator,
        department,
        complainant_name="Bert Binnenkort",
        received_on=today - timedelta(days=38),
    )
    mine = register(coordinator, department, complainant_name="Cas Mijn", received_on=today)
    elsewhere = register(coordinator, other, complainant_name="Dirk Elders")
    services.complaint_assign(
        complaint_id=mine.pk, actor=handler, handler=handler, expected_version=1
    )
    client.force_login(handler)

    def refs(**query):
        case_pages_changed()  # the page drawn (its context read), not kept
        page = client.get(reverse("complaints:worklist"), query).context["page"]
        return [row["reference"] for row in page.object_list]

    assert refs() == [mine.reference]
    assert refs(scope="department") == [late.reference, soon.reference, mine.reference]
    assert refs(scope="all") == [mine.reference]  # handlers may not widen to all: back to mine
    assert refs(scope="department", overdue="1") == [late.reference]
    assert refs(scope="department", q="binnenkort") == [soon.reference]
    assert refs(scope="department", q=late.reference) == [late.reference]
    assert refs(scope="department", stage="explore") == []
    assert elsewhere.reference not in refs(scope="department")

    client.force_login(coordinator)
    assert elsewhere.reference in refs(scope="all")


def test_worklist_pages_by_fifty(client, coordinator, department):
    for _ in range(51):
        register(coordinator, department)
    client.force_login(coordinator)
    first = client.get(reverse("complaints:worklist"), {"scope": "all"})
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("complaints:worklist"), {"scope": "all", "page": 2})
    assert len(second.context["page"].object_list) == 1


# The worklist keeps its count, its rows and its themes in the cache until something changes
# (reporting.figures.kept_now): each change is seen on the next visit. The page around them is
# kept too (tests/complaints/test_worklist_kept.py): drawn here, to read its context.
def worklist_page(client, **query):
    case_pages_changed()
    return client.get(reverse("complaints:worklist"), {"scope": "department", **query}).context


def test_the_worklist_shows_a_change_of_a_case_on_the_next_visit(
    client, handler, coordinator, department
):
    case = register(coordinator, department, complainant_name="Anna Eerst")
    client.force_login(handler)
    first = worklist_page(client)
    assert first["page"].paginator.count == 1
    assert [row["handler__full_name"] for row in first["page"].object_list] == [None]
    assert worklist_page(client)["page"].object_list == first["page"].object_list  # kept

    services.complaint_assign(
        complaint_id=case.pk, actor=coordinator, handler=handler, expected_version=case.version
    )
    assigned = worklist_page(client)["page"]
    assert [row["handler__full_name"] for row in assigned.object_list] == [handler.full_name]
    services.complaint_transition(
        complaint_id=case.pk, actor=handler, name="withdraw", expected_stage=Stage.INTAKE,
        note="De klager trekt de klacht in.",
    )  # fmt: skip
    assert worklist_page(client)["page"].paginator.count == 0  # closed: off the list
    register(coordinator, department, complainant_name="Bert Daarna")
    again = worklist_page(client)["page"]
    assert again.paginator.count == 1
    assert [row["complainant_name"] for row in again.object_list] == ["Bert Daarna"]


def test_the_worklist_sees_a_theme_given_to_a_case_and_a_new_theme_at_once(
    client, handler, coordinator, department
):
    from complaints.models import Theme

    theme = Theme.objects.create(name_nl="Wachttijd", name_en="Waiting")
    case = register(coordinator, department)
    client.force_login(handler)
    assert worklist_page(client, theme=theme.pk)["page"].paginator.count == 0
    case.themes.add(theme)
    assert worklist_page(client, theme=theme.pk)["page"].paginator.count == 1
    assert (theme.pk, "Wachttijd") in worklist_page(client)["themes"]
    Theme.objects.create(name_nl="Nieuw thema", name_en="New theme")
    assert "Nieuw thema" in [name for _pk, name in worklist_page(client)["themes"]]
    theme.is_active = False
    theme.save()
    assert "Wachttijd" not in [name for _pk, name in worklist_page(client)["themes"]]


def test_what_the_worklist_keeps_is_each_users_own(client, coordinator, department, user_factory):
    """The same filters, asked by handlers of two departments and by a handler with their own
    cases: each sees their own cases, never what another's visit kept."""
    other = DepartmentFactory(code="bel", name="Belastingen")
    here = register(coordinator, department)
    there = register(coordinator, other)
    first = user_factory(handler=True, department=department)
    second = user_factory(handler=True, department=other)
    services.complaint_assign(
        complaint_id=here.pk, actor=coordinator, handler=first, expected_version=here.version
    )
    for user, reference in ((first, here.reference), (second, there.reference)):
        client.force_login(user)
        for scope in ("department", "mine", "department"):
            rows = worklist_page(client, scope=scope)["page"].object_list
            expected = [reference] if user == first or scope == "department" else []
            assert [row["reference"] for row in rows] == expected


def test_without_the_cache_the_worklist_counts_and_reads_each_time(
    client, handler, coordinator, department, monkeypatch
):
    from django.core.cache import cache

    register(coordinator, department)
    client.force_login(handler)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    assert worklist_page(client)["page"].paginator.count == 1
    register(coordinator, department)
    assert worklist_page(client)["page"].paginator.count == 2


def test_a_worklist_row_shows_the_case_escaped_with_its_link_stage_and_due_date(
    client, handler, coordinator, department
):
    case = register(coordinator, department, complainant_name="<b>Ann & Co</b>")
    client.force_login(handler)
    html = client.get(reverse("complaints:worklist"), {"scope": "department"}).content.decode()
    row = re.search(r"<tr>\s*<td><a[^>]*>" + case.reference + r".*?</tr>", html, re.S).group(0)
    assert f'href="{reverse("complaints:case", args=[case.reference])}"' in row
    assert "&lt;b&gt;Ann &amp; Co&lt;/b&gt;" in row and "<b>" not in row
    with translation.override("nl"):  # the site's language
        assert f"<td>{Stage.INTAKE.label}</td>" in row
        assert f"<td>{translation.gettext('unassigned')}</td>" in row
    assert f"<td>{department.name}</td>" in row
    assert f'<time datetime="{case.decision_due.isoformat()}">' in row


def test_another_departments_case_answers_like_one_that_does_not_exist(
    client, handler, coordinator
):
    elsewhere = register(coordinator, DepartmentFactory(code="bel"))
    client.force_login(handler)
    hidden = client.get(reverse("complaints:case", args=[elsewhere.reference]))
    missing = client.get(reverse("complaints:case", args=["KL-2026-99999"]))
    assert hidden.status_code == missing.status_code == 404

    def normalised(response, reference) -> str:
        # The language switch carries a fresh CSRF token and the page's own address; every
        # response has its own Content-Security-Policy nonce.
        page = response.content.decode().replace(reference, "REF")
        page = re.sub(r'nonce="[^"]+"', "", page)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert normalised(hidden, elsewhere.reference) == normalised(missing, "KL-2026-99999")
    moved = client.post(
        reverse("complaints:move", args=[elsewhere.reference]),
        {"name": "withdraw", "expected_stage": "intake", "note": "x"},
    )
    assert moved.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.stage == Stage.INTAKE


def test_the_case_page_shows_unavailable_moves_with_their_reasons(
    client, handler, coordinator, department
):
    complaint = register(coordinator, department)
    client.force_login(handler)
    page = client.get(reverse("complaints:case", args=[complaint.reference])).content.decode()
    assert "Start verkennen" in page
    assert "Wijs een behandelaar toe." in page
    assert "Bevestig eerst de ontvangst van de schriftelijke klacht (Awb 9:6)." in page
    assert "Alleen een klachtencoördinator" not in page  # reopen is not a move from intake


def test_a_second_user_on_a_stale_page_gets_a_clear_message_not_an_error(
    client, handler, coordinator, department
):
    complaint = register(coordinator, department)
    services.complaint_assign(
        complaint_id=complaint.pk, actor=coordinator, handler=handler, expected_version=1
    )
    services.complaint_acknowledge(
        complaint_id=complaint.pk, actor=coordinator, on=timezone.localdate()
    )
    # Someone else moves it first.
    services.complaint_transition(
        complaint_id=complaint.pk,
        name="start_exploring",
        actor=coordinator,
        expected_stage="intake",
    )
    client.force_login(handler)
    response = client.post(
        reverse("complaints:move", args=[complaint.reference]),
        {"name": "withdraw", "expected_stage": "intake", "note": "Klager belde af"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Iemand anders heeft deze zaak gewijzigd" in page
    assert "Klager belde af" in page  # the note typed is still there
    complaint.refresh_from_db()
    assert complaint.stage == Stage.EXPLORE


def test_a_stale_assignment_keeps_the_chosen_handler_and_choosing_again_is_deliberate(
    client, handler, coordinator, department, user_factory
):
    complaint = register(coordinator, department)
    colleague = user_factory(handler=True, department=department, full_name="Ans Collega")
    services.complaint_assign(
        complaint_id=complaint.pk, actor=coordinator, handler=colleague, expected_version=1
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("complaints:assign", args=[complaint.reference]),
        {"handler": handler.pk, "version": 1},
    )
    assert response.status_code == 409
    form = response.context["assign_form"]
    assert str(form["handler"].value()) == str(handler.pk)
    page = response.content.decode()
    assert re.search(rf'<option value="{handler.pk}" selected', page)
    complaint.refresh_from_db()
    assert complaint.handler == colleague
    assert str(form["version"].value()) == str(complaint.version)


def test_a_stale_edit_keeps_the_typed_text_and_saving_again_is_deliberate(
    client, handler, coordinator, department
):
    complaint = register(coordinator, department)
    stale_version = complaint.version
    services.note_add(complaint_id=complaint.pk, actor=coordinator, text="tussendoor")
    client.force_login(handler)
    url = reverse("complaints:edit", args=[complaint.reference, "conduct"])
    data = {
        "version": stale_version,
        "conduct_description": "Niemand belde terug.",
        "desired_outcome": "Excuses en een terugbelafspraak",
        "underlying_problem": "",
    }
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Excuses en een terugbelafspraak" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.desired_outcome == ""

    data["version"] = response.context["section_forms"]["conduct"]["version"].value()
    assert client.post(url, data).status_code == 302
    complaint.refresh_from_db()
    assert complaint.desired_outcome == "Excuses en een terugbelafspraak"
    assert complaint.events.filter(kind="edited").count() == 1


def closed_meanwhile(complaint) -> None:
    """A colleague closes the case while the user writes (as the close does: a new version)."""
    from django.db.models import F

    Complaint.objects.filter(pk=complaint.pk).update(
        stage=Stage.CLOSED, closure_reason="resolved", version=F("version") + 1
    )


def test_text_typed_for_a_case_closed_meanwhile_is_shown_not_lost(client, handler, department):
    """The section and the part's judgment are no longer editable, so their forms are gone
    from the page: what was typed is shown above the case, to copy."""
    complaint = ComplaintFactory(resolve=True, department=department, handler=handler)
    part = complaint.parts.first() or complaint.parts.create(number=1, description="Onderdeel")
    version = complaint.version
    closed_meanwhile(complaint)
    client.force_login(handler)

    report = "Verslag van de hoorzitting: klager vertelde uitvoerig wat er gebeurde."
    stored = "Zoals eerder vastgelegd."
    Complaint.objects.filter(pk=complaint.pk).update(hearing_parties=stored)
    edited = client.post(
        reverse("complaints:edit", args=[complaint.reference, "hearing"]),
        {"version": version, "hearing_report": report, "hearing_parties": stored + "\r\n"},
    )
    assert edited.status_code in (400, 409)
    # The new text; not what the case holds already.
    assert list(dict(edited.context["unsaved"]).values()) == [report]
    page = edited.content.decode()
    assert 'id="unsaved-title"' in page and report in page

    reasoning = "De toon van het gesprek was onvriendelijk, zeggen twee collegas."
    judged = client.post(
        reverse("complaints:judge_part", args=[complaint.reference, part.pk]),
        {f"part{part.pk}-judgment": "well_founded", f"part{part.pk}-reasoning": reasoning},
    )
    assert judged.status_code in (400, 409)
    assert reasoning in dict(judged.context["unsaved"]).values()
    assert reasoning in judged.content.decode()

    note = "Klager trekt de klacht in, telefonisch bevestigd."
    moved = client.post(
        reverse("complaints:move", args=[complaint.reference]),
        {"name": "withdraw", "expected_stage": "resolve", "note": note},
    )
    assert moved.status_code in (400, 409)
    assert note in dict(moved.context["unsaved"]).values()


def test_nothing_is_shown_as_unsaved_when_the_form_is_still_on_the_page(
    client, handler, department
):
    complaint = ComplaintFactory(resolve=True, department=department, handler=handler)
    client.force_login(handler)
    response = client.post(reverse("complaints:add_note", args=[complaint.reference]), {})
    assert response.status_code == 400
    assert response.context["unsaved"] == []
    assert 'id="unsaved-title"' not in response.content.decode()


def test_a_part_judged_by_a_colleague_meanwhile_is_not_overwritten_silently(
    client, handler, coordinator, department
):
    complaint = ComplaintFactory(judge=True, department=department, handler=handler)
    part = complaint.parts.first() or complaint.parts.create(number=1, description="Onderdeel")
    client.force_login(handler)
    page = client.get(
        reverse("complaints:case", args=[complaint.reference]), {"form": f"part-{part.pk}"}
    )
    seen = dict(page.context["parts"])[part]["seen"].value()
    # A colleague judges the part first.
    services.part_update(
        part_id=part.pk,
        actor=coordinator,
        fields={"description": part.description, "judgment": "unfounded", "reasoning": "Eerst"},
        seen=seen,
    )
    prefix = f"part{part.pk}"
    mine = {
        f"{prefix}-seen": seen,
        f"{prefix}-description": part.description,
        f"{prefix}-judgment": "well_founded",
        f"{prefix}-reasoning": "Mijn eigen afweging, uitgebreid opgeschreven.",
    }
    url = reverse("complaints:judge_part", args=[complaint.reference, part.pk])
    refused = client.post(url, mine)
    assert refused.status_code == 409
    assert "Mijn eigen afweging, uitgebreid opgeschreven." in refused.content.decode()
    part.refresh_from_db()
    assert (part.judgment, part.reasoning) == ("unfounded", "Eerst")

    # Saving again, having seen the colleague's version, is deliberate and works.
    form = dict(refused.context["parts"])[part]
    mine[f"{prefix}-seen"] = form["seen"].value()
    assert client.post(url, mine).status_code == 302
    part.refresh_from_db()
    assert part.judgment == "well_founded"


def test_attachments_are_stored_privately_and_downloaded_only_with_permission(
    client, handler, coordinator, department, user_factory, settings
):
    complaint = register(coordinator, department)
    client.force_login(handler)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    letter = BytesIO()
    writer.write(letter)
    upload = SimpleUploadedFile(
        "brief van klager.pdf", letter.getvalue(), content_type="application/pdf"
    )
    client.post(reverse("complaints:add_attachment", args=[complaint.reference]), {"file": upload})
    attachment = complaint.attachments.get()
    assert attachment.original_name == "brief van klager.pdf"
    assert "brief" not in attachment.file.name  # stored under a random name
    stored = Path(attachment.file.path)
    assert stored.exists()
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))

    url = reverse("complaints:attachment", args=[complaint.reference, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == letter.getvalue()

    client.force_login(user_factory(manager=True, department=department))
    assert client.get(url).status_code == 403
    client.force_login(user_factory(handler=True, department=DepartmentFactory(code="or")))
    assert client.get(url).status_code == 404


def test_every_action_on_the_page_writes_one_timeline_event(
    client, handler, coordinator, department
):
    complaint = register(coordinator, department)
    client.force_login(handler)
    ref = complaint.reference
    client.post(
        reverse("complaints:assign", args=[ref]),
        {"handler": handler.pk, "version": complaint.version},
    )
    client.post(reverse("complaints:acknowledge", args=[ref]))
    client.post(
        reverse("complaints:add_contact", args=[ref]),
        {
            "at": "2026-11-27T10:00",
            "channel": "phone",
            "with_whom": "Jan Smit",
            "summary": "Gebeld",
        },
    )
    client.post(reverse("complaints:add_note", args=[ref]), {"text": "Terugbellen vrijdag"})
    client.post(reverse("complaints:add_part", args=[ref]), {"description": "Niet teruggebeld"})
    kinds = list(CaseEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds == ["registered", "assigned", "acknowledged", "contact", "note", "part"]
    page = client.get(reverse("complaints:case", args=[ref])).content.decode()
    for words in ("Behandelaar toegewezen", "Contact vastgelegd", "Terugbellen vrijdag"):
        assert words in page


def test_long_names_of_parties_and_files_are_recorded_on_the_timeline_whole(
    client, handler, coordinator, department, stored_pdf
):
    """A party's name may be 200 characters and a file's 100 (``display_name``); the timeline
    event that records them holds them whole (it held 40: adding or removing a party called
    "Fenne van der Stael de Jonge-Waltrade Walderade" failed with a server error, and so did a
    citizen's complaint with a file named like most letters are)."""
    complaint = register(coordinator, department)
    client.force_login(handler)
    ref = complaint.reference
    name = "Fenne van der Stael de Jonge-Waltrade Walderade " + "van Oranje-Nassau" * 8
    assert 40 < len(name) <= 200
    added = client.post(
        reverse("complaints:add_party", args=[ref]), {"role": "affected", "name": name}
    )
    assert added.status_code == 302
    party = complaint.parties.get()
    removed = client.post(reverse("complaints:remove_party", args=[ref, party.pk]))
    assert removed.status_code == 302
    file_name = "Brief van de gemeente over mijn aanvraag van maart 2026, met bijlagen.pdf"
    upload = SimpleUploadedFile(file_name, stored_pdf, content_type="application/pdf")
    assert (
        client.post(reverse("complaints:add_attachment", args=[ref]), {"file": upload}).status_code
        == 302
    )

    events = CaseEvent.objects.filter(complaint=complaint, kind__in=["party", "attachment"])
    assert list(events.values_list("kind", "name")) == [
        ("party", name),
        ("party", name),
        ("attachment", file_name),
    ]
    page = client.get(reverse("complaints:case", args=[ref])).content.decode()
    assert file_name in page


@pytest.fixture
def stored_pdf(settings):
    """A one-page PDF; the attachments stored during the test are deleted afterwards."""
    from complaints.models import Attachment

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    content = BytesIO()
    writer.write(content)
    yield content.getvalue()
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


@pytest.mark.parametrize(
    "trait", [{"intake": True}, {"explore": True}, {"resolve": True}, {"judge": True}]
)
def test_every_id_on_the_case_page_is_unique(client, coordinator, trait):
    """Labels, skip links and htmx targets point at ids: a repeated id sends the
    keyboard and screen reader to the wrong form."""
    from tests.factories import ComplaintFactory, ContactMomentFactory

    case = ComplaintFactory(**trait, department=coordinator.department, parts=2)
    ContactMomentFactory(complaint=case)
    client.force_login(coordinator)
    html = client.get(reverse("complaints:case", args=[case.reference])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert ids and repeated == []


def test_the_section_summaries_show_each_value_as_text_with_its_line_breaks(
    client, handler, department
):
    """The summaries are written out in Python (the ``section_rows`` tag): a value is escaped
    as a template would, its line breaks kept, an empty one shown as a dash, a yes/no and a
    date in words."""
    complaint = ComplaintFactory(
        department=department,
        handler=handler,
        conduct_description="Eerste regel <script>x</script>\nTweede & laatste",
        conduct_place="",
        is_signed=True,
    )
    client.force_login(handler)
    with translation.override("nl"):
        page = client.get(reverse("complaints:case", args=[complaint.reference])).content.decode()
    assert "<dd>Eerste regel &lt;script&gt;x&lt;/script&gt;<br>Tweede &amp; laatste</dd>" in page
    assert re.search(r"<dt>Waar[^<]*</dt><dd>\N{EN DASH}</dd>", page)
    assert re.search(r"<dt>Ondertekend[^<]*</dt><dd>ja</dd>", page)
    assert "<script>x</script>" not in page


def test_the_selects_of_users_read_as_values_give_the_html_of_the_model_choices(user_factory):
    """``user_options`` reads the users of the party form's and the assign form's selects as
    values (no ``User`` per option); the HTML is what the model choice field gives, the
    chosen option, a user without a name (shown by e-mail) and escaping included."""
    from complaints.forms import AssignForm, PartyForm
    from complaints.selectors import handlers_for
    from complaints.views.staff.case import user_options

    department = DepartmentFactory()
    chosen = user_factory(handler=True, department=department, full_name="Anna <de> Vries")
    user_factory(handler=True, department=department, full_name="", email="z@example.org")
    user_factory(coordinator=True, full_name="Bert & Co")
    case = ComplaintFactory(department=department, handler=chosen)
    forms = {
        "employee": PartyForm(initial={"employee": chosen.pk}),
        "handler": AssignForm(
            initial={"handler": chosen.pk, "version": 1}, handlers=handlers_for(case)
        ),
    }
    for name, form in forms.items():
        field = form.fields[name]
        expected = str(form[name])  # Django's own: a User made per option
        field.choices = user_options(field)
        assert str(form[name]) == expected
        # Read as values: plain ids and names, no User per option.
        assert all(type(pk) is int and type(label) is str for pk, label in field.choices[1:])
        assert "Anna &lt;de&gt; Vries" in expected and " selected" in expected
        assert "z@example.org" in expected


def test_who_may_be_assigned_is_asked_only_when_the_departments_list_is_not_kept(
    client, handler, department, user_factory, monkeypatch
):
    """The case page keeps its select of handlers per department (``shared_kept``): a page
    drawn while the list is kept does not even build the query of who may be assigned."""
    from complaints.views.staff import case as case_views

    bea = user_factory(handler=True, department=department, full_name="Bea Tweede")
    first, second = (ComplaintFactory(department=department) for _ in range(2))
    asked = []
    real = case_views.handlers_for
    monkeypatch.setattr(case_views, "handlers_for", lambda c: asked.append(c.pk) or real(c))
    client.force_login(handler)
    for case in (first, second):
        page = client.get(reverse("complaints:case", args=[case.reference])).content.decode()
        assert f'<option value="{bea.pk}">Bea Tweede</option>' in page  # the select's options
    assert asked == [first.pk]
