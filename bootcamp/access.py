"""Who may reach what. Roles come from cohort memberships; staff are Django staff users."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Roles:
    is_learner: bool = False
    is_mentor: bool = False
    is_staff: bool = False


def roles_for(user) -> Roles:
    """The user's roles; one query, remembered on the user object for the request."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_bootcamp_roles", None)
    if cached is None:
        from learners.models import Membership

        held = set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())
        cached = Roles(
            is_learner=Membership.Role.LEARNER in held,
            is_mentor=Membership.Role.MENTOR in held,
            is_staff=user.is_staff,
        )
        user._bootcamp_roles = cached
    return cached
