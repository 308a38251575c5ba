"""AIHQ settings, all taken from the environment.

AIHQ_ENV            "development" (default) or "production"
AIHQ_DATA_DIR       where SQLite, the development secret and uploads live (default ./var)
DATABASE_URL        e.g. postgresql://user:pass@host:5432/aihq (default: SQLite in AIHQ_DATA_DIR)
SECRET_KEY          required in production; generated once into AIHQ_DATA_DIR in development
ALLOWED_HOSTS       comma-separated; required in production
CSRF_TRUSTED_ORIGINS  comma-separated origins (https://aihq.example.org) behind a proxy
AIHQ_SECURE_SSL_REDIRECT  "false" to let the proxy do HTTPS redirects (production)
AIHQ_OIDC_CLIENT_ID  turns on single sign-on with an OpenID Connect provider (unset: off); then also
    AIHQ_OIDC_CLIENT_SECRET, AIHQ_OIDC_AUTHORIZATION_ENDPOINT, AIHQ_OIDC_TOKEN_ENDPOINT,
    AIHQ_OIDC_USERINFO_ENDPOINT, AIHQ_OIDC_JWKS_ENDPOINT (for RS*/ES* signatures), and optionally
    AIHQ_OIDC_SIGN_ALGO (RS256), AIHQ_OIDC_SCOPES ("openid email profile"), AIHQ_OIDC_PROVIDER_NAME (the
    button's label), AIHQ_OIDC_USERNAME_CLAIM (preferred_username), AIHQ_OIDC_GROUPS_CLAIM (groups),
    AIHQ_OIDC_TIMEOUT (10 seconds), AIHQ_OIDC_ISSUER (ID tokens from another issuer are refused)
AIHQ_LOGIN_FAILURE_LIMIT  failed sign-ins per username and address before a lock-out (5)
AIHQ_LOGIN_COOLOFF_MINUTES  how long a lock-out lasts, and how long a failure counts (15)
AIHQ_THROTTLE_ANON, AIHQ_THROTTLE_USER, AIHQ_THROTTLE_FAILED_TOKEN  API rates ("120/minute", "6000/minute",
    "30/minute": requests with a wrong token from one address)
AIHQ_REQUEST_MAX_MB  the largest request body other than uploaded files, such as a JSON body (10)
AIHQ_TRUSTED_PROXIES  how many reverse proxies in front of AIHQ append to X-Forwarded-For (0): the client's
    address for the sign-in lock-out and the API rate limits is then that many entries from the right; with 0
    the header is ignored, so a client cannot pick its own address
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
AIHQ_ENV = os.environ.get("AIHQ_ENV", "development").strip().lower()
PRODUCTION = AIHQ_ENV == "production"
DATA_DIR = Path(os.environ.get("AIHQ_DATA_DIR", "var")).resolve()


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret() -> str:
    """A secret made once per data directory, so sessions survive restarts without a secret in the repo."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if not SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set when AIHQ_ENV=production")
    DEBUG = False
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise RuntimeError("ALLOWED_HOSTS must be set when AIHQ_ENV=production")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret()
    DEBUG = _env_bool("AIHQ_DEBUG", True)
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "aihq.core",
    "aihq.accounts",
    "aihq.audit",
    "aihq.registry",
    "aihq.exchange",
    "aihq.objectives",
    "aihq.energy",
    "aihq.regulation",
    "aihq.sovereignty",
    "aihq.publication",
    "aihq.coordination",
    "aihq.evaluation",
    "aihq.notifications",
    "aihq.webhooks",
    "aihq.routines",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aihq.core.middleware.RequestContextMiddleware",
    "aihq.core.middleware.RejectNulMiddleware",
    "aihq.core.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aihq.core.middleware.CurrentUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lock-out flagged during sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aihq.urls"
WSGI_APPLICATION = "aihq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aihq.core.context_processors.aihq",
                "aihq.notifications.context_processors.notifications",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'aihq.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Each worker keeps its connection (conn_max_age above): opening one per request, with its PRAGMAs, cost
    # more than a small query (about 2 ms).
    # IMMEDIATE transactions serialise writers up front instead of failing with "database is locked" mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The lock-out check first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "aihq.accounts.authentication.LockoutBackend",
    "aihq.accounts.authentication.AIHQModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in lock-out (django-axes): this many failures for one username from one address within the cool-off
