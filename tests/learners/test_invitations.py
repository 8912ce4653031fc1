import datetime
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from bootcamp.models import OutboxMessage
from learners.forms import InvitationResendForm, InviteForm
from learners.models import Membership
from learners.services import cohort_invitation_resend, cohort_invite
from tests.factories import MembershipFactory, UserFactory

User = get_user_model()
NEW_PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def invite(deliver_mail, cohort):
    def run(emails, role=Membership.Role.LEARNER):
        result = cohort_invite(cohort=cohort, emails=emails, role=role)
        deliver_mail()
        return result

    return run


def link_in(message) -> str:
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def test_invite_creates_user_membership_and_mails_a_link(invite, cohort):
    result = invite(["Ada.Lovelace@Example.com"])

    user = User.objects.get()
    assert (user.username, user.email, user.has_usable_password()) == (
        "ada.lovelace",
        "ada.lovelace@example.com",
        False,
    )
    assert list(Membership.objects.values_list("cohort", "user", "role")) == [
        (cohort.pk, user.pk, "learner")
    ]
    assert (len(result.users_created), len(result.memberships_created), len(result.emailed)) == (
        1,
        1,
        1,
    )
    [message] = mail.outbox
    assert message.to == ["ada.lovelace@example.com"]
    assert message.subject == "[bootcamp] You are invited to Demo cohort"
    path = link_in(message)
    assert path.startswith("/accounts/invitation/")
    assert message.body == (
        "Hello,\n\n"
        "You have been invited to join Demo cohort on bootcamp, as a learner.\n\n"
        "Your username is ada.lovelace.\n\n"
        "To choose your password, open this link. It works once, and only for the next "
        "3 days; once you have chosen it you are logged in:\n"
        f"http://127.0.0.1:8000{path}\n"
    )


def test_usernames_are_made_unique(invite, db):
    UserFactory(username="ada", email="someone-else@example.com")

    invite(["ada@example.com", "ada@example.org"])

    assert sorted(User.objects.values_list("username", flat=True)) == ["ada", "ada-2", "ada-3"]


def test_reinviting_creates_no_duplicates(invite):
    invite(["ada@example.com", "grace@example.com"])
    mail.outbox.clear()

    result = invite(["ADA@example.com", "grace@example.com"])

    assert User.objects.count() == 2
    assert Membership.objects.count() == 2
    assert (len(result.users_created), len(result.memberships_created)) == (0, 0)
    # Neither has chosen a password yet: each gets a fresh link.
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "grace@example.com"]


def test_existing_active_user_gets_the_membership_and_no_mail(invite, cohort):
    user = UserFactory(email="ada@example.com")

    result = invite(["ada@example.com"], role=Membership.Role.MENTOR)

    assert User.objects.count() == 1
    assert Membership.objects.get(user=user).role == "mentor"
    assert (len(result.memberships_created), len(result.emailed)) == (1, 0)
    assert result.added_with_password == [user]
    assert mail.outbox == []


def test_reinviting_a_member_with_a_password_reports_them_and_sends_nothing(invite, cohort):
    user = UserFactory(email="ada@example.com")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)

    result = invite(["ada@example.com"])

    assert (result.already_members, result.emailed, result.memberships_created) == ([user], [], [])
    assert mail.outbox == []


def test_a_deactivated_account_is_reported_and_sent_nothing(invite, cohort):
    user = UserFactory(email="ada@example.com", is_active=False)
    user.set_unusable_password()
    user.save()

    result = invite(["ada@example.com"])

    assert (result.inactive, result.emailed) == ([user], [])
    assert mail.outbox == []


def test_existing_member_with_another_role_is_left_alone(invite, cohort):
    user = UserFactory(email="ada@example.com")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)

    result = invite(["ada@example.com"], role=Membership.Role.MENTOR)

    assert Membership.objects.get(user=user).role == "learner"
    assert [m.user for m in result.role_conflicts] == [user]


