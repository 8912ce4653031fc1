from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from learners.roles import roles_for


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "home.html")
    roles = roles_for(request.user)
    if roles.is_learner:
        return redirect("reviews:dashboard")
    if roles.is_mentor:
        return redirect("reviews:queue")
    if roles.is_staff:
        return redirect("reviews:cohort-list")
    return render(request, "home.html")


@never_cache
@require_safe  # load balancers probe with GET or HEAD
def healthz(request):
    """For load balancers: one trivial query, no session, no login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "reason": f"database unavailable: {exc.__class__.__name__}"},
            status=503,
        )
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    """A missing or stale CSRF token: explain it in the site's own page, still a 403."""
    return render(request, "403_csrf.html", status=403)
