"""What a user is: learner or mentor from their cohort memberships, staff from Django.

`RolesMiddleware` sets `request.roles`, read on first use (one query), as Django's
AuthenticationMiddleware sets `request.user`. What a role may reach is learners/access.py.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from bootcamp.models import Notification
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
    """The user's roles. One query (none for an anonymous user)."""
    if not user.is_authenticated:
        return Roles()
    memberships = Membership.objects.filter(user=OuterRef("pk"))
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    is_learner, is_mentor, unread_notifications = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            Exists(memberships.filter(role=Membership.Role.LEARNER)),
            Exists(memberships.filter(role=Membership.Role.MENTOR)),
            # The unread count rides along, so the navigation's badge costs no query.
            Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        )
        .get()
    )
    return Roles(
        is_learner=is_learner,
        is_mentor=is_mentor,
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
