"""Seed the 22 norms of proper conduct (the ombudsman's Behoorlijkheidswijzer) and a first
set of themes. Both stay editable by the functional admin."""

from django.db import migrations

NORMS = [
    # number, group, Dutch, English
    (1, "A", "Transparant", "Transparent"),
    (2, "A", "Goede informatieverstrekking", "Good information"),
    (3, "A", "Luisteren naar de burger", "Listening to the citizen"),
    (4, "A", "Goede motivering", "Good reasoning"),
    (5, "B", "Respecteren van grondrechten", "Respecting fundamental rights"),
    (6, "B", "Bevorderen van actieve deelname door de burger", "Encouraging active participation"),
    (7, "B", "Fatsoenlijke bejegening", "Decent treatment"),
    (8, "B", "Fair play", "Fair play"),
    (9, "B", "Evenredigheid", "Proportionality"),
    (10, "B", "Bijzondere zorg", "Special care"),
    (11, "C", "Maatwerk", "Tailored approach"),
    (12, "C", "Samenwerking", "Cooperation"),
    (13, "C", "Coulance", "Accommodating attitude"),
    (14, "C", "Voortvarendheid", "Promptness"),
    (15, "C", "De-escalatie", "De-escalation"),
    (16, "D", "Integriteit", "Integrity"),
    (17, "D", "Betrouwbaarheid", "Reliability"),
    (18, "D", "Onpartijdigheid", "Impartiality"),
    (19, "D", "Redelijkheid", "Reasonableness"),
    (20, "D", "Goede voorbereiding", "Good preparation"),
    (21, "D", "Goede organisatie", "Good organisation"),
    (22, "D", "Professionaliteit", "Professionalism"),
]

THEMES = [
    ("Bejegening", "Attitude and treatment"),
    ("Communicatie en informatie", "Communication and information"),
    ("Wachttijd en termijnen", "Waiting times and deadlines"),
    ("Bereikbaarheid", "Reachability"),
    ("Financiën en betalingen", "Finances and payments"),
    ("Procedure en besluitvorming", "Procedure and decisions"),
    ("Openbare ruimte", "Public space"),
    ("Privacy", "Privacy"),
]


def seed(apps, schema_editor):
    Norm = apps.get_model("complaints", "Norm")
    Theme = apps.get_model("complaints", "Theme")
    for number, group, name_nl, name_en in NORMS:
        Norm.objects.update_or_create(
            number=number, defaults={"group": group, "name_nl": name_nl, "name_en": name_en}
        )
    for name_nl, name_en in THEMES:
        Theme.objects.get_or_create(name_nl=name_nl, defaults={"name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
