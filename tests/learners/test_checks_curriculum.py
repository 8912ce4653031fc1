"""The check keys are choices a curriculum checklist item can name: in the roadmap file and
in the admin."""

import pytest
from django.core.management import call_command

from curriculum.models import AutomatedCheck, ChecklistItem
from curriculum.services import CurriculumFileError, curriculum_load, curriculum_parse
from learners.checks import CHECKS

ROADMAP = """
stages: []
checklist:
  - text: No secrets committed
    check: %s
  - text: Honest limitations
"""


def test_every_check_key_is_a_checklist_choice_and_every_choice_has_a_check():
    assert list(CHECKS) == list(AutomatedCheck.values)


@pytest.mark.django_db
def test_the_roadmap_file_links_a_checklist_item_to_a_check():
    curriculum_load(data=curriculum_parse(ROADMAP % "no-secrets"))
    assert dict(ChecklistItem.objects.values_list("text", "automated_check")) == {
        "No secrets committed": "no-secrets",
        "Honest limitations": "",
    }


def test_an_unknown_check_in_the_roadmap_file_is_refused_naming_the_choices():
    with pytest.raises(CurriculumFileError, match=r"checklist\[0\]: check 'secrets' is not one of"):
        curriculum_parse(ROADMAP % "secrets")


@pytest.mark.django_db
def test_the_shipped_roadmap_links_seven_checklist_items():
    call_command("load_curriculum", verbosity=0)
    linked = dict(
        ChecklistItem.objects.exclude(automated_check="").values_list("automated_check", "order")
    )
    assert sorted(linked) == [
        "commits", "dependencies", "gitignore", "no-secrets", "readme-sections", "structure",
        "tests",
    ]  # fmt: skip


@pytest.mark.django_db
def test_staff_set_the_check_in_the_admin(client, staff):
    item = ChecklistItem.objects.create(order=1, text="Tests")
    client.force_login(staff)
    response = client.post(
        f"/admin/curriculum/checklistitem/{item.pk}/change/",
        {"order": 1, "text": "Tests", "help": "", "is_published": "on", "automated_check": "tests"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.automated_check == "tests"
