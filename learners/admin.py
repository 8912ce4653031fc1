from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy

from bootcamp.admin_a11y import LabelledTabularInline
from bootcamp.models import OutboxMessage
from learners.forms import InvitationResendForm, InviteForm, LearnerMoveForm, pending_invitees
from learners.models import (
    BugStory,
    CheckResult,
    Cohort,
    Extension,
    Iteration,
    Membership,
    ObjectiveCheck,
    Portfolio,
    ProjectDueDate,
    Reminder,
    Snapshot,
    StageTarget,
    Submission,
    SubmissionEvent,
)
from learners.services import (
    cohort_stages_spread,
    learner_progress_refresh,
    portfolios_unpublish,
)
from learners.snapshots import SnapshotRefused, snapshot_rerun


class MembershipInline(LabelledTabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """People's places in cohorts; a learner's row offers the move to another cohort."""

    list_display = ("user", "cohort", "role", "joined_at", "move_link")
    list_filter = ("role", "cohort")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "cohort")
    autocomplete_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        # On change, whose place it is and where it is stay fixed: the Move page is the only
        # way to another cohort (it moves the work and settles claims; a bare edit would not).
        if obj is not None:
            return ("user", "cohort", *super().get_readonly_fields(request, obj))
        return super().get_readonly_fields(request, obj)

    @admin.display(description="deferral")
    def move_link(self, membership):
        if membership.role != Membership.Role.LEARNER:
            return "—"
        url = reverse("admin:learners_membership_move", args=[membership.pk])
        return format_html('<a href="{}">Move to another cohort</a>', url)

    def get_urls(self):
        move = path(
            "<path:object_id>/move/",
            self.admin_site.admin_view(self.move_view),
            name="learners_membership_move",
        )
        return [move, *super().get_urls()]

    def move_view(self, request, object_id):
        membership = self.get_object(request, unquote(object_id))
        if membership is None or membership.role != Membership.Role.LEARNER:
            raise Http404
        if not self.has_change_permission(request, membership):
            raise PermissionDenied
        from_cohort = membership.cohort
        form = LearnerMoveForm(
            request.POST if request.method == "POST" else None,
            membership=membership,
            actor=request.user,
        )
        if request.method == "POST" and form.is_valid():
            result = form.save()
            if result is not None:
                membership.refresh_from_db()
                moved, to_cohort = result.submissions, membership.cohort
                self.message_user(
                    request,
                    f"{membership.user} moved from {from_cohort} to {to_cohort} with "
                    f"{moved} submission{pluralize(moved)}.",
                    messages.SUCCESS,
                )
                if result.extensions_moved:
                    self.message_user(
                        request,
                        f"Extensions kept, as {to_cohort} has those dates: "
                        f"{', '.join(result.extensions_moved)}.",
                        messages.SUCCESS,
                    )
                if result.extensions_dropped:
                    self.message_user(
                        request,
                        f"Extensions deleted, as {to_cohort} has no such date (or one for "
                        f"them already): {', '.join(result.extensions_dropped)}.",
                        messages.WARNING,
                    )
                return redirect("admin:learners_membership_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": format_lazy("Move {} to another cohort", membership.user),
            "subtitle": None,
            "form": form,
            "membership": membership,
            "submission_count": membership.user.submissions.filter(cohort=from_cohort).count(),
            "opts": self.opts,
            "original": membership,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/learners/membership/move.html", context)


class StageTargetInline(LabelledTabularInline):
    model = StageTarget
    fields = ("stage", "due_on")
    extra = 0
    verbose_name = "stage target finish date"
    verbose_name_plural = "stage target finish dates"


class ProjectDueDateInline(LabelledTabularInline):
    model = ProjectDueDate
    fields = ("project", "due_on")
    autocomplete_fields = ("project",)
    extra = 0
    verbose_name = "project due date"
    verbose_name_plural = "project due dates"


class ExtensionInline(LabelledTabularInline):
    model = Extension
    fields = ("learner", "stage", "project", "due_on", "reason")
    autocomplete_fields = ("learner", "project")
    extra = 0
    verbose_name = "extension for one learner"
    verbose_name_plural = "extensions for one learner (a stage or a project)"


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "starts_on",
        "ends_on",
        "time_zone",
        "learner_count",
        "mentor_count",
    )
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "starts_on"
    inlines = (MembershipInline, StageTargetInline, ProjectDueDateInline, ExtensionInline)
    change_form_template = "admin/learners/cohort/change_form.html"
    actions = ("spread_stages",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Dates or extensions may have changed: recount the learners' pace now, while staff
        # wait for the save, rather than on the overview's next look (which would otherwise).
        learner_progress_refresh(cohort_id=form.instance.pk)

    @admin.action(description="Spread the stages evenly over the cohort's dates")
    def spread_stages(self, request, queryset):
        for cohort in queryset:
            targets = cohort_stages_spread(cohort=cohort)
            self.message_user(
                request,
                f"{cohort}: {len(targets)} stage target date{pluralize(targets)} set, "
                f"{targets[0].due_on:%d %b} to {targets[-1].due_on:%d %b %Y}."
                if targets
                else f"{cohort}: no published stage to date.",
                messages.SUCCESS,
            )

    def get_queryset(self, request):
        role = Membership.Role
        return (
            super()
            .get_queryset(request)
            .annotate(
                learner_count=Count("memberships", filter=Q(memberships__role=role.LEARNER)),
                mentor_count=Count("memberships", filter=Q(memberships__role=role.MENTOR)),
            )
        )

    @admin.display(description="learners", ordering="learner_count")
    def learner_count(self, cohort):
        return cohort.learner_count

    @admin.display(description="mentors", ordering="mentor_count")
    def mentor_count(self, cohort):
        return cohort.mentor_count

    def get_urls(self):
        invite = path(
            "<path:object_id>/invite/",
            self.admin_site.admin_view(self.invite_view),
            name="learners_cohort_invite",
        )
        # Before the defaults: their "<path:object_id>/" would swallow ".../invite/".
        return [invite, *super().get_urls()]

    def invite_view(self, request, object_id):
        cohort = self.get_object(request, unquote(object_id))
        if cohort is None:
            raise Http404
        if not self.has_change_permission(request, cohort):
            raise PermissionDenied
        here = reverse("admin:learners_cohort_invite", args=[cohort.pk])
        data = request.POST if request.method == "POST" else None
        if data is not None and "resend" in data:
            resend = InvitationResendForm(data, cohort=cohort)
            user = resend.save() if resend.is_valid() else None
            if user is not None:
                self.message_user(
                    request,
                    f"A fresh invitation to {user.email} is queued; the list below shows "
                    "when it is sent.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(request, " ".join(resend.errors["resend"]), messages.ERROR)
            return redirect(here)
        form = InviteForm(data, cohort=cohort)
        if data is not None and form.is_valid():
            for text, level in _invite_report(form.save(), cohort=cohort):
                self.message_user(request, text, level)
            return redirect(here)
        context = {
            **self.admin_site.each_context(request),
            "title": format_lazy("Invite people to {}", cohort),
            "subtitle": None,
            "form": form,
            "cohort": cohort,
            "invitations": _pending_invitations(cohort),
            "opts": self.opts,
            "original": cohort,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/learners/cohort/invite.html", context)


def _pending_invitations(cohort) -> list[dict]:
    """Who has not chosen a password yet, each with the latest invitation e-mail to their
    address (two queries, however many people).

    Latest by address, whichever cohort it was for, on purpose: the link sets the account's
    password, so it lets them into every cohort, and a resend makes every older link stop
    working. The newest e-mail is the one that matters; the page's column says so."""
    people = list(pending_invitees(cohort))
    latest = {}
    for message in OutboxMessage.objects.filter(
        template="invitation", to__in=[person.email for person in people]
    ).order_by("to", "-created_at", "-pk"):
        latest.setdefault(message.to, message)
    return [{"user": person, "message": latest.get(person.email)} for person in people]


def _addresses(users) -> str:
    return ", ".join(user.email for user in users)


def _invite_report(result, *, cohort) -> list[tuple[str, int]]:
    """What happened to each address, in words: nothing said is "sent" before it is."""
    report = []
    if result.emailed:
        report.append(
            (
                f"Invitation queued for {_addresses(result.emailed)}; the list below shows "
                "when each is sent.",
                messages.SUCCESS,
            )
        )
    if result.added_with_password:
        report.append(
            (
                f"Added to {cohort} with no e-mail, as they have a password already: "
                f"{_addresses(result.added_with_password)}.",
                messages.SUCCESS,
            )
        )
    if result.already_members:
        report.append(
            (
                f"Already members of {cohort}, nothing sent: {_addresses(result.already_members)}.",
                messages.INFO,
            )
        )
    if result.role_conflicts:
        report.append(
            (
                "Already in this cohort with another role, left unchanged: "
                + _addresses(m.user for m in result.role_conflicts)
                + ".",
                messages.WARNING,
            )
        )
    if result.inactive:
        report.append(
            (
                f"Deactivated accounts, nothing sent: {_addresses(result.inactive)}.",
                messages.WARNING,
            )
        )
    return report


class IterationInline(LabelledTabularInline):
    model = Iteration
    fields = ("number", "repo_url", "live_url", "commit_sha", "submitted_at")
    readonly_fields = fields
    ordering = ("-number",)
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class SubmissionEventInline(LabelledTabularInline):
    """The submission's history: append-only, written by learners.services alone."""

    model = SubmissionEvent
    verbose_name = "history step"
    verbose_name_plural = "history"
    fields = ("at", "kind", "actor")
    readonly_fields = fields
    ordering = ("at", "pk")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-mostly: the status moves only through learners.services, never by hand here."""

    list_display = ("project", "learner", "cohort", "status", "claimed_by", "submitted_at")
    list_select_related = ("learner", "project__stage", "cohort", "claimed_by")
    list_filter = ("cohort", "project__stage", "status")
    search_fields = (
        "learner__username",
        "learner__email",
        "learner__first_name",
        "learner__last_name",
    )
    date_hierarchy = "submitted_at"
    fields = (
        "learner",
        "project",
        "cohort",
        "status",
        "claimed_by",
        "claimed_at",
        "submitted_at",
        "approved_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (IterationInline, SubmissionEventInline)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # learners' work is never deleted from here


@admin.register(Iteration)
class IterationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "number", "repo_url", "commit_sha", "submitted_at")
    list_select_related = ("submission__learner", "submission__project")
    list_filter = ("submission__cohort", "submission__project__stage")
    search_fields = ("submission__learner__username", "submission__learner__email", "repo_url")
    fields = (
        "submission",
        "number",
        "repo_url",
        "live_url",
        "commit_sha",
        "notes",
        "ticked",
        "submitted_at",
    )
    readonly_fields = fields

    @admin.display(description="checklist ticked")
    def ticked(self, iteration):
        return ", ".join(item.text for item in iteration.checklist_items.all()) or "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ObjectiveCheck)
class ObjectiveCheckAdmin(admin.ModelAdmin):
    list_display = ("learner", "objective", "checked_at")
    list_select_related = ("learner", "objective")
    list_filter = ("objective__stage",)
    search_fields = ("learner__username", "learner__email", "objective__text")
    autocomplete_fields = ("learner",)
    raw_id_fields = ("objective",)
    date_hierarchy = "checked_at"


class CheckResultInline(LabelledTabularInline):
    model = CheckResult
    fields = ("key", "result", "summary", "evidence")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are the worker's; staff may only ask for one again."""

    list_display = (
        "iteration",
        "status",
        "reason",
        "checks_passed",
        "checks_warned",
        "checks_failed",
        "requested_at",
    )
    list_filter = ("status", "reason")
    list_select_related = ("iteration__submission__learner", "iteration__submission__project")
    search_fields = ("iteration__submission__learner__username", "iteration__repo_url")
    inlines = (CheckResultInline,)
    actions = ["fetch_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Fetch and check the selected snapshots again")
    def fetch_again(self, request, queryset):
        asked, refused = 0, []
        for snapshot in queryset.select_related("iteration"):
            try:
                snapshot_rerun(snapshot=snapshot, by_learner=False)
            except SnapshotRefused as error:
                refused.append(f"{snapshot.iteration}: {error}")
            else:
                asked += 1
        self.message_user(
            request, f"{asked} snapshot{pluralize(asked)} will be fetched again.", messages.SUCCESS
        )
        for line in refused:
            self.message_user(request, line, messages.WARNING)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """What went out, for staff asking "did they get a reminder?". Written by the jobs only."""

    list_display = ("day", "kind", "user", "about", "sent_at")
    list_filter = ("kind", "day")
    search_fields = ("user__username", "user__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BugStory)
class BugStoryAdmin(admin.ModelAdmin):
    """Read-only: a bug story is the learner's words, reviewed like any submission."""

    list_display = ["iteration", "about_submission"]
    list_select_related = ["iteration__submission__learner", "iteration__submission__project"]
    search_fields = ["iteration__submission__learner__username", "bug"]
    fields = [
        "iteration",
        *BugStory.PARTS,
        "about_submission",
        "about_commit",
        "about_location",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    """The learner's own settings; staff may only take a page offline."""

    list_display = ["slug", "learner", "is_published", "allow_indexing", "updated_at"]
    list_filter = ["is_published", "allow_indexing"]
    list_select_related = ["learner"]
    search_fields = ["slug", "learner__username"]
    fields = ["learner", "slug", "bio", "is_published", "allow_indexing", "updated_at"]
    readonly_fields = fields
    actions = ["unpublish"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None  # the changelist and its action; no edit form

    @admin.action(description="Unpublish selected portfolios")
    def unpublish(self, request, queryset):
        changed = portfolios_unpublish(queryset=queryset)
        self.message_user(
            request, f"Unpublished {changed} portfolio{pluralize(changed)}.", messages.SUCCESS
        )
