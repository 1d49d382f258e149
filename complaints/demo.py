"""Demo complaint cases for `manage.py seed_demo` (`make run`).

About 25 cases over several departments, received in the last ten weeks, in every stage and
with every closure reason. Each case is made through the real services, step by step as a
handler would, so its timeline is complete and every guard held when it moved. Dates are
relative to today: the worklist always shows some cases overdue, some due this week and
some later. Idempotent: when demo cases exist (a complainant e-mail address at
``DEMO_DOMAIN``) nothing is added.

Timeline rows carry the moment they were written (the run of this command), like every
event: only the dates that a handler types (receipt, contacts, satisfaction, hearing) lie
in the past.

Deadlines and the outbox (DOMAIN.md section 5): every written complaint's acknowledgement is
an outbox row written at registration; the demo sends it on the day of receipt, except one
that failed six times (the mail server was down), which the coordinator's "Outgoing messages"
page offers for a retry. One case is postponed (Awb 9:11 lid 2), one extended with written
consent (lid 3), one goes to the advisory committee (9:13), one has a 9:8 ground recorded and
its notice due, and the reminder sweep writes today's reminders. The demo never mails anyone:
its addresses are made up, so its own messages go to Django's dummy backend (and the failed
one to ``MailServerDown``); what a person does afterwards in ``make run`` uses the configured
backend (the console in development).

The ladder (DOMAIN.md section 2): six rung-1 quick logs by the demo employee (three closed on
the spot, three open, one of them past the rung-1 service norm), two logs handed over to a
complaint handler (one still open at rung 2, one closed since), and one closed rung-2 case that
the Nationale ombudsman took up (rung 3), with an information request due in a few days, a
report with a judgment on two norms and a recommendation owned by the demo coordinator. The
quick log always records today, and our closure of a case is the moment of the move: for
these cases the demo moves the log's dates, and the closure of the case the ombudsman took
up, back to the day they stand for (as it moves the acknowledgement rows to the day of
receipt), so the ladder metrics show real durations.
"""

import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import DEMO_STAFF
from accounts.models import Department, User
from accounts.roles import Role

from . import services
from .models import (
    WRITTEN_CHANNELS,
    Channel,
    Complaint,
    ContactPreference,
    HearingWaiver,
    Judgment,
    Language,
    LetterKind,
    Norm,
    NotHandledGround,
    Ombudsman,
    OmbudsmanOutcome,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    PartyRole,
    Stage,
    Theme,
)
from .services.deadlines import DUE_FIELDS, due_dates_compute
from .services.ladder import complaint_escalate, rung1_log
from .services.letters import letter_draft, letter_send, letter_update
from .services.ombudsman import (
    information_request_add,
    ombudsman_finding_set,
    ombudsman_outcome_record,
    ombudsman_phase_start,
    recommendation_add,
)
from .services.ombudsman_reminders import ombudsman_reminder_sweep
from .services.outbox import MAX_ATTEMPTS, outbox_send
from .services.reminders import reminder_sweep

DEMO_DOMAIN = "demo.example.nl"
NATIONAL_OMBUDSMAN = "Nationale ombudsman"  # as migration 0009 seeds it

# Theme names as the migration seeds them (Theme.name_nl).
ATTITUDE = "Bejegening"
INFORMATION = "Communicatie en informatie"
WAITING = "Wachttijd en termijnen"
REACH = "Bereikbaarheid"
MONEY = "Financiën en betalingen"
PROCEDURE = "Procedure en besluitvorming"
PUBLIC_SPACE = "Openbare ruimte"

WELL_FOUNDED, UNFOUNDED = Judgment.WELL_FOUNDED, Judgment.UNFOUNDED
# Where the demo's own messages go (see the module docstring): nowhere, or a refusing server.
DELIVERED = "django.core.mail.backends.dummy.EmailBackend"
SERVER_DOWN = "complaints.demo.MailServerDown"
EMPLOYEE = "<the demo employee>"  # a party name: the demo employee's account is linked


@dataclass(frozen=True)
class Contact:
    day: int  # days after receipt
    summary: str
    channel: str = Channel.PHONE
    with_whom: str = ""  # empty: the complainant


@dataclass(frozen=True)
class Part:
    description: str
    judgment: str = ""
    reasoning: str = ""
    norms: tuple[int, ...] = ()  # numbers of the norms of proper conduct


@dataclass(frozen=True)
class Rung1:
    """The case began as a rung-1 quick log by the demo employee (DOMAIN.md section 2)."""

    solution: str  # how the employee resolved it, or what they did so far
    satisfied: bool = False  # the citizen was satisfied: closed on the spot
    # Handed over to a complaint handler (rung 2) on the case's day of receipt, this many days
    # after the log, by the case's handler (the coordinator if none), for this reason; "": it
    # stays at rung 1.
    escalation: str = ""
    days_at_rung1: int = 0
    written: bool = False  # the formal complaint came in writing (Awb 9:4, 9:6)


@dataclass(frozen=True)
class Referral:
    """Rung 3: the Nationale ombudsman took up the case after our closure."""

    closed_after: int  # we closed the case this many days after receipt
    reference: str  # the ombudsman's
    taken_up_days_ago: int
    outcome_days_ago: int  # a report with a judgment per norm
    summary: str
    findings: tuple[tuple[int, str, str], ...]  # (norm number, judgment, note)
    recommendation: str  # owned by the demo coordinator
    recommendation_due_in: int
    request: str  # an information request, not answered yet
    request_days_ago: int
    request_due_in: int


@dataclass(frozen=True)
class DemoCase:
    # Received this many days before today; for a rung-1 log: logged; for a log handed to a
    # complaint handler: the day of the formal complaint.
    days_ago: int
    department: str  # department code (accounts.demo.DEPARTMENTS)
    channel: str
    name: str
    conduct: str
    themes: tuple[str, ...]
    path: tuple[str, ...] = ()  # the moves, in order (complaints.moves.MOVES)
    handler: str = ""  # "handler" (the demo handler), "coordinator", or "" (unassigned)
    # Written complaints (Awb 9:6): the acknowledgement e-mail went out on the day of receipt;
    # False: it failed (the mail server was down) and waits for a coordinator's retry.
    acknowledged: bool = True
    language: str = Language.DUTCH
    phone: str = ""
    address: str = ""
    needs: str = ""
    desired: str = ""  # known at registration
    conduct_days_before: int = 3
    place: str = ""
    parties: tuple[dict, ...] = ()
    # Exploring: recorded once the case leaves intake (or before it closes from intake).
    contacts: tuple[Contact, ...] = ()
    problem: str = ""
    desired_later: str = ""  # found out while exploring
    parts: tuple[Part, ...] = ()
    # Resolving (after seek_solution).
    solution: str = ""
    satisfied: str = ""  # the note of the confirmed satisfaction; empty: not confirmed yet
    # Judging (after start_judging or solution_failed): judgments of the parts, and the hearing.
    hearing_in_days: int | None = None  # planned, from today
    hearing_report: str = ""
    hearing_parties: str = ""
    hearing_waiver: str = ""
    # Screening.
    ground: str = ""
    forwarded_to: str = ""
    move_notes: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # added last
    # Deadlines (DOMAIN.md section 5), applied last, today.
    committee: bool = False  # an advisory committee hears it (Awb 9:13): 10 weeks
    postpone_reason: str = ""  # postponed once (Awb 9:11 lid 2)
    postpone_weeks: int = 4
    extend_days: int | None = None  # extended to today + this many days (Awb 9:11 lid 3) ...
    consent_days_ago: int = 0  # ... with the written consent given this many days ago
    consent: str = ""
    # The ladder (DOMAIN.md section 2).
    rung1: Rung1 | None = None  # began as a quick log
    referral: Referral | None = None  # taken up by the ombudsman after our closure

    @property
    def first_day_ago(self) -> int:
        """How long ago the case first came in (at rung 1, for an escalated log)."""
        return self.days_ago + (self.rung1.days_at_rung1 if self.rung1 else 0)


