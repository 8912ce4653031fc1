import datetime

import pytest
from django.contrib.messages import get_messages

from learners.models import ChecklistTick, Iteration, Membership, Submission
from tests.factories import CohortFactory, MembershipFactory, ProjectFactory

Status = Submission.Status

GOOD = {
    "repo_url": "https://github.com/ada/tasks",
    "live_url": "https://ada.example.com/tasks",
    "commit_sha": "  ABCDEF1234  ",
    "notes": "Look at **tests**.",
}


def submit_url(project):
    return f"/projects/{project.slug}/submit/"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- happy path -----------------------------------------------------------------------------


def test_form_shows_features_checklist_help_and_submit_button(
    client_for, learner, project, checklist
):
    response = client_for(learner).get(submit_url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<li>Add a task</li>" in html
    assert "<li>List tasks</li>" in html
    assert "README with setup" in html
    assert "How to install and run it." in html
    assert '<button type="submit" class="btn btn-primary">Submit</button>' in html


def test_only_a_withdrawn_submission_is_told_it_was_withdrawn(
    client_for, learner, cohort, project, make_submission
):
    client = client_for(learner)

    first = client.get(submit_url(project)).content.decode()
    withdrawn = make_submission(status=Status.WITHDRAWN)
    again = client.get(f"/submissions/{withdrawn.pk}/resubmit/").content.decode()

    assert "withdrew" not in first
    assert 'href=""' not in first
    assert f"For {cohort.name}. A mentor reviews it like a pull request" in first
    assert (
        "You withdrew this submission. Send it again when it is ready; your earlier iterations "
        f'stay on the <a href="/submissions/{withdrawn.pk}/">submission page</a>.'
    ) in again


def test_submit_creates_submission_and_first_iteration(
    client_for, learner, cohort, project, checklist
):
    response = client_for(learner).post(
        submit_url(project), {**GOOD, "checklist": [checklist[1].pk]}
    )

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert (submission.learner, submission.project, submission.cohort, submission.status) == (
        learner,
        project,
        cohort,
        Status.SUBMITTED,
    )
    iteration = submission.iterations.get()
    assert (iteration.number, iteration.repo_url, iteration.live_url, iteration.commit_sha) == (
        1,
        GOOD["repo_url"],
        GOOD["live_url"],
        "abcdef1234",
    )
    assert list(iteration.checklist_items.all()) == [checklist[1]]
    assert messages_of(response) == [
        "Task manager is submitted. A mentor of Demo cohort will review it; "
        "you will get an e-mail when the review is published."
    ]


def test_double_post_makes_one_submission_with_one_iteration(client_for, learner, project):
    client = client_for(learner)

    first = client.post(submit_url(project), GOOD)
    second = client.post(submit_url(project), {**GOOD, "notes": "clicked twice"})

    submission = Submission.objects.get()
    assert first["Location"] == second["Location"] == f"/submissions/{submission.pk}/"
    assert Iteration.objects.count() == 1
    assert Iteration.objects.get().notes == GOOD["notes"]


def test_learner_with_a_submission_is_sent_to_it(client_for, learner, make_submission, project):
    submission = make_submission()

    response = client_for(learner).get(submit_url(project))

    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert messages_of(response) == ["You have already submitted Task manager; here it is."]


def test_learner_in_two_cohorts_submits_to_the_most_recent(client_for, learner, cohort, project):
    later = datetime.timedelta(days=10)
    newer = CohortFactory(starts_on=cohort.starts_on + later, ends_on=cohort.ends_on + later)
    MembershipFactory(cohort=newer, user=learner, role=Membership.Role.LEARNER)

    client_for(learner).post(submit_url(project), GOOD)

    assert Submission.objects.get().cohort == newer


# --- refused --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(submit_url(project))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={submit_url(project)}"


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_non_learner_gets_404(client_for, request, project, who):
    user = request.getfixturevalue(who)

    assert client_for(user).get(submit_url(project)).status_code == 404
    assert client_for(user).post(submit_url(project), GOOD).status_code == 404
    assert Submission.objects.count() == 0


def test_unpublished_project_gets_404(client_for, learner):
    hidden = ProjectFactory(is_published=False)

    assert client_for(learner).get(submit_url(hidden)).status_code == 404


def test_wrong_method_is_405(client_for, learner, project):
    assert client_for(learner).put(submit_url(project)).status_code == 405


# --- validation: each rule, a field error, nothing saved ------------------------------------


def assert_refused(response, field, message):
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert f'id="error_1_id_{field}"' in response.content.decode()  # rendered beside the field
    assert Submission.objects.count() == 0
    assert Iteration.objects.count() == 0
    assert ChecklistTick.objects.count() == 0


SCHEME = (
    "Use a web link that starts with https:// (or http://), "
    "for example https://github.com/you/project."
)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://github.com/ada/tasks",
        "file:///etc/passwd",
        "mailto:ada@example.com",
        "vbscript:msgbox(1)",
        "github.com/ada/tasks",
        "//github.com/ada/tasks",
    ],
)
@pytest.mark.parametrize("field", ["repo_url", "live_url"])
def test_non_http_links_are_refused(client_for, learner, project, checklist, field, url):
    data = {**GOOD, field: url, "checklist": [checklist[0].pk]}

    response = client_for(learner).post(submit_url(project), data)

    assert_refused(response, field, SCHEME)


@pytest.mark.parametrize("field", ["repo_url", "live_url"])
def test_malformed_http_link_is_refused(client_for, learner, project, field):
    response = client_for(learner).post(submit_url(project), {**GOOD, field: "https://"})

    assert_refused(
        response,
        field,
        "This does not look like a complete web address; copy it from your browser's address bar.",
    )


