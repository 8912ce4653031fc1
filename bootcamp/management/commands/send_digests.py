from django.core.management.base import BaseCommand

from bootcamp.notifications import notifications_send_digests


class Command(BaseCommand):
    help = "Send today's digest e-mail to everyone with notifications kept for it (once a day)."

    def handle(self, *args, **options):
        sent = notifications_send_digests()
        self.stdout.write(f"{sent} digest{'s' if sent != 1 else ''} sent.")
