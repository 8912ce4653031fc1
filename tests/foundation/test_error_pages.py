import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_not_found_is_the_sites_own_page_with_a_way_back(client_for, learner):
    response = client_for(learner).get("/submissions/999999/")
    assert response.status_code == 404
    assert "We can't find that page" in response.text
    assert 'href="/"' in response.text
    assert "Log out" in response.text  # the full navigation, not a bare page


def test_server_error_page_renders_without_a_database_or_a_user():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused_with_an_explanation(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "_auth_user_id" in client.session
