from django.db import migrations

CAUSES = [
    # code, Dutch, English (DOMAIN.md section 6); functional administrators may add more
    ("communication", "Communicatie", "Communication"),
    ("process", "Proces", "Process"),
    ("policy", "Beleid", "Policy"),
    ("attitude", "Bejegening", "Attitude"),
    ("it", "ICT", "IT"),
    ("other", "Anders", "Other"),
]


def seed(apps, schema_editor):
    Cause = apps.get_model("reporting", "Cause")
    for order, (code, name_nl, name_en) in enumerate(CAUSES, start=1):
        Cause.objects.update_or_create(
            code=code, defaults={"name_nl": name_nl, "name_en": name_en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
