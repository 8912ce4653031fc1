"""The inbox and the notification settings: every logged-in user, their own rows only.

The notifications are bootcamp's; the pages live here because which kinds a user can choose
depends on their roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bootcamp.forms import NotificationPreferencesForm
from bootcamp.models import Notification
from bootcamp.notifications import notifications_mark_all_read, preference_kinds

INBOX_PAGE_SIZE = 25


@login_required
@require_safe
def inbox(request):
    page = Paginator(Notification.objects.for_inbox(request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "bootcamp/inbox.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    marked = notifications_mark_all_read(user=request.user)
    if marked:
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    else:
        messages.info(request, "Nothing was unread.")
    return redirect("learners:notifications")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    kinds = preference_kinds(
        is_learner=request.roles.is_learner, is_reviewer=request.roles.is_reviewer
    )
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None, user=request.user, kinds=kinds
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your notification settings are saved.")
        return redirect("learners:notification-preferences")
    return render(request, "bootcamp/preferences.html", {"form": form, "kinds": kinds})
