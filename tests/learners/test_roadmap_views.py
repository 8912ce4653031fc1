import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from curriculum.models import Project, Stage
from learners.models import Membership, Submission
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STAGE_LIST = reverse("learners:stage-list")


def stage_url(stage):
    return reverse("learners:stage-detail", kwargs={"slug": stage.slug})


def project_url(project):
    return reverse("learners:project-detail", kwargs={"slug": project.slug})


def text_of(response):
    """The page's visible text with whitespace squeezed, for exact phrase assertions."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.split())


# --- /stages/ ------------------------------------------------------------------------------


def test_stage_list_shows_each_published_stage_with_its_counts(client_for, learner):
    first = StageFactory(number=1, title="Python fundamentals", summary="Learn the core.")
    ObjectiveFactory.create_batch(3, stage=first)
    ProjectFactory(stage=first)
    ProjectFactory(stage=first, is_published=False)
    StageFactory(number=2, title="Developer workflow", summary="Use Git.")
    StageFactory(number=3, title="Hidden stage", is_published=False)

    response = client_for(learner).get(STAGE_LIST)

    assert response.status_code == 200
    assert [stage.title for stage in response.context["stages"]] == [
        "Python fundamentals",
        "Developer workflow",
    ]
    text = text_of(response)
    assert "Stage 1: Python fundamentals Learn the core. 3 objectives · 1 project" in text
    assert "Stage 2: Developer workflow Use Git. 0 objectives · 0 projects" in text
    assert "Hidden stage" not in text
    assert "Unpublished" not in text


def test_stage_list_shows_staff_unpublished_stages_with_a_badge(client_for, staff):
    stage = StageFactory(number=1, title="Hidden stage", is_published=False)
    ProjectFactory(stage=stage, is_published=False)

    response = client_for(staff).get(STAGE_LIST)

    assert response.status_code == 200
    assert "Stage 1: Hidden stage Unpublished" in text_of(response)
    assert "0 objectives · 1 project" in text_of(response)


def test_stage_list_explains_an_empty_roadmap(client_for, learner):
    response = client_for(learner).get(STAGE_LIST)

    assert "The roadmap has no stages yet. Your bootcamp staff are preparing it" in text_of(
        response
    )


def test_stage_list_sends_anonymous_visitors_to_log_in(client):
    response = client.get(STAGE_LIST)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={STAGE_LIST}"


def test_stage_list_refuses_post(client_for, learner):
    assert client_for(learner).post(STAGE_LIST).status_code == 405


@pytest.mark.parametrize("rows", [1, 5])
def test_stage_list_query_count_is_flat(client_for, learner, django_assert_num_queries, rows):
    for _ in range(rows):
        stage = StageFactory()
        ObjectiveFactory.create_batch(rows, stage=stage)
        ProjectFactory.create_batch(rows, stage=stage)
    client = client_for(learner)

    # session, user, the user's roles, the stages with their counts, the learner's current
    # cohort, their progress in it (the stages' counts, their approvals, their ticks)
    with django_assert_num_queries(8):
        response = client.get(STAGE_LIST)
    assert len(response.context["stages"]) == rows


# --- /stages/<slug>/ -----------------------------------------------------------------------


def test_stage_detail_shows_body_objectives_and_projects(client_for, learner):
    stage = StageFactory(number=2, title="Developer workflow", body="Use **Git** daily.")
    ObjectiveFactory(stage=stage, order=2, text="Push to GitHub")
    ObjectiveFactory(stage=stage, order=1, text="Create a virtual environment")
    ProjectFactory(stage=stage, order=2, title="File organiser", is_required=False)
    ProjectFactory(stage=stage, order=1, title="Publish it", summary="Make it tidy.")
    ProjectFactory(stage=stage, order=3, title="Archived project", is_published=False)

    response = client_for(learner).get(stage_url(stage))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Use <strong>Git</strong> daily.</p>" in html
    text = text_of(response)
    assert [o.text for o in response.context["stage"].objectives.all()] == [
        "Create a virtual environment",
        "Push to GitHub",
    ]
    assert "Publish it Required Make it tidy." in text
    assert "File organiser Optional" in text
    assert "Archived project" not in text


def test_stage_detail_lets_a_learner_tick_each_objective(client_for, learner):
    stage = StageFactory()
    done = ObjectiveFactory(stage=stage, order=1, text="Write functions")
    todo = ObjectiveFactory(stage=stage, order=2, text="Read files")
    ObjectiveCheckFactory(learner=learner, objective=done)
    ObjectiveCheckFactory(learner=UserFactory(), objective=todo)  # someone else's tick

    response = client_for(learner).get(stage_url(stage) + "?from=roadmap")

    html = response.content.decode()
    for objective in (done, todo):
        action = reverse("learners:objective-toggle", kwargs={"pk": objective.pk})
        assert f'action="{action}"' in html
    assert '<input type="hidden" name="next" value="/stages/stage-' in html
    assert f'value="{stage_url(stage)}?from=roadmap#objective-{done.pk}"' in html
    assert 'aria-label="Done ✓ — undo: Write functions">Done ✓ — undo</button>' in html
    assert 'aria-label="Mark as done: Read files">Mark as done</button>' in html


def test_stage_detail_shows_no_tick_buttons_to_mentors(client_for, mentor):
    stage = StageFactory()
    ObjectiveFactory(stage=stage, text="Write functions")

    response = client_for(mentor).get(stage_url(stage))

    assert response.status_code == 200
    assert "Write functions" in text_of(response)
    assert "Mark as done" not in text_of(response)


def test_stage_detail_explains_empty_objectives_and_projects(client_for, learner):
    response = client_for(learner).get(stage_url(StageFactory()))

    text = text_of(response)
    assert "This stage has no objectives yet." in text
    assert "This stage has no projects yet" in text


def test_unpublished_stage_is_not_found_for_a_learner(client_for, learner):
    stage = StageFactory(is_published=False)

    assert client_for(learner).get(stage_url(stage)).status_code == 404


def test_unknown_stage_is_not_found(client_for, learner):
    assert client_for(learner).get("/stages/no-such-stage/").status_code == 404


def test_staff_preview_an_unpublished_stage_with_its_unpublished_projects(client_for, staff):
    stage = StageFactory(number=4, title="Draft stage", is_published=False)
    ProjectFactory(stage=stage, title="Draft project", is_published=False)

    response = client_for(staff).get(stage_url(stage))

    assert response.status_code == 200
    text = text_of(response)
    assert "Stage 4: Draft stage Unpublished" in text
    assert "Draft project Required Unpublished" in text


def test_stage_detail_sends_anonymous_visitors_to_log_in(client):
    stage = StageFactory()

    response = client.get(stage_url(stage))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={stage_url(stage)}"


def test_stage_detail_refuses_post(client_for, learner):
    assert client_for(learner).post(stage_url(StageFactory())).status_code == 405


@pytest.mark.parametrize("rows", [1, 5])
def test_stage_detail_query_count_is_flat(
    client_for, learner, cohort, django_assert_num_queries, rows
):
    stage = StageFactory()
    for objective in ObjectiveFactory.create_batch(rows, stage=stage):
        ObjectiveCheckFactory(learner=learner, objective=objective)
    for project in ProjectFactory.create_batch(rows, stage=stage):
        SubmissionFactory(learner=learner, project=project, cohort=cohort)
    client = client_for(learner)

    # session, user, roles, the stage, its objectives with ticks, its projects, the
    # learner's submissions of them
    with django_assert_num_queries(7):
        response = client.get(stage_url(stage))
    html = response.content.decode()
    assert html.count("Done ✓ — undo</button>") == rows
    assert html.count('<span class="badge status-badge status-submitted">Submitted</span>') == rows


def test_stage_detail_shows_a_learner_the_status_of_each_project_in_their_cohort(
    client_for, learner, cohort
):
    stage = StageFactory()
    approved = ProjectFactory(stage=stage, order=1, title="Approved one")
    changes = ProjectFactory(stage=stage, order=2, title="Changes one")
    earlier = ProjectFactory(stage=stage, order=3, title="Earlier cohort one")
    ProjectFactory(stage=stage, order=4, title="Untouched one")
    Status = Submission.Status
    SubmissionFactory(learner=learner, project=approved, cohort=cohort, status=Status.APPROVED)
    SubmissionFactory(
        learner=learner, project=changes, cohort=cohort, status=Status.CHANGES_REQUESTED
    )
    old_cohort = CohortFactory(starts_on=cohort.starts_on - datetime.timedelta(days=365))
    MembershipFactory(cohort=old_cohort, user=learner, role=Membership.Role.LEARNER)
    SubmissionFactory(learner=learner, project=earlier, cohort=old_cohort, status=Status.APPROVED)

    text = text_of(client_for(learner).get(stage_url(stage)))

    assert "Approved one Required Your submission: Approved" in text
    assert "Changes one Required Your submission: Changes requested" in text
    assert "Earlier cohort one Required Build a small thing." in text
    assert "Untouched one Required Build a small thing." in text


def test_stage_detail_shows_no_status_badges_to_mentors(client_for, mentor, learner, cohort):
    stage = StageFactory()
    SubmissionFactory(learner=learner, project=ProjectFactory(stage=stage), cohort=cohort)

    assert "Your submission:" not in text_of(client_for(mentor).get(stage_url(stage)))


# --- /projects/<slug>/ ---------------------------------------------------------------------


def test_project_detail_shows_brief_skills_features_and_stage(client_for, mentor):
    stage = StageFactory(number=1, title="Python fundamentals")
    project = ProjectFactory(
        stage=stage,
        title="Task manager",
        brief="Build a *CLI*.",
        skills="Functions\nFile handling",
        features="Add a task\n\nList tasks\n",
        is_required=False,
    )

    response = client_for(mentor).get(project_url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Build a <em>CLI</em>.</p>" in html
    assert f'<a href="{stage_url(stage)}">Stage 1: Python fundamentals</a>' in html
    assert re.findall(r'<li class="list-inline-item[^"]*">([^<]+)</li>', html) == [
        "Functions",
        "File handling",
    ]
    assert re.findall(r"<ul class=\"feature-list\">\s*((?:<li>[^<]+</li>)+)", html) == [
        "<li>Add a task</li><li>List tasks</li>"
    ]
    assert "Task manager Optional" in text_of(response)
    # Mentors neither submit nor have a submission.
    assert "Submit your project" not in html
    assert "Your work" not in html


def test_project_detail_offers_a_learner_the_submit_button(client_for, learner):
    project = ProjectFactory(slug="task-manager")

    response = client_for(learner).get(project_url(project))

    submit = reverse("reviews:submission-create", kwargs={"slug": "task-manager"})
    assert f'<a class="btn btn-primary" href="{submit}">Submit your project</a>' in (
        response.content.decode()
    )
    assert response.context["submission"] is None


def test_project_detail_shows_a_learner_their_submission_instead(
    client_for, learner, other_learner, cohort
):
    project = ProjectFactory()
    mine = SubmissionFactory(
        learner=learner, project=project, cohort=cohort, status=Submission.Status.APPROVED
    )
    SubmissionFactory(learner=other_learner, project=project, cohort=cohort)

    response = client_for(learner).get(project_url(project))

    html = response.content.decode()
    assert response.context["submission"] == mine
    assert "You submitted this project. Status: Approved ." in text_of(response)
    detail = reverse("reviews:submission-detail", kwargs={"pk": mine.pk})
    assert f'href="{detail}">View your submission</a>' in html
    assert "Submit your project" not in html


def test_project_detail_offers_the_submit_button_when_the_submission_is_from_an_earlier_cohort(
    client_for, learner, cohort
):
    project = ProjectFactory(slug="task-manager")
    earlier = CohortFactory(
        starts_on=cohort.starts_on - datetime.timedelta(days=200),
        ends_on=cohort.starts_on - datetime.timedelta(days=100),
    )
    MembershipFactory(cohort=earlier, user=learner, role=Membership.Role.LEARNER)
    SubmissionFactory(learner=learner, project=project, cohort=earlier)

    response = client_for(learner).get(project_url(project))

    submit = reverse("reviews:submission-create", kwargs={"slug": "task-manager"})
    assert f'href="{submit}">Submit your project</a>' in response.content.decode()
    assert response.context["submission"] is None


def test_project_of_an_unpublished_stage_is_not_found_for_a_learner(client_for, learner):
    project = ProjectFactory(stage=StageFactory(is_published=False))

    assert client_for(learner).get(project_url(project)).status_code == 404


def test_unpublished_project_is_not_found_for_a_learner(client_for, learner):
    project = ProjectFactory(is_published=False)

    assert client_for(learner).get(project_url(project)).status_code == 404


def test_staff_preview_an_unpublished_project_with_a_badge(client_for, staff):
    project = ProjectFactory(title="Draft project", is_published=False)

    response = client_for(staff).get(project_url(project))

    assert response.status_code == 200
    assert "Draft project Required Unpublished" in text_of(response)


def test_project_detail_sends_anonymous_visitors_to_log_in(client):
    project = ProjectFactory()

    response = client.get(project_url(project))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={project_url(project)}"


def test_project_detail_refuses_post(client_for, learner):
    assert client_for(learner).post(project_url(ProjectFactory())).status_code == 405


@pytest.mark.parametrize("rows", [1, 5])
def test_project_detail_query_count_is_flat(
    client_for, learner, cohort, django_assert_num_queries, rows
):
    stage = StageFactory()
    projects = ProjectFactory.create_batch(rows, stage=stage)
    ObjectiveFactory.create_batch(rows, stage=stage)
    for project in projects:
        SubmissionFactory(learner=learner, project=project, cohort=cohort)
    client = client_for(learner)

    # session, user, roles, the project with its stage, the learner's submission
    with django_assert_num_queries(5):
        response = client.get(project_url(projects[-1]))
    assert response.context["submission"].project == projects[-1]


# --- Markdown comes out inert --------------------------------------------------------------

XSS_BODY = """
<script>alert(1)</script>

