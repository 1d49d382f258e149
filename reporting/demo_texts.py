"""The small word lists ``reporting.demo`` draws a year of demo cases from. Made-up Dutch names
and texts: no real persons. Theme and cause keys are the names the migrations seed
(``Theme.name_nl``, ``Cause.code``); a key that is not in the database is skipped."""

FIRST_NAMES = (
    "Anna", "Bram", "Charlotte", "Daan", "Esra", "Femke", "Gijs", "Hanneke", "Ilse", "Jeroen",
    "Karim", "Linda", "Maarten", "Nadia", "Otto", "Priya", "Rik", "Sanne", "Thijs", "Vera",
    "Wouter", "Yara", "Zeynep", "Bas", "Inge", "Mohamed", "Noor", "Pieter", "Roos", "Tim",
)  # fmt: skip
LAST_NAMES = (
    "de Boer", "Mulder", "van Leeuwen", "Kramer", "Smit", "Hendriks", "van den Berg", "Dekker",
    "Verhoeven", "Brouwer", "de Graaf", "Kok", "Jacobs", "van Wijk", "Postma", "Vos", "Peters",
    "Koster", "Bosman", "Yildiz", "Bouzid", "Tran", "Hoekstra", "van Vliet", "Schouten",
)  # fmt: skip
STREETS = ("Kerkstraat", "Molenweg", "Schoolstraat", "Dorpsplein", "Beukenlaan", "Havenkade")
YEAR_DOMAIN = "jaar.example.nl"  # the made-up addresses of the year's complainants

