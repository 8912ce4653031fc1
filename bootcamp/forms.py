import re

from django import forms
from django.contrib.auth import forms as auth_forms
from django.urls import reverse
from django.utils.html import format_html

from bootcamp.markdown import validate_markdown
from bootcamp.models import NotificationKind, delivery_choices
from bootcamp.notifications import notification_preferences, notification_preferences_set


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification the user can receive."""

    def __init__(self, *args, user, kinds, **kwargs):
        self.user = user
        current = notification_preferences(user=user, kinds=kinds)
        super().__init__(*args, initial=current, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.ChoiceField(
                label=NotificationKind(kind).label,
                choices=delivery_choices(kind),
                widget=forms.RadioSelect,
            )

    def save(self) -> None:
        notification_preferences_set(user=self.user, deliveries=self.cleaned_data)


class _NewPasswordErrorsMixin:
    """What the password validators say ("This password is too common.") belongs under the
    new password, where it was typed, not under its confirmation as Django puts it; only a
    mismatch is the confirmation's."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class SetPasswordForm(_NewPasswordErrorsMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(_NewPasswordErrorsMixin, auth_forms.PasswordChangeForm):
    pass


# The longest Markdown field of the project (an iteration's notes, a review's summary).
MARKDOWN_PREVIEW_MAX_LENGTH = 20_000
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class MarkdownTextarea(forms.Textarea):
    """A Markdown field's textarea with a "Preview" button under it.

    The button submits the form it is in to the preview page (bootcamp.views.markdown_preview)
    in a new tab, naming this field: it works without JavaScript, and markdown-preview.js
    shows the same page's preview inline instead. The form's own buttons are untouched.
    """

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div class="markdown-preview-bar mt-1">'
            '<button type="submit" class="btn btn-sm btn-outline-secondary markdown-preview-button"'
            ' formaction="{}" formtarget="_blank" formnovalidate name="preview_field"'
            ' value="{}">Preview<span class="visually-hidden"> the formatted text</span>'
            "</button></div>",
            textarea,
            reverse("markdown-preview"),
            name,
        )


class MarkdownPreviewForm(forms.Form):
    """The preview page's input: which field to show (`preview_field`, as the button names
    it) and that field's text, checked as the real form checks it."""

    preview_field = forms.CharField(max_length=100)

    def clean_preview_field(self):
        name = self.cleaned_data["preview_field"]
        if not _FIELD_NAME.match(name):
            raise forms.ValidationError("There is no such field to preview.", code="bad_field")
        return name

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("preview_field")
        if name is None:
            return cleaned
        text = self.data.get(name, "")
        if len(text) > MARKDOWN_PREVIEW_MAX_LENGTH:
            raise forms.ValidationError(
                f"This text is too long to preview: at most {MARKDOWN_PREVIEW_MAX_LENGTH:,} "
                f"characters (it has {len(text):,}).",
                code="too_long",
            )
        validate_markdown(text)
        cleaned["text"] = text
        return cleaned
