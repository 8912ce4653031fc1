from django.apps import AppConfig


class BootcampConfig(AppConfig):
    name = "bootcamp"
    verbose_name = "Notifications and mail"
