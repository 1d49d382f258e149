"""The demo handler takes two complaints through the five steps, only through the browser.

One ends resolved (intake, explore, resolve, closed), one judged (intake, explore, judge,
closed). Every form is used as a person would: the intake form, taking the case, the
acknowledgement, a contact, the section forms, a complaint part and its judgment, and the
"Next step" buttons, one of them by keyboard only. The browser runs JavaScript, so htmx
posts the forms and swaps the case in place; the assertions wait for what a person sees and
do not depend on how the page got there. The worklist, the intake form and the case page
pass axe-core.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from complaints.models import CaseEvent, ClosureReason, Complaint, EventKind, Norm, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def either(*words: str) -> re.Pattern:
    """Dutch first; the English text too, for a label whose translation is not in yet."""
    return re.compile("|".join(re.escape(word) for word in words))


STAGE_SHOWN = {
    Stage.INTAKE: either("Binnenkomst", "Intake"),
    Stage.EXPLORE: either("Verkennen", "Explore the problem"),
    Stage.RESOLVE: either("Oplossen", "Resolve"),
    Stage.JUDGE: either("Oordelen", "Judge"),
    Stage.CLOSED: either("Afgesloten", "Closed"),
}


@pytest.fixture
def signed_in(page: Page) -> Page:
    call_command("seed_demo", force=True, verbosity=0)
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill("behandelaar@example.nl")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/staff/")
    return page


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


def register(page: Page, *, name: str, conduct: str, theme: str, email: str = "") -> str:
    """Register a written complaint by e-mail through /staff/complaints/new/."""
    page.goto("/staff/complaints/")
    page.get_by_role("main").get_by_role("link", name="Klacht registreren").click()
    page.wait_for_url("**/staff/complaints/new/")
    page.get_by_label("Kanaal").select_option("email")
    page.get_by_label("Naam", exact=True).fill(name)
    if email:
        page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Telefoonnummer").fill("06 12 34 56 78")
    page.get_by_label("Wat er gebeurde").fill(conduct)
    page.get_by_label(theme).check()
    page.get_by_role("button", name="Klacht registreren").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(name)
    reference = heading.inner_text().split()[0]
    expect(page.get_by_role("status")).to_contain_text(f"Klacht {reference} is geregistreerd.")
    expect_stage(page, Stage.INTAKE)
    return reference


def expect_stage(page: Page, stage: str) -> None:
    """The stage in the facts under the title, and the current step in the steps bar."""
    expect(page.locator(".kl-facts dd strong").first).to_have_text(STAGE_SHOWN[stage])
    step = list(STAGE_SHOWN).index(stage) + 1
    expect(page.locator('.kl-steps-bar [aria-current="step"]')).to_have_text(
        re.compile(rf"^{step}\.")
    )


def move(page: Page, label: re.Pattern, to: str) -> None:
    page.get_by_role("button", name=label).click()
    expect_stage(page, to)
    expect(page.get_by_role("status")).to_contain_text(
        either("De zaak is nu in de fase", "The case is now in stage")
    )


def take_and_acknowledge(page: Page, *, by_hand: bool) -> None:
    """Take the case; record the acknowledgement (Awb 9:6) by hand when the complainant has no
    e-mail address (a letter went out). With an address it went out by itself."""
    assignment = page.locator("#assignment")
    assignment.get_by_label("Behandelaar").select_option(label="Hamza El Amrani")
    assignment.get_by_role("button", name=either("Deze zaak oppakken", "Take this case")).click()
    expect(assignment.locator("p").first).to_have_text("Hamza El Amrani")
    acknowledge = page.get_by_role(
        "button",
        name=either("Ontvangstbevestiging vandaag verstuurd", "Record the acknowledgement"),
    )
    if by_hand:
        acknowledge.click()
        expect(page.get_by_role("status")).to_contain_text(
            either("De ontvangstbevestiging is vastgelegd.", "Receipt is recorded as acknowledged.")
        )
    expect(acknowledge).to_have_count(0)
    acknowledged = page.locator("dt", has_text="(Awb 9:6)").locator("xpath=following-sibling::dd")
    expect(acknowledged).not_to_have_text(either("nog niet", "not yet"))


def start_exploring_by_keyboard(page: Page) -> None:
    button = page.get_by_role("button", name=either("Start verkennen", "Start exploring"))
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect_stage(page, Stage.EXPLORE)


def explore(page: Page, *, contact: str, problem: str, desired: str, part: str) -> None:
    contacts = page.locator("#contacts")
    contacts.get_by_text("Contact vastleggen").click()
    contacts.get_by_label("Met wie").fill("De klager")
    contacts.get_by_label("Samenvatting").fill(contact)
    contacts.get_by_role("button", name="Contact opslaan").click()
    expect(page.locator("#contacts .kl-list")).to_contain_text(contact)

    edit_section(
        page, "De klacht", {"Probleem achter de klacht": problem, "Gewenste uitkomst": desired}
    )
    expect(page.locator("#section-conduct")).to_contain_text(problem)

    parts = page.locator("#parts")
    parts.get_by_label("Nieuw klachtonderdeel").fill(part)
    parts.get_by_role("button", name="Onderdeel toevoegen").click()
    expect(page.locator("#part-1")).to_contain_text(part)


def edit_section(page: Page, title: str, fields: dict[str, str]) -> None:
    """Open a section's form with its "Wijzigen" link, fill it in and save it."""
    # The section's name is visually hidden in the link: "Wijzigen : De klacht".
    page.get_by_role("link", name=re.compile(rf"^(Wijzigen|Change)\s*:\s*{title}$")).click()
    section = page.locator("section", has=page.get_by_role("heading", name=title, exact=True))
    save = section.get_by_role("button", name="Opslaan")
    expect(save).to_be_visible()
    for label, value in fields.items():
        field = section.get_by_label(label)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    save.click()
    expect(page.get_by_role("status")).to_contain_text(either("Opgeslagen.", "Saved."))
    expect(section.get_by_role("button", name="Opslaan")).to_have_count(0)


