from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.html import format_html

from bootcamp.admin_a11y import LabelledListEditableMixin, LabelledTabularInline
from curriculum.models import (
    ChecklistItem,
    InterviewArea,
    Objective,
    Project,
    ReadinessStatement,
    Stage,
)
from curriculum.services import curriculum_set_published

# Django's own page lists the protected rows; ours says first why and what to do instead.
DELETE_CONFIRMATION = "curriculum/admin/delete_confirmation.html"
DELETE_SELECTED_CONFIRMATION = "curriculum/admin/delete_selected_confirmation.html"


class PublishActionsMixin:
    """Publish / archive actions for the models with an `is_published` flag."""

    actions = ["publish", "unpublish"]
    delete_confirmation_template = DELETE_CONFIRMATION
    delete_selected_confirmation_template = DELETE_SELECTED_CONFIRMATION

    def _set_published(self, request, queryset, *, is_published):
        selected = queryset.count()
        changed = curriculum_set_published(queryset=queryset, is_published=is_published)
        verb = "Published" if is_published else "Unpublished (archived)"
        message = f"{verb} {changed} {model_ngettext(self.opts, changed)}."
        if changed < selected:
            state = "published" if is_published else "unpublished"
            message += f" {selected - changed} already {state} left as they were."
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Publish selected %(verbose_name_plural)s")
    def publish(self, request, queryset):
        self._set_published(request, queryset, is_published=True)

    @admin.action(description="Unpublish (archive) selected %(verbose_name_plural)s")
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, is_published=False)

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html('<a href="{}">View on site</a>', obj.get_absolute_url())


class ExplainProtectedInlineMixin:
    """Say why an inline row cannot be deleted and what to do, instead of listing rows."""

    protected_hint = ""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        hint = self.protected_hint

        class Form(formset.form):
            def hand_clean_DELETE(self):
                try:
                    super().hand_clean_DELETE()
                except ValidationError:
                    raise ValidationError(
                        f"“{self.instance}” can’t be deleted: {hint}", code="deleting_protected"
                    ) from None

        formset.form = Form
        return formset


class NextOrderInlineMixin:
    """New rows start at the stage's next free orders, not the model's default 1, which a stage
    with rows already holds: left as it was, a new row failed as a duplicate. A new row whose
    order is left blank gets its place too. One query."""

    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)
        first_free = 1
        if obj is not None and obj.pk:
            last = self.model.objects.filter(stage=obj).aggregate(last=Max("order"))["last"]
            first_free = (last or 0) + 1

        class NextOrderFormSet(base):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if form.instance.pk is None:
                    # Each extra row its own order; the "Add another" template (index None)
                    # starts at the first free one.
                    offset = 0 if index is None else max(index - self.initial_form_count(), 0)
                    field = form.fields["order"]
                    field.initial = form.next_free_order = first_free + offset
                    field.required = False

            def clean(self):
                for form in self.extra_forms:
                    data = getattr(form, "cleaned_data", None)
                    if data and form.has_changed() and data.get("order") is None:
                        data["order"] = form.instance.order = form.next_free_order
                super().clean()

        return NextOrderFormSet


class ObjectiveInline(NextOrderInlineMixin, ExplainProtectedInlineMixin, LabelledTabularInline):
    model = Objective
    fields = ["order", "text"]
    extra = 1
    ordering = ["order"]
    # Django repeats each row's __str__ (here the objective's text) above the row's fields;
    # admin.css hides it for this inline, whose text field shows the same words.
    classes = ["objective-inline"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":  # a sentence: let it wrap instead of scrolling in one line
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    protected_hint = (
        "learners have ticked it and their ticks are kept. Reword it instead, "
        "or unpublish the stage to archive it."
    )


class ProjectInline(NextOrderInlineMixin, ExplainProtectedInlineMixin, LabelledTabularInline):
    model = Project
    fields = ["order", "title", "is_required", "is_published"]
    readonly_fields = ["title"]
    extra = 0
    ordering = ["order"]
    show_change_link = True
    protected_hint = "learners have submitted work for it. Unpublish it instead to archive it."

    def has_add_permission(self, request, obj=None):
        # A project needs a brief and a summary: add it on its own page, not in a table row.
        return False


@admin.register(Stage)
class StageAdmin(LabelledListEditableMixin, PublishActionsMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "slug",
        "is_published",
        "objective_count",
        "project_count",
        "preview_link",
    ]
    list_display_links = ["title"]
    list_editable = ["number"]
    list_filter = ["is_published"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["number", "title", "slug", "summary", "body", "is_published"]
    inlines = [ObjectiveInline, ProjectInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":  # up to 300 characters: show them all while editing
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        # Orders are unique per stage and PostgreSQL checks each UPDATE on its own, so swapping
        # two orders (or reusing a deleted row's) would fail half-way. Move the rows that change
        # place, or go, to free orders past the end first; the formset then writes the final ones.
        # The admin runs this in the same transaction as the rest of the save.
        leaving = formset.deleted_forms
        moving = [
            f.instance.pk
            for f in formset.initial_forms
            if "order" in f.changed_data or f in leaving
        ]
        if moving:
            siblings = formset.model.objects.filter(stage=form.instance)
            last = siblings.aggregate(last=Max("order"))["last"] or 0
            for offset, pk in enumerate(moving, start=1):
                siblings.filter(pk=pk).update(order=last + offset)
        super().save_formset(request, form, formset, change)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                objective_count=Count("objectives", distinct=True),
                project_count=Count("projects", distinct=True),
            )
        )

    @admin.display(description="Objectives", ordering="objective_count")
    def objective_count(self, stage):
        return stage.objective_count

    @admin.display(description="Projects", ordering="project_count")
    def project_count(self, stage):
        return stage.project_count


@admin.register(Project)
class ProjectAdmin(PublishActionsMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "stage",
        "order",
        "kind",
        "is_required",
        "is_published",
        "preview_link",
    ]
    list_display_links = ["title"]
    # No list_editable order here: it is unique per stage, which a changelist row cannot check
    # against its neighbours; reorder projects in their stage's page instead.
    list_filter = ["is_published", "stage", "is_required", "kind"]
    list_select_related = ["stage"]
    search_fields = ["title", "slug", "summary", "brief"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["stage", "order", "title", "slug", "kind", "summary"]}),
        ("What to build", {"fields": ["brief", "skills", "features", "is_required"]}),
        (None, {"fields": ["is_published"]}),
    ]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(LabelledListEditableMixin, PublishActionsMixin, admin.ModelAdmin):
    list_display = ["order", "text", "automated_check", "is_published"]
    list_display_links = ["text"]
    list_editable = ["order"]
    list_filter = ["is_published", "automated_check"]
    search_fields = ["text", "help"]


@admin.register(ReadinessStatement)
class ReadinessStatementAdmin(LabelledListEditableMixin, PublishActionsMixin, admin.ModelAdmin):
    list_display = ["order", "text", "evidence", "automated_check", "interview_area"]
    list_display_links = ["text"]
    list_editable = ["order"]
    list_filter = ["is_published", "evidence"]
    list_select_related = ["interview_area"]
    search_fields = ["text"]
    fields = ["order", "text", "evidence", "automated_check", "interview_area", "is_published"]


@admin.register(InterviewArea)
class InterviewAreaAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ["order", "name"]
    list_display_links = ["name"]
    list_editable = ["order"]
    search_fields = ["name"]
