"""Line counts for the blobs stored before 0009 added the column; their highlighting is left
to the file view (learners.highlight.blob_lines) and to the next snapshot that stores them,
so this is one cheap pass. Not atomic: batches of 500, each its own UPDATE, so a large table
is not held in one transaction; run again, it goes on where it stopped."""

import logging

from django.db import migrations

BATCH = 500
logger = logging.getLogger(__name__)


def _line_count(text: str) -> int:
    # As learners.highlight.source_lines counts (a copy: a migration keeps its own logic).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return 0 if not text else text.removesuffix("\n").count("\n") + 1


def count_lines(apps, schema_editor):
    Blob = apps.get_model("learners", "Blob")
    last = ""
    while True:
        batch = list(
            Blob.objects.filter(line_count__isnull=True, sha__gt=last)
            .order_by("sha")
            .only("sha", "text")[:BATCH]
        )
        if not batch:
            return
        last = batch[-1].sha
        counted = []
        for blob in batch:
            try:
                blob.line_count = _line_count(blob.text)
            except Exception:  # one odd blob must not stop the migration
                logger.exception("blob %s: no line count", blob.sha)
                continue
            counted.append(blob)
        Blob.objects.bulk_update(counted, ["line_count"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("learners", "0011_bug_stories_readiness_ticks_portfolio"),
    ]

    operations = [
        migrations.RunPython(count_lines, migrations.RunPython.noop, elidable=True),
    ]
