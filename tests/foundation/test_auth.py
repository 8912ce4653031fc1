import pytest
from django.conf import settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bootcamp.models import OutboxMessage
from tests.factories import PASSWORD, StageFactory, UserFactory


@pytest.mark.django_db
def test_login_with_the_right_password_signs_in_and_goes_home(client):
    UserFactory(username="ada")
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_login_with_a_wrong_password_shows_an_error_and_signs_nobody_in(client):
    UserFactory(username="ada")
    response = client.post("/accounts/login/", {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    home = client.get("/")
    assert [str(m) for m in home.context["messages"]] == ["You are logged out."]
    assert "You are logged out." in home.text


@pytest.mark.django_db
def test_anonymous_home_lists_the_published_stages_read_only_before_the_login(
    client, django_assert_num_queries
):
    StageFactory(number=2, title="Workflow", summary="Git and tests.")
    StageFactory(number=1, title="Fundamentals", summary="The language.")
    StageFactory(number=3, title="Hidden", is_published=False)

    with django_assert_num_queries(1):
        response = client.get("/")

    text = response.text
    assert [s.title for s in response.context["stages"]] == ["Fundamentals", "Workflow"]
    assert "Hidden" not in text
    assert "Git and tests." in text
    assert 'href="/stages/' not in text  # read-only: the stage pages need a login
    assert text.index("The roadmap") < text.index('btn-lg" href="/accounts/login/"')


@pytest.mark.django_db
def test_anonymous_home_explains_the_product_and_links_to_login(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "junior Python developer roadmap" in response.text
    assert 'href="/accounts/login/"' in response.text


@pytest.mark.django_db
def test_the_auth_pages_render(client):
    for path in ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_password_reset_mail_carries_a_working_link(client, mailoutbox, deliver_mail):
    UserFactory(username="ada", email="ada@example.com")
    client.post("/accounts/password_reset/", {"email": "ada@example.com"})
    # Django's own mail goes through the outbox too (EMAIL_BACKEND), sent by a mail job.
    [queued] = OutboxMessage.objects.all()
    assert (queued.to, queued.status, queued.template) == ("ada@example.com", "pending", "django")
    assert mailoutbox == []
    deliver_mail()
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    assert mailoutbox[0].subject == "Reset your bootcamp password"
    assert link.startswith(f"{settings.SITE_URL}/accounts/reset/")  # never the Host header
    path = link.removeprefix(settings.SITE_URL)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.text


@pytest.mark.django_db
def test_password_reset_links_come_from_site_url_whatever_the_host_header(
    client, mailoutbox, settings, deliver_mail
):
    settings.SITE_URL = "https://bootcamp.example.org"
    user = UserFactory(username="ada", email="ada@example.com")

    client.post("/accounts/password_reset/", {"email": "ada@example.com"}, HTTP_HOST="localhost")
    deliver_mail()

    (link,) = [line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    assert link.startswith(f"https://bootcamp.example.org/accounts/reset/{uid}/")
    assert "localhost" not in mailoutbox[0].body


@pytest.mark.django_db
def test_a_common_password_is_refused_under_the_new_password_not_the_confirmation(client):
    user = UserFactory(username="ada")
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )

    form = response.context["form"]
    assert form.errors == {"new_password1": ["This password is too common."]}
    html = response.text
    field = html.index('id="id_new_password1"')
    assert field < html.index("This password is too common.") < html.index('id="id_new_password2"')


@pytest.mark.django_db
def test_a_mismatch_stays_under_the_confirmation(client):
    user = UserFactory(username="ada")
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-long-unusual-passphrase-42",
            "new_password2": "a-long-unusual-passphrase-43",
        },
    )

    assert response.context["form"].errors == {
        "new_password2": ["The two password fields didn’t match."]
    }