# The cases: a few facts a line, read like a table (so the formatter leaves them be).
# fmt: off
CASES: tuple[DemoCase, ...] = (
    # --- Burgerzaken: the demo handler's department --------------------------------------
    DemoCase(
        days_ago=1, department="bz", channel=Channel.WEB_FORM, name="Noor van Dijk",
        phone="06 18 27 36 45",
        conduct="Ik probeer al drie weken online een afspraak te maken voor een nieuw paspoort, "
        "maar er is geen enkele plek vrij. Mijn paspoort verloopt over een maand en we gaan "
        "in de meivakantie naar Marokko.",
        desired="Een afspraak binnen twee weken.",
        themes=(WAITING, REACH),
    ),
    DemoCase(
        days_ago=3, department="bz", channel=Channel.EMAIL, name="Liam O'Connor",
        language=Language.ENGLISH,
        conduct="I registered my new address at the town hall six weeks ago and I still have "
        "not received a confirmation of my registration. Without it my employer cannot pay "
        "my salary.",
        desired="Confirmation of my registration this week.",
        themes=(WAITING, INFORMATION),
    ),
    DemoCase(
        days_ago=6, department="bz", channel=Channel.LETTER, name="Henk Verbeek",
        address="Kerkstraat 12\n3511 AB Utrecht", handler="handler", acknowledged=False,
        conduct="Toen ik mijn rijbewijs kwam ophalen en vroeg of het wat sneller kon, lachte "
        "de medewerker aan balie 4 mij uit. Ze zei dat ik 'maar een andere gemeente moest "
        "zoeken'. Er stonden mensen achter mij die alles hoorden.",
        desired="Excuses van de medewerker.",
        place="Stadskantoor, balie 4",
        parties=({"role": PartyRole.COMPLAINED_ABOUT, "name": "Baliemedewerker balie 4"},),
        themes=(ATTITUDE,),
    ),
    DemoCase(
        days_ago=0, department="bz", channel=Channel.PHONE, name="Sanne Kok",
        phone="06 44 55 66 77", handler="handler",
        conduct="Belt boos: haar verhuizing is na vier weken nog steeds niet verwerkt in de "
        "basisregistratie. Daardoor krijgt ze geen parkeervergunning voor haar nieuwe adres.",
        desired="Dat de verhuizing deze week verwerkt wordt.",
        themes=(WAITING,),
    ),
    DemoCase(
        days_ago=18, department="bz", channel=Channel.WEB_FORM, name="Mohamed Bouzid",
        phone="06 12 00 34 56", handler="handler",
        conduct="Ik heb een uittreksel uit de BRP besteld voor mijn hypotheek. Het kwam na "
        "twee weken, en met mijn oude adres erop. Nu ligt mijn hypotheekaanvraag stil.",
        path=("start_exploring",),
        contacts=(
            Contact(2, "Klager gebeld. De hypotheekadviseur wil uiterlijk vrijdag een juist "
                    "uittreksel; klager vraagt zich af waarom het oude adres erop stond."),
        ),
        problem="De hypotheek loopt vertraging op doordat het uittreksel te laat kwam en niet "
        "klopte.",
        desired_later="Vandaag nog een juist uittreksel, en uitleg hoe dit kon gebeuren.",
        themes=(WAITING, INFORMATION),
    ),
    DemoCase(
        days_ago=47, department="bz", channel=Channel.EMAIL, name="Ingrid Smits-de Graaf",
        phone="030 234 56 78", handler="handler",
        conduct="Mijn achternaam staat verkeerd gespeld op mijn nieuwe identiteitskaart "
        "(Smits-de Graaff). Ik moest twee keer terugkomen en nu moet ik de nieuwe kaart ook "
        "nog zelf betalen.",
        desired="Een nieuwe kaart zonder kosten.",
        path=("start_exploring",),
        contacts=(
            Contact(4, "Klager gebeld. Zij is vooral boos dat zij moet betalen voor een fout "
                    "die zij niet heeft gemaakt."),
        ),
        problem="De fout zit in de aanvraag; klager wordt gevraagd voor iets te betalen wat "
        "de gemeente fout deed.",
        parts=(
            Part("De naam op de identiteitskaart is verkeerd gespeld."),
            Part("Klager moet de nieuwe identiteitskaart zelf betalen."),
        ),
        notes=("Leverancier gevraagd of de fout in de aanvraag of bij de productie zit.",),
        extend_days=21, consent_days_ago=2,
        consent="Klager stemt per e-mail in met een later besluit: de leverancier zoekt eerst "
        "uit of de fout in de aanvraag of bij de productie zat.",
        themes=(MONEY, PROCEDURE),
    ),
    DemoCase(
        days_ago=39, department="bz", channel=Channel.WEB_FORM, name="Peter de Jong",
        phone="06 98 76 54 32", handler="handler",
        conduct="Ik heb drie keer drie kwartier in de wacht gestaan bij 14 030 om een afspraak "
        "voor een uittreksel te maken. De laatste keer werd de verbinding gewoon verbroken.",
        desired="Een afspraak, en dat ik niet opnieuw hoef te wachten.",
        path=("start_exploring", "seek_solution"),
        contacts=(
            Contact(1, "Klager gebeld en excuses gemaakt voor de wachttijd. Klager wil vooral "
                    "snel een afspraak."),
        ),
        problem="Klager heeft het uittreksel nodig voor een sollicitatie en kon niemand "
        "bereiken.",
        parts=(
            Part("De wachttijd aan de telefoon was te lang."),
            Part("Het gesprek werd verbroken zonder aanbod om terug te bellen."),
        ),
        solution="Afspraak direct ingepland via de teamleider; terugbelverzoek vastgelegd zodat "
        "klager niet opnieuw in de wacht hoeft.",
        themes=(REACH, WAITING),
    ),
    DemoCase(
        days_ago=29, department="bz", channel=Channel.LETTER, name="Fatma Yildiz",
        address="Lindelaan 8\n3552 GK Utrecht", phone="06 31 31 31 31", handler="handler",
        conduct="Bij de aanvraag van een paspoort voor mijn dochter sprak de medewerker mij toe "
        "alsof ik niets begreep. Hij weigerde de aanvraag zonder te zeggen waarom.",
        desired="Excuses, en een uitleg waarom de aanvraag werd geweigerd.",
        conduct_days_before=5,
        parties=(
            {"role": PartyRole.REPRESENTATIVE, "name": "mr. A. Verhoef (Juridisch Loket)",
             "email": f"a.verhoef@{DEMO_DOMAIN}", "phone": "0900 8020"},
            {"role": PartyRole.COMPLAINED_ABOUT, "name": "R. Mulder (baliemedewerker)"},
        ),
        path=("start_exploring", "start_judging"),
        contacts=(
            Contact(3, "Gesprek met de gemachtigde. Klager wil geen oplossing maar een oordeel: "
                    "zij voelde zich vernederd.", with_whom="mr. A. Verhoef"),
            Contact(6, "R. Mulder geïnformeerd over de klacht en een kopie gestuurd (Awb 9:9).",
                    channel=Channel.EMAIL, with_whom="R. Mulder"),
        ),
        problem="Klager voelde zich niet serieus genomen en weet nog steeds niet waarom de "
        "aanvraag niet doorging.",
        parts=(
            Part("De medewerker was onbeleefd en neerbuigend.", WELL_FOUNDED,
                 "De collega aan de naastgelegen balie bevestigt de toon van het gesprek.",
                 (7, 22)),
            Part("De aanvraag werd geweigerd zonder uitleg."),
        ),
        hearing_in_days=3,
        postpone_reason="De hoorzitting is pas over drie dagen, en daarna moet ook de "
        "collega van de naastgelegen balie nog gehoord worden.",
        themes=(ATTITUDE, INFORMATION),
    ),
    DemoCase(
        days_ago=66, department="bz", channel=Channel.EMAIL, name="Kees Brouwer",
        phone="06 22 33 44 55", handler="handler",
        conduct="Onze trouwdatum is door de gemeente verzet zonder overleg. De locatie en het "
        "diner waren al betaald.",
        desired="De oorspronkelijke datum, of een vergoeding van de kosten.",
        path=("start_exploring", "seek_solution", "solution_failed"),
        contacts=(
            Contact(2, "Klager gebeld. De trouwambtenaar was die dag dubbel geboekt."),
            Contact(12, "Alternatieve datum aangeboden; klager wijst die af."),
        ),
        problem="Het stel had alles rond de datum geregeld; de nieuwe datum kost hen geld.",
        parts=(
            Part("De trouwdatum is zonder overleg verzet.", WELL_FOUNDED,
                 "De dubbele boeking had voorkomen kunnen worden; er is niet gebeld.", (14, 21)),
            Part("De gemeente vergoedt de kosten van de locatie niet."),
        ),
        solution="Een alternatieve datum op een zaterdag, zonder extra leges.",
        move_notes={"solution_failed": "Klager wil geen andere datum, maar een oordeel en een "
                    "vergoeding."},
        hearing_report="Klager en de teamleider Burgerzaken gehoord. Klager: de datum stond al "
        "een half jaar vast. Teamleider: door een fout in de planning was de trouwambtenaar "
        "dubbel geboekt.",
        hearing_parties="Klager, de teamleider Burgerzaken",
        themes=(PROCEDURE, MONEY),
    ),
    DemoCase(
        days_ago=58, department="bz", channel=Channel.WEB_FORM, name="Anja Hendriks",
        phone="06 55 44 33 22", handler="handler",
        conduct="Mijn afspraak bij Burgerzaken werd een dag van tevoren per sms afgezegd. Ik had "
        "er een dag vrij voor genomen.",
        desired="Een nieuwe afspraak op korte termijn.",
        path=("start_exploring", "seek_solution", "close_resolved"),
        contacts=(
            Contact(2, "Klager gebeld; excuses gemaakt. Nieuwe afspraak besproken."),
            Contact(9, "Klager na de afspraak gebeld: zij is tevreden."),
        ),
        problem="Klager verloor een vrije dag door een afzegging op het laatste moment.",
        parts=(Part("De afspraak werd op het laatste moment per sms afgezegd."),),
        solution="Nieuwe afspraak op een tijd die klager uitkwam, met excuses. Het afzeggen per "
        "sms wordt in het teamoverleg besproken.",
        satisfied="Klager gaf telefonisch aan tevreden te zijn met de nieuwe afspraak en de "
        "excuses.",
        move_notes={"close_resolved": "Naar tevredenheid opgelost; bevestigd in een e-mail."},
        themes=(INFORMATION,),
    ),
    DemoCase(
        days_ago=69, department="bz", channel=Channel.LETTER, name="Willem Jacobs",
        address="Molenweg 3\n3541 CD Utrecht", phone="030 765 43 21", handler="handler",
        conduct="Aan de balie weigerde men een uittreksel voor mijn vader mee te geven, terwijl "
        "ik een machtiging had. Ik moest een week later terugkomen. De medewerker verwees mij "
        "kortaf naar de website.",
        desired="Dat de gemeente erkent dat dit fout ging.",
        path=("start_exploring", "start_judging", "close_judged"),
        contacts=(Contact(3, "Klager gebeld; hij wil een oordeel over beide punten."),),
        problem="Klager moest onnodig twee keer komen en voelde zich afgescheept.",
        parts=(
            Part("De machtiging is ten onrechte geweigerd.", WELL_FOUNDED,
                 "De machtiging voldeed aan de eisen; de medewerker had het uittreksel mogen "
                 "meegeven.", (17, 22)),
            Part("De medewerker verwees kortaf naar de website.", UNFOUNDED,
                 "Uit het horen van beide kanten blijkt dat de medewerker correct verwees; de "
                 "toon is achteraf niet vast te stellen.", (7,)),
        ),
        hearing_report="Klager en de betrokken medewerker afzonderlijk gehoord. Klager herhaalt "
        "zijn klacht. De medewerker twijfelde aan de handtekening op de machtiging.",
        hearing_parties="Klager, de betrokken baliemedewerker",
        move_notes={"close_judged": "Uitkomstbrief verzonden: deels gegrond."},
        themes=(PROCEDURE, ATTITUDE),
    ),
    DemoCase(
        days_ago=24, department="bz", channel=Channel.EMAIL, name="Yvonne Maas",
        phone="06 10 20 30 40", handler="handler",
        conduct="Mijn rijbewijs ligt al twee weken klaar, maar ik heb geen bericht gekregen. "
        "Ik hoorde het pas toen ik zelf belde.",
        desired="Dat ik voortaan bericht krijg.",
        path=("start_exploring", "withdraw"),
        contacts=(Contact(3, "Klager heeft het rijbewijs opgehaald en trekt de klacht in."),),
        move_notes={"withdraw": "Telefonisch ingetrokken: het rijbewijs is opgehaald en "
                    "klager is tevreden."},
        themes=(INFORMATION,),
    ),
    DemoCase(
        days_ago=52, department="bz", channel=Channel.WEB_FORM, name="Ruud Vermeulen",
        phone="06 77 88 99 00", handler="handler",
        conduct="Na onze verhuizing staat mijn zoon nog op ons oude adres ingeschreven. Hij "
        "krijgt daardoor post en aanslagen op het verkeerde adres.",
        desired="Dat mijn zoon op het juiste adres wordt ingeschreven.",
        path=("start_exploring", "seek_solution", "close_resolved", "reopen"),
        contacts=(Contact(2, "Klager gebeld; de verhuizing van de zoon was niet meegenomen."),),
        problem="De verhuizing is voor het gezin verwerkt, maar niet voor de meerderjarige zoon.",
        parts=(Part("De verhuizing van de zoon is niet verwerkt."),),
        solution="Het adres van de zoon is in de basisregistratie gecorrigeerd.",
        satisfied="Klager bevestigde per e-mail dat het adres nu klopt.",
        move_notes={
            "reopen": "Klager meldt dat de Belastingdienst nog steeds het oude adres gebruikt: "
            "niet opgelost.",
        },
        notes=("Nagaan of de correctie is doorgegeven aan de afnemers van de BRP.",),
        themes=(PROCEDURE,),
    ),
    # --- Belastingen ----------------------------------------------------------------------
    DemoCase(
        days_ago=2, department="bel", channel=Channel.WEB_FORM, name="Marieke Dekker",
        phone="06 13 57 91 13",
        conduct="De WOZ-waarde van mijn woning is dit jaar met 30% gestegen, terwijl die van "
        "mijn buren gelijk bleef. Niemand kan mij uitleggen waarom.",
        desired="Een uitleg, en een lagere aanslag.",
        themes=(MONEY, INFORMATION),
    ),
    DemoCase(
        days_ago=33, department="bel", channel=Channel.LETTER, name="Gerrit Post",
        address="Dorpsstraat 41\n3732 HJ De Bilt", handler="coordinator",
        conduct="De aanslag afvalstoffenheffing is berekend voor een meerpersoonshuishouden, "
        "terwijl ik alleen woon. De aanslag moet omlaag.",
        desired="Een verlaagde aanslag.",
        path=("close_not_handled",),
        contacts=(Contact(4, "Klager gebeld en uitgelegd dat bezwaar de weg is om de aanslag "
                          "te laten verlagen; zijn brief is als bezwaarschrift doorgezet."),),
        ground=NotHandledGround.OBJECTION_POSSIBLE,
        move_notes={"close_not_handled": "Brief verzonden (Awb 9:8 lid 1 c), met de "
                    "mogelijkheid om naar de Nationale ombudsman te gaan."},
        themes=(MONEY,),
    ),
    DemoCase(
        days_ago=14, department="bel", channel=Channel.EMAIL, name="Rachid El Idrissi",
        phone="06 24 68 02 46", handler="coordinator",
        conduct="Mijn verzoek om kwijtschelding van de gemeentelijke belastingen is afgewezen. "
        "In de brief staat alleen een code; ik begrijp niet waarom.",
        desired="Een begrijpelijke uitleg.",
        path=("start_exploring",),
        contacts=(Contact(2, "Klager gebeld. De afwijzing is gebaseerd op spaargeld dat er "
                          "volgens klager niet meer is."),),
        problem="Klager weet niet wat hij moet doen om alsnog kwijtschelding te krijgen.",
        parts=(Part("De afwijzing bevat geen begrijpelijke uitleg."),),
        themes=(INFORMATION, MONEY),
    ),
    DemoCase(
        days_ago=64, department="bel", channel=Channel.WEB_FORM, name="Hanneke Vos",
        phone="06 35 79 13 57", handler="coordinator",
        conduct="Mijn hondenbelasting is twee keer van mijn rekening afgeschreven, en het "
        "terugbetalen duurde ruim twee maanden.",
        desired="Erkenning dat dit te lang duurde.",
        path=("start_exploring", "start_judging", "close_judged"),
        contacts=(Contact(2, "Klager gebeld. Het geld is inmiddels terug; zij wil een "
                          "oordeel en ziet af van een hoorzitting."),),
        problem="Klager kwam door de dubbele afschrijving in de rood.",
        parts=(
            Part("Het bedrag is twee keer afgeschreven.", WELL_FOUNDED,
                 "Een fout in de incassobatch; inmiddels hersteld.", (21,)),
            Part("De terugbetaling duurde te lang.", WELL_FOUNDED,
                 "Terugbetaling hoort binnen twee weken.", (14,)),
        ),
        hearing_waiver=HearingWaiver.WAIVED,
        move_notes={"close_judged": "Uitkomstbrief verzonden: gegrond."},
        themes=(MONEY,),
    ),
    # --- Openbare Ruimte ------------------------------------------------------------------
    DemoCase(
        days_ago=0, department="or", channel=Channel.PHONE, name="Jeroen Smit",
        phone="06 46 80 24 68",
        conduct="Het grofvuil dat voor vanochtend was aangemeld, is niet opgehaald. Het staat "
        "nu op de stoep en de buren klagen.",
        desired="Dat het vandaag nog wordt opgehaald.",
        themes=(PUBLIC_SPACE,),
    ),
    DemoCase(
        days_ago=11, department="or", channel=Channel.PHONE, name="Bep Willems",
        phone="030 111 22 33", handler="coordinator",
        needs="Slechthorend: bel op de vaste lijn en spreek rustig.",
        conduct="Mijn grofvuil (een bank en een matras) is al twee keer niet opgehaald op de "
        "afgesproken dag. Ik ben 82 en kan het niet zelf wegbrengen.",
        desired="Dat het grofvuil wordt opgehaald.",
        path=("start_exploring", "seek_solution"),
        contacts=(
            Contact(1, "Klager gebeld; de route was twee keer te vroeg gesloten."),
            Contact(4, "Klager gebeld na de extra ophaalronde: alles is weg."),
        ),
        problem="Klager kan het grofvuil niet zelf wegbrengen en voelt zich vergeten.",
        parts=(Part("Het grofvuil is twee keer niet opgehaald."),),
        solution="Extra ophaalronde ingepland; de chauffeur belde vooraf aan.",
        satisfied="Klager bevestigde telefonisch dat het grofvuil is opgehaald.",
        themes=(PUBLIC_SPACE,),
    ),
    DemoCase(
        days_ago=44, department="or", channel=Channel.WEB_FORM, name="Daan Mulder",
        phone="06 57 91 35 79", handler="coordinator",
        conduct="Ik heb een kapotte lantaarnpaal vier keer gemeld in de app. Elke melding wordt "
        "'afgehandeld' zonder dat er iets gebeurt. Het steegje is aardedonker.",
        desired="Licht in het steegje.",
        place="Steegje achter de Brouwerstraat",
        path=("start_exploring", "seek_solution", "close_resolved"),
        contacts=(Contact(2, "Klager gebeld. De meldingen werden gesloten zonder controle."),),
        problem="Klager voelt zich onveilig en heeft het vertrouwen in de meldingen-app verloren.",
        parts=(Part("De meldingen werden gesloten zonder dat de lamp gerepareerd was."),),
        solution="De lantaarnpaal is gerepareerd; meldingen worden voortaan pas gesloten na "
        "controle ter plaatse.",
        satisfied="Klager bevestigde per e-mail dat de lamp het weer doet.",
        themes=(PUBLIC_SPACE, PROCEDURE),
    ),
    DemoCase(
        days_ago=19, department="or", channel=Channel.EMAIL, name="Els van Leeuwen",
        handler="coordinator",
        conduct="Sinds de geluidsschermen langs de A12 zijn weggehaald, is het geluid in onze "
        "wijk niet te harden.",
        desired="Dat de schermen terugkomen.",
        forwarded_to="Rijkswaterstaat",
        path=("close_forwarded",),
        move_notes={"close_forwarded": "Doorgezonden naar Rijkswaterstaat (Awb 2:3); klager "
                    "tegelijk per e-mail geïnformeerd."},
        themes=(PUBLIC_SPACE,),
    ),
    # --- Sociaal Domein, Werk en Inkomen, Jeugd en Gezin, Klantcontactcentrum ---------------
    DemoCase(
        days_ago=37, department="wi", channel=Channel.LETTER, name="Sevda Aksoy",
        address="Marnixlaan 77\n3552 HB Utrecht", phone="06 68 02 46 80", handler="coordinator",
        conduct="Mijn bijstandsuitkering is deze maand tien dagen te laat betaald. Ik kreeg "
        "daardoor een aanmaning van mijn energieleverancier, en niemand belde mij terug.",
        desired="Vergoeding van de aanmaningskosten.",
        path=("start_exploring", "start_judging"),
        contacts=(Contact(3, "Klager gebeld; de betaling bleef hangen in een controle."),),
        problem="Klager heeft geen buffer; een late betaling zet meteen rekeningen onder druk.",
        parts=(
            Part("De uitkering is te laat betaald.", WELL_FOUNDED,
                 "De controle had na twee dagen afgerond moeten zijn.", (14, 21)),
            Part("Klager is niet teruggebeld."),
        ),
        hearing_in_days=2,
        committee=True,
        themes=(MONEY, REACH),
    ),
    DemoCase(
        days_ago=30, department="wi", channel=Channel.EMAIL, name="Tom Hermans",
        phone="06 79 13 57 91", handler="coordinator",
        conduct="Ik ben het niet eens met de terugvordering van mijn bijstand. Mijn advocaat heeft "
        "beroep ingesteld, maar ik wil ook dat de gemeente de terugvordering stopt.",
        desired="Stopzetten van de terugvordering.",
        path=("start_exploring", "close_not_handled"),
        contacts=(Contact(2, "Klager gebeld; de beroepszaak loopt bij de rechtbank."),),
        ground=NotHandledGround.APPEAL_POSSIBLE,
        move_notes={"close_not_handled": "Brief verzonden (Awb 9:8 lid 1 d): de rechter oordeelt "
                    "over de terugvordering."},
        themes=(MONEY, PROCEDURE),
    ),
    DemoCase(
        days_ago=9, department="jeugd", channel=Channel.PHONE, name="Linda Bos",
        phone="06 80 24 68 02", handler="coordinator",
        conduct="Mijn zoon staat al vijf maanden op de wachtlijst voor jeugdhulp. Ik bel elke "
        "week en word steeds doorverbonden; niemand weet iets.",
        desired="Een datum waarop de hulp begint.",
        parties=({"role": PartyRole.AFFECTED, "name": "Sem Bos (zoon, 14 jaar)"},),
        path=("start_exploring",),
        contacts=(Contact(1, "Klager gebeld; zij wil vooral één vast aanspreekpunt."),),
        problem="Het gezin zit vast zonder hulp en zonder zicht op een begindatum.",
        themes=(WAITING, REACH),
    ),
    DemoCase(
        days_ago=8, department="kcc", channel=Channel.WEB_FORM, name="Bram de Wit",
        phone="06 91 35 79 13", handler="coordinator",
        conduct="Het klantcontactcentrum zou mij binnen twee werkdagen terugbellen. Na een week "
        "heb ik nog niets gehoord.",
        desired="Antwoord op mijn vraag over de parkeervergunning.",
        parties=({"role": PartyRole.COMPLAINED_ABOUT, "name": EMPLOYEE},),
        path=("withdraw",),
        contacts=(Contact(1, "Klager gebeld en zijn vraag alsnog beantwoord."),),
        move_notes={"withdraw": "Ingetrokken tijdens het terugbelgesprek."},
        themes=(REACH,),
    ),
    DemoCase(
        days_ago=29, department="sd", channel=Channel.LETTER, name="Joke Kuipers",
        address="Populierenlaan 5\n3571 ZS Utrecht", handler="coordinator",
        conduct="In 2024 zei een medewerker van het Wmo-loket aan de telefoon dat ik geen recht "
        "had op huishoudelijke hulp, zonder dat iemand bij mij thuis is geweest.",
        desired="Excuses, en alsnog een keukentafelgesprek.",
        conduct_days_before=500,
        path=("start_exploring",),
        contacts=(Contact(3, "Klager gebeld. Het gesprek was ruim een jaar geleden; zij heeft "
                          "inmiddels een nieuwe aanvraag gedaan, die loopt."),),
        ground=NotHandledGround.OLDER_THAN_A_YEAR,
        notes=("Brief over het niet behandelen (Awb 9:8 lid 1 b) nog versturen, met de "
               "verwijzing naar de nieuwe aanvraag.",),
        themes=(PROCEDURE, REACH),
    ),
    DemoCase(
        days_ago=5, department="sd", channel=Channel.WEB_FORM, name="Wim van den Berg",
        phone="030 987 65 43", handler="coordinator",
        conduct="Mijn Wmo-aanvraag voor een traplift loopt al veertien weken. Ik kan mijn "
        "slaapkamer niet meer bereiken en slaap in de woonkamer.",
        desired="Een besluit over de traplift.",
        themes=(WAITING, PROCEDURE),
    ),
    # --- The ladder: rung-1 quick logs by the demo employee (Klantcontactcentrum) --------
    DemoCase(
        days_ago=6, department="bz", channel=Channel.COUNTER, name="Gerda Huisman",
        conduct="Boos aan de balie: haar afspraak voor een nieuw paspoort stond niet in het "
        "systeem, terwijl zij de bevestiging op haar telefoon had.",
        rung1=Rung1("Direct een medewerker vrijgemaakt; de aanvraag is alsnog gedaan en "
                    "excuses gemaakt.", satisfied=True),
        themes=(WAITING,),
    ),
    DemoCase(
        days_ago=3, department="kcc", channel=Channel.PHONE, name="Ahmed Benali",
        phone="06 23 45 67 89",
        conduct="Belt voor de derde keer over zijn parkeervergunning en wordt steeds "
        "doorverbonden zonder antwoord.",
        rung1=Rung1("Zijn vraag zelf uitgezocht bij Vergunningen en meteen beantwoord.",
                    satisfied=True),
        themes=(REACH,),
    ),
    DemoCase(
        days_ago=20, department="or", channel=Channel.PHONE, name="Karin Smit",
        phone="06 34 56 78 90",
        conduct="De glasbak in haar straat is al een week vol; er staan flessen naast.",
        rung1=Rung1("Extra lediging ingepland voor dezelfde dag; klaagster gebeld dat het "
                    "geregeld is.", satisfied=True),
        themes=(PUBLIC_SPACE,),
    ),
    DemoCase(
        days_ago=0, department="bel", channel=Channel.PHONE, name="Frank Dijkstra",
        phone="06 45 67 89 01",
        conduct="Begrijpt de aanmaning voor de rioolheffing niet: hij heeft volgens zijn "
        "bankafschrift op tijd betaald.",
        rung1=Rung1("Betaling nagezocht, nog niet gevonden. Belastingen belt hem terug zodra "
                    "het duidelijk is."),
        themes=(MONEY,),
    ),
    DemoCase(
        days_ago=12, department="kcc", channel=Channel.SOCIAL, name="Lisa Hoekstra",
        conduct="Schrijft op Facebook dat zij al twee weken geen antwoord krijgt op haar vraag "
        "over een nieuwe afvalpas.",
        rung1=Rung1("Vraag doorgezet naar Afval; klant een bericht gestuurd dat zij wordt "
                    "teruggebeld."),
        themes=(REACH, INFORMATION),
    ),
    DemoCase(
        days_ago=1, department="sd", channel=Channel.COUNTER, name="Johan Veenstra",
        conduct="Wacht al drie weken op het terugbelverzoek over zijn Wmo-aanvraag.",
        rung1=Rung1("Consulent gevraagd hem vandaag te bellen."),
        themes=(WAITING,),
    ),
    # --- The ladder: handed over to a complaint handler (rung 2) --------------------------
    DemoCase(
        days_ago=8, department="bz", channel=Channel.PHONE, name="Petra Schouten",
        phone="06 56 78 90 12", handler="handler",
        conduct="Haar aanvraag voor een gehandicaptenparkeerkaart is kwijtgeraakt; zij moest "
        "alle stukken opnieuw aanleveren.",
        rung1=Rung1("Excuses gemaakt en de aanvraag opnieuw ingeschoten.", days_at_rung1=1,
                    escalation="Klaagster wil dat een klachtbehandelaar uitzoekt hoe de "
                    "aanvraag kwijt kon raken."),
        path=("start_exploring",),
        contacts=(Contact(1, "Klaagster gebeld. Zij wil weten hoe dit kon gebeuren en zeker "
                          "weten dat het niet nog eens gebeurt."),),
        problem="Klaagster is afhankelijk van de kaart en verloor weken door het kwijtraken.",
        desired_later="Uitleg, en de kaart binnen twee weken.",
        themes=(PROCEDURE, WAITING),
    ),
    DemoCase(
        days_ago=30, department="kcc", channel=Channel.PHONE, name="Sandra Visser",
        phone="06 67 89 01 23", handler="coordinator",
        conduct="Kreeg een boete voor afval dat op de verkeerde dag was buitengezet, terwijl de "
        "afvalkalender in de app die dag noemde.",
        rung1=Rung1("Uitgelegd hoe de kalender werkt. De boete intrekken kon de medewerker "
                    "niet.", days_at_rung1=2, written=True,
                    escalation="Klaagster vraagt per e-mail om formele behandeling: zij wil "
                    "dat de boete vervalt."),
        path=("start_exploring", "seek_solution", "close_resolved"),
        contacts=(Contact(2, "Klaagster gebeld; de app toonde door een fout een oude "
                          "kalender."),),
        problem="De app gaf een verkeerde ophaaldag; klaagster volgde die en kreeg een boete.",
        desired_later="Dat de boete vervalt.",
        parts=(Part("De boete is opgelegd terwijl de app een verkeerde dag noemde."),),
        solution="De boete is ingetrokken en de fout in de app is hersteld.",
        satisfied="Klaagster bevestigde per e-mail tevreden te zijn.",
        themes=(MONEY, INFORMATION),
    ),
    # --- The ladder: taken up by the Nationale ombudsman (rung 3) ---------------------------
    DemoCase(
        days_ago=75, department="or", channel=Channel.EMAIL, name="Arjen Kramer",
        phone="06 78 90 12 34", handler="coordinator",
        conduct="De boom voor mijn huis is gekapt zonder dat iemand het aankondigde. Mijn "
        "vragen daarover bleven weken liggen.",
        desired="Uitleg, en een nieuwe boom.",
        path=("start_exploring", "start_judging", "close_judged"),
        contacts=(Contact(3, "Klager gebeld. Hij wil een oordeel over de kap en over hoe met "
                          "zijn vragen is omgegaan."),),
        problem="Klager voelt zich overvallen en niet gehoord.",
        parts=(
            Part("De kap is niet aangekondigd.", WELL_FOUNDED,
                 "Omwonenden hadden vooraf bericht moeten krijgen.", (2,)),
            Part("De vragen van klager bleven weken onbeantwoord.", UNFOUNDED,
                 "Klager kreeg binnen de termijn een ontvangstbevestiging en een antwoord.",
                 (14,)),
        ),
        hearing_report="Klager en de wijkbeheerder gehoord. De wijkbeheerder erkent dat de "
        "aankondiging niet is verstuurd.",
        hearing_parties="Klager, de wijkbeheerder",
        move_notes={"close_judged": "Uitkomstbrief verzonden: deels gegrond."},
        referral=Referral(
            closed_after=38, reference="2025.01234", taken_up_days_ago=30, outcome_days_ago=4,
            summary="De ombudsman vindt beide klachtonderdelen gegrond: ook het antwoord op de "
            "vragen van klager kwam te laat.",
            findings=((2, WELL_FOUNDED, "Geen aankondiging aan de omwonenden."),
                      (14, WELL_FOUNDED, "Het inhoudelijke antwoord kwam na zeven weken.")),
            recommendation="Kondig een kap minstens twee weken vooraf aan bij de omwonenden.",
            recommendation_due_in=42,
            request="Hoe voert de gemeente de aanbeveling uit? Stuur ook het kapbesluit.",
            request_days_ago=1, request_due_in=5,
        ),
        themes=(PUBLIC_SPACE, INFORMATION),
    ),
)
# fmt: on


