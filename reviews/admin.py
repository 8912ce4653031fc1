from django.contrib import admin

from bootcamp.admin_a11y import LabelledTabularInline
from reviews.models import (
    MockInterview,
    MockInterviewRating,
    ReadinessSignOff,
    Reply,
    Review,
    ReviewComment,
)


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.published()
        if self.value() == "no":
            return queryset.drafts()
        return queryset


class ReviewCommentInline(LabelledTabularInline):
    model = ReviewComment
    extra = 0
    fields = ["order", "path", "line", "body"]
    readonly_fields = fields

    # Comments change only with their review, on the review page.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews are written on the review page, through reviews.services, which
    keep a review, its comments and the submission's status in step."""

    list_display = ["iteration", "mentor", "verdict", "published_at", "created_at"]
    list_filter = ["verdict", PublishedFilter]
    list_select_related = [
        "iteration__submission__learner",
        "iteration__submission__project",
        "mentor",
    ]
    search_fields = ["mentor__username", "iteration__submission__learner__username", "summary"]
    fields = ["iteration", "mentor", "verdict", "summary", "published_at", "created_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"
    inlines = [ReviewCommentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # An abandoned draft may be cleared away; a published review is what the learner read.
    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    """Read-only: replies are the learner's and mentors' own words."""

    list_display = ["submission", "author", "created_at"]
    list_select_related = ["submission__learner", "submission__project", "author"]
    search_fields = ["author__username", "submission__learner__username", "body"]
    fields = ["submission", "author", "created_at", "body"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly:
    """Written on the mentor's pages, through reviews.services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MockInterviewRatingInline(_ReadOnly, LabelledTabularInline):
    model = MockInterviewRating
    extra = 0
    fields = ["area", "rating", "note"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MockInterview)
class MockInterviewAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["learner", "cohort", "mentor", "held_on", "published_at"]
    list_filter = ["cohort", PublishedFilter]
    list_select_related = ["learner", "cohort", "mentor"]
    search_fields = ["learner__username", "mentor__username"]
    fields = ["learner", "cohort", "mentor", "held_on", "questions", "published_at"]
    readonly_fields = fields
    inlines = [MockInterviewRatingInline]

    # A draft may be cleared away; a published interview is what the learner read.
    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)


@admin.register(ReadinessSignOff)
class ReadinessSignOffAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["learner", "cohort", "mentor", "signed_at"]
    list_filter = ["cohort"]
    list_select_related = ["learner", "cohort", "mentor"]
    search_fields = ["learner__username", "mentor__username"]
    fields = ["learner", "cohort", "mentor", "signed_at", "note"]
    readonly_fields = fields