def send_outcome_letter_by_post(page: Page) -> None:
    """Awb 9:12: closing as judged needs the outcome letter sent. The complainant has no
    e-mail address: the handler writes the letter, prints it for post, and marks it posted
    (the letter itself is tested in test_letters.py)."""
    case_url = page.url.split("#")[0]
    page.locator("#id_letter-kind").select_option("outcome")
    page.locator("form[action$='/letters/new/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/letters/\d+/$"))
    page.locator("#id_recipient_address").fill("Dorpsstraat 1\n1234 AB Voorbeeld")
    page.locator("#id_section_findings").fill("De medewerker erkent de toon.")
    page.locator("#id_section_conclusions").fill("Wij maken excuses.")
    page.locator("button[name=action][value=send]").click()
    page.locator("form[action$='/posted/'] button[type=submit]").click()
    expect(page.locator("form[action$='/posted/']")).to_have_count(0)
    page.goto(case_url)


def expect_timeline(page: Page, *moves: tuple[str, str]) -> None:
    """Each move is on the timeline as "from → to" (stage codes or their names)."""
    timeline = page.locator("#timeline")
    for source, target in moves:
        names = STAGE_SHOWN[source].pattern, STAGE_SHOWN[target].pattern
        shown = rf"({source}|{names[0]})\s*→\s*({target}|{names[1]})"
        expect(timeline).to_contain_text(re.compile(shown))


