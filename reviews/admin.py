from django.contrib import admin

from bootcamp.admin_a11y import LabelledTabularInline
from reviews.models import Reply, Review, ReviewComment


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

    # A published review is what the learner read; its comments are frozen with it.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.is_published)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["iteration", "mentor", "verdict", "published_at", "created_at"]
    list_filter = ["verdict", PublishedFilter]
    list_select_related = [
        "iteration__submission__learner",
        "iteration__submission__project",
        "mentor",
    ]
    search_fields = ["mentor__username", "iteration__submission__learner__username", "summary"]
    raw_id_fields = ["iteration", "mentor"]
    date_hierarchy = "created_at"
    inlines = [ReviewCommentInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["iteration", "mentor", "summary", "verdict", "published_at", "created_at"]
        # published_at moves only through review_publish, with the submission's status.
        return ["published_at", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["submission", "author", "created_at"]
    list_select_related = ["submission__learner", "submission__project", "author"]
    search_fields = ["author__username", "submission__learner__username", "body"]
    raw_id_fields = ["submission", "author"]
    date_hierarchy = "created_at"