# The letters the closing moves need (Awb 9:12, 9:8); what the demo handler concludes.
LETTER_BEFORE = {"close_judged": LetterKind.OUTCOME, "close_not_handled": LetterKind.NOT_HANDLED}
DEMO_CONCLUSIONS = {
    "nl": "Wij bieden u onze excuses aan. De afdeling bespreekt uw klacht in het teamoverleg, "
    "zodat dit niet opnieuw gebeurt. Binnen een maand hoort u van ons wat er is veranderd.",
    "en": "We apologise. The department will discuss your complaint in its team meeting, so "
    "that this does not happen again. Within a month we will tell you what has changed.",
}


class MailServerDown(BaseEmailBackend):
    """The mail server on the day the demo's failed acknowledgement was tried."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(
            421, "4.3.2 Service not available, closing transmission channel"
        )


def demo_email(name: str) -> str:
    return f"{slugify(name).replace('-', '.')}@{DEMO_DOMAIN}"


class _Seeder:
    """Plays one DemoCase through the services, as the people on the case would."""

    def __init__(self, departments: dict[str, Department], staff: dict[Role, User]):
        self.today = timezone.localdate()
        self.departments = departments
        self.coordinator = staff[Role.COORDINATOR]
        self.people = {"handler": staff[Role.HANDLER], "coordinator": self.coordinator}
        self.employee = staff[Role.EMPLOYEE]
        self.themes = {theme.name_nl: theme for theme in Theme.objects.all()}
        self.norms = {norm.number: norm for norm in Norm.objects.all()}

    # --- dates ---------------------------------------------------------------------------
    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def day(self, received: date, after: int) -> date:
        return min(received + timedelta(days=after), self.today)

    def moment(self, day: date, hour: int) -> datetime:
        return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), timezone.now())

    # --- reading the case back -------------------------------------------------------------
    @staticmethod
    def version(pk: int) -> int:
        return Complaint.objects.values_list("version", flat=True).get(pk=pk)

    @staticmethod
    def stage(pk: int) -> str:
        return Complaint.objects.values_list("stage", flat=True).get(pk=pk)

    def update(self, pk: int, actor: User, **fields) -> None:
        services.complaint_update(
            complaint_id=pk, actor=actor, expected_version=self.version(pk), fields=fields
        )

    # --- the case ------------------------------------------------------------------------
    def register(self, case: DemoCase, received: date) -> Complaint:
        written = case.channel in WRITTEN_CHANNELS
        department = self.departments[case.department]
        parties = []
        for party in case.parties:
            if party["name"] == EMPLOYEE:
                party = {**party, "name": self.employee.full_name, "employee": self.employee}
            parties.append(party)
        fields = {
            "channel": case.channel,
            "received_on": received,
            "is_written": written,
            "language": case.language,
            "department": department,
            "complainant_name": case.name,
            "complainant_email": demo_email(case.name),
            "complainant_phone": case.phone,
            "complainant_address": case.address,
            "preferred_contact": ContactPreference.PHONE if case.phone else ContactPreference.EMAIL,
            "complainant_needs": case.needs,
            "conduct_description": case.conduct,
            "conduct_date": received - timedelta(days=case.conduct_days_before),
            "conduct_place": case.place,
            "conduct_department": department,
            "desired_outcome": case.desired,
            "is_signed": case.channel == Channel.LETTER,
            "states_name": written,
            "states_address": written and bool(case.address),
            "states_date": written,
            "states_conduct": written,
        }
        themes = [self.themes[name] for name in case.themes if name in self.themes]
        return services.complaint_register(
            actor=self.coordinator, fields=fields, themes=themes, parties=parties
        )

    def explore(self, case: DemoCase, pk: int, actor: User, received: date) -> None:
        for number, contact in enumerate(case.contacts):
            services.contact_add(
                complaint_id=pk,
                actor=actor,
                fields={
                    "at": self.moment(self.day(received, contact.day), 10 + number % 6),
                    "channel": contact.channel,
                    "with_whom": contact.with_whom or case.name,
                    "summary": contact.summary,
                },
            )
        fields = {"underlying_problem": case.problem} if case.problem else {}
        if case.desired_later:
            fields["desired_outcome"] = case.desired_later
        if fields:
            self.update(pk, actor, **fields)
        for part in case.parts:
            services.part_add(complaint_id=pk, actor=actor, description=part.description)

    def resolve(self, case: DemoCase, pk: int, actor: User, received: date) -> None:
        fields = {"solution": case.solution}
        if case.satisfied:
            fields |= {
                "satisfaction_confirmed_on": self.day(received, 14),
                "satisfaction_channel": Channel.PHONE,
                "satisfaction_note": case.satisfied,
            }
        self.update(pk, actor, **fields)

    def judge(self, case: DemoCase, pk: int, actor: User, received: date) -> None:
        parts = {part.number: part for part in Complaint.objects.get(pk=pk).parts.all()}
        for number, part in enumerate(case.parts, start=1):
            if part.judgment:
                services.part_update(
                    part_id=parts[number].pk,
                    actor=actor,
                    fields={"judgment": part.judgment, "reasoning": part.reasoning},
                    norms=[self.norms[n] for n in part.norms if n in self.norms],
                )
        fields = {}
        if case.hearing_in_days is not None:
            day = self.today + timedelta(days=case.hearing_in_days)
            fields["hearing_planned_at"] = timezone.make_aware(datetime.combine(day, time(14)))
        if case.hearing_report:
            fields |= {
                "hearing_held_on": self.day(received, 28),
                "hearing_parties": case.hearing_parties,
                "hearing_report": case.hearing_report,
            }
        if case.hearing_waiver:
            fields["hearing_waiver"] = case.hearing_waiver
        if fields:
            self.update(pk, actor, **fields)

    def send_letter(self, case: DemoCase, pk: int, actor: User, kind: str) -> None:
        """The letter a closing move needs, written and sent as a handler does on the letter
        page: the template filled in, the sections a handler writes written."""
        letter = letter_draft(complaint_id=pk, actor=actor, kind=kind, recipient="complainant")
        texts = {}
        if kind == LetterKind.OUTCOME:
            texts = {
                "findings": case.hearing_report or case.problem or case.conduct,
                "conclusions": DEMO_CONCLUSIONS[case.language],
            }
        letter_update(
            letter_id=letter.pk,
            actor=actor,
            subject=letter.subject,
            sections=texts,
            recipient_name=letter.recipient_name,
            recipient_email=letter.recipient_email,
            recipient_address=letter.recipient_address or case.address,
        )
        letter_send(letter_id=letter.pk, actor=actor)

    def acknowledge(
        self, case: DemoCase, complaint: Complaint, actor: User, received: date
    ) -> None:
        """Awb 9:6: the e-mail written at registration goes out on the day of receipt (or fails
        six times, for the retry on the outbox page); without an e-mail address a letter went
        out, recorded by hand."""
        row = OutboxMessage.objects.filter(
            complaint=complaint, kind=OutboxKind.ACKNOWLEDGEMENT
        ).first()
        if row is None:
            if case.acknowledged:
                services.complaint_acknowledge(
                    complaint_id=complaint.pk, actor=actor, on=self.day(received, 2)
                )
            return
        # The row was written when the complaint came in, so it goes out on that day.
        at = self.moment(received, 9)
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=at, next_attempt_at=at)
        if case.acknowledged:
            with override_settings(EMAIL_BACKEND=DELIVERED):
                outbox_send(message_id=row.pk, now=at)
            return
        with override_settings(EMAIL_BACKEND=SERVER_DOWN):
            for _attempt in range(MAX_ATTEMPTS):  # each after the back-off of the one before
                row.refresh_from_db()
                outbox_send(message_id=row.pk, now=row.next_attempt_at)

    def deadlines(self, case: DemoCase, pk: int, actor: User) -> None:
        """What a handler does about the due dates, today (DOMAIN.md section 5)."""
        if case.ground and self.stage(pk) != Stage.CLOSED:  # Awb 9:8: the notice is now due
            self.update(pk, actor, not_handled_ground=case.ground)
        if case.committee:  # Awb 9:13: 10 weeks
            self.update(pk, actor, advisory_committee=True)
        if case.postpone_reason:  # Awb 9:11 lid 2
            services.complaint_postpone(
                complaint_id=pk,
                actor=actor,
                expected_version=self.version(pk),
                reason=case.postpone_reason,
                weeks=case.postpone_weeks,
            )
        if case.extend_days is not None:  # Awb 9:11 lid 3
            services.complaint_extend(
                complaint_id=pk,
                actor=actor,
                expected_version=self.version(pk),
                until=self.today + timedelta(days=case.extend_days),
                consent_on=self.today - timedelta(days=case.consent_days_ago),
                consent_note=case.consent,
            )

    # --- the ladder ---------------------------------------------------------------------
    def log(self, case: DemoCase, logged: date) -> Complaint:
        """The demo employee's quick log (rung 1), moved back to the day it was logged."""
        fields = {
            "channel": case.channel,
            "department": self.departments[case.department],
            "conduct_description": case.conduct,
            "solution": case.rung1.solution,
            "complainant_name": case.name,
            "complainant_email": demo_email(case.name),
            "complainant_phone": case.phone,
            "language": case.language,
        }
        themes = [self.themes[name] for name in case.themes if name in self.themes]
        complaint = rung1_log(
            actor=self.employee, fields=fields, themes=themes, resolved=case.rung1.satisfied
        )
        # rung1_log records today; the demo's logs lie in the past (see the module docstring).
        complaint.logged_on = complaint.received_on = logged
        moved = ["logged_on", "received_on"]
        if complaint.closed_at:  # closed on the spot, satisfied on the spot
            complaint.closed_at = self.moment(logged, 11)
            complaint.satisfaction_confirmed_on = logged
            moved += ["closed_at", "satisfaction_confirmed_on"]
        due_dates_compute(complaint)  # the rung-1 service norm runs from the day of the log
        complaint.save(update_fields=[*moved, *DUE_FIELDS])
        return complaint

    def escalate(self, case: DemoCase, complaint: Complaint, received: date) -> Complaint:
        """Hand the log over to a complaint handler: a formal complaint of ``received``."""
        actor = self.people.get(case.handler, self.coordinator)
        return complaint_escalate(
            complaint_id=complaint.pk,
            actor=actor,
            reason=case.rung1.escalation,
            is_written=case.rung1.written,
            on=received,
        )

    def refer(self, case: DemoCase, pk: int, received: date) -> None:
        """Rung 3: the ombudsman takes up the case we closed, asks for information and
        reports, with a judgment on norms and a recommendation."""
        referral = case.referral
        # Our closure went out ``closed_after`` days after receipt (see the module docstring).
        closed = self.moment(self.day(received, referral.closed_after), 16)
        Complaint.objects.filter(pk=pk).update(closed_at=closed)
        ombudsman_phase_start(
            complaint_id=pk,
            actor=self.coordinator,
            ombudsman=Ombudsman.objects.get(name=NATIONAL_OMBUDSMAN),
            reference=referral.reference,
            taken_up_on=self.ago(referral.taken_up_days_ago),
        )
        ombudsman_outcome_record(
            complaint_id=pk,
            actor=self.coordinator,
            outcome=OmbudsmanOutcome.REPORT,
            outcome_on=self.ago(referral.outcome_days_ago),
            summary=referral.summary,
        )
        for number, judgment, note in referral.findings:
            ombudsman_finding_set(
                complaint_id=pk,
                actor=self.coordinator,
                norm=self.norms[number],
                judgment=judgment,
                note=note,
            )
        recommendation_add(
            complaint_id=pk,
            actor=self.coordinator,
            text=referral.recommendation,
            owner=self.coordinator,
            due_on=self.today + timedelta(days=referral.recommendation_due_in),
        )
        information_request_add(
            complaint_id=pk,
            actor=self.coordinator,
            question=referral.request,
            received_on=self.ago(referral.request_days_ago),
            due_on=self.today + timedelta(days=referral.request_due_in),
        )

    def send_today(self, pks: list[int]) -> None:
        """Today's reminders (the sweeps the beat runs), then every message of the demo cases
        still waiting goes out now: the notices and the reminders."""
        reminder_sweep(today=self.today)
        ombudsman_reminder_sweep(today=self.today)
        # A reminder mail with several cases names none itself: its reminders name them; a
        # mail of overdue deadlines names them in its text only: it goes to the demo's staff.
        staff = [email for email, *_rest in DEMO_STAFF]
        about_demo = (
            Q(complaint_id__in=pks)
            | Q(reminders__complaint_id__in=pks)
            | Q(key__startswith="reminder:overdue:", to__in=staff)
        )
        waiting = OutboxMessage.objects.filter(about_demo, status=OutboxStatus.PENDING).distinct()
        with override_settings(EMAIL_BACKEND=DELIVERED):
            for message_id in list(waiting.order_by("pk").values_list("pk", flat=True)):
                outbox_send(message_id=message_id)

    def play(self, case: DemoCase) -> Complaint:
        received = self.today - timedelta(days=case.days_ago)
        if case.rung1 is None:
            complaint = self.register(case, received)
        else:
            complaint = self.log(case, self.ago(case.first_day_ago))
            if not case.rung1.escalation:
                return complaint
            complaint = self.escalate(case, complaint, received)
        pk = complaint.pk
        handler = self.people.get(case.handler)
        actor = handler or self.coordinator
        if handler is not None:
            services.complaint_assign(
                complaint_id=pk,
                actor=self.coordinator,
                handler=handler,
                expected_version=self.version(pk),
            )
        if complaint.is_written:
            self.acknowledge(case, complaint, actor, received)
        explored = False
        for name in case.path:
            if name in ("withdraw", "close_not_handled", "close_forwarded") and not explored:
                self.explore(case, pk, actor, received)
                explored = True
            if name == "close_not_handled":
                self.update(pk, actor, not_handled_ground=case.ground)
            if name == "close_forwarded":
                self.update(pk, actor, forwarded_to=case.forwarded_to)
            if name in LETTER_BEFORE:  # Awb 9:12, 9:8: the letter goes out before closing
                self.send_letter(case, pk, actor, LETTER_BEFORE[name])
            services.complaint_transition(
                complaint_id=pk,
                name=name,
                actor=self.coordinator if name == "reopen" else actor,
                expected_stage=self.stage(pk),
                note=case.move_notes.get(name, ""),
            )
            if name == "start_exploring":
                self.explore(case, pk, actor, received)
                explored = True
            elif name == "seek_solution":
                self.resolve(case, pk, actor, received)
            elif name in ("start_judging", "solution_failed"):
                self.judge(case, pk, actor, received)
        if not explored:
            self.explore(case, pk, actor, received)
        for text in case.notes:
            services.note_add(complaint_id=pk, actor=actor, text=text)
        self.deadlines(case, pk, actor)
        if case.referral:
            self.refer(case, pk, received)
        return complaint


