"""factory_boy factories; one trait per role."""

import io
from datetime import date, timedelta

import factory
import pypdf
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import (
    CaseEvent,
    Channel,
    ClosureReason,
    Complaint,
    ComplaintPart,
    ContactMoment,
    EventKind,
    Judgment,
    Letter,
    LetterKind,
    LetterStatus,
    NotHandledGround,
    Party,
    PartyRole,
    RecipientRole,
    Rung,
    SendBy,
    Stage,
)
from ladder.deadlines import decision_due

PASSWORD = "correct-horse-battery-staple"


def give(user: User, roles) -> None:
    if roles:
        user.groups.add(*Group.objects.filter(name__in=[str(role) for role in roles]))


def with_role(role: Role):
    return lambda user, create, extracted, **kwargs: give(user, [role])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Afdeling {n}")
    code = factory.Sequence(lambda n: f"afd-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"medewerker{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password(PASSWORD)

    # UserFactory(roles=[Role.HANDLER, ...]) or one of the role traits below.
    roles = factory.PostGeneration(lambda user, create, extracted, **kw: give(user, extracted))

    class Params:
        employee = factory.Trait(roles=factory.PostGeneration(with_role(Role.EMPLOYEE)))
        handler = factory.Trait(roles=factory.PostGeneration(with_role(Role.HANDLER)))
        coordinator = factory.Trait(roles=factory.PostGeneration(with_role(Role.COORDINATOR)))
        manager = factory.Trait(roles=factory.PostGeneration(with_role(Role.MANAGER)))
        board = factory.Trait(roles=factory.PostGeneration(with_role(Role.BOARD)))
        functional_admin = factory.Trait(
            roles=factory.PostGeneration(with_role(Role.FUNCTIONAL_ADMIN)), is_staff=True
        )


# ---------------------------------------------------------------------------
# Complaint cases: one trait per stage (STYLE.md "Tests")
# ---------------------------------------------------------------------------
# A fixed, recent Monday: decision due six weeks later, on Monday 14 December 2026.
RECEIVED_ON = date(2026, 11, 2)

PROBLEM = "De klager kreeg geen antwoord op drie e-mails over de vergunning."
DESIRED_OUTCOME = "Een excuus en een beslissing op de aanvraag binnen twee weken."
SOLUTION = "De beslissing is verstuurd; de afdeling heeft excuses aangeboden."
HEARING_REPORT = "Klager en beklaagde zijn op 20 november gehoord; verslag in het dossier."


def case_decision_due(case) -> date | None:
    """What complaint_register stores: Awb 9:11 binds written complaints at rung 2."""
    if case.rung == Rung.HANDLER and case.is_written:
        return decision_due(case.received_on)
    return None


class PartyFactory(factory.django.DjangoModelFactory):
    """A party on a case. ``PartyFactory(complaint=case, complained_about=user)`` makes
    ``user`` a person complained about (Awb 9:7)."""

    class Meta:
        model = Party

    complaint = factory.SubFactory("tests.factories.ComplaintFactory")
    role = PartyRole.AFFECTED
    name = factory.Faker("name", locale="nl_NL")
    employee = None

    class Params:
        complained_about = factory.Trait(
            role=PartyRole.COMPLAINED_ABOUT,
            employee=factory.SelfAttribute("complained_about"),
            name=factory.LazyAttribute(lambda party: party.employee.full_name),
        )


class ComplaintPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplaintPart
        skip_postgeneration_save = True

    complaint = factory.SubFactory("tests.factories.ComplaintFactory")
    number = factory.LazyAttribute(lambda part: part.complaint.parts.count() + 1)
    description = factory.Faker("sentence", locale="nl_NL")
    judgment = ""
    reasoning = factory.LazyAttribute(
        lambda part: "Getoetst aan de behoorlijkheidsnormen." if part.judgment else ""
    )


def contact_recorder(contact) -> User:
    complaint = contact.complaint
    return complaint.handler or UserFactory(handler=True, department=complaint.department)


class ContactMomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMoment

    complaint = factory.SubFactory("tests.factories.ComplaintFactory")
    at = factory.LazyFunction(timezone.now)
    channel = Channel.PHONE
    with_whom = factory.LazyAttribute(lambda contact: contact.complaint.complainant_name)
    summary = "Gebeld; het probleem achter de klacht en de gewenste uitkomst besproken."
    recorded_by = factory.LazyAttribute(contact_recorder)


def add_rows(row_factory, default, **fixed):
    """A post-generation hook that adds ``default`` rows (an int, or a function of the case).
    ``ComplaintFactory(contacts=0)`` or ``parts=2`` overrides the count, and
    ``parts__judgment=""`` a field of every row."""

    def hook(complaint, create, extracted, **kwargs):
        if not create:
            return
        count = extracted if extracted is not None else default
        count = count(complaint) if callable(count) else int(count)
        for _ in range(count):
            row_factory(complaint=complaint, **{**fixed, **kwargs})

    return hook


def explored(**parts_fixed) -> dict:
    """What leaving explore needs: a contact, the problem, the desired outcome, a part."""
    return {
        "underlying_problem": PROBLEM,
        "desired_outcome": DESIRED_OUTCOME,
        "contacts": factory.PostGeneration(add_rows(ContactMomentFactory, 1)),
        "parts": factory.PostGeneration(add_rows(ComplaintPartFactory, 1, **parts_fixed)),
    }


# Closed cases carry what the path to their closure reason needed.
EXPLORED_REASONS = (ClosureReason.RESOLVED, ClosureReason.JUDGED)


def if_reason(reasons, value, otherwise=""):
    reasons = reasons if isinstance(reasons, tuple) else (reasons,)
    return factory.LazyAttribute(lambda case: value if case.reason in reasons else otherwise)


def closed_parts(complaint, create, extracted, **kwargs):
    judged = complaint.closure_reason == ClosureReason.JUDGED
    default = 1 if complaint.closure_reason in EXPLORED_REASONS else 0
    fixed = {"judgment": Judgment.WELL_FOUNDED} if judged else {}
    add_rows(ComplaintPartFactory, default, **fixed)(complaint, create, extracted, **kwargs)


def blank_pdf() -> bytes:
    """A valid one-page PDF: what a factory letter stores (the real ones come from
    complaints.letters.pdf, which the letter tests use)."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class LetterFactory(factory.django.DjangoModelFactory):
    """A letter on a case, sent by e-mail by default (``status=LetterStatus.TO_POST`` for
    one printed and not yet posted, ``DRAFT`` for a draft), built as a row: fixed text, a
    PDF and the content hash over both."""

    class Meta:
        model = Letter

    complaint = factory.SubFactory("tests.factories.ComplaintFactory")
    kind = LetterKind.OUTCOME
    language = factory.LazyAttribute(lambda letter: letter.complaint.language)
    status = LetterStatus.SENT
    recipient_role = RecipientRole.COMPLAINANT
    recipient_name = factory.LazyAttribute(lambda letter: letter.complaint.complainant_name)
    recipient_email = factory.LazyAttribute(lambda letter: letter.complaint.complainant_email)
    recipient_address = "Dorpsstraat 1\n1234 AB Voorbeeld"
    subject = factory.LazyAttribute(lambda letter: f"Klacht {letter.complaint.reference}")
    sections = factory.LazyAttribute(
        lambda letter: [
            {"key": "opening", "heading": "", "text": f"Beste {letter.recipient_name},"}
        ]
    )
    letter_date = factory.LazyFunction(timezone.localdate)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        letter = model_class(*args, **kwargs)
        if letter.status != LetterStatus.DRAFT:
            pdf = blank_pdf()
            letter.body_text = f"{letter.subject}\n\n{letter.sections[0]['text']}\n"
            letter.pdf.save(f"{letter.kind}.pdf", ContentFile(pdf), save=False)
            letter.content_hash = Letter.hash_of(letter.body_text, pdf)
            letter.send_by = SendBy.EMAIL if letter.recipient_email else SendBy.POST
            if letter.status == LetterStatus.TO_POST:
                letter.send_by = SendBy.POST
            letter.finalised_at = timezone.now()
            if letter.status == LetterStatus.SENT:
                letter.sent_at = letter.finalised_at
        letter.save()
        # As the services do: the LETTER event through which the case page reads it.
        name = "drafted" if letter.status == LetterStatus.DRAFT else letter.status
        CaseEvent.record(
            letter.complaint, actor=None, kind=EventKind.LETTER, name=name, letter=letter
        )
        return letter


def letters_sent(complaint) -> list:
    """The letters a case's stage (or closure) needed, sent: the outcome letter to leave
    judge (Awb 9:12), the notice of not handling for a case closed so (Awb 9:8)."""
    if complaint.stage == Stage.JUDGE or complaint.closure_reason == ClosureReason.JUDGED:
        return [LetterKind.OUTCOME]
    if complaint.closure_reason == ClosureReason.NOT_HANDLED:
        return [LetterKind.NOT_HANDLED]
    return []


def add_letters(complaint, create, extracted, **kwargs):
    """``letters=[LetterKind.NOT_HANDLED, (LetterKind.POSTPONEMENT, LetterStatus.TO_POST)]``
    overrides the default of ``letters_sent``; ``letters=[]`` adds none."""
    if not create:
        return
    for item in letters_sent(complaint) if extracted is None else extracted:
        kind, status = item if isinstance(item, tuple) else (item, LetterStatus.SENT)
        LetterFactory(complaint=complaint, kind=kind, status=status, **kwargs)


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A valid rung-2 case, built as rows (not through complaint_register).

    One trait per stage; each case satisfies the guards to be in its stage and to leave it:
    ``ComplaintFactory()`` / ``intake=True``, ``explore=True``, ``resolve=True``, ``judge=True``,
    ``closed=True, reason=ClosureReason.JUDGED``. Related rows are counts:
    ``ComplaintFactory(explore=True, contacts=0, parts=2)``. A case in judge, or closed as
    judged, has its outcome letter sent; one closed as not handled its notice (``letters``,
    see ``add_letters``).
    """

    class Meta:
        model = Complaint
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"KL-2026-{50000 + n:05d}")
    stage = Stage.INTAKE
    rung = Rung.HANDLER
    channel = Channel.LETTER
    received_on = RECEIVED_ON
    is_written = True
    department = factory.SubFactory(DepartmentFactory)
    handler = factory.SubFactory(
        UserFactory, handler=True, department=factory.SelfAttribute("..department")
    )
    complainant_name = factory.Faker("name", locale="nl_NL")
    complainant_phone = "0612345678"
    conduct_description = factory.Faker("paragraph", locale="nl_NL")
    is_signed = True
    states_name = True
    states_address = True
    states_date = True
    states_conduct = True
    acknowledged_on = factory.LazyAttribute(lambda case: case.received_on + timedelta(days=2))
    decision_due = factory.LazyAttribute(case_decision_due)

    contacts = factory.PostGeneration(add_rows(ContactMomentFactory, 0))
    parts = factory.PostGeneration(add_rows(ComplaintPartFactory, 0))
    letters = factory.PostGeneration(add_letters)

    class Params:
        reason = ClosureReason.RESOLVED  # with closed=True
        intake = factory.Trait(stage=Stage.INTAKE)
        explore = factory.Trait(stage=Stage.EXPLORE, **explored())
        resolve = factory.Trait(
            stage=Stage.RESOLVE,
            **explored(),
            solution=SOLUTION,
            satisfaction_confirmed_on=factory.LazyAttribute(
                lambda case: case.received_on + timedelta(days=10)
            ),
            satisfaction_channel=Channel.PHONE,
            satisfaction_note="Klager bevestigde telefonisch dat het probleem is opgelost.",
        )
        judge = factory.Trait(
            stage=Stage.JUDGE,
            **explored(judgment=Judgment.WELL_FOUNDED),
            hearing_held_on=factory.LazyAttribute(lambda case: case.received_on + timedelta(18)),
            hearing_report=HEARING_REPORT,
        )
        closed = factory.Trait(
            stage=Stage.CLOSED,
            closure_reason=factory.SelfAttribute("reason"),
            closure_note="Afgerond.",
            closed_at=factory.LazyFunction(timezone.now),
            underlying_problem=if_reason(EXPLORED_REASONS, PROBLEM),
            desired_outcome=if_reason(EXPLORED_REASONS, DESIRED_OUTCOME),
            solution=if_reason(ClosureReason.RESOLVED, SOLUTION),
            satisfaction_confirmed_on=if_reason(
                ClosureReason.RESOLVED, RECEIVED_ON + timedelta(days=10), None
            ),
            satisfaction_channel=if_reason(ClosureReason.RESOLVED, Channel.PHONE),
            hearing_report=if_reason(ClosureReason.JUDGED, HEARING_REPORT),
            not_handled_ground=if_reason(
                ClosureReason.NOT_HANDLED, NotHandledGround.OLDER_THAN_A_YEAR
            ),
            forwarded_to=if_reason(ClosureReason.FORWARDED, "Belastingdienst"),
            contacts=factory.PostGeneration(
                add_rows(ContactMomentFactory, lambda c: int(c.closure_reason in EXPLORED_REASONS))
            ),
            parts=factory.PostGeneration(closed_parts),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # ``stage`` is a protected FSM field: it may be given to the constructor, but a
        # later assignment raises. Rows are built directly, never through the services.
        stage = kwargs.pop("stage", Stage.INTAKE)
        complaint = model_class(*args, stage=stage, **kwargs)
        complaint.save(force_insert=True)
        return complaint
