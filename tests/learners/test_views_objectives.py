import pytest
from django.contrib.messages import get_messages

from learners.models import ObjectiveCheck
from tests.factories import ObjectiveCheckFactory, ObjectiveFactory, StageFactory


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def objective(db):
    return ObjectiveFactory(stage=StageFactory(slug="fundamentals"), text="Write a function")


def url(objective):
    return f"/objectives/{objective.pk}/check/"


def test_post_done_ticks_and_done_0_unticks_returning_to_the_stage(client_for, learner, objective):
    client = client_for(learner)

    ticked = client.post(url(objective), {"done": "1"})
    assert ticked.status_code == 302
    assert ticked["Location"] == f"/stages/fundamentals/#objective-{objective.pk}"
    assert ObjectiveCheck.objects.filter(learner=learner, objective=objective).count() == 1
    assert messages_of(ticked) == ["Ticked: “Write a function”."]

    unticked = client.post(url(objective), {"done": "0"})
    assert unticked["Location"] == f"/stages/fundamentals/#objective-{objective.pk}"
    assert ObjectiveCheck.objects.count() == 0
    # The first message is still unread: the test did not follow the redirect.
    assert messages_of(unticked) == ["Ticked: “Write a function”.", "Unticked: “Write a function”."]


def test_a_double_click_on_done_leaves_one_tick(client_for, learner, objective):
    client = client_for(learner)

    client.post(url(objective), {"done": "1"})
    client.post(url(objective), {"done": "1"})

    assert list(ObjectiveCheck.objects.values_list("learner", "objective")) == [
        (learner.pk, objective.pk)
    ]


@pytest.mark.parametrize("body", [{}, {"done": ""}, {"done": "yes"}, {"done": "2"}])
def test_missing_or_invalid_done_changes_nothing_and_says_so(client_for, learner, objective, body):
    ObjectiveCheckFactory(learner=learner, objective=objective)

    response = client_for(learner).post(url(objective), {**body, "next": "/dashboard/"})

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert messages_of(response) == [
        "That did not work: the form did not say whether the objective is done. Try again."
    ]
    assert ObjectiveCheck.objects.count() == 1


def test_stage_page_posts_the_state_each_button_sets(client_for, learner, objective):
    done = ObjectiveFactory(stage=objective.stage, text="Read an error")
    ObjectiveCheckFactory(learner=learner, objective=done)

    html = client_for(learner).get("/stages/fundamentals/").content.decode()

    assert_in_form(html, url(objective), '<input type="hidden" name="done" value="1">')
    assert_in_form(html, url(done), '<input type="hidden" name="done" value="0">')


def test_stage_page_returns_each_tick_to_its_objective_row(client_for, learner, objective):
    html = client_for(learner).get("/stages/fundamentals/?tab=1").content.decode()

    next_url = f"/stages/fundamentals/?tab=1#objective-{objective.pk}"
    assert f'id="objective-{objective.pk}"' in html
    assert_in_form(html, url(objective), f'<input type="hidden" name="next" value="{next_url}">')


def test_the_fragment_of_next_is_kept_in_the_redirect(client_for, learner, objective):
    response = client_for(learner).post(
        url(objective), {"done": "1", "next": f"/stages/fundamentals/#objective-{objective.pk}"}
    )

    assert response["Location"] == f"/stages/fundamentals/#objective-{objective.pk}"


def assert_in_form(html, action, field):
    start = html.index(f'action="{action}"')
    assert field in html[start : html.index("</form>", start)]


def test_redirects_to_a_safe_next(client_for, learner, objective):
    response = client_for(learner).post(
        url(objective), {"done": "1", "next": "/dashboard/#progress"}
    )

    assert response["Location"] == "/dashboard/#progress"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_unsafe_next_falls_back_to_the_stage(client_for, learner, objective, unsafe):
    response = client_for(learner).post(url(objective), {"done": "1", "next": unsafe})

    assert response["Location"] == f"/stages/fundamentals/#objective-{objective.pk}"


def test_get_is_405(client_for, learner, objective):
    assert client_for(learner).get(url(objective)).status_code == 405
    assert ObjectiveCheck.objects.count() == 0


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_non_learner_gets_404(client_for, request, objective, who):
    assert client_for(request.getfixturevalue(who)).post(url(objective)).status_code == 404
    assert ObjectiveCheck.objects.count() == 0


def test_objective_of_unpublished_stage_is_404(client_for, learner):
    hidden = ObjectiveFactory(stage=StageFactory(is_published=False))

    assert client_for(learner).post(url(hidden)).status_code == 404
    assert ObjectiveCheck.objects.count() == 0


def test_anonymous_is_sent_to_login(client, objective):
    response = client.post(url(objective))

    assert response["Location"] == f"/accounts/login/?next={url(objective)}"
