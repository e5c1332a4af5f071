"""Django settings for the facetpath clinic workspace, every value read from the environment.

FACETPATH_SECRET_KEY   secret key; when unset a random one is made once and kept in the data dir
                       (fine for a laptop or the demo, never for production: set it there)
FACETPATH_DEBUG        "1"/"true" for debug pages (never in production)
FACETPATH_ALLOWED_HOSTS comma-separated host names (default: localhost,127.0.0.1)
FACETPATH_DATA_DIR     where the SQLite database and the generated key live (default ./var)
FACETPATH_SECURE_COOKIES "0" to send cookies over plain HTTP (default: on unless debug)
FACETPATH_HTTPS        "1" behind HTTPS: redirect HTTP to HTTPS, send HSTS, trust X-Forwarded-Proto
DATABASE_URL           postgres://user:password@host:port/name → PostgreSQL; unset → SQLite in the data dir
FACETPATH_ACCESS_LOG   "1" for a line per request on standard error, tokens left out (`facetpath serve`
                       and the demo turn it on)
FACETPATH_CLIENT_IP_HEADER  the header a reverse proxy puts the client's address in (e.g. X-Forwarded-For);
                       unset → the connection's own address (REMOTE_ADDR)
FACETPATH_TRUSTED_PROXIES   how many proxies in front of the app append to that header (default 1): the
                       address that many entries from the right is the client's; entries further left can
                       be forged by the client
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.utils.csp import CSP

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def data_dir() -> Path:
    """The data dir, the owner's alone (0700), and every file the app makes there too (0600).

    The SQLite database and its -wal and -shm files, the outbox, the generated key and backups hold patient
    data or the means to reach it: the process's umask makes each new file and folder 0600/0700 as it is
    created (SQLite, Django's file mail backend and the tasks make theirs without asking). What an older
    release left open is closed here: the folder, only when it is ours (it holds our files: never chmod a
    shared folder such as /tmp), and the database, key and outbox in it.
    """
    os.umask(0o077)
    path = Path(os.environ.get("FACETPATH_DATA_DIR", "./var")).resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    ours = [path / name for name in DATA_FILES if (path / name).exists()]
    for item in [path, *ours] if ours else []:
        item.chmod(0o700 if item.is_dir() else 0o600)
    return path


DATA_FILES = (
    "facetpath.sqlite3",
    "facetpath.sqlite3-wal",
    "facetpath.sqlite3-shm",
    "secret-key.txt",
    "outbox",
)


def secret_key(directory: Path) -> str:
    """The key from the environment, or one generated once and kept in the data dir (local use only)."""
    configured = os.environ.get("FACETPATH_SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = directory / "secret-key.txt"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_from_url(url: str) -> dict[str, Any]:
    """Django DATABASES entry for a postgres:// or postgresql:// URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres://)")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("DATABASE_URL: no database name after the host")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Pages run the same queries on every request: bound on the server, psycopg prepares a query the
        # connection has run 5 times, and PostgreSQL stops planning it again (planning cost more than
        # running most of them; docs/performance.md). A pooler in transaction mode (PgBouncer) cannot keep
        # prepared statements: set FACETPATH_PG_PREPARE=0 behind one.
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5}
        if env_bool("FACETPATH_PG_PREPARE", default=True)
        else {},
    }


def sqlite_database(directory: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": directory / "facetpath.sqlite3",
        # WAL: pages read while an answer is written. IMMEDIATE: a write transaction takes the write lock
        # when it begins, so writers queue for it (for up to `timeout` seconds) instead of failing when a
        # read inside them would need to become a write. synchronous=FULL: each commit waits for the disk,
        # so an answer a phone was told is saved survives a power cut (some builds default to NORMAL in WAL).
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        },
        # Kept open between requests, as on PostgreSQL: a new connection re-read the schema and re-planned
        # every statement, 1.1 ms of a 1.9 ms request (docs/performance.md).
        "CONN_MAX_AGE": 60,
    }


DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("FACETPATH_DEBUG")
ALLOWED_HOSTS = env_list("FACETPATH_ALLOWED_HOSTS", "localhost,127.0.0.1")

_database_url = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {"default": database_from_url(_database_url) if _database_url else sqlite_database(DATA_DIR)}

# One cache for every server process and the worker: rate limits (password-reset requests) and the one-use
# check of authenticator codes must count across processes, which the default per-process memory cache does
# not. The table lives in the same database (created after every migrate: facetpath/web/apps.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "facetpath_cache"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's passkey list (account/2fa/webauthn/) loads its filters
    "django_htmx",
    # Sign-in with a second factor (TOTP, passkeys, recovery codes): docs/roles.md says why allauth.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "facetpath.web",
    "facetpath.clinics",
    "facetpath.audit",
    "facetpath.patients",
    "facetpath.procedures",
    "django_tasks_db",
    "facetpath.diary",
    "facetpath.public",
    "facetpath.reports",
    "facetpath.priorauth",
    # The JSON API (/api/v1/, docs/api.md); ninja itself for its docs page's local assets (no CDN).
    "ninja",
    "facetpath.api",
    "facetpath.fhir",
]

