from django.apps import AppConfig


class BootcampConfig(AppConfig):
    """What every app shares: the mail outbox, notifications and the job queue's tasks."""

    name = "bootcamp"
    verbose_name = "bootcamp"
