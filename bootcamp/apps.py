from django.apps import AppConfig


class BootcampConfig(AppConfig):
    """What every app shares: the mail outbox and the job queue's tasks (bootcamp/tasks.py)."""

    name = "bootcamp"
    verbose_name = "bootcamp"
