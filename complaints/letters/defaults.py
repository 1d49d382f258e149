"""The letter texts the product ships with, per kind and language: seeded by the migration
``0010_letters`` (and put back by ``letter_templates_seed`` when a row is missing). Plain
language (B1): short sentences, the law named once, in brackets. The functional admin edits
them in the app; the sections and what they must say are fixed in ``kinds``.

Each entry: kind -> language -> (subject, [(section key, heading, text), ...]), the sections
in the order of ``kinds.SPECS``. Only placeholders of ``placeholders.PLACEHOLDERS``.
"""

HELLO = {"nl": "Beste {recipient_name},", "en": "Dear {recipient_name},"}
SIGNED = {
    "nl": "Met vriendelijke groet,\n\n{signatory_name}\n{signatory_title}\n{organisation}",
    "en": "Kind regards,\n\n{signatory_name}\n{signatory_title}\n{organisation}",
}
OMBUDSMAN = {
    "nl": (
        "Dan kunt u een klacht indienen bij {ombudsman}. Dat moet binnen een jaar na deze "
        "brief, dus uiterlijk op {ombudsman_term_until} (artikel 9:24 Algemene wet "
        "bestuursrecht).\n\n{ombudsman}\n{ombudsman_address}\n{ombudsman_website}"
    ),
    "en": (
        "Then you can complain to {ombudsman}. You must do so within one year of this letter, "
        "so by {ombudsman_term_until} at the latest (article 9:24 of the General "
        "Administrative Law Act).\n\n{ombudsman}\n{ombudsman_address}\n{ombudsman_website}"
    ),
}


def _letter(language: str, subject: str, *middle: tuple[str, str, str]) -> tuple:
    return (
        subject,
        [("opening", "", HELLO[language]), *middle, ("closing", "", SIGNED[language])],
    )


def _opened(language: str, subject: str, opening: str, *middle) -> tuple:
    """Like ``_letter``, with more text after the greeting."""
    subject, sections = _letter(language, subject, *middle)
    sections[0] = ("opening", "", f"{HELLO[language]}\n\n{opening}")
    return subject, sections


