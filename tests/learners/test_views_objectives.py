import pytest

from learners.models import ObjectiveCheck
from tests.factories import ObjectiveFactory, StageFactory


@pytest.fixture
def objective(db):
    return ObjectiveFactory(stage=StageFactory(slug="fundamentals"), text="Write a function")


def url(objective):
    return f"/objectives/{objective.pk}/check/"


def test_post_ticks_then_unticks_and_returns_to_the_stage(client_for, learner, objective):
    client = client_for(learner)

    ticked = client.post(url(objective))
    assert ticked.status_code == 302
    assert ticked["Location"] == "/stages/fundamentals/"
    assert ObjectiveCheck.objects.filter(learner=learner, objective=objective).count() == 1

    unticked = client.post(url(objective))
    assert unticked["Location"] == "/stages/fundamentals/"
    assert ObjectiveCheck.objects.count() == 0


def test_redirects_to_a_safe_next(client_for, learner, objective):
    response = client_for(learner).post(url(objective), {"next": "/dashboard/#progress"})

    assert response["Location"] == "/dashboard/#progress"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_unsafe_next_falls_back_to_the_stage(client_for, learner, objective, unsafe):
    response = client_for(learner).post(url(objective), {"next": unsafe})

    assert response["Location"] == "/stages/fundamentals/"


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
