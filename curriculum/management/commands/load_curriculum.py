from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from curriculum.models import InterviewArea, ReadinessStatement, Stage
from curriculum.services import (
    DEFAULT_READINESS,
    DEFAULT_ROADMAP,
    CurriculumFileError,
    curriculum_load_file,
    readiness_load_file,
)


class Command(BaseCommand):
    help = (
        "Load the roadmap (stages, objectives, projects, checklist) and the readiness file "
        "(interview areas, readiness statements) into an empty database. Once any stage "
        "exists the curriculum belongs to staff (the admin) and this does nothing, so rows "
        "they deleted stay deleted (except that the readiness file is loaded into a database "
        "that has none of its rows yet); --missing-only creates what is missing and still "
        "never changes rows that exist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_ROADMAP,
            help="The roadmap YAML file (default: curriculum/data/roadmap.yaml).",
        )
        parser.add_argument(
            "--readiness-file",
            type=Path,
            default=DEFAULT_READINESS,
            help="The readiness YAML file (default: curriculum/data/readiness.yaml).",
        )
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="Also when stages exist: create what the file has and the database lacks.",
        )

    def handle(self, *args, file, readiness_file, missing_only, **options):
        # `make run` calls this every time: once loaded, staff own the curriculum, and
        # re-creating rows they deleted in the admin would undo their work.
        stages = Stage.objects.count()
        if stages and not missing_only:
            # A database loaded before the readiness file existed gets it once: it has
            # none of its rows, so there is nothing staff could have deleted.
            if InterviewArea.objects.exists() or ReadinessStatement.objects.exists():
                self.stdout.write(
                    f"The curriculum is already loaded ({stages} stage{pluralize(stages)}); "
                    "staff edit it in the admin. Nothing changed."
                )
                return
            report = self._load(readiness_load_file, path=readiness_file)
            self.stdout.write(f"Loaded the readiness statements from {readiness_file}.")
            self._report(report, with_roadmap=False)
            return
        report = self._load(curriculum_load_file, path=file, readiness_path=readiness_file)
        self.stdout.write(f"Loaded the curriculum from {file} and {readiness_file}.")
        self._report(report, with_roadmap=True)

    def _load(self, load, **kwargs):
        try:
            return load(**kwargs)
        except CurriculumFileError as error:  # the message names the file
            raise CommandError(str(error)) from None

    def _report(self, report, *, with_roadmap):
        counts = (
            [
                ("stage", report.stages),
                ("objective", report.objectives),
                ("project", report.projects),
                ("checklist item", report.checklist_items),
            ]
            if with_roadmap
            else []
        )
        counts += [
            ("interview area", report.interview_areas),
            ("readiness statement", report.readiness_statements),
        ]
        for noun, count in counts:
            self.stdout.write(
                f"Created {count.created} {noun}{pluralize(count.created)}; "
                f"left {count.existing} existing {noun}{pluralize(count.existing)} untouched: "
                "staff edits are kept."
            )
        for reason in report.skipped:
            self.stderr.write(self.style.WARNING(f"Not created: {reason}."))
        self.stdout.write(self.style.SUCCESS("Done."))
