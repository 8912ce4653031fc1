import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from curriculum.models import Objective, Project, Stage
from tests.factories import (
    ChecklistItemFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


def assert_refused(constraint, **fields_and_factory):
    factory = fields_and_factory.pop("factory")
    with transaction.atomic(), pytest.raises(IntegrityError, match=constraint):
        factory(**fields_and_factory)


def test_two_stages_cannot_share_a_number():
    StageFactory(number=1)

    assert_refused("curriculum_stage_unique_number", factory=StageFactory, number=1)


def test_two_stages_cannot_share_a_slug():
    StageFactory(slug="python-fundamentals")

    assert_refused("curriculum_stage_unique_slug", factory=StageFactory, slug="python-fundamentals")


def test_stage_number_zero_is_refused():
    assert_refused("curriculum_stage_number_positive", factory=StageFactory, number=0)


def test_two_objectives_of_a_stage_cannot_share_an_order():
    stage = StageFactory()
    ObjectiveFactory(stage=stage, order=1)

    assert_refused(
        "curriculum_objective_unique_order", factory=ObjectiveFactory, stage=stage, order=1
    )


def test_objectives_of_different_stages_may_share_an_order():
    ObjectiveFactory(order=1)
    ObjectiveFactory(order=1)

    assert Objective.objects.filter(order=1).count() == 2


def test_two_projects_cannot_share_a_slug():
    ProjectFactory(slug="task-manager")

    assert_refused("curriculum_project_unique_slug", factory=ProjectFactory, slug="task-manager")


def test_two_projects_of_a_stage_cannot_share_an_order():
    stage = StageFactory()
    ProjectFactory(stage=stage, order=1)

    assert_refused("curriculum_project_unique_order", factory=ProjectFactory, stage=stage, order=1)


def test_two_checklist_items_cannot_share_a_text_or_an_order():
    ChecklistItemFactory(order=1, text="A README")

    assert_refused(
        "curriculum_checklistitem_unique_text", factory=ChecklistItemFactory, text="A README"
    )
    assert_refused("curriculum_checklistitem_unique_order", factory=ChecklistItemFactory, order=1)


def test_a_project_with_submissions_cannot_be_deleted():
    project = ProjectFactory()
    SubmissionFactory(project=project)

    with pytest.raises(ProtectedError):
        project.delete()
    assert Project.objects.filter(pk=project.pk).exists()


def test_published_projects_exclude_those_of_an_unpublished_stage():
    live = ProjectFactory(title="Live")
    ProjectFactory(title="Archived", is_published=False)
    ProjectFactory(title="In archived stage", stage=StageFactory(is_published=False))

    assert list(Project.objects.published()) == [live]


def test_staff_see_every_stage_and_others_only_published_ones(staff, learner):
    live = StageFactory(number=1)
    archived = StageFactory(number=2, is_published=False)

    assert list(Stage.objects.visible_to(staff)) == [live, archived]
    assert list(Stage.objects.visible_to(learner)) == [live]


def test_urls_and_names():
    stage = StageFactory(number=3, slug="testing", title="Testing")
    project = ProjectFactory(slug="test-it", title="Test it", stage=stage)

    assert (str(stage), stage.get_absolute_url()) == ("3. Testing", "/stages/testing/")
    assert (str(project), project.get_absolute_url()) == ("Test it", "/projects/test-it/")
