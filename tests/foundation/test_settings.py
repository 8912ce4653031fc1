"""Production settings refuse to start half-configured, and pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_django(code, **env_overrides):
    """Run Python with fresh settings in a subprocess: settings are read once per process."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process; production
        # never has it (check --deploy says so), so it must not leak into these runs.
        if key
        not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "bootcamp.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "off",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "ALLOWED_HOSTS": "bootcamp.example.com",
}


def test_missing_secret_key_with_debug_off_stops_start_up_naming_it():
    result = run_django("import django; django.setup()", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_missing_database_url_with_debug_off_stops_start_up_naming_it():
    result = run_django("import django; django.setup()", **{**PRODUCTION, "DATABASE_URL": ""})
    assert result.returncode == 1
    assert "ImproperlyConfigured: DATABASE_URL is not set" in result.stderr


def test_a_non_postgres_database_is_refused():
    result = run_django(
        "import django; django.setup()", **{**PRODUCTION, "DATABASE_URL": "sqlite:///db.sqlite3"}
    )
    assert result.returncode == 1
    assert "PostgreSQL only" in result.stderr


def test_check_deploy_passes_on_production_settings():
    result = run_django(
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_passwords_use_argon2():
    result = run_django(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.PASSWORD_HASHERS[0])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "31536000",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def test_a_tls_terminating_proxy_can_turn_the_redirect_off():
    result = run_django(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)",
        **PRODUCTION,
        SECURE_SSL_REDIRECT="off",
        SECURE_PROXY_SSL_HEADER="on",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    from django.core.management import call_command

    # --check exits non-zero (SystemExit) when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
