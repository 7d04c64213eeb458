"""Register keys scoped to a jurisdiction.

Until now a register's facilities were keyed ``<file stem>:<编号>``, shared by every importer:
two streets uploading ``台账.csv`` wrote to the same keys. Keys are now prefixed with the
jurisdiction the register belongs to. Existing keys (all but OSM's) move into the namespace of
the street their facility lies in, which is who may edit them: re-importing the street's file
for that street updates them as before.
"""

from typing import Any

from django.db import migrations, models

#: keys that are global by nature and stay as they are
GLOBAL_PREFIXES = ("osm:",)
KEY_MAX = 200


def scope_legacy_keys(apps: Any, schema_editor: Any) -> None:
    Facility = apps.get_model("facilities", "Facility")
    changed = []
    for fac in Facility.objects.select_related("community__street").iterator():
        if fac.register_scope or fac.key.startswith(GLOBAL_PREFIXES):
            continue
        scope = f"street:{fac.community.street.code}"
        key = f"{scope}/{fac.key}"
        if len(key) > KEY_MAX:
            continue
        fac.key, fac.register_scope = key, scope
        changed.append(fac)
    Facility.objects.bulk_update(changed, ["key", "register_scope"], batch_size=500)


def unscope_keys(apps: Any, schema_editor: Any) -> None:
    Facility = apps.get_model("facilities", "Facility")
    changed = []
    for fac in Facility.objects.exclude(register_scope="").iterator():
        prefix = f"{fac.register_scope}/"
        if fac.key.startswith(prefix):
            fac.key = fac.key[len(prefix) :]
        fac.register_scope = ""
        changed.append(fac)
    Facility.objects.bulk_update(changed, ["key", "register_scope"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0004_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="facility",
            name="register_scope",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="导入该设施的登记表所属辖区，如 street:110102001000；其键以它开头",
                max_length=64,
                verbose_name="登记辖区",
            ),
        ),
        migrations.AddField(
            model_name="historicalfacility",
            name="register_scope",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="导入该设施的登记表所属辖区，如 street:110102001000；其键以它开头",
                max_length=64,
                verbose_name="登记辖区",
            ),
        ),
        migrations.AlterField(
            model_name="facility",
            name="key",
            field=models.CharField(
                help_text="导入时的稳定键，如 osm:node/123 或 street:110102001000/登记表:编号",
                max_length=200,
                unique=True,
                verbose_name="稳定标识",
            ),
        ),
        migrations.AlterField(
            model_name="historicalfacility",
            name="key",
            field=models.CharField(
                db_index=True,
                help_text="导入时的稳定键，如 osm:node/123 或 street:110102001000/登记表:编号",
                max_length=200,
                verbose_name="稳定标识",
            ),
        ),
        migrations.RunPython(scope_legacy_keys, unscope_keys),
    ]
