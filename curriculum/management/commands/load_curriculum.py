from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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
        for label, count in [
            ("stages", report.stages),
            ("objectives", report.objectives),
            ("projects", report.projects),
            ("checklist items", report.checklist_items),
        ]:
            self.stdout.write(
                f"Created {count.created} {label}; "
                f"left {count.existing} existing {label} untouched: staff edits are kept."
            )
        for reason in report.skipped:
            self.stderr.write(self.style.WARNING(f"Not created: {reason}."))
        self.stdout.write(self.style.SUCCESS("Done."))