TEMPLATES: dict[str, dict[str, tuple]] = {
    "acknowledgement": {
        "nl": _letter(
            "nl",
            "Wij hebben uw klacht ontvangen ({reference})",
            (
                "receipt",
                "Uw klacht",
                "Op {received_on} hebben wij uw klacht ontvangen. Dank u wel daarvoor. Uw klacht "
                "heeft het nummer {reference}. Noem dit nummer als u contact met ons opneemt.",
            ),
            (
                "next_steps",
                "Wat gebeurt er nu?",
                "Een klachtbehandelaar bekijkt uw klacht. Deze persoon had niets te maken met "
                "waar u over klaagt. Hij of zij neemt snel contact met u op. Vaak lossen we een "
                "klacht samen op. Lukt dat niet, dan beslissen wij uiterlijk op {decision_due} "
                "over uw klacht (artikel 9:11 Algemene wet bestuursrecht).",
            ),
        ),
        "en": _letter(
            "en",
            "We have received your complaint ({reference})",
            (
                "receipt",
                "Your complaint",
                "We received your complaint on {received_on}. Thank you for it. Your complaint "
                "has the reference {reference}. Please mention it whenever you contact us.",
            ),
            (
                "next_steps",
                "What happens next?",
                "A complaint handler will look at your complaint. This person had nothing to do "
                "with what you complain about. They will contact you soon. Often we can solve a "
                "complaint together. If we cannot, we will decide on your complaint by "
                "{decision_due} at the latest (article 9:11 of the General Administrative Law "
                "Act).",
            ),
        ),
    },
    "completion_request": {
        "nl": _opened(
            "nl",
            "Wilt u uw klacht aanvullen? ({reference})",
            "Op {received_on} hebben wij uw klacht ontvangen. Dank u wel daarvoor.",
            ("missing", "Wat ontbreekt er?", "In uw klacht missen wij nog:\n{missing_items}"),
            (
                "request",
                "Wat vragen wij van u?",
                "Wilt u dit binnen twee weken aan ons sturen? Noem daarbij het nummer "
                "{reference}. Dan kunnen wij uw klacht goed behandelen (artikel 9:4 Algemene "
                "wet bestuursrecht). Lukt dat niet? Bel of mail ons dan. Dan zoeken we samen "
                "een oplossing.",
            ),
        ),
        "en": _opened(
            "en",
            "Please complete your complaint ({reference})",
            "We received your complaint on {received_on}. Thank you for it.",
            ("missing", "What is missing?", "Your complaint does not yet have:\n{missing_items}"),
            (
                "request",
                "What do we ask of you?",
                "Please send this to us within two weeks, with the reference {reference}. Then "
                "we can handle your complaint properly (article 9:4 of the General "
                "Administrative Law Act). If you cannot, please call or e-mail us and we will "
                "find a way together.",
            ),
        ),
    },
    "forwarding_notice": {
        "nl": _opened(
            "nl",
            "Wij hebben uw klacht doorgestuurd ({reference})",
            "Op {received_on} hebben wij uw klacht ontvangen.",
            (
                "forwarded",
                "Uw klacht is doorgestuurd",
                "Uw klacht gaat over iets waarvoor niet wij, maar {forwarded_to} "
                "verantwoordelijk is. Daarom hebben wij uw klacht doorgestuurd naar "
                "{forwarded_to} (artikel 2:3 Algemene wet bestuursrecht). Zij nemen contact "
                "met u op. Heeft u nog vragen? Bel of mail ons dan.",
            ),
        ),
        "en": _opened(
            "en",
            "We have forwarded your complaint ({reference})",
            "We received your complaint on {received_on}.",
            (
                "forwarded",
                "Your complaint has been forwarded",
                "Your complaint is about something that {forwarded_to} is responsible for, not "
                "us. So we have sent your complaint on to {forwarded_to} (article 2:3 of the "
                "General Administrative Law Act). They will contact you. Any questions? Please "
                "call or e-mail us.",
            ),
        ),
    },
    "forwarding": {
        "nl": (
            "Doorgezonden klacht ({reference})",
            [
                ("opening", "", "Geachte heer, mevrouw,"),
                (
                    "forwarded",
                    "Wij sturen u een klacht door",
                    "Op {received_on} ontvingen wij een klacht van {complainant_name}. Niet wij, "
                    "maar {forwarded_to} is bevoegd om deze klacht te behandelen. Daarom sturen "
                    "wij de klacht aan u door (artikel 2:3 Algemene wet bestuursrecht). De "
                    "klager krijgt tegelijk bericht van ons. Ons nummer is {reference}.",
                ),
                ("complaint", "De klacht", "{conduct_description}"),
                ("closing", "", SIGNED["nl"]),
            ],
        ),
        "en": (
            "Forwarded complaint ({reference})",
            [
                ("opening", "", "Dear Sir or Madam,"),
                (
                    "forwarded",
                    "We forward a complaint to you",
                    "On {received_on} we received a complaint from {complainant_name}. Not we "
                    "but {forwarded_to} is competent to handle it. So we forward the complaint to "
                    "you (article 2:3 of the General Administrative Law Act). The complainant "
                    "hears from us at the same time. Our reference is {reference}.",
                ),
                ("complaint", "The complaint", "{conduct_description}"),
                ("closing", "", SIGNED["en"]),
            ],
        ),
    },
    "not_handled": {
        "nl": _opened(
            "nl",
            "Wij behandelen uw klacht niet ({reference})",
            "Op {received_on} hebben wij uw klacht ontvangen.",
            (
                "decision",
                "Ons besluit",
                "Wij behandelen uw klacht niet. De reden is: {not_handled_ground}. De wet "
                "staat dat toe (artikel 9:8 Algemene wet bestuursrecht).",
            ),
            ("ombudsman", "Bent u het hier niet mee eens?", OMBUDSMAN["nl"]),
        ),
        "en": _opened(
            "en",
            "We will not handle your complaint ({reference})",
            "We received your complaint on {received_on}.",
            (
                "decision",
                "Our decision",
                "We will not handle your complaint. The reason: {not_handled_ground}. The law "
                "allows this (article 9:8 of the General Administrative Law Act).",
            ),
            ("ombudsman", "Do you disagree?", OMBUDSMAN["en"]),
        ),
    },
    "complaint_copy": {
        "nl": _letter(
            "nl",
            "Kopie van een klacht ({reference})",
            (
                "complaint",
                "Een klacht over uw gedrag",
                "Op {received_on} ontvingen wij een klacht van {complainant_name}. De klacht "
                "gaat over uw gedrag. U krijgt daarom een kopie (artikel 9:9 Algemene wet "
                "bestuursrecht). Dit schreef de klager:\n\n{conduct_description}",
            ),
            ("documents", "Stukken bij de klacht", "{attachments}"),
            (
                "next_steps",
                "Wat gebeurt er nu?",
                "{handler_name} behandelt de klacht. Hij of zij vraagt ook naar uw kant van het "
                "verhaal. Heeft u vragen? Noem dan het nummer {reference}.",
            ),
        ),
        "en": _letter(
            "en",
            "Copy of a complaint ({reference})",
            (
                "complaint",
                "A complaint about your conduct",
                "On {received_on} we received a complaint from {complainant_name}. It is about "
                "your conduct, so you receive a copy (article 9:9 of the General Administrative "
                "Law Act). This is what the complainant wrote:\n\n{conduct_description}",
            ),
            ("documents", "Documents of the complaint", "{attachments}"),
            (
                "next_steps",
                "What happens next?",
                "{handler_name} handles the complaint and will also ask for your side of the "
                "story. Any questions? Please mention the reference {reference}.",
            ),
        ),
    },
    "hearing_invitation": {
        "nl": _letter(
            "nl",
            "Uitnodiging voor een gesprek over de klacht ({reference})",
            (
                "invitation",
                "Wij nodigen u uit",
                "Wij willen graag met u praten over de klacht met nummer {reference}. U kunt "
                "dan uw kant van het verhaal vertellen (artikel 9:10 Algemene wet "
                "bestuursrecht). Het gesprek is op {hearing_planned_at}.",
            ),
            (
                "practical",
                "Kunt u dan niet?",
                "Laat het ons dan zo snel mogelijk weten. Dan zoeken we samen een ander moment. "
                "U mag iemand meenemen.",
            ),
        ),
        "en": _letter(
            "en",
            "Invitation to talk about the complaint ({reference})",
            (
                "invitation",
                "We invite you",
                "We would like to talk with you about the complaint with reference {reference}. "
                "You can then tell your side of the story (article 9:10 of the General "
                "Administrative Law Act). The meeting is on {hearing_planned_at}.",
            ),
            (
                "practical",
                "Is that time not possible?",
                "Please let us know as soon as possible, and we will find another time together. "
                "You may bring someone with you.",
            ),
        ),
    },
    "hearing_report": {
        "nl": _opened(
            "nl",
            "Verslag van het gesprek over de klacht ({reference})",
            "Op {hearing_held_on} hebben wij met u gesproken over de klacht met nummer "
            "{reference}. Hieronder leest u het verslag (artikel 9:10 Algemene wet "
            "bestuursrecht).",
            ("report", "Verslag", "{hearing_report}"),
            (
                "reaction",
                "Klopt het verslag niet?",
                "Laat het ons dan binnen een week weten.",
            ),
        ),
        "en": _opened(
            "en",
            "Report of the meeting about the complaint ({reference})",
            "On {hearing_held_on} we talked with you about the complaint with reference "
            "{reference}. Below is the report (article 9:10 of the General Administrative Law "
            "Act).",
            ("report", "Report", "{hearing_report}"),
            (
                "reaction",
                "Is something in the report not right?",
                "Please let us know within a week.",
            ),
        ),
    },
    "postponement": {
        "nl": _opened(
            "nl",
            "Klacht {reference}: wij hebben meer tijd nodig",
            "Op {received_on} ontvingen wij de klacht met nummer {reference}. Wij hebben meer "
            "tijd nodig om de klacht zorgvuldig te behandelen.",
            (
                "postponement",
                "De nieuwe datum",
                "Wij zouden uiterlijk op {previous_decision_due} over de klacht beslissen. Wij "
                "stellen die beslissing {postponement_weeks} weken uit, tot uiterlijk "
                "{decision_due}.",
            ),
            ("reason", "De reden", "{postponement_reason}"),
            (
                "law",
                "Wat zegt de wet?",
                "Wij mogen de beslissing één keer uitstellen, met ten hoogste vier weken. De "
                "klager en de persoon over wie geklaagd is krijgen allebei bericht (artikel "
                "9:11, lid 2, Algemene wet bestuursrecht). Langer uitstellen kan alleen als de "
                "klager daar schriftelijk mee instemt.",
            ),
        ),
        "en": _opened(
            "en",
            "Complaint {reference}: we need more time",
            "On {received_on} we received the complaint with reference {reference}. We need "
            "more time to handle it with care.",
            (
                "postponement",
                "The new date",
                "We would have decided on the complaint by {previous_decision_due}. We postpone "
                "this decision by {postponement_weeks} weeks, to {decision_due} at the latest.",
            ),
            ("reason", "The reason", "{postponement_reason}"),
            (
                "law",
                "What does the law say?",
                "We may postpone the decision once, by at most four weeks. The complainant and "
                "the person complained about are both told (article 9:11, paragraph 2, of the "
                "General Administrative Law Act). Any further delay needs the complainant's "
                "written consent.",
            ),
        ),
    },
    "extension_request": {
        "nl": _letter(
            "nl",
            "Mogen wij meer tijd nemen voor uw klacht? ({reference})",
            (
                "request",
                "Wij hebben meer tijd nodig",
                "Wij moeten uiterlijk op {decision_due} over uw klacht met nummer {reference} "
                "beslissen. Dat lukt ons helaas niet.",
            ),
            ("proposal", "Ons voorstel", ""),
            (
                "consent",
                "Wat vragen wij van u?",
                "Meer tijd mag alleen als u het daar schriftelijk mee eens bent (artikel 9:11, "
                "lid 3, Algemene wet bestuursrecht). Bent u het eens? Laat het ons dan weten per "
                "brief of e-mail. Bent u het niet eens? Dan beslissen wij zo snel mogelijk.",
            ),
        ),
        "en": _letter(
            "en",
            "May we take more time for your complaint? ({reference})",
            (
                "request",
                "We need more time",
                "We must decide on your complaint with reference {reference} by {decision_due}. "
                "Unfortunately we cannot manage that.",
            ),
            ("proposal", "Our proposal", ""),
            (
                "consent",
                "What do we ask of you?",
                "We may take more time only if you agree in writing (article 9:11, paragraph 3, "
                "of the General Administrative Law Act). Do you agree? Please tell us by letter "
                "or e-mail. Do you not agree? Then we will decide as soon as we can.",
            ),
        ),
    },
    "resolution": {
        "nl": _letter(
            "nl",
            "Uw klacht is opgelost ({reference})",
            (
                "solution",
                "Wat wij hebben afgesproken",
                "Wij hebben met u gesproken over uw klacht met nummer {reference}. Wij begrijpen "
                "dat uw klacht nu is opgelost. Dit hebben we afgesproken:\n{solution}",
            ),
            (
                "not_resolved",
                "Is uw klacht toch niet opgelost?",
                "Laat het ons dan binnen twee weken weten. Dan behandelen wij uw klacht verder. "
                "Horen wij niets van u, dan is de klacht afgerond (artikel 9:5 Algemene wet "
                "bestuursrecht).",
            ),
        ),
        "en": _letter(
            "en",
            "Your complaint is resolved ({reference})",
            (
                "solution",
                "What we agreed",
                "We talked with you about your complaint with reference {reference}. We "
                "understand that your complaint is now resolved. This is what we agreed:\n"
                "{solution}",
            ),
            (
                "not_resolved",
                "Is your complaint not resolved after all?",
                "Please tell us within two weeks, and we will handle your complaint further. If "
                "we do not hear from you, the complaint is closed (article 9:5 of the General "
                "Administrative Law Act).",
            ),
        ),
    },
    "outcome": {
        "nl": _opened(
            "nl",
            "Ons oordeel over uw klacht ({reference})",
            "Op {received_on} hebben wij uw klacht ontvangen. In deze brief leest u wat wij "
            "hebben onderzocht, wat ons oordeel is en waarom (artikel 9:12 Algemene wet "
            "bestuursrecht).",
            ("findings", "Wat wij hebben onderzocht", ""),
            (
                "judgment",
                "Ons oordeel per klachtonderdeel",
                "{parts_judgment}\n\nOns oordeel over uw klacht als geheel: {overall_judgment}.",
            ),
            ("conclusions", "Conclusie en wat wij gaan doen", ""),
            ("ombudsman", "Bent u het niet eens met ons oordeel?", OMBUDSMAN["nl"]),
            (
                "contact",
                "Heeft u nog vragen?",
                "Neem dan contact op met {handler_name}. Bel {organisation_phone} of mail naar "
                "{organisation_email}. Noem het nummer {reference}.",
            ),
        ),
        "en": _opened(
            "en",
            "Our judgment on your complaint ({reference})",
            "We received your complaint on {received_on}. In this letter you can read what we "
            "looked into, what we think and why (article 9:12 of the General Administrative Law "
            "Act).",
            ("findings", "What we looked into", ""),
            (
                "judgment",
                "Our judgment on each part of the complaint",
                "{parts_judgment}\n\nOur judgment on your complaint as a whole: "
                "{overall_judgment}.",
            ),
            ("conclusions", "Conclusion and what we will do", ""),
            ("ombudsman", "Do you disagree with our judgment?", OMBUDSMAN["en"]),
            (
                "contact",
                "Any questions?",
                "Please contact {handler_name}. Call {organisation_phone} or e-mail "
                "{organisation_email}, and mention the reference {reference}.",
            ),
        ),
    },
    "survey": {
        "nl": _letter(
            "nl",
            "Wat vond u van de behandeling van uw klacht? ({reference})",
            (
                "survey",
                "Uw mening telt",
                "Wij hebben uw klacht met nummer {reference} afgerond. Wij willen graag weten "
                "wat u van de behandeling vond. Daar leren wij van. Het kost u ongeveer twee "
                "minuten.",
            ),
            (
                "how",
                "Hoe werkt het?",
                "Gebruik de persoonlijke link in de e-mail bij deze brief. Kreeg u deze brief "
                "per post? Vraag dan een link aan op {status_request_url} met het nummer "
                "{reference}.",
            ),
        ),
        "en": _letter(
            "en",
            "What did you think of how we handled your complaint? ({reference})",
            (
                "survey",
                "Your opinion counts",
                "We have closed your complaint with reference {reference}. We would like to know "
                "what you thought of how we handled it, so we can learn from it. It takes about "
                "two minutes.",
            ),
            (
                "how",
                "How does it work?",
                "Use the private link in the e-mail with this letter. Did you get this letter by "
                "post? Then ask for a link at {status_request_url} with the reference "
                "{reference}.",
            ),
        ),
    },
}


def seed_templates(template_model, section_model) -> int:
    """Create every template that does not exist yet; an existing (perhaps edited) one is
    never overwritten. Takes the models, so a migration can pass its historical ones."""
    made = 0
    for kind, languages in TEMPLATES.items():
        for language, (subject, sections) in languages.items():
            template, created = template_model.objects.get_or_create(
                kind=kind, language=language, defaults={"subject": subject}
            )
            if not created:
                continue
            section_model.objects.bulk_create(
                section_model(template=template, key=key, position=n, heading=heading, text=text)
                for n, (key, heading, text) in enumerate(sections)
            )
            made += 1
    return made
