"""Settings for bootcamp. Every value that differs between machines comes from the
environment (see .env.example); nothing here needs editing to deploy."""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# pytest imports this module itself; a production process never has pytest loaded.
TESTING = "pytest" in sys.modules
# Local runs and tests speak plain HTTP; everything else is assumed to sit behind TLS.
PRODUCTION = not DEBUG and not TESTING

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (DEBUG is off, so there is no development default)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if not PRODUCTION else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootcamp.apps.SecurityConfig",  # django-axes, headed "Security" in the admin
    "csp",
    "procrastinate.contrib.django",
    "bootcamp",
    "curriculum",
    "learners",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside CommonMiddleware, so its APPEND_SLASH redirects are marked private too.
    "bootcamp.middleware.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "learners.roles.RolesMiddleware",  # request.roles, read on first use
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: opening a page marks the user's notifications about it read.
    "learners.middleware.NotificationsReadMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised in authenticate() into a page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bootcamp.urls"
WSGI_APPLICATION = "bootcamp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "bootcamp.templatetags.markdown",
                "bootcamp.templatetags.people",
            ],
        },
    }
]

# Database: PostgreSQL only.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif DEBUG or TESTING:
    from bootcamp.devdb import private_database

    DATABASES = {"default": private_database(BASE_DIR)}
else:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Production needs a PostgreSQL server, for example "
        "DATABASE_URL=postgres://user:password@db.example.com:5432/bootcamp."
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("bootcamp runs on PostgreSQL only; DATABASE_URL must be postgres://")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side binding with prepared statements: PostgreSQL plans each of a page's queries once
# per connection instead of on every request, which was its largest share of a page's CPU
# (docs/PERFORMANCE.md). Off for a transaction-pooling PgBouncer older than 1.21. A statement
# then takes at most 65,535 parameters: the largest here are a snapshot's files
# (REPOSITORY_MAX_FILES, 5,000 by default), written and read in batches.
if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
# Several test runs on one server (parallel checkouts, CI beside a developer) need their own.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Invitation and password-reset links stay valid this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# django-axes: lock a username from one IP address out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "bootcamp.login.axes_username"  # cuts a 256+ character username
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

CSRF_FAILURE_VIEW = "bootcamp.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# Nothing in the app takes a file: a multipart file part is a 400 before it is stored.
DATA_UPLOAD_MAX_NUMBER_FILES = 0

# Security headers. Each can be overridden, e.g. behind a TLS-terminating proxy.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Markdown may not embed images (the sanitiser drops <img>), so only our own.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# E-mail
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if not PRODUCTION else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
# Every message, Django's own (password reset) included, becomes an outbox row; a job on the
# `mail` queue hands it to the backend EMAIL_URL names (bootcamp/mail.py, bootcamp/tasks.py).
MAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "bootcamp.mail.OutboxBackend"
# An e-mail the mail server keeps refusing is retried (at most a minute apart) this long,
# then marked failed in the admin's outbox.
MAIL_RETRY_HOURS = env.int("MAIL_RETRY_HOURS", default=24)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bootcamp <bootcamp@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[bootcamp] "
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Absolute links in e-mails are built from this (no request at hand after commit).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, serve static files straight from the source folders (no collectstatic).
WHITENOISE_AUTOREFRESH = not PRODUCTION
WHITENOISE_USE_FINDERS = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# bootcamp.forms.MarkdownTextarea is styled as the textarea it is (crispy names the class).
CRISPY_CLASS_CONVERTERS = {"markdowntextarea": "textarea"}

# The job queue (Procrastinate on the same database; docs/ARCHITECTURE.md). Each installed app's
# tasks.py is discovered. Finished jobs and sent e-mails are deleted after this many days.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
PRUNE_AFTER_DAYS = env.int("PRUNE_AFTER_DAYS", default=30)
# /healthz?deep answers 503 when a job has been ready this long without a worker taking it.
QUEUE_STALE_SECONDS = env.int("QUEUE_STALE_SECONDS", default=300)

# Product settings
REVIEW_OVERDUE_HOURS = env.int("REVIEW_OVERDUE_HOURS", default=48)
# A claim lapses this many hours after it was taken (or last renewed).
CLAIM_HOURS = env.int("CLAIM_HOURS", default=24)
# The most claims one mentor holds at once.
MAX_CLAIMS = env.int("MAX_CLAIMS", default=5)
# Another mentor may ask the holder to hand over a claim not renewed for this many hours.
TAKEOVER_IDLE_HOURS = env.int("TAKEOVER_IDLE_HOURS", default=4)
# Pacing: a learner with no submission, tick or reply for this many days is at risk.
AT_RISK_IDLE_DAYS = env.int("AT_RISK_IDLE_DAYS", default=7)
# The hour of the day (in each cohort's time zone) when due-date reminders and the mentors'
# digest go out.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=8)

# Repository snapshots (learners/fetch.py): where a worker may fetch from, and its limits.
REPOSITORY_HOSTS = env.list("REPOSITORY_HOSTS", default=["github.com", "gitlab.com"])
REPOSITORY_ALLOW_LOOPBACK = env.bool("REPOSITORY_ALLOW_LOOPBACK", default=False)
if REPOSITORY_ALLOW_LOOPBACK and PRODUCTION:
    raise ImproperlyConfigured(
        "REPOSITORY_ALLOW_LOOPBACK is on with DEBUG off: it lets learners make the server fetch "
        "from this machine's own ports. It is for tests and local demos only; unset it."
    )
REPOSITORY_FETCH_SECONDS = env.int("REPOSITORY_FETCH_SECONDS", default=60)
REPOSITORY_MAX_DOWNLOAD_MB = env.float("REPOSITORY_MAX_DOWNLOAD_MB", default=50)
REPOSITORY_MAX_UNPACKED_MB = env.float("REPOSITORY_MAX_UNPACKED_MB", default=100)
REPOSITORY_MAX_FILES = env.int("REPOSITORY_MAX_FILES", default=5000)
REPOSITORY_MAX_FILE_KB = env.int("REPOSITORY_MAX_FILE_KB", default=1024)
REPOSITORY_MAX_STORED_MB = env.float("REPOSITORY_MAX_STORED_MB", default=20)
REPOSITORY_FETCH_MEMORY_MB = env.int("REPOSITORY_FETCH_MEMORY_MB", default=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Procrastinate says at INFO which tasks it registers, in every manage.py command.
        "procrastinate.periodic": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.jobs": {"level": "WARNING"},
    },
}
