"""Log-in pieces django-axes needs from us."""

from axes.models import AccessAttempt

# django-axes keeps the username it counts failures for in a column of this many characters.
AXES_USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The username django-axes counts failed log-ins against, cut to fit its column.

    A longer username (no account has one) would otherwise be a database error, a 500, where
    it must be one more failed attempt with the usual "wrong credentials" answer.
    """
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username")
    return username[:AXES_USERNAME_MAX_LENGTH] if isinstance(username, str) else username
