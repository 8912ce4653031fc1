from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from curriculum.models import ChecklistItem, Objective, Project, Stage
from curriculum.services import CurriculumFileError, curriculum_load, curriculum_parse
from tests.factories import ChecklistItemFactory, ObjectiveFactory, ProjectFactory, StageFactory

pytestmark = pytest.mark.django_db


def run_loader(*args):
    out, err = StringIO(), StringIO()
    call_command("load_curriculum", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text):
    path = tmp_path / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


MINIMAL = """
stages:
  - number: 1
    slug: basics
    title: Basics
    summary: The basics.
    objectives: ["Write a function", "Read a file"]
    projects:
      - slug: tiny-tool
        title: Tiny tool
        summary: A tiny tool.
        brief: Build a **tiny** tool.
        skills: ["Functions", "Files"]
        features: ["Adds a task", "Lists tasks"]
        is_required: false
checklist:
  - text: A README
    help: Setup and usage.
"""


def test_loading_the_roadmap_into_an_empty_database_creates_the_whole_curriculum():
    out, err = run_loader()

    assert list(Stage.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert list(Stage.objects.values_list("slug", flat=True)) == [
        "python-fundamentals",
        "developer-workflow",
        "testing-and-debugging",
        "sql-and-databases",
        "apis-and-backend-basics",
        "portfolio-polish",
    ]
    for stage in Stage.objects.all():
        assert stage.objectives.count() >= 4, stage
        assert list(stage.objectives.values_list("order", flat=True)) == list(
            range(1, stage.objectives.count() + 1)
        )
    assert Project.objects.count() == 10
    assert Project.objects.filter(kind=Project.Kind.BUG_STORY).count() == 1
    assert ChecklistItem.objects.count() == 10
    assert err == ""
    assert "Created 6 stages; left 0 existing stages untouched: staff edits are kept." in out
    assert (
        f"Created {Objective.objects.count()} objectives; "
        "left 0 existing objectives untouched: staff edits are kept."
    ) in out
    assert "Created 10 projects; left 0 existing projects untouched" in out
    assert "Created 10 checklist items; left 0 existing checklist items untouched" in out


def test_the_five_portfolio_projects_sit_in_the_stage_that_teaches_their_skills():
    run_loader()

    placement = dict(Project.objects.values_list("slug", "stage__slug"))
    assert placement["command-line-task-manager"] == "python-fundamentals"
    assert placement["automated-file-organiser"] == "developer-workflow"
    assert placement["job-application-tracker"] == "sql-and-databases"
    assert placement["fastapi-crud-app"] == "apis-and-backend-basics"
    assert placement["public-api-data-app"] == "apis-and-backend-basics"


def test_skills_and_features_become_one_line_each():
    run_loader()

    project = Project.objects.get(slug="command-line-task-manager")
    assert project.skill_list == [
        "Python fundamentals",
        "File handling",
        "Functions",
        "Error handling",
        "Basic testing",
        "Command-line interaction",
    ]
    assert project.feature_list[0] == "A user can add a task with a title from the command line"
    assert len(project.feature_list) == 6


def test_a_second_run_changes_nothing_and_says_the_curriculum_belongs_to_staff():
    run_loader()
    counts = [m.objects.count() for m in (Stage, Objective, Project, ChecklistItem)]
    Project.objects.filter(slug="fastapi-crud-app").delete()  # staff removed it in the admin

    out, err = run_loader()

    counts[2] -= 1
    assert [m.objects.count() for m in (Stage, Objective, Project, ChecklistItem)] == counts
    assert out == (
        "The curriculum is already loaded (6 stages); staff edit it in the admin. "
        "Nothing changed.\n"
    )
    assert err == ""


def test_a_second_run_with_missing_only_creates_nothing_and_says_everything_was_kept():
    run_loader()
    counts = [m.objects.count() for m in (Stage, Objective, Project, ChecklistItem)]

    out, _ = run_loader("--missing-only")

    assert [m.objects.count() for m in (Stage, Objective, Project, ChecklistItem)] == counts
    assert "Created 0 stages; left 6 existing stages untouched: staff edits are kept." in out
    assert "Created 0 projects; left 10 existing projects untouched: staff edits are kept." in out
    assert (
        f"Created 0 objectives; left {counts[1]} existing objectives untouched: "
        "staff edits are kept."
    ) in out
    assert "Created 0 checklist items; left 10 existing checklist items untouched" in out


def test_missing_only_recreates_what_staff_deleted():
    run_loader()
    Project.objects.filter(slug="fastapi-crud-app").delete()

    out, _ = run_loader("--missing-only")

    assert Project.objects.filter(slug="fastapi-crud-app").count() == 1
    assert "Created 1 project; left 9 existing projects untouched" in out


def test_staff_edits_survive_a_rerun():
    run_loader()
    Stage.objects.filter(slug="python-fundamentals").update(summary="Edited by staff.")
    Project.objects.filter(slug="fastapi-crud-app").update(brief="Staff brief.", is_published=False)
    Objective.objects.filter(stage__number=1, order=1).update(text="Staff wording.")
    ChecklistItem.objects.filter(order=1).update(text="Staff checklist wording.")

    run_loader("--missing-only")

    assert Stage.objects.get(slug="python-fundamentals").summary == "Edited by staff."
    project = Project.objects.get(slug="fastapi-crud-app")
    assert (project.brief, project.is_published) == ("Staff brief.", False)
    assert Objective.objects.get(stage__number=1, order=1).text == "Staff wording."
    assert ChecklistItem.objects.count() == 10
    assert ChecklistItem.objects.get(order=1).text == "Staff checklist wording."


def test_missing_rows_are_added_beside_existing_ones(tmp_path):
    stage = StageFactory(number=1, slug="basics", summary="Staff summary.")
    ObjectiveFactory(stage=stage, order=1, text="Staff objective")

    out, _ = run_loader("--missing-only", "--file", write(tmp_path, MINIMAL))

    assert list(stage.objectives.values_list("order", "text")) == [
        (1, "Staff objective"),
        (2, "Read a file"),
    ]
    stage.refresh_from_db()
    assert stage.summary == "Staff summary."
    project = Project.objects.get(slug="tiny-tool")
    assert (project.stage, project.order, project.is_required) == (stage, 1, False)
    assert (project.skills, project.features) == ("Functions\nFiles", "Adds a task\nLists tasks")
    assert "Created 0 stages; left 1 existing stage untouched" in out
    assert "Created 1 objective; left 1 existing objective untouched" in out


def test_a_project_whose_order_is_taken_goes_after_the_stages_last_project(tmp_path):
    stage = StageFactory(number=1, slug="basics")
    ProjectFactory(stage=stage, order=1, slug="staff-project")

    run_loader("--missing-only", "--file", write(tmp_path, MINIMAL))

    assert Project.objects.get(slug="tiny-tool").order == 2


def test_a_stage_whose_number_is_used_by_another_slug_is_skipped_with_a_warning(tmp_path):
    StageFactory(number=1, slug="renamed-by-staff")

    out, err = run_loader("--missing-only", "--file", write(tmp_path, MINIMAL))

    assert list(Stage.objects.values_list("slug", flat=True)) == ["renamed-by-staff"]
    assert Project.objects.count() == 0
    assert "Not created: stage 'basics': number 1 is already used by another stage" in err
    assert "Created 1 checklist item;" in out


def test_a_checklist_item_whose_order_is_taken_counts_as_existing(tmp_path):
    ChecklistItemFactory(order=1, text="Reworded by staff")

    out, _ = run_loader("--file", write(tmp_path, MINIMAL))

    assert list(ChecklistItem.objects.values_list("text", flat=True)) == ["Reworded by staff"]
    assert "Created 0 checklist items; left 1 existing checklist item untouched" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stages: [", "not valid YAML"),
        ("- just a list", "the file: expected a mapping"),
        ("checklist: []", "stages: expected a list."),
        (MINIMAL.replace("    slug: basics\n", ""), "stages[0]: 'slug' is missing or empty."),
        (MINIMAL.replace("slug: basics", "slug: has spaces"), "may only contain letters"),
        (MINIMAL.replace("number: 1", "number: one"), "'number' must be a whole number"),
        (MINIMAL.replace("number: 1", "number: 0"), "'number' must be a whole number"),
        (
            MINIMAL.replace("- slug: tiny-tool\n        title:", "- title:"),
            "stages[0].projects[0]: 'slug' is missing or empty.",
        ),
        (
            MINIMAL.replace("brief: Build a **tiny** tool.", "brief: ''"),
            "stages[0].projects[0]: 'brief' is missing or empty.",
        ),
        (MINIMAL.replace("is_required: false", "is_required: maybe"), "true or false"),
        (
            MINIMAL.replace('skills: ["Functions", "Files"]', "skills: [1, 2]"),
            "stages[0].projects[0].skills: every entry must be a non-empty line of text.",
        ),
        (MINIMAL.replace("  - text: A README", "  - text: ''"), "checklist[0]: 'text' is missing"),
        (
            MINIMAL.replace("title: Basics", "title: " + "x" * 200),
            "stages[0]: title: Ensure this value has at most 120 characters",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_error_and_loads_nothing(tmp_path, text, message):
    with pytest.raises(CommandError, match="roadmap.yaml: ") as raised:
        run_loader("--file", write(tmp_path, text))

    assert message in str(raised.value)
    assert Stage.objects.count() == 0
    assert ChecklistItem.objects.count() == 0


DUPLICATES = """
stages:
  - {number: 1, slug: basics, title: One, summary: One.}
  - {number: %s, slug: %s, title: Two, summary: Two.}
"""


@pytest.mark.parametrize(
    ("number", "slug", "message"),
    [
        (2, "basics", "stages[1]: stage slug 'basics' appears twice."),
        (1, "more", "stages[1]: stage number 1 appears twice."),
    ],
)
def test_duplicate_stages_in_the_file_are_refused(number, slug, message):
    with pytest.raises(CurriculumFileError) as raised:
        curriculum_parse(DUPLICATES % (number, slug))

    assert str(raised.value) == message


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run_loader("--file", str(tmp_path / "nope.yaml"))


def test_an_error_late_in_the_file_rolls_back_everything_created_before_it():
    data = curriculum_parse(MINIMAL)
    data["checklist"][0]["text"] = "x" * 300  # past the column's limit: fails at the very end

    with pytest.raises(CurriculumFileError, match="checklist\\[0\\]: text:"):
        curriculum_load(data=data)

    assert Stage.objects.count() == 0
    assert Project.objects.count() == 0
