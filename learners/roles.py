"""What a user is: learner or mentor from their cohort memberships, staff from Django.

`RolesMiddleware` sets `request.roles`, read on first use (one query), as Django's
AuthenticationMiddleware sets `request.user`. What a role may reach is learners/access.py.
"""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from learners.models import Membership


@dataclass(frozen=True)
class Roles:
    is_learner: bool = False
    is_mentor: bool = False
    is_staff: bool = False

    @property
    def is_reviewer(self) -> bool:
        """Mentors review their cohorts' work, staff everyone's."""
        return self.is_mentor or self.is_staff


def roles_for(user) -> Roles:
    """The user's roles. One query (none for an anonymous user)."""
    if not user.is_authenticated:
        return Roles()
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return Roles(
        is_learner=Membership.Role.LEARNER in held,
        is_mentor=Membership.Role.MENTOR in held,
        is_staff=user.is_staff,
    )


class RolesMiddleware:
    """Sets a lazy `request.roles`; after AuthenticationMiddleware, whose user it reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: roles_for(request.user))
        return self.get_response(request)
