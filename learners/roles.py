"""Who may reach what. Roles come from cohort memberships; staff are Django staff users."""

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Roles:
    is_learner: bool = False
    is_mentor: bool = False
    is_staff: bool = False
    # The cohorts the user mentors, read in the same query: pages that scope by them (the
    # queue) filter on literal ids, which PostgreSQL plans in a third of the time of a subquery.
    mentor_cohort_ids: frozenset = frozenset()
    # The navigation's unread-notifications badge, counted in the same query.
    unread_notifications: int = 0


def roles_for(user) -> Roles:
    """The user's roles; one query, remembered on the user object for the request."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_bootcamp_roles", None)
    if cached is None:
        from bootcamp.models import Notification
        from learners.models import Membership

        # Plain SQL: it runs on every page, and the ORM took longer to build it than
        # PostgreSQL takes to answer it. The unread count rides along (one row even for a
        # user without memberships), so the navigation's badge costs no query of its own.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.role, m.cohort_id, n.unread FROM (SELECT count(*) AS unread "  # noqa: S608
                f"FROM {Notification._meta.db_table} WHERE user_id = %s AND read_at IS NULL) AS n "
                f"LEFT JOIN {Membership._meta.db_table} AS m ON m.user_id = %s",
                [user.pk, user.pk],
            )
            rows = cursor.fetchall()
        held = [(role, cohort) for role, cohort, _ in rows if role is not None]
        unread = rows[0][2] if rows else 0
        mentored = frozenset(cohort for role, cohort in held if role == Membership.Role.MENTOR)
        cached = Roles(
            is_learner=any(role == Membership.Role.LEARNER for role, _ in held),
            is_mentor=bool(mentored),
            is_staff=user.is_staff,
            mentor_cohort_ids=mentored,
            unread_notifications=unread,
        )
        user._bootcamp_roles = cached
    return cached