<img src=x onerror=alert(1)>

[x](javascript:alert(1))

<a href="javascript:alert(2)" onclick="alert(3)">y</a>
"""


def assert_inert(response):
    html = response.content.decode().lower()
    # The page loads no script but the site's own static files (Bootstrap's JavaScript
    # included: no page uses it); none comes from the Markdown.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "expected the site's own markdown-preview.js for a logged-in user"
    assert all(re.fullmatch(r'<script src="/static/js/[\w.-]+\.js" defer>', s) for s in scripts)
    assert "alert(1)" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html


def test_stage_body_markdown_cannot_run_script(client_for, learner):
    stage = StageFactory(body=XSS_BODY)

    response = client_for(learner).get(stage_url(stage))

    assert response.status_code == 200
    assert_inert(response)


def test_project_brief_markdown_cannot_run_script(client_for, learner):
    project = ProjectFactory(brief=XSS_BODY)

    response = client_for(learner).get(project_url(project))

    assert response.status_code == 200
    assert_inert(response)


# --- the real roadmap --------------------------------------------------------------------


def test_every_page_of_the_loaded_roadmap_renders_for_a_learner(
    client_for, learner, django_assert_max_num_queries
):
    call_command("load_curriculum", stdout=StringIO())
    client = client_for(learner)

    with django_assert_max_num_queries(8):
        assert client.get(STAGE_LIST).status_code == 200
    for stage in Stage.objects.all():
        with django_assert_max_num_queries(7):
            assert client.get(stage_url(stage)).status_code == 200
    for project in Project.objects.all():
        with django_assert_max_num_queries(5):
            assert client.get(project_url(project)).status_code == 200
