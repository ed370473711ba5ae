"""Harmonie settings.

Everything that differs between a laptop and production comes from the environment (see
docs/deployment.md). Defaults are safe for a single machine: SQLite in WAL mode under ``var/``,
the database task backend, console e-mail.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/harmonie
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("HARMONIE_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key comes from the environment, or from a file made on first start (never the repo)."""
    from_env = os.environ.get("HARMONIE_SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(os.environ.get("HARMONIE_SECRET_KEY_FILE", VAR_DIR / "secret_key"))
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("HARMONIE_DEBUG", False)
# Network servers (a Mastodon instance, a Bluesky PDS) on 127.0.0.1/localhost are refused unless this is on:
# the sandbox and the tests turn it on; production never needs it.
HARMONIE_ALLOW_LOOPBACK_SERVERS = _env_bool("HARMONIE_ALLOW_LOOPBACK_SERVERS", DEBUG)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("HARMONIE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("HARMONIE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "harmonie.core",
    "harmonie.accounts",
    "harmonie.governance",
    "harmonie.strategy",
    "harmonie.content",
    "harmonie.approvals",
    "harmonie.connectors",
    "harmonie.publishing",
    "harmonie.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "harmonie.accounts.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "harmonie.governance.middleware.ActorMiddleware",
]

ROOT_URLCONF = "harmonie.config.urls"
WSGI_APPLICATION = "harmonie.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "harmonie.governance.context_processors.actor",
                "harmonie.approvals.context_processors.approvals",
                "harmonie.connectors.context_processors.connections",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'harmonie.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades in the middle of a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "governance:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: this many failures for one login name (or 4x as many from one address)
# within the window lock further attempts until the window has passed.
HARMONIE_LOGIN_MAX_FAILURES = int(os.environ.get("HARMONIE_LOGIN_MAX_FAILURES", "5"))
HARMONIE_LOGIN_WINDOW_SECONDS = int(os.environ.get("HARMONIE_LOGIN_WINDOW_SECONDS", "900"))
HARMONIE_INVITATION_TTL_HOURS = int(os.environ.get("HARMONIE_INVITATION_TTL_HOURS", "168"))

# Cookies: HttpOnly and SameSite always; Secure unless explicitly running plain HTTP on loopback
# (`harmonie run` on 127.0.0.1 sets HARMONIE_SECURE_COOKIES=0 for you).
_secure = _env_bool("HARMONIE_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _env_bool("HARMONIE_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STATICFILES_DIRS = [
    BASE_DIR / "static",  # Harmonie's own CSS and scripts (src/harmonie/static)
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", PROJECT_DIR / "node_modules" / "@picocss" / "pico" / "css"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # served by Harmonie to logged-in members with access, never as public files
HARMONIE_MAX_IMAGE_BYTES = int(os.environ.get("HARMONIE_MAX_IMAGE_BYTES", str(20 * 1024 * 1024)))
HARMONIE_MAX_VIDEO_BYTES = int(os.environ.get("HARMONIE_MAX_VIDEO_BYTES", str(1024 * 1024 * 1024)))

# E-mail (Django 6.1 MAILERS): the console by default; SMTP when HARMONIE_EMAIL_HOST is set.
if os.environ.get("HARMONIE_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["HARMONIE_EMAIL_HOST"],
                "port": int(os.environ.get("HARMONIE_EMAIL_PORT", "587")),
                "username": os.environ.get("HARMONIE_EMAIL_HOST_USER", ""),
                "password": os.environ.get("HARMONIE_EMAIL_HOST_PASSWORD", ""),
                "use_tls": _env_bool("HARMONIE_EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("HARMONIE_DEFAULT_FROM_EMAIL", "harmonie@localhost")
HARMONIE_PUBLIC_URL = os.environ.get("HARMONIE_PUBLIC_URL", "http://127.0.0.1:8000")

# Analytics: exports above this many rows run in the background; files of exports and sent reports live here.
HARMONIE_EXPORT_STREAM_MAX_ROWS = int(os.environ.get("HARMONIE_EXPORT_STREAM_MAX_ROWS", "5000"))
HARMONIE_EXPORTS_DIR = Path(os.environ.get("HARMONIE_EXPORTS_DIR", VAR_DIR / "exports"))
HARMONIE_REPORTS_DIR = Path(os.environ.get("HARMONIE_REPORTS_DIR", VAR_DIR / "reports"))

# Background work: django.tasks with the database backend. Switching to RQ or Celery is a settings
# change (HARMONIE_TASKS_BACKEND=django_tasks_rq.RQBackend ...), not a code change.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("HARMONIE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HARMONIE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
