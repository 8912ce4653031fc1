from django import forms
from django.contrib.auth import forms as auth_forms

from bootcamp.models import Delivery, NotificationKind
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
                choices=Delivery.choices,
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
