from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from curriculum.services import DEFAULT_ROADMAP, CurriculumFileError, curriculum_load_file


class Command(BaseCommand):
    help = (
        "Load the roadmap (stages, objectives, projects, checklist) into the database. "
        "Creates what is missing; never changes rows that exist, so staff edits are kept. "
        "Safe to run again and again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_ROADMAP,
            help="The roadmap YAML file (default: curriculum/data/roadmap.yaml).",
        )

    def handle(self, *args, file, **options):
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