def test_an_invitation_rolled_back_leaves_no_message_and_no_job(cohort):
    jobs_before = ProcrastinateJob.objects.count()

    def invite_then_fail():
        with transaction.atomic():
            cohort_invite(cohort=cohort, emails=["ada@example.com"], role="learner")
            assert OutboxMessage.objects.count() == 1  # written in the same transaction...
            raise RuntimeError("the work fails after the invitation")

    with pytest.raises(RuntimeError):
        invite_then_fail()

    # ...so it goes with it, job and all.
    assert (User.objects.count(), OutboxMessage.objects.count()) == (0, 0)
    assert ProcrastinateJob.objects.count() == jobs_before


def test_resending_an_invitation_queues_a_fresh_link(invite, cohort, client):
    invite(["ada@example.com"])
    mail.outbox.clear()
    user = User.objects.get()

    cohort_invitation_resend(cohort=cohort, user=user)
    invite([])  # deliver what is queued

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Welcome — choose your password" in client.get(link_in(message), follow=True).text


def test_a_resent_invitation_makes_the_old_link_stop_working(invite, cohort, client):
    invite(["ada@example.com"])
    old = link_in(mail.outbox[0])
    mail.outbox.clear()

    cohort_invitation_resend(cohort=cohort, user=User.objects.get())
    invite([])  # deliver what is queued
    new = link_in(mail.outbox[0])

    assert "This invitation link no longer works" in client.get(old, follow=True).text
    assert "Welcome — choose your password" in client.get(new, follow=True).text


def test_resend_to_someone_who_chose_a_password_after_the_check_is_a_form_error(cohort):
    cohort_invite(cohort=cohort, emails=["grace@example.com"], role="learner")
    grace = User.objects.get(email="grace@example.com")
    form = InvitationResendForm({"resend": grace.pk}, cohort=cohort)
    assert form.is_valid()
    grace.set_password("chosen-in-another-tab-42")  # between the check and the service
    grace.save()
    queued = OutboxMessage.objects.count()

    assert form.save() is None
    assert form.errors["resend"] == [
        "Only people invited to this cohort who have no password yet can be sent a fresh "
        "invitation: this person has chosen a password or left the cohort."
    ]
    assert OutboxMessage.objects.count() == queued
    grace.refresh_from_db()
    assert grace.check_password("chosen-in-another-tab-42")


def test_resending_to_someone_with_a_password_is_refused(cohort, learner):
    with pytest.raises(ValueError, match="no password yet"):
        cohort_invitation_resend(cohort=cohort, user=learner)

    assert OutboxMessage.objects.count() == 0


def test_link_works_once(invite, client):
    invite(["ada@example.com"])
    link = link_in(mail.outbox[0])

    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    assert "Welcome — choose your password" in opened.content.decode()
    set_password_url = opened.redirect_chain[-1][0]

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert User.objects.get().check_password(NEW_PASSWORD)
    # Logged in, no username to retype: home sends the learner on to their dashboard.
    home = client.get("/", follow=True)
    assert home.redirect_chain == [("/dashboard/", 302)]
    assert [str(m) for m in home.context["messages"]] == [
        "Your password is set and you are logged in. Welcome!"
    ]
    client.logout()

    again = client.get(link, follow=True)
    assert "This invitation link no longer works" in again.content.decode()


def test_a_common_password_on_the_invitation_page_is_refused_under_the_password(invite, client):
    invite(["ada@example.com"])
    opened = client.get(link_in(mail.outbox[0]), follow=True)

    response = client.post(
        opened.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password1": ["This password is too common."]}
    assert not User.objects.get().has_usable_password()


def test_link_expires_after_the_reset_timeout(invite, client, settings):
    invite(["ada@example.com"])
    link = link_in(mail.outbox[0])
    assert client.get(link)["Location"].endswith("/set-password/")  # valid today
    later = datetime.datetime.now() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )

    with mock.patch.object(default_token_generator, "_now", return_value=later):
        response = client.get(link, follow=True)

    assert "This invitation link no longer works" in response.content.decode()
    assert not User.objects.get().has_usable_password()


