"""Accessible names for the Django admin's table-shaped forms.

Django renders tabular inlines and list_editable cells without <label> elements (the column
header is the only hint), so screen readers announce bare inputs and axe-core reports
"Form elements must have labels". These helpers give each input an aria-label naming its
field and its row."""

from django import forms
from django.contrib import admin

_SPLIT_DATETIME_PARTS = ("date", "time")


def label_form_fields(form, row: str) -> None:
    """aria-label every input of `form` as "<field> (<row>)". The form's fields and widgets
    are its own deep copies, so this never leaks into other forms."""
    for name, field in form.fields.items():
        label = f"{field.label or name} ({row})"
        widget = field.widget
        # A foreign key's select comes wrapped with its add/change links
        # (RelatedFieldWidgetWrapper), which renders the inner widget's attributes only.
        widget = getattr(widget, "widget", widget)
        if isinstance(widget, forms.MultiWidget):
            parts = (
                _SPLIT_DATETIME_PARTS
                if len(widget.widgets) == 2
                else range(1, len(widget.widgets) + 1)
            )
            for part, subwidget in zip(parts, widget.widgets, strict=True):
                subwidget.attrs["aria-label"] = f"{label}, {part}"
        else:
            widget.attrs["aria-label"] = label


class LabelledTabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(base):
            def add_fields(self, form, index):
                super().add_fields(form, index)  # adds DELETE, which needs a name too
                if form.instance.pk:
                    row = str(form.instance)
                else:
                    row = "new row" if index is None else f"new row {index + 1}"
                label_form_fields(form, row)

        return LabelledFormSet


class LabelledListEditableMixin:
    """For a ModelAdmin with list_editable: name each editable cell after its row."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                label_form_fields(self, str(self.instance))

        return LabelledForm
