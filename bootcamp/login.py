"""Log-in pieces: what django-axes needs from us, and the password reset's e-mail link."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views

from bootcamp.forms import SetPasswordForm

# django-axes keeps the username it counts failures for in a column of this many characters.
AXES_USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The username django-axes counts failed log-ins against, cut to fit its column.

    A longer username (no account has one) would otherwise be a database error, a 500, where
    it must be one more failed attempt with the usual "wrong credentials" answer.
    """
    source = credentials if credentials else request.POST
    username = source.get("username")
    return username[:AXES_USERNAME_MAX_LENGTH] if isinstance(username, str) else username


class InvitationConfirmView(auth_views.PasswordResetConfirmView):
    """An invitation's set-password page: choosing the password logs the person in and takes
    them home (their dashboard or queue), with no username to retype."""

    template_name = "registration/invitation_confirm.html"
    form_class = SetPasswordForm
    success_url = "/"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set and you are logged in. Welcome!")
        return response


class LogoutView(auth_views.LogoutView):
    """Django's, saying so on the page it lands on (LOGOUT_REDIRECT_URL, the home page)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # After the session is flushed: the message travels in its own cookie.
        messages.info(request, "You are logged out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the e-mail's link built from SITE_URL like every other e-mail's: never
    from the request's Host header, which whoever asks for a reset controls."""

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}
