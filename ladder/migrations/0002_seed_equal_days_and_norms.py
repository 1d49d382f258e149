from django.db import migrations

# Known decrees (Atw art. 3 lid 3), as in ladder.deadlines.KNOWN_EQUAL_DAYS. Written out here:
# a migration must not change when that constant does.
DECREES = [
    ("2026-01-02", "Stcrt. 2025, 24713"),
    ("2026-05-15", "Stcrt. 2025, 24713"),
    ("2027-05-07", "Stcrt. 2025, 24713"),
    ("2028-04-28", "Stcrt. 2025, 24713"),
    ("2028-05-26", "Stcrt. 2025, 24713"),
]


def seed(apps, schema_editor):
    EqualDay = apps.get_model("ladder", "EqualDay")
    ServiceNorms = apps.get_model("ladder", "ServiceNorms")
    for day, decree in DECREES:
        EqualDay.objects.get_or_create(day=day, defaults={"decree": decree})
    ServiceNorms.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("ladder", "0001_equal_days_and_service_norms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
