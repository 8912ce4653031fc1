"""{% bootstrap_field field %}: one form field in Bootstrap 5 markup, built in Python.

The same markup crispy-forms' bootstrap5 pack gives a text, number or textarea field (label,
widget with .form-control, .invalid-feedback errors, .form-text help, aria-invalid and
aria-describedby) at a fifth of the cost: crispy renders a dozen nested templates per field,
which on the review page's comment formset was 3 ms of every request.
"""

from django import forms, template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

REQUIRED_MARK = mark_safe('<span class="asteriskField">*</span>')  # noqa: S308 - a constant

# Widgets whose Django templates (input.html, textarea.html + attrs.html) are simple enough to
# write out here: three nested templates per widget were half of bootstrap_field's cost.
# Exact types only, so a subclass with its own template still goes through Django.
INPUT_WIDGETS = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.HiddenInput,
)


def _attrs_html(attrs) -> str:
    # django/forms/widgets/attrs.html: False drops the attribute, True writes its bare name.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _widget_html(field, attrs) -> str:
    widget = field.field.widget
    kind = type(widget)
    if (kind not in INPUT_WIDGETS and kind is not forms.Textarea) or field.field.localize:
        return field.as_widget(attrs=attrs)
    # What BoundField.as_widget does before handing the context to the template.
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name, value, attrs_html = (
        conditional_escape(context["name"]),
        context["value"],
        _attrs_html(context["attrs"]),
    )
    if kind is forms.Textarea:
        text = conditional_escape(value) if value else ""
        return mark_safe(f'<textarea name="{name}"{attrs_html}>\n{text}</textarea>')  # noqa: S308 - every part escaped above
    kind_html = conditional_escape(context["type"])
    value_html = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(  # noqa: S308 - every part escaped above
        f'<input type="{kind_html}" name="{name}"{value_html}{attrs_html}>'
    )


@register.simple_tag
def bootstrap_field(field):
    widget_id = field.auto_id
    described_by = []
    if field.help_text:
        described_by.append(f"{widget_id}_helptext")
    # crispy's marker class too (textinput, numberinput, textarea): same markup as before.
    css = f"{type(field.field.widget).__name__.lower()} form-control"
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        described_by.append(f"{widget_id}_error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            widget_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, widget_id, error) for n, error in enumerate(field.errors, start=1)),
            ),
        )
        if field.errors
        else ""
    )
    help_text = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', widget_id, field.help_text)
        if field.help_text
        else ""
    )
    required = REQUIRED_MARK if field.field.required else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>'
        "{}{}{}</div>",
        widget_id,
        widget_id,
        " requiredField" if field.field.required else "",
        field.label,
        required,
        _widget_html(field, attrs),
        errors,
        help_text,
    )


@register.simple_tag
def hidden_fields(form):
    """A form of hidden fields only (a formset's management form), as Django writes it."""
    return mark_safe("".join(_widget_html(field, {}) for field in form))  # noqa: S308 - escaped


@register.simple_tag
def bootstrap_radios(field):
    """A RadioSelect field as crispy's bootstrap5 pack writes it: a fieldset with a legend,
    one .form-check per choice, the errors after the last choice, then the help text."""
    invalid = " is-invalid" if field.errors else ""
    options = [
        option
        for _, group, _ in field.field.widget.optgroups(
            field.html_name,
            field.field.widget.format_value(field.value()),
            field.build_widget_attrs({"id": field.auto_id}, field.field.widget),
        )
        for option in group
    ]
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, error) for n, error in enumerate(field.errors, start=1)),
            ),
        )
        if field.errors
        else ""
    )
    choices = format_html_join(
        "",
        # crispy's spacing inside the tag (two spaces before name and before the attributes).
        '<div class="form-check"><input type="{}" class="form-check-input{}"  name="{}" value="{}"'
        ' {}><label for="{}" class="form-check-label">{}</label>{}</div>',
        (
            (
                option["type"],
                invalid,
                field.html_name,
                option["value"],
                mark_safe(_attrs_html(option["attrs"])),  # noqa: S308 - escaped by _attrs_html
                option["attrs"].get("id", ""),
                option["label"],
                errors if n == len(options) else "",
            )
            for n, option in enumerate(options, start=1)
        ),
    )
    help_text = (
        format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            field.auto_id,
            mark_safe(field.help_text),
        )  # noqa: S308 - crispy writes help text |safe too
        if field.help_text
        else ""
    )
    described_by = field.aria_describedby
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="form-label{} fs-6">{}{}</legend>'
        "<div>{}</div>{}</fieldset></div>",
        field.auto_id,
        format_html(' aria-describedby="{}"', described_by) if described_by else "",
        " requiredField" if field.field.required else "",
        field.label,
        REQUIRED_MARK if field.field.required else "",
        choices,
        help_text,
    )
