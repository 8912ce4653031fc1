from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from curriculum.models import Stage
from curriculum.services import DEFAULT_ROADMAP, CurriculumFileError, curriculum_load_file


class Command(BaseCommand):
    help = (
        "Load the roadmap (stages, objectives, projects, checklist) into an empty database. "
        "Once any stage exists the curriculum belongs to staff (the admin) and this does "
        "nothing, so rows they deleted stay deleted; --missing-only creates what is missing "
        "by slug and still never changes rows that exist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_ROADMAP,
            help="The roadmap YAML file (default: curriculum/data/roadmap.yaml).",
        )
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="Also when stages exist: create what the file has and the database lacks.",
        )

    def handle(self, *args, file, missing_only, **options):
        # `make run` calls this every time: once loaded, staff own the curriculum, and
        # re-creating rows they deleted in the admin would undo their work.
        stages = Stage.objects.count()
        if stages and not missing_only:
            self.stdout.write(
                f"The curriculum is already loaded ({stages} stage{pluralize(stages)}); "
                "staff edit it in the admin. Nothing changed."
            )
            return
        try:
            report = curriculum_load_file(path=file)
        except CurriculumFileError as error:
            raise CommandError(f"{file}: {error}") from None

        self.stdout.write(f"Loaded the curriculum from {file}.")
        for noun, count in [
            ("stage", report.stages),
            ("objective", report.objectives),
            ("project", report.projects),
            ("checklist item", report.checklist_items),
        ]:
            self.stdout.write(
                f"Created {count.created} {noun}{pluralize(count.created)}; "
                f"left {count.existing} existing {noun}{pluralize(count.existing)} untouched: "
                "staff edits are kept."
            )
        for reason in report.skipped:
            self.stderr.write(self.style.WARNING(f"Not created: {reason}."))
        self.stdout.write(self.style.SUCCESS("Done."))
