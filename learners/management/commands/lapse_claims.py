from django.core.management.base import BaseCommand

from learners.services import submission_claims_lapse


class Command(BaseCommand):
    help = "Return every claim older than CLAIM_HOURS to the review queue (safe to run twice)."

    def handle(self, *args, **options):
        lapsed = submission_claims_lapse()
        self.stdout.write(f"{len(lapsed)} claim{'s' if len(lapsed) != 1 else ''} lapsed.")