# Theme -> what happened (conduct), what the citizen wants, a complaint part.
CONDUCT = {
    "Bejegening": (
        "Aan de balie werd ik kortaf te woord gestaan en niet uitgelaten.",
        "De medewerker aan de telefoon verhief zijn stem en hing op.",
        "Bij het huisbezoek voelde ik me niet serieus genomen.",
        "Ik kreeg het gevoel dat mijn vragen lastig werden gevonden.",
    ),
    "Communicatie en informatie": (
        "De brief over mijn aanvraag was onduidelijk; ik wist niet wat ik moest doen.",
        "Op de website stond andere informatie dan wat de medewerker zei.",
        "Ik ben niet op de hoogte gehouden van de voortgang van mijn aanvraag.",
        "Mijn vraag per e-mail is na drie weken nog niet beantwoord.",
    ),
    "Wachttijd en termijnen": (
        "Ik moest zes weken wachten op een afspraak voor een nieuw paspoort.",
        "De beslissing op mijn aanvraag kwam ruim na de beloofde datum.",
        "Ik heb anderhalf uur in de wachtruimte gezeten ondanks mijn afspraak.",
        "Mijn aanvraag ligt al maanden stil zonder bericht.",
    ),
    "Bereikbaarheid": (
        "Ik kom telefonisch niet door; na een half uur wachten wordt de lijn verbroken.",
        "De terugbelafspraak is niet nagekomen.",
        "Het online loket was dagenlang niet bereikbaar.",
        "Er is geen loket meer in mijn wijk en de bus rijdt er zelden.",
    ),
    "Financiën en betalingen": (
        "Ik heb een aanmaning gekregen terwijl ik al betaald had.",
        "Mijn betalingsregeling is zonder overleg stopgezet.",
        "De terugbetaling van te veel betaalde belasting blijft uit.",
        "De uitkering is te laat op mijn rekening gestort.",
    ),
    "Procedure en besluitvorming": (
        "Mijn aanvraag is afgewezen zonder dat iemand mijn situatie heeft bekeken.",
        "Er werd om stukken gevraagd die ik al twee keer had ingeleverd.",
        "Het besluit is niet goed uitgelegd; ik begrijp de reden niet.",
        "Mijn dossier is zoekgeraakt bij de overdracht naar een andere afdeling.",
    ),
    "Openbare ruimte": (
        "De kapotte lantaarnpaal in mijn straat is na mijn melding niet gerepareerd.",
        "Het gat in het fietspad is al maanden niet hersteld.",
        "Mijn melding over zwerfafval is afgesloten zonder dat er iets gebeurde.",
        "De bladkorf in onze straat wordt niet geleegd.",
    ),
    "Privacy": (
        "Een brief met mijn gegevens is naar een verkeerd adres gestuurd.",
        "Aan de balie werden mijn persoonlijke gegevens hardop voorgelezen.",
        "Mijn gegevens zijn zonder toestemming gedeeld met een andere instantie.",
    ),
}
DESIRED = (
    "Excuses en een uitleg van wat er is misgegaan.",
    "Dat mijn aanvraag alsnog snel wordt afgehandeld.",
    "Dat dit anderen niet meer overkomt.",
    "Een gesprek met de leidinggevende.",
    "Terugbetaling van de kosten die ik heb gemaakt.",
    "Duidelijke informatie over hoe het verder gaat.",
)
PROBLEMS = (
    "De klager is vooral geschrokken van de toon; het besluit zelf accepteert hij.",
    "Achter de klacht zit geldzorg: de klager wacht op geld dat hij nodig heeft.",
    "De klager voelt zich van het kastje naar de muur gestuurd.",
    "De informatie op de website en in de brief sprak elkaar tegen.",
    "De klager heeft een vaste contactpersoon nodig die haar dossier kent.",
)
SOLUTIONS = (
    "Excuses gemaakt in een telefoongesprek en uitgelegd hoe het verder gaat.",
    "De aanvraag is dezelfde week afgehandeld; klager is gebeld.",
    "Een nieuwe afspraak gemaakt op een moment dat klager uitkwam.",
    "De aanmaning is ingetrokken en de kosten zijn kwijtgescholden.",
    "Uitgelegd wat het besluit betekent; klager begrijpt het nu.",
    "De melding is opnieuw uitgezet en binnen een week opgelost.",
    "Een vaste contactpersoon aangewezen die klager terugbelt.",
)
RUNG1_SOLUTIONS = (
    "Direct excuses gemaakt en de vraag alsnog beantwoord.",
    "Ter plekke een nieuwe afspraak ingepland.",
    "De collega gebeld; de burger is dezelfde middag teruggebeld.",
    "Uitgelegd hoe het zit; de burger was tevreden met de uitleg.",
    "De melding opnieuw doorgezet met spoed.",
    "De ontbrekende brief opnieuw verstuurd.",
)
SATISFIED = (
    "Klager gaf aan tevreden te zijn met de oplossing.",
    "Telefonisch bevestigd: klager is geholpen.",
    "Klager bedankte voor de snelle actie.",
)
PARTS = (
    "De bejegening door de medewerker.",
    "De duur van de behandeling.",
    "De informatie in de brief.",
    "Het niet nakomen van de terugbelafspraak.",
    "De uitleg van het besluit.",
    "De zorgvuldigheid van het dossier.",
)
REASONING = {
    "well_founded": (
        "Uit het dossier blijkt dat de afspraak niet is nagekomen.",
        "De medewerker erkent dat de toon niet gepast was.",
        "De termijn is ruim overschreden zonder bericht aan klager.",
    ),
    "unfounded": (
        "Uit het dossier blijkt dat klager tijdig en volledig is geïnformeerd.",
        "De gevraagde stukken waren nodig en zijn eenmaal opgevraagd.",
        "De medewerker heeft binnen de regels gehandeld.",
    ),
    "no_judgment": (
        "De lezingen lopen uiteen en zijn niet te verifiëren.",
        "Het gesprek is niet vastgelegd; een oordeel is niet mogelijk.",
    ),
}
HEARING_REPORT = (
    "Klager en medewerker zijn gehoord; beide lezingen zijn vastgelegd.",
    "Telefonisch hoorgesprek; klager heeft zijn klacht toegelicht.",
)
WITHDRAWN = (
    "Klager trekt de klacht in: het probleem is inmiddels opgelost.",
    "Klager ziet af van verdere behandeling.",
)
FORWARDED_TO = (
    "Belastingdienst",
    "UWV",
    "Waterschap",
    "Omgevingsdienst",
    "Sociale Verzekeringsbank",
)
ESCALATION = (
    "De burger is niet tevreden en wil een formele behandeling.",
    "De oplossing werkte niet; de burger is opnieuw langsgekomen.",
    "Te complex voor de eerste lijn: doorgezet naar een klachtbehandelaar.",
)
POSTPONEMENT = "Het dossier van de andere afdeling is nog niet compleet."
SURVEY_COMMENTS = (
    "Fijn dat er snel contact werd opgenomen.",
    "Goed geholpen, dank u.",
    "Het duurde wel lang.",
    "Ik voelde me gehoord.",
    "Jammer dat het eerst mis moest gaan.",
    "",
)

