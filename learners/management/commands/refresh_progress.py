"""Recount every learner's LearnerProgress, the cohort grid's order by progress.

The rows are kept up to date when a submission is approved; run this after staff change which
projects are required or published (the counts the grid shows are read live either way).
"""

from django.core.management.base import BaseCommand

from learners.models import Cohort
from learners.services import learner_progress_refresh


class Command(BaseCommand):
    help = "Recount each learner's approved required projects per cohort (the grid's order)."

    def handle(self, *args, **options):
        cohorts = list(Cohort.objects.order_by("pk").values_list("pk", flat=True))
        for cohort_id in cohorts:
            learner_progress_refresh(cohort_id=cohort_id)
        self.stdout.write(f"Recounted the progress of {len(cohorts)} cohorts.")
