"""The portfolio: the learner's settings and the one public page that shows their work."""

import pytest
from django.test import Client

from learners.models import Portfolio
from learners.services import portfolio_save
from reviews.models import Review
from tests.factories import (
    PortfolioFactory,
    ReadinessSignOffFactory,
    ReviewFactory,
    UserFactory,
)
from tests.hardening.security import assert_security_headers, cache_directives
from tests.reviews.test_readiness import approved_project

SETTINGS = "/portfolio/"
SLUG_ERROR = (
    "Use only letters, digits and single hyphens between them: no spaces, underscores or "
    "other signs."
)


def _settings(**extra):
    return {"slug": "ada-builds", "bio": "I build small tools.", **extra}


# --- Settings --------------------------------------------------------------------------------


def test_the_portfolio_is_off_until_the_learner_publishes_it(client_for, learner):
    client = client_for(learner)

    response = client.post(SETTINGS, _settings())

    portfolio = Portfolio.objects.get(learner=learner)
    assert response["Location"] == SETTINGS
    assert (portfolio.slug, portfolio.is_published, portfolio.allow_indexing) == (
        "ada-builds",
        False,
        False,
    )
    assert Client().get("/p/ada-builds/").status_code == 404

    client.post(SETTINGS, _settings(is_published="on"))

    assert Client().get("/p/ada-builds/").status_code == 200
    client.post(SETTINGS, _settings())  # the same switch unpublishes it
    assert Client().get("/p/ada-builds/").status_code == 404
    assert Portfolio.objects.count() == 1


def test_the_address_field_warns_that_changing_it_breaks_shared_links(client_for, learner):
    content = client_for(learner).get(SETTINGS).content.decode()

    assert "Changing it retires the old address at once: links you have shared stop" in content


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ada", "Choose an address that is not your username or e-mail: the page is public."),
        ("ADA", "Choose an address that is not your username or e-mail: the page is public."),
        ("ada-mail", "Choose an address that is not your username or e-mail: the page is public."),
        ("ada_builds", SLUG_ERROR),
        ("ada--builds", SLUG_ERROR),
        ("-ada", SLUG_ERROR),
        ("", "This field is required."),
    ],
)
def test_the_address_is_never_the_username_or_e_mail_and_only_slug_characters(
    client_for, learner, slug, message
):
    learner.email = "ada-mail@example.com"
    learner.save(update_fields=["email"])

    response = client_for(learner).post(SETTINGS, _settings(slug=slug, is_published="on"))

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [message]
    assert Portfolio.objects.count() == 0


def test_the_full_e_mail_is_refused_too(client_for, learner):
    learner.email = "ada@example.com"
    learner.save(update_fields=["email"])

    response = client_for(learner).post(SETTINGS, _settings(slug="ada@example.com"))

    assert response.context["form"].errors["slug"] == [SLUG_ERROR]


def test_an_address_someone_else_holds_is_taken(client_for, learner):
    PortfolioFactory(learner=UserFactory(), slug="ada-builds")

    response = client_for(learner).post(SETTINGS, _settings())

    assert response.context["form"].errors["slug"] == ["That address is taken; choose another."]


def test_the_settings_are_for_learners_only(client_for, mentor):
    assert client_for(mentor).get(SETTINGS).status_code == 404


# --- The public page -------------------------------------------------------------------------


@pytest.fixture
def published(learner, cohort, mentor):
    learner.first_name, learner.last_name = "Ada", "Lovelace"
    learner.email = "ada@example.com"
    learner.save()
    mentor.first_name, mentor.last_name = "Linus", "Torvalds"
    mentor.save()
    work = approved_project(
        learner,
        cohort,
        passes={"tests", "commits"},
        title="Task manager",
        live_url="https://ada.example.org/tasks",
    )
    iteration = work.iterations.get()
    iteration.notes = "PRIVATE NOTE to my mentor"
    iteration.save()
    ReviewFactory(
        iteration=iteration,
        mentor=mentor,
        summary="PRIVATE REVIEW summary",
        verdict=Review.Verdict.APPROVE,
    )
    ReadinessSignOffFactory(
        learner=learner, cohort=cohort, mentor=mentor, note="Ready: **two** solid projects."
    )
    return PortfolioFactory(learner=learner, slug="ada-builds", bio="I build small tools.")


