from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from curriculum.models import InterviewArea, Project, ReadinessStatement
from curriculum.services import CurriculumFileError, readiness_parse

pytestmark = pytest.mark.django_db

# "How to know you are ready to apply", as the roadmap source text words it.
ROADMAP_STATEMENTS = [
    "You can build a small Python project without copying every line from a tutorial.",
    "You can explain your project structure.",
    "You can use Git branches and commits.",
    "You can write a clear README.",
    "You can create and use a virtual environment.",
    "You can install and document dependencies.",
    "You can write basic tests.",
    "You can debug common errors.",
    "You can use SQL for basic CRUD operations.",
    "You can build or consume a simple API.",
    "You can explain at least two portfolio projects.",
    "You can describe what you would improve next.",
    "You can read official documentation when stuck.",
]


def run_loader(*args):
    out, err = StringIO(), StringIO()
    call_command("load_curriculum", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_thirteen_statements_and_eleven_areas_come_in_the_roadmaps_words():
    out, err = run_loader()

    assert list(ReadinessStatement.objects.values_list("text", flat=True)) == ROADMAP_STATEMENTS
    assert list(InterviewArea.objects.values_list("name", flat=True)) == [
        "Python fundamentals",
        "Data structures",
        "Functions",
        "Error handling",
        "Object-oriented programming basics",
        "SQL queries",
        "Git workflow",
        "API concepts",
        "Debugging",
        "Testing",
        "Project discussion",
    ]
    assert err == ""
    assert "Created 13 readiness statements; left 0 existing" in out
    tests = ReadinessStatement.objects.get(text="You can write basic tests.")
    assert (tests.evidence, tests.automated_check) == ("automated-check", "tests")
    debug = ReadinessStatement.objects.get(text="You can debug common errors.")
    assert debug.evidence == "bug-story"
    explain = ReadinessStatement.objects.get(text__startswith="You can explain at least two")
    assert (explain.evidence, explain.interview_area.name) == (
        "mock-interview",
        "Project discussion",
    )


def test_the_bug_story_brief_carries_the_roadmaps_model_answer():
    run_loader()

    project = Project.objects.get(kind=Project.Kind.BUG_STORY)
    assert project.is_required is False
    assert "completed tasks were still showing in the open-task filter" in project.brief
    for part in [
        "What the bug was",
        "How you reproduced it",
        "What caused it",
        "How you fixed it",
        "How you tested the fix",
        "What you learned",
    ]:
        assert f"- {part}" in project.brief


def test_a_database_loaded_before_the_readiness_file_gets_it_once_without_missing_only():
    run_loader()
    ReadinessStatement.objects.all().delete()
    InterviewArea.objects.all().delete()

    out, _ = run_loader()

    assert ReadinessStatement.objects.count() == 13
    assert "Loaded the readiness statements from" in out
    ReadinessStatement.objects.filter(order=13).delete()  # staff deleted one

    out, _ = run_loader()

    assert ReadinessStatement.objects.count() == 12
    assert "Nothing changed." in out


def test_missing_only_recreates_a_deleted_statement_and_keeps_a_reworded_one():
    run_loader()
    ReadinessStatement.objects.filter(order=1).update(text="You can build a project alone.")
    ReadinessStatement.objects.filter(order=13).delete()

    out, _ = run_loader("--missing-only")

    assert ReadinessStatement.objects.count() == 13
    assert ReadinessStatement.objects.get(order=1).text == "You can build a project alone."
    assert "Created 1 readiness statement; left 12 existing" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("readiness: [{text: A, evidence: magic}]", "readiness[0]: evidence 'magic' is not one"),
        (
            "readiness: [{text: A, evidence: automated-check}]",
            "readiness[0]: automated-check evidence needs a 'check'",
        ),
        (
            "interview_areas: [SQL]\nreadiness: [{text: A, evidence: mock-interview, area: Git}]",
            "readiness[0]: mock-interview evidence needs an 'area' from interview_areas",
        ),
        ("readiness: [{text: A}, {text: A}]", "readiness[1]: statement 'A' appears twice."),
    ],
)
def test_a_malformed_readiness_file_is_refused_with_where_and_why(text, message):
    with pytest.raises(CurriculumFileError) as raised:
        readiness_parse(text)

    assert str(raised.value).startswith(message)


def test_a_bad_readiness_file_names_itself_and_loads_nothing(tmp_path):
    bad = tmp_path / "readiness.yaml"
    bad.write_text("readiness: [{text: A, evidence: magic}]")

    with pytest.raises(CommandError, match=r"readiness.yaml: readiness\[0\]: evidence"):
        run_loader("--readiness-file", str(bad))

    assert ReadinessStatement.objects.count() == 0
    assert Project.objects.count() == 0
