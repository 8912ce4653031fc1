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

    The user's membership roles, one row per role (one row with no role for a user without
    memberships), each with the count of their unread notifications: a GROUP BY over two
    joins, about half the Python of counting each role in its own aggregate (three filtered
    distinct counts), and that in turn half of three subqueries (docs/PERFORMANCE.md). The
    joins multiply rows (memberships x notifications), hence the distinct count.
    """
    if not user.is_authenticated:
        return Roles()
    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list("memberships__role")
        # The unread count rides along, so the navigation's badge costs no query.
        .annotate(
            unread=Count(
                "notifications", filter=Q(notifications__read_at__isnull=True), distinct=True
            )
        )
        .order_by()
    )
    roles = {role for role, _unread in rows}
    return Roles(
        is_learner=Membership.Role.LEARNER in roles,
        is_mentor=Membership.Role.MENTOR in roles,
        is_staff=user.is_staff,
        unread_notifications=rows[0][1],
    )


class RolesMiddleware:
    """Sets a lazy `request.roles`; after AuthenticationMiddleware, whose user it reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: roles_for(request.user))
        return self.get_response(request)
