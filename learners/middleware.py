import dataclasses

from bootcamp.notifications import notifications_mark_read
from learners.roles import roles_for


class NotificationsReadMiddleware:
    """Opening a page marks the user's notifications about it read.

    Costs nothing on most pages: the unread count comes with the roles query every page makes
    anyway (learners.roles.roles_for), and the UPDATE runs only while something is unread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.method in ("GET", "HEAD") and user is not None and user.is_authenticated:
            roles = roles_for(user)
            if roles.unread_notifications:
                marked = notifications_mark_read(user=user, url=request.path)
                if marked:
                    # The navigation on this very page then counts what is still unread.
                    user._bootcamp_roles = dataclasses.replace(
                        roles, unread_notifications=roles.unread_notifications - marked
                    )
        return self.get_response(request)