@pytest.mark.parametrize("field", ["repo_url", "live_url"])
def test_links_over_500_characters_are_refused(client_for, learner, project, field):
    url = "https://github.com/ada/" + "x" * (501 - len("https://github.com/ada/"))

    response = client_for(learner).post(submit_url(project), {**GOOD, field: url})

    assert_refused(response, field, "Ensure this value has at most 500 characters (it has 501).")


HIDDEN = (
    "This link contains invisible or control characters (they can disguise where it leads); "
    "type it again or copy it from your browser's address bar."
)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ada/\u202esksat",
        "https://github.com/ada/ta\u200bsks",
        "https://ada.example.com/\u2066tasks\u2069",
        "https://github.com/ada/tasks\ufeff",
        "https://github.com/ada/\x7ftasks",
    ],
)
@pytest.mark.parametrize("field", ["repo_url", "live_url"])
def test_links_with_invisible_characters_are_refused(client_for, learner, project, field, url):
    response = client_for(learner).post(submit_url(project), {**GOOD, field: url})

    assert_refused(response, field, HIDDEN)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com:99999/ada/tasks",
        "https://ada.example.com:0/",
        "http://ada.example.com:65536/",
    ],
)
@pytest.mark.parametrize("field", ["repo_url", "live_url"])
def test_links_with_an_out_of_range_port_are_refused(client_for, learner, project, field, url):
    response = client_for(learner).post(submit_url(project), {**GOOD, field: url})

    assert_refused(
        response, field, "The port after the host name must be a number from 1 to 65535."
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ada",
        "https://github.com/ada/",
        "https://www.github.com/",
        "https://gitlab.com/ada",
        "https://gitlab.com/group/-/tree/main",
        "https://gitlab.example.org/team",
    ],
)
def test_a_profile_page_is_refused_as_the_repository(client_for, learner, project, url):
    response = client_for(learner).post(submit_url(project), {**GOOD, "repo_url": url})

    assert_refused(
        response,
        "repo_url",
        "This is a profile or group page, not a repository: the address must name the "
        "repository too, for example https://github.com/you/project.",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ada/tasks/tree/main",
        "https://gitlab.com/group/sub/tasks",
        "https://gitlab.example.org:8443/team/tasks",
        "https://git.example.org/ada",
    ],
)
def test_repository_urls_that_name_a_repository_are_accepted(client_for, learner, project, url):
    response = client_for(learner).post(submit_url(project), {**GOOD, "repo_url": url})

    assert response.status_code == 302
    assert Iteration.objects.get().repo_url == url


def test_a_live_url_may_be_any_page(client_for, learner, project):
    response = client_for(learner).post(
        submit_url(project), {**GOOD, "live_url": "https://github.com/ada"}
    )

    assert response.status_code == 302
    assert Iteration.objects.get().live_url == "https://github.com/ada"


def test_link_of_exactly_500_characters_is_accepted(client_for, learner, project):
    url = "https://github.com/ada/" + "x" * (500 - len("https://github.com/ada/"))

    response = client_for(learner).post(submit_url(project), {**GOOD, "repo_url": url})

    assert response.status_code == 302
    assert Iteration.objects.get().repo_url == url


def test_missing_repo_url_is_refused(client_for, learner, project):
    response = client_for(learner).post(submit_url(project), {**GOOD, "repo_url": ""})

    assert_refused(response, "repo_url", "This field is required.")


def test_empty_post_shows_the_required_error_and_saves_nothing(client_for, learner, project):
    response = client_for(learner).post(submit_url(project), {})

    assert_refused(response, "repo_url", "This field is required.")


SHA = (
    "A commit SHA is 7 to 40 characters, digits 0-9 and letters a-f only "
    "(copy it from git log or the repository's commit list)."
)


@pytest.mark.parametrize(
    "sha",
    ["abc123", "a", "a" * 41, "ghijklm", "abc 1234", "abcdef1!", "0x12345678", "ábcdef1"],
)
def test_bad_commit_shas_are_refused(client_for, learner, project, sha):
    response = client_for(learner).post(submit_url(project), {**GOOD, "commit_sha": sha})

    assert_refused(response, "commit_sha", SHA)


@pytest.mark.parametrize(
    ("sha", "stored"), [("", ""), ("ABCDEF1", "abcdef1"), ("f" * 40, "f" * 40)]
)
def test_commit_sha_is_optional_and_lowercased(client_for, learner, project, sha, stored):
    response = client_for(learner).post(submit_url(project), {**GOOD, "commit_sha": sha})

    assert response.status_code == 302
    assert Iteration.objects.get().commit_sha == stored


def test_notes_over_20000_characters_are_refused(client_for, learner, project):
    response = client_for(learner).post(submit_url(project), {**GOOD, "notes": "n" * 20_001})

    assert_refused(
        response, "notes", "Ensure this value has at most 20000 characters (it has 20001)."
    )


def test_notes_of_20000_characters_are_accepted(client_for, learner, project):
    response = client_for(learner).post(submit_url(project), {**GOOD, "notes": "n" * 20_000})

    assert response.status_code == 302
    assert len(Iteration.objects.get().notes) == 20_000


def test_unknown_checklist_item_is_refused(client_for, learner, project, checklist):
    response = client_for(learner).post(submit_url(project), {**GOOD, "checklist": ["999999"]})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["checklist"]
    assert Submission.objects.count() == 0