def test_a_logged_out_visitor_sees_exactly_the_allowed_content(published):
    response = Client().get("/p/ada-builds/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3">Ada Lovelace</h1>' in html
    assert "I build small tools." in html
    assert "Task manager" in html
    # The stage it belongs to, not the brief's summary (written to the learner).
    project = published.learner.submissions.get().project
    assert f"A project of the roadmap’s stage {project.stage}</p>" in html
    assert project.summary not in html
    assert 'href="https://github.com/learner/project"' in html
    assert 'href="https://ada.example.org/tasks"' in html
    assert ">Tests</span>" in html
    assert ">Commit messages</span>" in html
    assert ">README sections</span>" not in html  # it failed
    assert "Signed off by their mentor, Linus Torvalds, on" in html
    assert "Ready: <strong>two</strong> solid projects." in html
    for private in ["PRIVATE NOTE", "PRIVATE REVIEW", "ada@example.com", ">ada<", "Signed in as"]:
        assert private not in html, private


def test_the_page_asks_search_engines_not_to_list_it_unless_allowed(published):
    html = Client().get("/p/ada-builds/").content.decode()
    assert '<meta name="robots" content="noindex">' in html

    Portfolio.objects.filter(pk=published.pk).update(allow_indexing=True)

    response = Client().get("/p/ada-builds/")
    assert '<meta name="robots"' not in response.content.decode()
    assert "X-Robots-Tag" not in response.headers


def test_caching_headers_make_a_cache_ask_again_and_keep_logged_in_views_private(
    published, client_for, other_learner
):
    anonymous = Client().get("/p/ada-builds/")
    logged_in = client_for(other_learner).get("/p/ada-builds/")

    assert_security_headers(anonymous)
    assert cache_directives(anonymous) == {"public", "no-cache"}
    assert anonymous["X-Robots-Tag"] == "noindex"
    assert {"private", "no-store"} <= cache_directives(logged_in)
    assert "public" not in cache_directives(logged_in)


def test_an_unpublished_or_unknown_portfolio_is_404(published):
    Portfolio.objects.filter(pk=published.pk).update(is_published=False)

    assert Client().get("/p/ada-builds/").status_code == 404
    assert Client().get("/p/nobody/").status_code == 404


def test_a_learner_without_a_full_name_is_named_by_the_address_never_the_username(learner, cohort):
    learner.first_name = learner.last_name = ""
    learner.save()
    PortfolioFactory(learner=learner, slug="quiet-coder")

    html = Client().get("/p/quiet-coder/").content.decode()

    assert '<h1 class="h3">quiet-coder</h1>' in html
    assert learner.username not in html


def test_the_public_page_is_get_only(published):
    assert Client().post("/p/ada-builds/").status_code == 405


@pytest.mark.parametrize("rows", [1, 5])
def test_the_public_page_costs_the_same_queries_for_1_and_5_projects(
    learner, cohort, rows, django_assert_num_queries
):
    for _ in range(rows):
        approved_project(learner, cohort, passes={"tests"})
    PortfolioFactory(learner=learner, slug="ada-builds")
    client = Client()

    with django_assert_num_queries(7):
        response = client.get("/p/ada-builds/")

    assert len(response.context["projects"]) == rows


def test_saving_twice_keeps_one_portfolio_with_the_last_settings(learner):
    settings = {"slug": "ada-builds", "bio": "", "allow_indexing": False}
    portfolio_save(learner=learner, is_published=False, **settings)
    portfolio_save(learner=learner, is_published=True, **settings)

    assert list(Portfolio.objects.values_list("slug", "is_published")) == [("ada-builds", True)]
