"""What a user is: learner or mentor from their cohort memberships, staff from Django.

`RolesMiddleware` sets `request.roles`, read on first use (one query), as Django's
AuthenticationMiddleware sets `request.user`. What a role may reach is learners/access.py.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject

from learners.models import Membership


@dataclass(frozen=True)
class Roles:
    is_learner: bool = False
    is_mentor: bool = False
    is_staff: bool = False
    # The navigation's unread-notifications badge, counted in the same query.
    unread_notifications: int = 0

    @property
    def is_reviewer(self) -> bool:
        """Mentors review their cohorts' work, staff everyone's."""
        return self.is_mentor or self.is_staff


def roles_for(user) -> Roles:
    """The user's roles. One query (none for an anonymous user).

    Counts over two joins rather than three subqueries (`Exists` twice, the unread count):
    the same answer in one query, and about half the Python to build it, on every page
    (docs/PERFORMANCE.md). The joins multiply rows (memberships x unread notifications),
    hence the distinct counts.
    """
    if not user.is_authenticated:
        return Roles()
    learner, mentor, unread_notifications = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            learner=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.LEARNER), distinct=True
            ),
            mentor=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.MENTOR), distinct=True
            ),
            # The unread count rides along, so the navigation's badge costs no query.
            unread=Count(
                "notifications", filter=Q(notifications__read_at__isnull=True), distinct=True
            ),
        )
        .values_list("learner", "mentor", "unread")
        .get()
    )
    return Roles(
        is_learner=learner > 0,
        is_mentor=mentor > 0,
        is_staff=user.is_staff,
        unread_notifications=unread_notifications,
    )


class RolesMiddleware:
    """Sets a lazy `request.roles`; after AuthenticationMiddleware, whose user it reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: roles_for(request.user))
        return self.get_response(request)
