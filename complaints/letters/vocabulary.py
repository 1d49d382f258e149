"""The words a letter itself uses outside its template: labels of the letterhead, judgments,
what a complaint lacks, the grounds not to handle it. Letter content, per language, like the
templates in ``defaults``: a letter must read right in Dutch and English whatever the state
of the interface translations (the ``.po`` files), which are for the screens."""

WORDS: dict[str, dict] = {
    "nl": {
        "our_reference": "Ons kenmerk",
        "date": "Datum",
        "page": "Pagina",
        "of": "van",
        "phone": "Telefoon",
        "email": "E-mail",
        "draft": "CONCEPT: deze brief is nog niet verstuurd",
        "empty": "[Dit deel is nog leeg]",
        "part": "Klachtonderdeel",
        "judgment": "Oordeel",
        "reasoning": "Waarom",
        "norms": "Getoetst aan",
        "judgments": {
            "well_founded": "gegrond",
            "unfounded": "ongegrond",
            "no_judgment": "geen oordeel",
        },
        "overall": {
            "well_founded": "gegrond",
            "partly": "deels gegrond",
            "unfounded": "ongegrond",
            "none": "geen oordeel",
        },
        "missing": {
            "is_signed": "uw handtekening",
            "states_name": "uw naam",
            "states_address": "uw adres",
            "states_date": "de datum waarop u de klacht schreef",
            "states_conduct": "een beschrijving van wat er is gebeurd",
        },
        "grounds": {
            "a": "wij hebben een klacht over hetzelfde al eerder behandeld",
            "b": "het gebeurde meer dan een jaar voordat u de klacht indiende",
            "c": "u kon hierover een bezwaarschrift indienen",
            "d": "u kon of kunt hierover in beroep gaan",
            "e": "een rechter oordeelt of oordeelde hier al over",
            "f": "hier loopt een strafrechtelijk onderzoek naar",
            "lid2": "het belang van de klacht of de ernst van het gedrag is te gering",
        },
        "attached": "Onze brief staat hieronder en zit ook als PDF bij deze e-mail.",
        "status_link": "Uw persoonlijke link (geef hem aan niemand anders):",
        "hour": "uur",
    },
    "en": {
        "our_reference": "Our reference",
        "date": "Date",
        "page": "Page",
        "of": "of",
        "phone": "Phone",
        "email": "E-mail",
        "draft": "DRAFT: this letter has not been sent",
        "empty": "[This part is still empty]",
        "part": "Complaint part",
        "judgment": "Judgment",
        "reasoning": "Why",
        "norms": "Judged against",
        "judgments": {
            "well_founded": "well-founded",
            "unfounded": "unfounded",
            "no_judgment": "no judgment",
        },
        "overall": {
            "well_founded": "well-founded",
            "partly": "partly well-founded",
            "unfounded": "unfounded",
            "none": "no judgment",
        },
        "missing": {
            "is_signed": "your signature",
            "states_name": "your name",
            "states_address": "your address",
            "states_date": "the date on which you wrote the complaint",
            "states_conduct": "a description of what happened",
        },
        "grounds": {
            "a": "we already handled a complaint about the same conduct",
            "b": "it happened more than a year before you complained",
            "c": "you could have lodged an objection against it",
            "d": "you can or could appeal against it",
            "e": "a court judges or has judged it",
            "f": "it is the subject of a criminal investigation",
            "lid2": (
                "the interest of the complaint or the weight of the conduct is clearly too small"
            ),
        },
        "attached": "Our letter is below, and attached to this e-mail as a PDF.",
        "status_link": "Your private link (do not give it to anyone else):",
        "hour": "",
    },
}


def words(language: str) -> dict:
    return WORDS.get(language, WORDS["nl"])