def seed_complaints(departments: dict[str, Department], staff: dict[Role, User]) -> int:
    """Create the demo cases; return how many (0 when they exist already)."""
    if Complaint.objects.filter(complainant_email__endswith=f"@{DEMO_DOMAIN}").exists():
        return 0
    seeder = _Seeder(departments, staff)
    # Oldest first, so the references follow the order of receipt.
    pks = [seeder.play(case).pk for case in sorted(CASES, key=lambda case: -case.first_day_ago)]
    seeder.send_today(pks)
    return len(CASES)


def demo_status_links() -> list[tuple[str, str, str]]:
    """Fresh status links for one open and one closed demo case, so the demo shows the
    citizen's side too: (reference, stage, path). Each run revokes the links it made before."""
    from django.urls import reverse

    from complaints.models import ClosureReason, Stage
    from complaints.services.status_links import status_link_issue

    demo = Complaint.objects.filter(complainant_email__endswith=f"@{DEMO_DOMAIN}")
    picks = [
        demo.filter(stage=Stage.EXPLORE).order_by("id").first(),
        demo.filter(stage=Stage.CLOSED, closure_reason=ClosureReason.JUDGED).order_by("id").first(),
    ]
    links = []
    for complaint in filter(None, picks):
        token = status_link_issue(complaint)
        links.append((complaint.reference, complaint.stage, reverse("status", args=[token])))
    return links
