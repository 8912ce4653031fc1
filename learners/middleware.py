import dataclasses

from django.utils.functional import SimpleLazyObject

from bootcamp.notifications import notifications_mark_read
from learners.roles import Roles


class NotificationsReadMiddleware:
    """Opening a page marks the user's notifications about it read.

    After RolesMiddleware, and as lazy as `request.roles` itself: when a page first reads the
    roles (its navigation does), the unread count comes with them, and only when something is
    unread does one UPDATE mark this page's notifications read, so the badge on this very page
    already leaves them out. Pages that never read the roles (the admin) pay nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            roles = request.roles
            request.roles = SimpleLazyObject(lambda: _after_marking_read(request, roles))
        return self.get_response(request)


def _after_marking_read(request, roles) -> Roles:
    values = {field.name: getattr(roles, field.name) for field in dataclasses.fields(Roles)}
    if values["unread_notifications"]:
        marked = notifications_mark_read(user=request.user, url=request.path)
        values["unread_notifications"] -= marked
    return Roles(**values)
