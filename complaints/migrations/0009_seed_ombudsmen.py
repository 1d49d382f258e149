from django.db import migrations

OMBUDSMEN = [
    # name, kind, postal address, website, named in letters by default
    (
        "Nationale ombudsman",
        "national",
        "Postbus 93122\n2509 AC Den Haag",
        "https://www.nationaleombudsman.nl",
        True,
    ),
    (
        "Kinderombudsman",
        "national",
        "Postbus 93122\n2509 AC Den Haag",
        "https://www.kinderombudsman.nl",
        False,
    ),
]


def seed(apps, schema_editor):
    """The known external complaint handlers; a municipality adds its own ombudsman."""
    Ombudsman = apps.get_model("complaints", "Ombudsman")
    for name, kind, address, website, default in OMBUDSMEN:
        Ombudsman.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "postal_address": address,
                "website": website,
                "is_default": default,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_ladder")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
