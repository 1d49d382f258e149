"""What each kind of letter must say: its sections, which are mandatory, and to whom it goes.

The legal content is here, in code, so the functional admin can change the wording of a
template but not drop what the law asks for. A mandatory section that is empty when the
handler sends the letter stops the sending, with its name (``letter_send``). A section that
``needs`` placeholders starts empty when the case lacks one of them (for example the hearing
invitation without a planned hearing): the handler sees that at once, and records the fact on
the case (and drafts again) or writes the section by hand.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints.models import LetterKind, OutboxKind

COMPLAINANT = "complainant"
COMPLAINED_ABOUT = "complained_about"
BODY = "body"


@dataclass(frozen=True)
class Section:
    key: str
    mandatory: bool = False
    needs: tuple[str, ...] = ()
    # Shown next to the text box while the handler edits the letter.
    guidance: str | Promise = ""
    # The handler writes it (the template gives no text): findings, conclusions.
    written_by_handler: bool = False


OPENING = Section("opening")
CLOSING = Section("closing")
# Sections that several kinds share, word for word.
FORWARDED = Section("forwarded", mandatory=True, needs=("forwarded_to",))
COMPLAINT = Section("complaint", mandatory=True, needs=("conduct_description",))
OMBUDSMAN = Section("ombudsman", mandatory=True, needs=("ombudsman",))

# What a section is called where its own heading is empty (the admin may clear a heading).
SECTION_NAMES = {
    "opening": _("Opening"),
    "closing": _("Closing and signature"),
    "receipt": _("Receipt"),
    "next_steps": _("What happens next"),
    "missing": _("What is missing"),
    "request": _("Our request"),
    "forwarded": _("Forwarded"),
    "complaint": _("The complaint"),
    "decision": _("Our decision"),
    "ombudsman": _("The ombudsman and the term"),
    "documents": _("Documents"),
    "invitation": _("Invitation"),
    "practical": _("Practical matters"),
    "report": _("Report"),
    "reaction": _("Your reaction"),
    "postponement": _("The new decision date"),
    "reason": _("The reason"),
    "law": _("What the law says"),
    "proposal": _("Our proposal"),
    "consent": _("Your consent"),
    "solution": _("The solution"),
    "not_resolved": _("If it is not resolved"),
    "findings": _("Findings"),
    "judgment": _("Judgment per complaint part"),
    "conclusions": _("Conclusions and measures"),
    "contact": _("Contact person"),
    "survey": _("The survey"),
    "how": _("How to take part"),
}


@dataclass(frozen=True)
class KindSpec:
    kind: str
    to: str
    sections: tuple[Section, ...]
    outbox_kind: str = OutboxKind.LETTER
    # A plain-language aid for the sections the handler writes (DOMAIN.md: B1 level).
    readability: bool = False
    help: str | Promise = ""

    @property
    def mandatory(self) -> list[Section]:
        return [section for section in self.sections if section.mandatory]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            LetterKind.ACKNOWLEDGEMENT,
            COMPLAINANT,
            (
                OPENING,
                Section("receipt", mandatory=True, needs=("received_on",)),
                Section("next_steps", mandatory=True, needs=("decision_due",)),
                CLOSING,
            ),
            outbox_kind=OutboxKind.ACKNOWLEDGEMENT,
            help=_(
                "A written complaint gets an acknowledgement (Awb 9:6). With an e-mail address "
                "it went out by itself at registration; this letter is for post, or a formal copy."
            ),
        ),
        KindSpec(
            LetterKind.COMPLETION_REQUEST,
            COMPLAINANT,
            (
                OPENING,
                Section("missing", mandatory=True, needs=("missing_items",)),
                Section("request", mandatory=True),
                CLOSING,
            ),
            help=_("Ask the complainant to repair what the written complaint lacks (Awb 9:4)."),
        ),
        KindSpec(
            LetterKind.FORWARDING_NOTICE,
            COMPLAINANT,
            (OPENING, FORWARDED, CLOSING),
            help=_("Tell the sender, at the same time as you forward the complaint (Awb 2:3)."),
        ),
        KindSpec(
            LetterKind.FORWARDING,
            BODY,
            (
                OPENING,
                FORWARDED,
                COMPLAINT,
                CLOSING,
            ),
            help=_(
                "The complaint goes to the competent body without delay (Awb 2:3). Fill in its "
                "e-mail address or postal address."
            ),
        ),
        KindSpec(
            LetterKind.NOT_HANDLED,
            COMPLAINANT,
            (
                OPENING,
                Section("decision", mandatory=True, needs=("not_handled_ground",)),
                OMBUDSMAN,
                CLOSING,
            ),
            help=_(
                "Within 4 weeks of receipt, with the ground and the ombudsman (Awb 9:8). Closing "
                "the case as not handled needs this letter sent."
            ),
        ),
        KindSpec(
            LetterKind.COMPLAINT_COPY,
            COMPLAINED_ABOUT,
            (
                OPENING,
                COMPLAINT,
                Section("documents", needs=("attachments",)),
                Section("next_steps", mandatory=True),
                CLOSING,
            ),
            help=_("The person complained about gets a copy of the complaint (Awb 9:9)."),
        ),
        KindSpec(
            LetterKind.HEARING_INVITATION,
            COMPLAINANT,
            (
                OPENING,
                Section("invitation", mandatory=True, needs=("hearing_planned_at",)),
                Section("practical"),
                CLOSING,
            ),
            help=_(
                "Both sides may be heard (Awb 9:10). Record the planned hearing on the case first."
            ),
        ),
        KindSpec(
            LetterKind.HEARING_REPORT,
            COMPLAINANT,
            (
                OPENING,
                Section("report", mandatory=True, needs=("hearing_report",)),
                Section("reaction"),
                CLOSING,
            ),
            help=_("The report of the hearing (Awb 9:10), to the people who were heard."),
        ),
        KindSpec(
            LetterKind.POSTPONEMENT,
            "any",
            (
                OPENING,
                Section("postponement", mandatory=True, needs=("previous_decision_due",)),
                Section("reason", mandatory=True, needs=("postponement_reason",)),
                Section("law", mandatory=True),
                CLOSING,
            ),
            outbox_kind=OutboxKind.POSTPONEMENT,
            help=_(
                "Written when you postpone the decision (Deadlines panel): to the complainant "
                "and to every person complained about (Awb 9:11 lid 2)."
            ),
        ),
        KindSpec(
            LetterKind.EXTENSION_REQUEST,
            COMPLAINANT,
            (
                OPENING,
                Section("request", mandatory=True, needs=("decision_due",)),
                Section(
                    "proposal",
                    mandatory=True,
                    written_by_handler=True,
                    guidance=_("Until when do you need more time, and why? Give a date."),
                ),
                Section("consent", mandatory=True),
                CLOSING,
            ),
            help=_(
                "A delay beyond the (postponed) term needs the complainant's written consent "
                "(Awb 9:11 lid 3)."
            ),
        ),
        KindSpec(
            LetterKind.RESOLUTION,
            COMPLAINANT,
            (
                OPENING,
                Section("solution", mandatory=True, needs=("solution",)),
                Section("not_resolved", mandatory=True),
                CLOSING,
            ),
            help=_(
                "Confirm the informal solution: we understand your complaint is resolved; tell "
                "us if it is not (Awb 9:5)."
            ),
        ),
        KindSpec(
            LetterKind.OUTCOME,
            COMPLAINANT,
            (
                OPENING,
                Section(
                    "findings",
                    mandatory=True,
                    written_by_handler=True,
                    guidance=_(
                        "What did you find out? What happened, and what did both sides say? "
                        "Write short sentences and plain words."
                    ),
                ),
                Section("judgment", mandatory=True, needs=("parts_judgment",)),
                Section(
                    "conclusions",
                    mandatory=True,
                    written_by_handler=True,
                    guidance=_(
                        "What do you conclude, and what will the organisation do about it "
                        "(measures)? Say what the complainant can expect, and when."
                    ),
                ),
                OMBUDSMAN,
                Section("contact", mandatory=True, needs=("handler_name",)),
                CLOSING,
            ),
            readability=True,
            help=_(
                "The reasoned outcome (Awb 9:12): findings, the judgment of each part with its "
                "norms, conclusions and measures, the ombudsman and the term of one year, and a "
                "contact person. Closing the case as judged needs this letter sent."
            ),
        ),
        KindSpec(
            LetterKind.SURVEY,
            COMPLAINANT,
            (OPENING, Section("survey", mandatory=True), Section("how", mandatory=True), CLOSING),
            help=_(
                "After closing: ask what the complainant thought of the handling. By e-mail it "
                "carries a new private status link (the earlier links stop working)."
            ),
        ),
    )
}


def spec_of(kind: str) -> KindSpec:
    return SPECS[kind]
