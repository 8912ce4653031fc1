from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class BootcampConfig(AppConfig):
    """What every app shares: the mail outbox, notifications and the job queue's tasks."""

    name = "bootcamp"
    verbose_name = "bootcamp"


class SecurityConfig(AxesAppConfig):
    """django-axes, whose tables (failed log-ins, lockouts) the admin index lists under a
    "Security" heading rather than the package's name."""

    verbose_name = "Security: failed log-ins and lockouts"
