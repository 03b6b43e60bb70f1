"""One settings module, read from the environment through small typed helpers that fail loudly.

With nothing set, Fengkong runs embedded: a SQLite file (WAL) and huey queue in FENGKONG_DATA_DIR
(default ./var), a file cache, and a secret key generated once into the data directory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    return default if not raw else [part.strip() for part in raw.split(",") if part.strip()]


DATA_DIR = Path(env_str("FENGKONG_DATA_DIR", str(Path.cwd() / "var"))).resolve()
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # Each parallel test worker keeps its own files (cache, uploads, queue), as it has its own test database.
    DATA_DIR = DATA_DIR / worker
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters")
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "fengkong.core",
    "fengkong.accounts",
    "fengkong.customers",
    "fengkong.reviews",
    "fengkong.receivables",
    "fengkong.integrations",
    "fengkong.industry",
    "fengkong.monitoring",
    "fengkong.credit",
    "fengkong.scoring",
    "fengkong.collections",
    "fengkong.contracts",
    "fengkong.provisions",
    "fengkong.notifications",
    "fengkong.evidence",
    "fengkong.legal",
    "fengkong.cycle",
    "fengkong.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fengkong.web.middleware.ContentSecurityPolicyMiddleware",
    "fengkong.web.middleware.MissingRateMiddleware",
]

ROOT_URLCONF = "fengkong.urls"
WSGI_APPLICATION = "fengkong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fengkong.web.context.navigation",
            ],
        },
    }
]


# The test suite's databases are thrown away after the run: they need not wait for the disk at each commit
# (SQLite synchronous=OFF, PostgreSQL synchronous_commit=off). Nothing else changes: the same engine, modes
# and constraints as in production.
THROWAWAY_DATABASE = "PYTEST_VERSION" in os.environ


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        synchronous = "OFF" if THROWAWAY_DATABASE else "NORMAL"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "fengkong.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if config.get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured("DATABASE_URL must be postgres://… or sqlite:///…")
    if THROWAWAY_DATABASE and config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {"huey_class": "huey.RedisHuey", "name": "fengkong", "url": REDIS_URL, "immediate": False}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "fengkong",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }

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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (accounts.signin, docs/operations.md "Sign-in throttling"): LOGIN_FAILURE_LIMIT failures
# for one user name within LOGIN_LOCKOUT_SECONDS lock that name alone; past LOGIN_ADDRESS_FAILURE_LIMIT
# failures an address is slowed (429, Retry-After doubling up to LOGIN_ADDRESS_MAX_DELAY_SECONDS).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
LOGIN_ADDRESS_MAX_DELAY_SECONDS = env_int("LOGIN_ADDRESS_MAX_DELAY_SECONDS", 60)

# Secure headers and cookies. HTTPS-only flags follow FENGKONG_HTTPS so the embedded demo works on
# http://127.0.0.1 while a deployment behind TLS gets HSTS and secure cookies.
HTTPS = env_bool("FENGKONG_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Evidence files (fengkong.evidence, docs/evidence.md): content-addressed, never overwritten or deleted.
    # EVIDENCE_STORAGE_BACKEND names another Django storage class (an S3-compatible one, e.g.
    # storages.backends.s3.S3Storage) configured by its own settings; the default keeps the files under
    # the data directory, read-only once written.
    "evidence": {
        "BACKEND": env_str("EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {} if env_str("EVIDENCE_STORAGE_BACKEND") else {
            "location": str(Path(env_str("EVIDENCE_DIR", str(DATA_DIR / "evidence"))).resolve()),
            "file_permissions_mode": 0o440, "directory_permissions_mode": 0o750},
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Uploads and imports (docs/import.md "Size limits"): an upload streams to a temporary file in the data
# directory and is refused while it is received once it passes IMPORT_MAX_BYTES
# (integrations.uploads.LimitedUploadHandler); `fengkong import` has its own, higher limit; the importer
# reads IMPORT_CHUNK_ROWS rows at a time, so its memory does not grow with the file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "scratch")
FILE_UPLOAD_HANDLERS = [
    "fengkong.integrations.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
IMPORT_CLI_MAX_BYTES = env_int("IMPORT_CLI_MAX_BYTES", 20 * 1024 * 1024 * 1024)
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 200_000)
# Contract documents (docs/contracts.md): the largest upload the clause analysis reads.
CONTRACTS_MAX_UPLOAD_BYTES = env_int("CONTRACTS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The worker would otherwise log every task twice at INFO, burying the demo's login lines.
    "loggers": {"huey": {"handlers": ["console"], "level": env_str("WORKER_LOG_LEVEL", "WARNING"),
                         "propagate": False}},
}

# Outgoing mail (notifications.channels.email): SMTP. EMAIL_BACKEND may name another Django backend,
# e.g. django.core.mail.backends.console.EmailBackend to print mail in a demo without a mail server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "fengkong@localhost")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set one")
FENGKONG_COMPANY_NAME = env_str("FENGKONG_COMPANY_NAME", "风控示范制造有限公司")


# The audit trail's key (core.audit, docs/operations.md): every event is an HMAC under AUDIT_KEY, so that
# whoever can write the database cannot re-sign a changed chain. It comes from the environment and is
# required when DEBUG is off. Under DEBUG and in the test suite (pytest sets PYTEST_VERSION) a key derived
# from SECRET_KEY stands in: a convenience only, since anyone who has the secret key can derive it.
# AUDIT_KEYS_RETIRED (comma-separated) only verify the events they signed before a rotation. The chain's
# head is anchored in AUDIT_ANCHOR_DIR (default: the data directory), best a WORM or object-store mount.
def _audit_key() -> str:
    key = env_str("AUDIT_KEY")
    if key:
        return key
    if DEBUG or "PYTEST_VERSION" in os.environ:
        return hmac.new(SECRET_KEY.encode(), b"fengkong-audit-key", hashlib.sha256).hexdigest()
    raise ImproperlyConfigured(
        "AUDIT_KEY is required when DEBUG is off: set it to a secret of at least 32 characters kept outside "
        "the database, e.g. $(python3 -c 'import secrets; print(secrets.token_urlsafe(48))') "
        "(scripts/demo keeps one in the data directory; see docs/operations.md)")


AUDIT_KEY = _audit_key()
AUDIT_KEYS_RETIRED = env_list("AUDIT_KEYS_RETIRED", [])
if any(len(key) < 32 for key in [AUDIT_KEY, *AUDIT_KEYS_RETIRED]):
    raise ImproperlyConfigured("AUDIT_KEY and each of AUDIT_KEYS_RETIRED must be at least 32 characters")
AUDIT_ANCHOR_DIR = Path(env_str("AUDIT_ANCHOR_DIR", str(DATA_DIR))).resolve()

# Business defaults that later become versioned configuration.
def env_currency(name: str, default: str) -> str:
    """An ISO 4217 code (babel's CLDR list), upper-cased; anything else stops start-up."""
    from babel.numbers import list_currencies

    code = env_str(name, default).strip().upper()
    if code not in list_currencies():
        raise ImproperlyConfigured(f"{name}={code!r} is not an ISO 4217 currency code (e.g. CNY, USD, EUR)")
    return code


# The functional currency (docs/currencies.md): every threshold, limit, exposure, aging sum, KPI and alert
# is in it, other currencies converted at the as-of date's rate (receivables.fx). DEFAULT_CURRENCY is the
# same value: what a file without a currency column is taken to be in.
FUNCTIONAL_CURRENCY = env_currency("FUNCTIONAL_CURRENCY", "CNY")
DEFAULT_CURRENCY = FUNCTIONAL_CURRENCY


# The evidence store (docs/evidence.md). EVIDENCE_STORAGE is the alias in STORAGES the files go to;
# EVIDENCE_MAX_BYTES caps one file; an archive (ZIP, and the Office formats that are ZIPs) is read while
# it is checked, and refused past EVIDENCE_MAX_UNPACKED_BYTES unpacked, EVIDENCE_MAX_RATIO unpacked bytes
# per stored byte of a member, or EVIDENCE_MAX_MEMBERS members: a zip bomb stops there.
EVIDENCE_STORAGE = env_str("EVIDENCE_STORAGE", "evidence")
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 200 * 1024 * 1024)
EVIDENCE_MAX_UNPACKED_BYTES = env_int("EVIDENCE_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
EVIDENCE_MAX_RATIO = env_int("EVIDENCE_MAX_RATIO", 200)
EVIDENCE_MAX_MEMBERS = env_int("EVIDENCE_MAX_MEMBERS", 10_000)


# The evidence ledger's anchor key (evidence.ledger): an Ed25519 private key, 32 bytes as 64 hex digits
# (or a PEM file's text), from the environment, never stored in the database. Its public key is printed by
# `fengkong evidence public-key` and goes into every court bundle. Under DEBUG and in the test suite a key
# derived from SECRET_KEY stands in; otherwise anchoring refuses to run without one (storing still works).
def _evidence_signing_key() -> str:
    key = env_str("EVIDENCE_SIGNING_KEY")
    if key or not (DEBUG or "PYTEST_VERSION" in os.environ):
        return key
    return hmac.new(SECRET_KEY.encode(), b"fengkong-evidence-signing-key", hashlib.sha256).hexdigest()


EVIDENCE_SIGNING_KEY = _evidence_signing_key()
EVIDENCE_PUBLIC_KEYS_RETIRED = env_list("EVIDENCE_PUBLIC_KEYS_RETIRED", [])
