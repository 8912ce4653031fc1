import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from curriculum.models import ChecklistItem, Objective, Project, Stage
from tests.factories import (
    ChecklistItemFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["stage", "project", "checklistitem"]


def changelist(model):
    return reverse(f"admin:curriculum_{model}_changelist")


def change(obj):
    return reverse(f"admin:curriculum_{obj._meta.model_name}_change", args=[obj.pk])


def delete(obj):
    return reverse(f"admin:curriculum_{obj._meta.model_name}_delete", args=[obj.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def curriculum(db):
    stage = StageFactory(number=1, title="Python fundamentals")
    ObjectiveFactory(stage=stage, order=1)
    project = ProjectFactory(stage=stage, title="Task manager")
    item = ChecklistItemFactory()
    return {"stage": stage, "project": project, "checklistitem": item}


@pytest.mark.parametrize("model", MODELS)
def test_staff_open_each_changelist_and_change_page(client_for, staff, curriculum, model):
    client = client_for(staff)

    assert client.get(changelist(model)).status_code == 200
    assert client.get(change(curriculum[model])).status_code == 200
    assert client.get(reverse(f"admin:curriculum_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_a_learner_is_sent_to_the_admin_login(client_for, learner, curriculum, model):
    client = client_for(learner)

    for url in (changelist(model), change(curriculum[model])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_stage_changelist_shows_counts_and_a_preview_link(client_for, staff, curriculum):
    ProjectFactory(stage=curriculum["stage"])

    response = client_for(staff).get(changelist("stage"))

    html = response.content.decode()
    assert '<td class="field-objective_count">1</td>' in html
    assert '<td class="field-project_count">2</td>' in html
    assert f'<a href="{curriculum["stage"].get_absolute_url()}">View on site</a>' in html


def test_stage_change_page_has_objective_and_project_inlines_and_view_on_site(
    client_for, staff, curriculum
):
    response = client_for(staff).get(change(curriculum["stage"]))

    html = response.content.decode()
    assert 'name="objectives-0-order"' in html
    assert 'name="projects-0-order"' in html
    assert 'name="projects-0-is_published"' in html
    assert "View on site" in html


def test_stage_changelist_search_and_published_filter(client_for, staff):
    StageFactory(number=1, title="Python fundamentals")
    StageFactory(number=2, title="Developer workflow", is_published=False)
    client = client_for(staff)

    found = client.get(changelist("stage"), {"q": "workflow"})
    archived = client.get(changelist("stage"), {"is_published__exact": "0"})

    assert [s.title for s in found.context["cl"].result_list] == ["Developer workflow"]
    assert [s.title for s in archived.context["cl"].result_list] == ["Developer workflow"]


def test_project_changelist_filters_by_stage_and_required(client_for, staff):
    first, second = StageFactory(), StageFactory()
    ProjectFactory(stage=first, title="Required one")
    ProjectFactory(stage=second, title="Optional one", is_required=False)
    client = client_for(staff)

    by_stage = client.get(changelist("project"), {"stage__id__exact": second.pk})
    optional = client.get(changelist("project"), {"is_required__exact": "0"})

    assert [p.title for p in by_stage.context["cl"].result_list] == ["Optional one"]
    assert [p.title for p in optional.context["cl"].result_list] == ["Optional one"]


# --- publish / unpublish ------------------------------------------------------------------


def run_action(client, model, action, objects):
    return client.post(
        changelist(model),
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects]},
        follow=True,
    )


def test_unpublish_action_archives_the_selected_stages_and_says_how_many(client_for, staff):
    stages = StageFactory.create_batch(3)
    already = StageFactory(is_published=False)

    response = run_action(client_for(staff), "stage", "unpublish", [*stages[:2], already])

    assert response.status_code == 200
    assert messages_of(response) == [
        "Unpublished (archived) 2 stages. 1 already unpublished left as they were."
    ]
    assert list(Stage.objects.filter(is_published=True)) == [stages[2]]


def test_publish_action_publishes_the_selected_projects(client_for, staff):
    project = ProjectFactory(is_published=False)

    response = run_action(client_for(staff), "project", "publish", [project])

    assert messages_of(response) == ["Published 1 project."]
    project.refresh_from_db()
    assert project.is_published is True


def test_publish_action_on_checklist_items(client_for, staff):
    items = ChecklistItemFactory.create_batch(2, is_published=False)

    response = run_action(client_for(staff), "checklistitem", "publish", items)

    assert messages_of(response) == ["Published 2 checklist items."]
    assert ChecklistItem.objects.filter(is_published=True).count() == 2


# --- deleting is refused where learners' work depends on it -------------------------------


def test_deleting_a_project_with_submissions_is_refused_with_an_explanation(
    client_for, staff, curriculum
):
    project = curriculum["project"]
    SubmissionFactory(project=project)
    client = client_for(staff)

    page = client.get(delete(project))
    posted = client.post(delete(project), {"post": "yes"})

    assert page.status_code == 200
    assert posted.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", posted.content.decode()).split())
    assert (
        "You can’t delete the project “Task manager”: the items below depend on it, and "
        "deleting curriculum must never delete learners’ work. Unpublish it instead to "
        "archive it" in text
    )
    assert "What depends on it" in text
    assert 'value="Yes, I’m sure"' not in posted.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_project_without_submissions_can_be_deleted(client_for, staff):
    project = ProjectFactory()

    response = client_for(staff).post(delete(project), {"post": "yes"})

    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def test_deleting_a_stage_with_work_is_refused(client_for, staff, curriculum):
    stage = curriculum["stage"]
    SubmissionFactory(project=curriculum["project"])

    response = client_for(staff).post(delete(stage), {"post": "yes"})

    assert response.status_code == 200
    assert "Unpublish it instead to archive it" in response.content.decode()
    assert Stage.objects.filter(pk=stage.pk).exists()


@pytest.mark.parametrize("model", ["stage", "project"])
def test_bulk_delete_with_submissions_is_refused(client_for, staff, curriculum, model):
    SubmissionFactory(project=curriculum["project"])
    target = curriculum[model]
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [target.pk]}
    client = client_for(staff)

    page = client.post(changelist(model), data)
    confirmed = client.post(changelist(model), {**data, "post": "yes"})

    for response in (page, confirmed):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Unpublish them instead to archive them" in html
        assert 'value="Yes, I’m sure"' not in html
    assert type(target).objects.filter(pk=target.pk).exists()


def test_bulk_delete_without_work_still_asks_for_confirmation(client_for, staff):
    project = ProjectFactory()
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [project.pk]}
    client = client_for(staff)

    page = client.post(changelist("project"), data)
    confirmed = client.post(changelist("project"), {**data, "post": "yes"})

    assert 'value="Yes, I’m sure"' in page.content.decode()
    assert confirmed.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def inline_management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def stage_form_data(stage, objectives, projects):
    data = {
        "number": stage.number,
        "title": stage.title,
        "slug": stage.slug,
        "summary": stage.summary,
        "body": stage.body,
        "is_published": "on",
        **inline_management("objectives", len(objectives), len(objectives)),
        **inline_management("projects", len(projects), len(projects)),
    }
    for i, objective in enumerate(objectives):
        data |= {
            f"objectives-{i}-id": objective.pk,
            f"objectives-{i}-stage": stage.pk,
            f"objectives-{i}-order": objective.order,
            f"objectives-{i}-text": objective.text,
        }
    for i, project in enumerate(projects):
        data |= {
            f"projects-{i}-id": project.pk,
            f"projects-{i}-stage": stage.pk,
            f"projects-{i}-order": project.order,
            f"projects-{i}-is_required": "on",
            f"projects-{i}-is_published": "on",
        }
    return data


def test_deleting_a_ticked_objective_in_the_stage_inline_is_refused(client_for, staff, learner):
    stage = StageFactory()
    objective = ObjectiveFactory(stage=stage, order=1, text="Write functions")
    ObjectiveCheckFactory(learner=learner, objective=objective)
    data = stage_form_data(stage, [objective], []) | {"objectives-0-DELETE": "on"}

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 200
    assert (
        "“Write functions” can’t be deleted: learners have ticked it and their ticks are kept."
        in response.content.decode()
    )
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_deleting_a_submitted_project_in_the_stage_inline_is_refused(client_for, staff):
    stage = StageFactory()
    project = ProjectFactory(stage=stage, title="Task manager")
    SubmissionFactory(project=project)
    data = stage_form_data(stage, [], [project]) | {"projects-0-DELETE": "on"}

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 200
    assert (
        "“Task manager” can’t be deleted: learners have submitted work for it. "
        "Unpublish it instead to archive it." in response.content.decode()
    )
    assert Project.objects.filter(pk=project.pk).exists()


def test_reordering_objectives_in_the_stage_inline_saves(client_for, staff):
    stage = StageFactory()
    first = ObjectiveFactory(stage=stage, order=1)
    second = ObjectiveFactory(stage=stage, order=2)
    data = stage_form_data(stage, [first, second], []) | {"objectives-0-order": "3"}

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 302
    assert list(stage.objectives.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_a_new_objective_row_starts_at_the_next_free_order(client_for, staff):
    stage = StageFactory()
    ObjectiveFactory(stage=stage, order=1)
    ObjectiveFactory(stage=stage, order=4)

    html = client_for(staff).get(change(stage)).content.decode()

    assert re.search(r'<input type="number" name="objectives-2-order" value="5"', html)
    assert re.search(r'<input type="number" name="objectives-__prefix__-order" value="5"', html)


def add_objective_data(stage, objectives, text, **new_row):
    data = stage_form_data(stage, objectives, [])
    n = len(objectives)
    data |= {"objectives-TOTAL_FORMS": n + 1, f"objectives-{n}-text": text}
    data |= {f"objectives-{n}-{name}": value for name, value in new_row.items()}
    return data


@pytest.mark.parametrize(
    "order", [{"order": "3"}, {"order": ""}, {}], ids=["shown", "blank", "omitted"]
)
def test_adding_an_objective_without_touching_its_order_saves_it_last(client_for, staff, order):
    stage = StageFactory()
    objectives = [ObjectiveFactory(stage=stage, order=1), ObjectiveFactory(stage=stage, order=2)]
    data = add_objective_data(stage, objectives, "Read a traceback", **order)

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 302
    assert stage.objectives.get(text="Read a traceback").order == 3


def test_stage_summary_and_objective_text_are_edited_in_textareas(client_for, staff):
    stage = StageFactory(summary="One line.")
    ObjectiveFactory(stage=stage, text="Write functions")

    html = client_for(staff).get(change(stage)).content.decode()

    assert re.search(r'<textarea name="summary" cols="80" rows="3"', html)
    assert re.search(r'<textarea name="objectives-0-text" cols="80" rows="2"', html)


def test_a_duplicate_objective_order_in_the_inline_is_a_form_error(client_for, staff):
    stage = StageFactory()
    first = ObjectiveFactory(stage=stage, order=1)
    second = ObjectiveFactory(stage=stage, order=2)
    data = stage_form_data(stage, [first, second], []) | {"objectives-1-order": "1"}

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for order." in response.content.decode()
    assert list(stage.objectives.values_list("order", flat=True)) == [1, 2]


def test_swapping_two_objective_orders_in_the_stage_inline_saves(client_for, staff):
    stage = StageFactory()
    first = ObjectiveFactory(stage=stage, order=1)
    second = ObjectiveFactory(stage=stage, order=2)
    data = stage_form_data(stage, [first, second], []) | {
        "objectives-0-order": "2",
        "objectives-1-order": "1",
    }

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 302
    assert list(stage.objectives.order_by("order").values_list("pk", "order")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]


def test_swapping_project_orders_and_reusing_a_deleted_objectives_order_saves(client_for, staff):
    stage = StageFactory()
    kept = ObjectiveFactory(stage=stage, order=1)
    dropped = ObjectiveFactory(stage=stage, order=2)
    first = ProjectFactory(stage=stage, order=1)
    second = ProjectFactory(stage=stage, order=2)
    data = stage_form_data(stage, [kept, dropped], [first, second]) | {
        "objectives-0-order": "2",
        "objectives-1-DELETE": "on",
        "projects-0-order": "2",
        "projects-1-order": "1",
    }

    response = client_for(staff).post(change(stage), data)

    assert response.status_code == 302
    assert list(stage.objectives.values_list("pk", "order")) == [(kept.pk, 2)]
    assert list(stage.projects.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_swapping_stage_numbers_in_the_changelist_is_a_form_error_not_a_crash(client_for, staff):
    one = StageFactory(number=1)
    two = StageFactory(number=2)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": one.pk,
        "form-0-number": "2",
        "form-1-id": two.pk,
        "form-1-number": "1",
        "_save": "Save",
    }

    response = client_for(staff).post(changelist("stage"), data)

    assert response.status_code == 200
    assert "Stage with this Number already exists." in response.content.decode()
    assert list(Stage.objects.values_list("pk", "number")) == [(one.pk, 1), (two.pk, 2)]