# lock that pair out for the cool-off; a successful sign-in clears the count. Failures live in the database.
AXES_FAILURE_LIMIT = int(os.environ.get("AIHQ_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AIHQ_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out neither count nor extend the lock-out: it ends a cool-off after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "aihq.accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept; failures and lock-outs are
AXES_ENABLE_ADMIN = False
# Its failure and lock-out warnings name the username and address (passwords are always masked).
AXES_SENSITIVE_PARAMETERS: list[str] = []
# The same client address as the API's rate limits (DRF's rule, with NUM_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "aihq.accounts.authentication.client_address"
TRUSTED_PROXIES = int(os.environ.get("AIHQ_TRUSTED_PROXIES", "0"))

# Rate-limit counts are shared by every worker process on this machine (each process would count apart in
# memory, multiplying the limits by the number of workers).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
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
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request if it is missing

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aihq.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "aihq.core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "aihq.core.schema.AutoSchema",  # documents the JSON errors too
    "EXCEPTION_HANDLER": "aihq.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "aihq.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # ?format= names an export format (use-cases/export/), not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    # X-Forwarded-For is read only as far as the trusted proxies wrote it (0: REMOTE_ADDR alone).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("AIHQ_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("AIHQ_THROTTLE_USER", "6000/minute"),
        # Requests with a wrong, expired or revoked token, per address (counted by TokenAuthentication).
        "failed_token": os.environ.get("AIHQ_THROTTLE_FAILED_TOKEN", "30/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AIHQ API",
    "DESCRIPTION": "Registry of AI use cases across organisations. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or "kind" of their own: each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "aihq.regulation.models.IncidentStatus",
        "RequirementStateEnum": "aihq.regulation.models.RequirementState",
        "RiskStatusEnum": "aihq.regulation.models.RiskStatus",
        "FrameworkKindEnum": "aihq.regulation.models.FrameworkKind",
        "EvidenceKindEnum": "aihq.regulation.models.EvidenceKind",
        "StageEnum": "aihq.registry.models.Stage",
        "GateStageEnum": "aihq.evaluation.api.serializers.GATE_STAGES",
        "GatedStageEnum": "aihq.evaluation.api.serializers.GATED_STAGES",
        "MembershipSourceEnum": "aihq.accounts.models.MembershipSource",
        "SourceEnum": "aihq.regulation.models.ClassificationSource",  # its name from before memberships had a source
        "DeliveryStateEnum": "aihq.webhooks.models.DeliveryState",
        "NotificationKindEnum": "aihq.notifications.kinds.Kind",  # notifications, preferences, webhook events
    },
}

AIHQ_IMPORT_MAX_MB = int(os.environ.get("AIHQ_IMPORT_MAX_MB", "50"))
# Evidence files for requirements are kept in the database; each is at most this size.
AIHQ_EVIDENCE_MAX_MB = int(os.environ.get("AIHQ_EVIDENCE_MAX_MB", "10"))
# Embed a use case for similarity search when it is saved one by one (imports embed in the background).
AIHQ_EMBED_ON_SAVE = os.environ.get("AIHQ_EMBED_ON_SAVE", "true").strip().lower() in ("1", "true", "yes")
# Uploads bigger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A request body other than uploaded files (a JSON body, form fields) is at most this size: 413 beyond it. An
# AI-BOM may come as a JSON body of up to 10 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("AIHQ_REQUEST_MAX_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- E-mail: Django's mail framework. SMTP when EMAIL_HOST is set (or in production); otherwise messages are
# written as files under AIHQ_DATA_DIR/mail so a development machine can read what would have been sent.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AIHQ <aihq@localhost>")
if os.environ.get("EMAIL_HOST") or PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
# The daily digest goes from this hour (TIME_ZONE); the weekly one on Mondays from the same hour.
AIHQ_DIGEST_HOUR = int(os.environ.get("AIHQ_DIGEST_HOUR", "7"))
# Links in e-mails and webhook payloads point here.
AIHQ_SITE_URL = os.environ.get("AIHQ_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Webhook endpoints must be HTTPS; plain HTTP is allowed only to these hosts (e.g. a receiver on loopback).
AIHQ_WEBHOOK_INSECURE_HOSTS = _env_list("AIHQ_WEBHOOK_INSECURE_HOSTS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AIHQ_LOG_LEVEL", "INFO")},
    # "django" gets no handler of its own (Django's default adds one): records reach the root handler once.
    "loggers": {
        "django": {"level": "INFO", "handlers": []},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # failures and lock-outs; not its start-up banner and clean-up notes
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads it: pages put the token in forms and htmx's headers
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("AIHQ_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("AIHQ_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header alone enrols nothing: a domain joins browsers' preload lists only when submitted.
    SECURE_HSTS_PRELOAD = _env_bool("AIHQ_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Single sign-on (OpenID Connect), through mozilla-django-oidc. Off unless AIHQ_OIDC_CLIENT_ID is set; local
# accounts keep signing in with a password either way. The provider must know the redirect URI
# <site>/oidc/callback/. Who gets which role comes from the single sign-on mappings HQ admins keep (Roles page).
AIHQ_OIDC_CLIENT_ID = os.environ.get("AIHQ_OIDC_CLIENT_ID", "").strip()
AIHQ_OIDC_PROVIDER_NAME = os.environ.get("AIHQ_OIDC_PROVIDER_NAME", "").strip()
AIHQ_OIDC_USERNAME_CLAIM = os.environ.get("AIHQ_OIDC_USERNAME_CLAIM", "").strip() or "preferred_username"
AIHQ_OIDC_GROUPS_CLAIM = os.environ.get("AIHQ_OIDC_GROUPS_CLAIM", "").strip() or "groups"
OIDC_RP_CLIENT_ID = AIHQ_OIDC_CLIENT_ID
# The provider's issuer (its discovery document's "issuer"): ID tokens from any other are refused. Set it with
# providers whose signing keys serve several tenants (Entra ID's common endpoints).
AIHQ_OIDC_ISSUER = os.environ.get("AIHQ_OIDC_ISSUER", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("AIHQ_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("AIHQ_OIDC_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("AIHQ_OIDC_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("AIHQ_OIDC_USERINFO_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("AIHQ_OIDC_JWKS_ENDPOINT", "").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("AIHQ_OIDC_SIGN_ALGO", "").strip() or "RS256"
OIDC_RP_SCOPES = os.environ.get("AIHQ_OIDC_SCOPES", "").strip() or "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = int(os.environ.get("AIHQ_OIDC_TIMEOUT", "10"))  # seconds for each call to the provider
# AIHQ's own views: 404 while single sign-on is off, failures back to the sign-in page with a message.
OIDC_AUTHENTICATE_CLASS = "aihq.accounts.oidc.SsoAuthenticateView"
OIDC_CALLBACK_CLASS = "aihq.accounts.oidc.SsoCallbackView"
if AIHQ_OIDC_CLIENT_ID:
    _oidc_required = [
        "AIHQ_OIDC_CLIENT_SECRET",
        "AIHQ_OIDC_AUTHORIZATION_ENDPOINT",
        "AIHQ_OIDC_TOKEN_ENDPOINT",
        "AIHQ_OIDC_USERINFO_ENDPOINT",
    ]
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
        _oidc_required.append("AIHQ_OIDC_JWKS_ENDPOINT")
    _oidc_missing = [name for name in _oidc_required if not os.environ.get(name, "").strip()]
    if _oidc_missing:
        raise RuntimeError(f"AIHQ_OIDC_CLIENT_ID is set: set {', '.join(_oidc_missing)} too")
# Always listed: it answers only the callback's logins while single sign-on is on, and sessions outlive a switch-off.
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "aihq.accounts.oidc.SsoBackend"]

# --- Content-Security-Policy (django-csp): scripts only from AIHQ's own files, never inline or eval'd. Inline
# styles stay allowed (style="" attributes draw bars; htmx adds its indicator style). Forms may post only here,
# and to the single sign-on provider, where the sign-in button's redirect goes.
_form_action = ["'self'"]
if OIDC_OP_AUTHORIZATION_ENDPOINT:
    _provider = urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT)
    _form_action.append(f"{_provider.scheme}://{_provider.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": _form_action,
    }
}
