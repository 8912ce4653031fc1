from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from bootcamp.forms import MarkdownPreviewForm

# One statement for the queue's health: the oldest job that is ready to run (its retry time,
# or when it was deferred) and the newest worker heartbeat.
QUEUE_HEALTH_SQL = """
SELECT
    (SELECT min(coalesce(job.scheduled_at, deferred.at))
       FROM procrastinate_jobs job
       JOIN procrastinate_events deferred
         ON deferred.job_id = job.id AND deferred.type = 'deferred'
      WHERE job.status = 'todo' AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())),
    (SELECT max(last_heartbeat) FROM procrastinate_workers),
    now()
"""
# Workers beat every 10 seconds (Procrastinate's default); a minute of silence means none runs.
WORKER_HEARTBEAT_SECONDS = 60


def _queue_problem() -> str:
    with connection.cursor() as cursor:
        cursor.execute(QUEUE_HEALTH_SQL)
        oldest_ready, last_heartbeat, now = cursor.fetchone()
    if last_heartbeat is None or (now - last_heartbeat).total_seconds() > WORKER_HEARTBEAT_SECONDS:
        return f"no worker heartbeat in the last {WORKER_HEARTBEAT_SECONDS} seconds"
    waited = (now - oldest_ready).total_seconds() if oldest_ready else 0
    if waited > settings.QUEUE_STALE_SECONDS:
        return f"the oldest ready job has waited {int(waited)} seconds"
    return ""


@never_cache
@require_safe  # load balancers probe with GET or HEAD
def healthz(request):
    """For load balancers: one trivial query, no session, no login. `?deep` adds the job
    queue (monitoring, not the load balancer: workers being down must not take the web
    servers out)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        problem = _queue_problem() if "deep" in request.GET else ""
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "reason": f"database unavailable: {exc.__class__.__name__}"},
            status=503,
        )
    if problem:
        return JsonResponse({"status": "error", "reason": f"job queue: {problem}"}, status=503)
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    """A missing or stale CSRF token: explain it in the site's own page, still a 403."""
    return render(request, "403_csrf.html", status=403)


@login_required
@require_POST
def markdown_preview(request):
    """A Markdown field's text as the page will show it, rendered by the same renderer.

    Reached by a field's "Preview" button (bootcamp.forms.MarkdownTextarea), which posts the
    whole form here: only the field it names is read. Saves nothing. A bad request (no such
    field, text too long or too complex) is the page with the reason, answered 400.
    """
    form = MarkdownPreviewForm(request.POST)
    valid = form.is_valid()
    return render(
        request,
        "bootcamp/markdown_preview.html",
        {"form": form, "text": form.cleaned_data.get("text", "") if valid else ""},
        status=200 if valid else 400,
    )
