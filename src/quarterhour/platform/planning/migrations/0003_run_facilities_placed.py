from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_run_tiles"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessmentrun",
            name="n_facilities_placed",
            field=models.PositiveIntegerField(default=0, verbose_name="在步行网络上的设施数"),
        ),
    ]