# Theme -> the cause a handler most often records, and lessons per cause code.
CAUSE_OF_THEME = {
    "Bejegening": "attitude",
    "Communicatie en informatie": "communication",
    "Wachttijd en termijnen": "process",
    "Bereikbaarheid": "process",
    "Financiën en betalingen": "it",
    "Procedure en besluitvorming": "policy",
    "Openbare ruimte": "process",
    "Privacy": "process",
}
LESSONS = {
    "communication": (
        "Standaardbrieven zijn te juridisch; herschrijven in begrijpelijke taal.",
        "Klanten niet alleen per brief, maar ook telefonisch informeren over vertraging.",
        "Website en brieven vertellen niet hetzelfde; één bron voor de teksten.",
    ),
    "process": (
        "Terugbelverzoeken worden niet bewaakt; een vaste eigenaar per dag aanwijzen.",
        "Overdracht tussen afdelingen gaat mis; een checklist voor de overdracht invoeren.",
        "Meldingen worden afgesloten voordat de klus is gedaan; pas sluiten na controle.",
    ),
    "policy": (
        "De regel laat weinig ruimte voor maatwerk; bespreken met de beleidsafdeling.",
        "Het beleid is niet uit te leggen aan burgers; motivering verbeteren.",
    ),
    "attitude": (
        "Bespreken in het teamoverleg: ook bij drukte de tijd nemen voor uitleg.",
        "Training omgaan met boze klanten voor de baliemedewerkers.",
    ),
    "it": (
        "De koppeling met het betaalsysteem verwerkt betalingen te laat.",
        "Het online loket viel uit zonder melding op de website.",
    ),
    "other": ("Incident; geen structurele oorzaak gevonden.",),
}

# The ombudsman phase of the year's rung-3 cases.
OMBUDSMAN_SUMMARY = {
    "intervention": "Na een telefoontje van de ombudsman is de zaak alsnog opgelost.",
    "mediation": "Bemiddeling door de ombudsman; partijen zijn tot een afspraak gekomen.",
    "report": "Rapport: de gemeente heeft niet behoorlijk gehandeld op één onderdeel.",
    "not_investigated": "De ombudsman ziet geen aanleiding voor een onderzoek.",
}
RECOMMENDATION = "Informeer klagers actief over vertraging en de nieuwe termijn."

# Improvement actions: (owner role, department code or None, title, description, theme,
#  status, due in days from today, completed days ago, effect).
ACTIONS = (
    ("manager", "bz", "Online afspraken voor paspoort en rijbewijs uitbreiden",
     "Meer online tijdsloten en een wachtlijst bij annuleringen.",
     "Wachttijd en termijnen", "done", -150, 160, "effective"),
    ("manager", "bz", "Actuele wachttijd tonen in de wachtruimte",
     "Een scherm met de wachttijd per balie, zodat bezoekers weten waar ze aan toe zijn.",
     "Wachttijd en termijnen", "done", -60, 70, "partly"),
    ("manager", "bz", "Training klantvriendelijk communiceren voor de balie",
     "Twee dagdelen training voor alle baliemedewerkers, met een terugkomdag.",
     "Bejegening", "in_progress", 30, None, ""),
    ("manager", "bz", "Controle op volledigheid bij aanvragen aan de balie",
     "Een checklist, zodat burgers niet twee keer stukken hoeven te brengen.",
     "Procedure en besluitvorming", "planned", -10, None, ""),
    ("board", None, "Standaardbrieven herschrijven in begrijpelijke taal (B1)",
     "Alle standaardbrieven herschrijven en testen met een lezerspanel.",
     "Communicatie en informatie", "in_progress", -20, None, ""),
    ("board", "bel", "Betalingsregeling aanvragen via het online loket",
     "Burgers regelen zelf een betalingsregeling; geen aanmaning tijdens de aanvraag.",
     "Financiën en betalingen", "done", -120, 125, "effective"),
    ("board", "or", "Terugkoppeling bij afhandeling van meldingen openbare ruimte",
     "De melder krijgt bericht met een foto wanneer de melding is opgelost.",
     "Openbare ruimte", "done", -45, 40, "not_effective"),
    ("board", "kcc", "Terugbelafspraak binnen twee werkdagen bij het KCC",
     "Terugbelverzoeken in één lijst met een dagelijkse eigenaar.",
     "Bereikbaarheid", "planned", 60, None, ""),
)  # fmt: skip
EFFECT_NOTES = {
    "effective": "Het aantal klachten over dit onderwerp is in drie maanden gehalveerd.",
    "partly": "Minder klachten over de wachttijd, maar nog steeds over de drukte op maandag.",
    "not_effective": "Het aantal klachten is gelijk gebleven; de terugkoppeling komt te laat.",
}