def test_expired_link_sends_people_to_staff_who_can_invite_them_again(
    invite, client, settings, cohort
):
    invite(["ada@example.com"])
    expired = link_in(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    with mock.patch.object(default_token_generator, "_now", return_value=later):
        page = client.get(expired, follow=True).content.decode()
    # Password reset skips accounts without a usable password, as every invitee's is.
    assert "/accounts/password_reset/" not in page
    assert "ask your bootcamp staff to invite you again" in page
    mail.outbox.clear()

    # Staff invite the same address again: a fresh link that works.
    result = invite(["ada@example.com"])

    assert (len(result.users_created), len(result.emailed)) == (0, 1)
    [message] = mail.outbox
    fresh = client.get(link_in(message), follow=True)
    assert "Welcome — choose your password" in fresh.content.decode()


# --- the form -------------------------------------------------------------------------------


def test_invite_with_names_names_the_new_accounts_and_greets_them(invite, cohort, learner):
    learner.first_name = learner.last_name = ""
    learner.save()
    form = InviteForm(
        {
            "emails": "Ada King Lovelace <ada.king@example.com>\n"
            "Grace Hopper <grace@example.com>, linus@example.com\n"
            f"Someone Else <{learner.email}>\nada.king@example.com",
            "role": "learner",
        },
        cohort=cohort,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["emails"] == [
        "ada.king@example.com",
        "grace@example.com",
        "linus@example.com",
        learner.email,
    ]

    form.save()

    names = dict(User.objects.values_list("email", "first_name"))
    assert names == {
        "ada.king@example.com": "Ada",
        "grace@example.com": "Grace",
        "linus@example.com": "",
        learner.email: "Someone",
    }
    assert User.objects.get(email="ada.king@example.com").last_name == "King Lovelace"


def test_an_existing_name_is_not_overwritten_by_an_invitation(invite, cohort, learner):
    before = learner.get_full_name()

    cohort_invite(
        cohort=cohort, emails=[learner.email], role="learner", names={learner.email: "Other"}
    )

    learner.refresh_from_db()
    assert learner.get_full_name() == before


def test_the_invitation_greets_by_first_name(invite, cohort, deliver_mail):
    cohort_invite(
        cohort=cohort,
        emails=["ada@example.com"],
        role="learner",
        names={"ada@example.com": "Ada Lovelace"},
    )
    deliver_mail()

    assert mail.outbox[0].body.startswith("Hello Ada,\n\n")


def test_a_name_with_hidden_characters_is_refused(cohort):
    form = InviteForm({"emails": "Ada\u202e <ada@example.com>", "role": "learner"}, cohort=cohort)

    assert form.errors == {
        "emails": [
            "These names contain invisible or control characters; type them again: 'Ada\\u202e'"
        ]
    }


def test_form_accepts_commas_newlines_and_dedupes(cohort):
    form = InviteForm(
        {
            "emails": "ada@example.com, grace@example.com\n\nADA@example.com;linus@example.com",
            "role": "learner",
        },
        cohort=cohort,
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["emails"] == [
        "ada@example.com",
        "grace@example.com",
        "linus@example.com",
    ]


@pytest.mark.parametrize(
    ("emails", "error"),
    [
        ("", "This field is required."),
        (" ,\n ", "Enter at least one e-mail address."),
        (
            "ada@example.com, not-an-address, x@",
            "These are not valid e-mail addresses: not-an-address, x@",
        ),
        (
            ",".join(f"user{n}@example.com" for n in range(201)),
            "At most 200 addresses at a time (you entered 201).",
        ),
    ],
)
def test_form_refuses_bad_lists(cohort, emails, error):
    form = InviteForm({"emails": emails, "role": "learner"}, cohort=cohort)

    assert form.errors == {"emails": [error]}


def test_form_refuses_an_unknown_role(cohort):
    form = InviteForm({"emails": "ada@example.com", "role": "owner"}, cohort=cohort)

    assert list(form.errors) == ["role"]