MIDDLEWARE = [
    "facetpath.web.access_log.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "facetpath.web.privacy.NoStoreMiddleware",  # after WhiteNoise: static files keep their caching
    "facetpath.web.privacy.RejectNulMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "facetpath.clinics.language.PatientLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "facetpath.web.signin.SecondFactorRequiredMiddleware",
    "facetpath.clinics.middleware.ClinicTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "facetpath.urls"
WSGI_APPLICATION = "facetpath.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "facetpath.clinics.context.clinic",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in: one path (/login/), a second factor, one throttle (docs/roles.md) ------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Staff accounts are made by the clinic, never by sign-up; they sign in with their username.
ACCOUNT_ADAPTER = "facetpath.web.signin.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_FORMS = {
    "login": "facetpath.web.signin.SignInForm",
    "reauthenticate": "facetpath.web.signin.PasswordAgainForm",
}
# One throttle for every way in (facetpath/web/signin.py) instead of allauth's own per-process counts.
ACCOUNT_RATE_LIMITS = False
MFA_FORMS = {
    "authenticate": "facetpath.web.signin.SecondFactorForm",
    "reauthenticate": "facetpath.web.signin.SecondFactorAgainForm",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "facetpath"
MFA_TOTP_TOLERANCE = 1  # a code from the previous 30 seconds still counts: phones' clocks drift
# Passkeys: the origin is always checked (https, or http://localhost for the demo; never 127.0.0.1, which
# browsers refuse as a passkey's site).
FACETPATH_CLIENT_IP_HEADER = os.environ.get("FACETPATH_CLIENT_IP_HEADER", "").strip()
FACETPATH_TRUSTED_PROXIES = int(os.environ.get("FACETPATH_TRUSTED_PROXIES", "1") or "1")

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["facetpath.formats"]  # English dates one way: "3 Dec 2026"
# Patient-facing pages speak English and Spanish; the staff workspace is English only.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]  # shared strings; each app keeps its own in <app>/locale
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Plain names (no manifest): WhiteNoise serves straight from the app folders, so `facetpath serve` and the
# demo work without a collectstatic step. The few files are small and revalidated by ETag.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Cookies and headers. Secure cookies need HTTPS; the local demo turns them off explicitly.
_secure_cookies = env_bool("FACETPATH_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # one clinic day
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("FACETPATH_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_link_tokens": {"()": "facetpath.web.access_log.WithoutLinkTokens"}},
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["without_link_tokens"],
            "formatter": "timed",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"facetpath.access": {"level": "INFO" if env_bool("FACETPATH_ACCESS_LOG") else "WARNING"}},
}

# --- E-mail -----------------------------------------------------------------------------------------
# Development and the demo write each message as a file in <data dir>/outbox, where staff and testers can
# read them. Production sets FACETPATH_EMAIL_BACKEND=smtp and the SMTP settings.
if os.environ.get("FACETPATH_EMAIL_BACKEND", "file") == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("FACETPATH_SMTP_HOST", "localhost"),
                "port": int(os.environ.get("FACETPATH_SMTP_PORT", "587")),
                "username": os.environ.get("FACETPATH_SMTP_USER", ""),
                "password": os.environ.get("FACETPATH_SMTP_PASSWORD", ""),
                "use_tls": env_bool("FACETPATH_SMTP_TLS", True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("FACETPATH_FROM_EMAIL", "facetpath <no-reply@localhost>")

# --- Patient diary: background tasks, reminders, public links ----------------------------------------
# `facetpath worker` runs the django-tasks-db worker that sends reminders at their times.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Base address put in reminders, e-mails and QR codes (the address patients reach the server at).
FACETPATH_PUBLIC_URL = os.environ.get("FACETPATH_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Text messages: file (outbox in the data dir) | console | http (gateway settings below, secrets from env).
FACETPATH_SMS_BACKEND = os.environ.get("FACETPATH_SMS_BACKEND", "file")
FACETPATH_SMS_URL = os.environ.get("FACETPATH_SMS_URL", "")
FACETPATH_SMS_TOKEN = os.environ.get("FACETPATH_SMS_TOKEN", "")
FACETPATH_SMS_FROM = os.environ.get("FACETPATH_SMS_FROM", "")

# --- JSON API (docs/api.md) ----------------------------------------------------------------------------
# Requests a minute per API token, counted in the cache above (shared by every server process).
FACETPATH_API_REQUESTS_PER_MINUTE = int(os.environ.get("FACETPATH_API_REQUESTS_PER_MINUTE", "120") or "120")
