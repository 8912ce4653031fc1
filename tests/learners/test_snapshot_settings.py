"""REPOSITORY_ALLOW_LOOPBACK is for tests and local demos: production refuses to start with it."""

from tests.foundation.test_settings import PRODUCTION, run_django


def test_production_refuses_to_start_with_loopback_fetches_allowed():
    result = run_django(
        "import django; django.setup()", **{**PRODUCTION, "REPOSITORY_ALLOW_LOOPBACK": "on"}
    )
    assert result.returncode == 1
    assert "ImproperlyConfigured: REPOSITORY_ALLOW_LOOPBACK is on with DEBUG off" in result.stderr


def test_development_starts_with_loopback_fetches_allowed_and_reads_the_hosts():
    result = run_django(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.REPOSITORY_ALLOW_LOOPBACK, settings.REPOSITORY_HOSTS)",
        DEBUG="on",
        REPOSITORY_ALLOW_LOOPBACK="on",
        REPOSITORY_HOSTS="github.com,codeberg.org",
    )
    assert result.stdout.strip() == "True ['github.com', 'codeberg.org']", result.stderr
