import time

from django.core.management.base import BaseCommand, CommandError

from learners.models import Snapshot
from learners.snapshots import snapshot_take


class Command(BaseCommand):
    help = (
        "Fetch and check repository snapshots: those of the given iterations, or every pending "
        "one (--pending), or keep taking pending ones as they arrive (--watch)."
    )

    def add_arguments(self, parser):
        parser.add_argument("iterations", nargs="*", type=int, help="iteration ids")
        parser.add_argument("--pending", action="store_true", help="every pending snapshot")
        parser.add_argument(
            "--watch", action="store_true", help="poll for pending snapshots every 2 s"
        )

    def handle(self, *args, iterations, pending, watch, **options):
        if not (iterations or pending or watch):
            raise CommandError("Name iteration ids, or use --pending or --watch.")
        if iterations:
            snapshots = list(Snapshot.objects.filter(iteration_id__in=iterations))
            missing = set(iterations) - {snapshot.iteration_id for snapshot in snapshots}
            if missing:
                raise CommandError(f"No snapshot for iteration(s) {sorted(missing)}.")
            # Asked for by name: taken again even when ready or failed.
            Snapshot.objects.filter(pk__in=[s.pk for s in snapshots]).update(
                status=Snapshot.Status.PENDING, reason="", message=""
            )
            self._take([s.pk for s in snapshots])
        if pending or watch:
            while True:
                self._take(self._pending())
                if not watch:
                    break
                time.sleep(2)

    def _pending(self) -> list[int]:
        return list(
            Snapshot.objects.filter(status=Snapshot.Status.PENDING)
            .order_by("requested_at")
            .values_list("pk", flat=True)
        )

    def _take(self, ids):
        for pk in ids:
            snapshot = snapshot_take(snapshot_id=pk)
            if snapshot is None:
                continue
            if snapshot.status == Snapshot.Status.READY:
                self.stdout.write(
                    f"{snapshot.iteration}: ready at {snapshot.commit_sha[:12]}, "
                    f"{snapshot.checks_passed} passed, {snapshot.checks_warned} warned, "
                    f"{snapshot.checks_failed} failed"
                )
            else:
                self.stdout.write(
                    f"{snapshot.iteration}: {snapshot.get_status_display()}: {snapshot.message}"
                )
