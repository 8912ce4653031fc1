from django import forms

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
