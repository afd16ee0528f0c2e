# Import uploads move to a private storage (finding: /media/imports/... served NIKs to anyone while DEBUG was
# on); a job keeps a problems file, an attempt number, the phase a retryable failure stopped in, and when it
# ended (for the retention of its files).

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models

import tunas.registry.models


def move_uploads_out_of_media(apps, schema_editor):
    """Uploads stored before lie under MEDIA_ROOT under their original names: move them to the private
    storage under random names, and delete the public copy."""
    ImportJob = apps.get_model("registry", "ImportJob")
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    private = tunas.registry.models.ImportJob.PrivateStorage()
    for pk, name in ImportJob.objects.exclude(file="").values_list("pk", "file"):
        try:
            if not public.exists(name):
                continue
            suffix = PurePath(name).suffix.lower()
            with public.open(name, "rb") as content:
                moved = private.save(f"imports/{uuid.uuid4().hex}{suffix}", content)
        except (OSError, SuspiciousFileOperation):
            continue
        ImportJob.objects.filter(pk=pk).update(file=moved)
        public.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_identity_and_registration"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="attempt",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importjob",
            name="failed_during",
            field=models.CharField(
                blank=True,
                choices=[
                    ("uploaded", "Uploaded"),
                    ("checking", "Checking"),
                    ("previewed", "Ready to confirm"),
                    ("running", "Importing"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="problems_file",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=tunas.registry.models.ImportJob.PrivateStorage,
                upload_to=tunas.registry.models.ImportJob.problems_name,
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=tunas.registry.models.ImportJob.PrivateStorage,
                upload_to=tunas.registry.models.ImportJob.upload_name,
            ),
        ),
        migrations.RunPython(move_uploads_out_of_media, migrations.RunPython.noop),
    ]