def test_the_demo_handler_resolves_one_complaint_and_judges_another_in_the_browser(
    signed_in: Page, axe
):
    page = signed_in
    page.goto("/staff/complaints/?scope=department")
    expect(page.get_by_role("table")).to_be_visible()
    no_violations(axe, page, "worklist of the department")
    page.goto("/staff/complaints/")
    no_violations(axe, page, "worklist: my cases")

    # --- one: intake -> explore -> resolve -> closed (resolved) ---------------------------
    page.goto("/staff/complaints/new/")
    no_violations(axe, page, "intake form")
    first = register(
        page,
        name="Gijs Voorbeeld",
        conduct="Drie weken geen antwoord op mijn vraag over een parkeervergunning.",
        theme="Wachttijd en termijnen",
        email="gijs@example.nl",
    )
    no_violations(axe, page, "case page in intake")
    take_and_acknowledge(page, by_hand=False)
    start_exploring_by_keyboard(page)
    explore(
        page,
        contact="Klager gebeld; hij wil vooral snel een vergunning.",
        problem="Zonder vergunning krijgt klager elke dag een boete.",
        desired="Vandaag een vergunning.",
        part="Geen antwoord binnen de beloofde termijn.",
    )
    no_violations(axe, page, "case page in explore")
    move(
        page, either("Er is een oplossing: oplossen", "There is a solution: resolve"), Stage.RESOLVE
    )
    edit_section(
        page,
        "Oplossing",
        {
            "Oplossing": "Vergunning direct verleend; excuses gemaakt.",
            "Tevredenheid bevestigd op": timezone.localdate().isoformat(),
            "Tevredenheid bevestigd via": "Telefoon",
            "Toelichting tevredenheid": "Klager is blij met de snelle oplossing.",
        },
    )
    # By keyboard: type the note, Tab to the button, Enter.
    note = page.locator("#note-close_resolved")
    note.fill("Opgelost tijdens het telefoongesprek.")
    page.keyboard.press("Tab")
    close = page.get_by_role("button", name=either("Afsluiten: opgelost", "Close: resolved"))
    expect(close).to_be_focused()
    page.keyboard.press("Enter")
    expect_stage(page, Stage.CLOSED)
    expect(page.locator(".kl-facts")).to_contain_text(
        either("Naar tevredenheid opgelost", "Resolved to the complainant's satisfaction")
    )
    expect_timeline(
        page,
        (Stage.INTAKE, Stage.EXPLORE),
        (Stage.EXPLORE, Stage.RESOLVE),
        (Stage.RESOLVE, Stage.CLOSED),
    )
    no_violations(axe, page, "closed case page")

    # --- two: intake -> explore -> judge -> closed (judged) --------------------------------
    second = register(
        page,
        name="Aaltje Proef",
        conduct="De baliemedewerker snauwde mij af toen ik om uitleg vroeg.",
        theme="Bejegening",
    )
    take_and_acknowledge(page, by_hand=True)
    move(page, either("Start verkennen", "Start exploring"), Stage.EXPLORE)
    explore(
        page,
        contact="Klager gebeld; zij wil een oordeel, geen oplossing.",
        problem="Klager voelde zich niet serieus genomen.",
        desired="Erkenning dat dit niet hoort.",
        part="De medewerker snauwde klager af.",
    )
    move(page, either("Geen oplossing: oordelen", "No solution: judge"), Stage.JUDGE)

    part = page.locator("#part-1")
    part.get_by_text(
        either("Dit onderdeel beoordelen of wijzigen", "Judge or change this part")
    ).click()
    part.get_by_label(either("Oordeel", "Judgment")).select_option(label="Gegrond")
    part.get_by_label(either("Motivering", "Reasoning")).fill("Collega's bevestigen de toon.")
    part.get_by_label("Behoorlijkheidsnormen").select_option(
        label=f"7. {Norm.objects.get(number=7).name_nl}"
    )
    part.get_by_role("button", name="Onderdeel opslaan").click()
    expect(page.locator("#part-1 h3")).to_contain_text("Gegrond")
    expect(page.locator("#part-1")).to_contain_text(Norm.objects.get(number=7).name_nl)

    edit_section(
        page,
        "Hoorzitting",
        {
            "Hoorzitting gehouden op": timezone.localdate().isoformat(),
            "Gehoorde partijen": "Klager en de baliemedewerker",
            "Verslag van het horen": "Beide kanten gehoord; de medewerker erkent de toon.",
        },
    )
    no_violations(axe, page, "case page in judge")
    send_outcome_letter_by_post(page)
    move(page, either("Afsluiten: met oordeel", "Close: judged"), Stage.CLOSED)
    expect(page.locator(".kl-facts")).to_contain_text(
        either("Afgehandeld met oordeel", "Handled with a judgment")
    )
    expect_timeline(
        page,
        (Stage.INTAKE, Stage.EXPLORE),
        (Stage.EXPLORE, Stage.JUDGE),
        (Stage.JUDGE, Stage.CLOSED),
    )

    # What the browser showed is what was stored, one event per move.
    resolved, judged = (
        Complaint.objects.get(reference=first),
        Complaint.objects.get(reference=second),
    )
    assert (resolved.stage, resolved.closure_reason) == (Stage.CLOSED, ClosureReason.RESOLVED)
    assert (judged.stage, judged.closure_reason) == (Stage.CLOSED, ClosureReason.JUDGED)
    for complaint, path in (
        (resolved, ["start_exploring", "seek_solution", "close_resolved"]),
        (judged, ["start_exploring", "start_judging", "close_judged"]),
    ):
        moves = CaseEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION)
        assert list(moves.values_list("name", flat=True)) == path
        assert complaint.handler.email == "behandelaar@example.nl"
