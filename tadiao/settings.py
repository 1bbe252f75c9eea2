"""The one settings module, driven by environment variables (fails loudly on bad values).

TADIAO_DATA_DIR  where the SQLite database, uploads, secret key and generated files live (default ./var)
DATABASE_URL     e.g. postgres://user@host:5432/tadiao or sqlite:////path/file.sqlite3;
                 empty → SQLite at $TADIAO_DATA_DIR/tadiao.sqlite3 (every SQLite file: WAL, IMMEDIATE, busy timeout)
TADIAO_DEBUG     "1" for development
TADIAO_ALLOWED_HOSTS  comma-separated host names (default: localhost names)
TADIAO_SECRET_KEY     overrides the generated key kept in $TADIAO_DATA_DIR/secret_key
TADIAO_IDLE_SECONDS   log a user out after this many seconds without a request (default 1800)
TADIAO_SITE_URL       the address users open, e.g. http://10.1.2.3:8000 — put before the links in robot messages
TADIAO_EMAIL_HOST / _PORT / _USER / _PASSWORD / _TLS / _FROM   the intranet SMTP server for e-mail notifications
TADIAO_OC4IDS_PREFIX     the OC4IDS project id prefix, put before the 项目代码 or our id (default oc4ids-tadiao-)
TADIAO_OC4IDS_PUBLISHER  the OC4IDS package's publisher (default: the region's name + 发展和改革局)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0/true/false, not {value!r}")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


DATA_DIR = Path(os.environ.get("TADIAO_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("TADIAO_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("TADIAO_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TADIAO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "tadiao.org",
    "tadiao.audit",
    "tadiao.projects",
    "tadiao.reporting",
    "tadiao.indicators",
    "tadiao.attraction",
    "tadiao.coordination",
    "tadiao.economy",
    "tadiao.notifications",
    "tadiao.bulletins",
    "tadiao.dashboard",
    "tadiao.imports",
    "tadiao.weekly",
    "tadiao.gis",
    "tadiao.oc4ids",
    "tadiao.demo",
    "tadiao.api",
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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tadiao.audit.middleware.RequestContextMiddleware",
    "tadiao.org.middleware.IdleTimeoutMiddleware",
    "tadiao.org.middleware.LoginRequiredEverywhereMiddleware",
    "tadiao.org.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tadiao.urls"
WSGI_APPLICATION = "tadiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tadiao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tadiao.org.context_processors.navigation",
                "tadiao.notifications.context_processors.unread_messages",
            ],
            "builtins": ["tadiao.lib.templatetags.tadiao_format"],
        },
    }
]

# --- database ---------------------------------------------------------------------------------------
# One path for every database: the address is parsed (or defaults to SQLite in the data directory), then the
# options of its engine are applied, whichever way it was named. A sqlite:///… DATABASE_URL gets the same
# WAL/IMMEDIATE/busy-timeout/foreign-key options as the default file.
SQLITE_BUSY_TIMEOUT_SECONDS = _env_int("TADIAO_SQLITE_BUSY_SECONDS", 20)
DB_CONNECT_TIMEOUT_SECONDS = _env_int("TADIAO_DB_CONNECT_TIMEOUT", 10)
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout instead of one failing
    # with "database is locked" when it upgrades a read lock mid-transaction (which the timeout cannot help).
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    # WAL lets readers go on while a writer writes; synchronous=NORMAL is durable across crashes of the
    # program in WAL mode (only a power cut can lose the last commits); SQLite leaves foreign keys off.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {exc}") from exc
    if not _db.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database, e.g. postgres://user@127.0.0.1:5432/tadiao")
else:
    # (ignored for mypy below) Django takes a Path
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "tadiao.sqlite3"}  # type: ignore[typeddict-item]

if _db["ENGINE"] == "django.db.backends.sqlite3":
    if str(_db["NAME"]) == ":memory:":
        raise ImproperlyConfigured("DATABASE_URL names an in-memory SQLite database; give a file, "
                                   "e.g. sqlite:////var/lib/tadiao/tadiao.sqlite3")
    _db["OPTIONS"] = {**_db.get("OPTIONS", {}), **SQLITE_OPTIONS}
    # The test database is a file too: an in-memory one is shared by the browser tests' live-server threads, and
    # two requests of one page at once (the map's data, the unread badge) then collide on one connection.
    _db["TEST"] = {"NAME": str(Path(_db["NAME"]).with_name("test-" + Path(_db["NAME"]).name))}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # gunicorn's sync workers serve one request at a time, so each process needs one connection: keeping it
    # for TADIAO_DB_CONN_MAX_AGE seconds, checked before reuse, is the pool that fits (3 workers + the task
    # worker + commands stay far below PostgreSQL's 100 connections). A psycopg pool would only help threads.
    _db["CONN_MAX_AGE"] = _env_int("TADIAO_DB_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
    # jit=off: PostgreSQL compiles a query to machine code when its estimated cost is high, which the warning
    # lights and the indicators' conditional sums always are; the compiling took 150–190 ms of a 500 ms query
    # and doubled a one-unit query that runs in 25 ms (docs/performance.md). Reports are read, not crunched for
    # minutes, so compiling never pays back. Sent as a startup option, which PgBouncer refuses: behind it set
    # TADIAO_PG_JIT_OFF=0 and `ALTER DATABASE … SET jit = off` instead (docs/install.md).
    options = {"options": "-c jit=off"} if _env_bool("TADIAO_PG_JIT_OFF", True) else {}
    _db["OPTIONS"] = {"connect_timeout": DB_CONNECT_TIMEOUT_SECONDS, **options, **_db.get("OPTIONS", {})}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ["username", "full_name", "phone"]}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0: 8 characters or more from at least three of upper, lower, digit, symbol.
    {"NAME": "tadiao.org.auth.CharacterClassesValidator", "OPTIONS": {"min_length": 8, "min_classes": 3}},
]
SESSION_COOKIE_AGE = _env_int("TADIAO_SESSION_SECONDS", 8 * 3600)
# Logged out after this many seconds without a request (等保: 登录连接超时自动退出).
IDLE_SECONDS = _env_int("TADIAO_IDLE_SECONDS", 30 * 60)
if IDLE_SECONDS < 60:
    raise ImproperlyConfigured(f"TADIAO_IDLE_SECONDS must be at least 60, not {IDLE_SECONDS}")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from hx-headers on <body>, not from the cookie

# django-axes: lock a user name + IP pair after repeated failures.
AXES_FAILURE_LIMIT = _env_int("TADIAO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"  # axes' default (the user model's USERNAME_FIELD), named for the type checker
AXES_USERNAME_CALLABLE = "tadiao.org.auth.axes_username"  # login names have no case: nor have their lockouts

# --- i18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tadiao.formats"]
LOCALE_PATHS = [BASE_DIR / "tadiao" / "locale"]  # what Django 6.1 leaves untranslated ("- Select an option -")

# --- static and uploaded files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "tadiao" / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the app folders when collectstatic has not run
MEDIA_ROOT = DATA_DIR / "media"  # outside the web root: served only through access-checked views
UPLOAD_MAX_BYTES = _env_int("TADIAO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
IMAGE_MAX_PIXELS = _env_int("TADIAO_IMAGE_MAX_PIXELS", 40_000_000)  # site photos (width × height), before decoding
GIS_BOUNDARY_MAX_BYTES = _env_int("TADIAO_GIS_BOUNDARY_MAX_BYTES", 5 * 1024 * 1024)  # the 一张图's boundary GeoJSON
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The open API (/api/v1/): requests per minute and per personal token (429 with Retry-After beyond it).
TADIAO_API_RATE_LIMIT = _env_int("TADIAO_API_RATE_LIMIT", 120)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- background tasks --------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Notifications: links in robot and e-mail messages are made absolute with this; e-mail goes to the intranet's
# own SMTP server (nothing is sent unless an e-mail channel is configured on the 通知渠道 page).
TADIAO_SITE_URL = os.environ.get("TADIAO_SITE_URL", "").strip().rstrip("/")

# The OC4IDS export (docs/oc4ids.md): project ids are this prefix + 项目代码 (or our id); the publisher's name.
TADIAO_OC4IDS_PREFIX = os.environ.get("TADIAO_OC4IDS_PREFIX", "").strip() or "oc4ids-tadiao-"
TADIAO_OC4IDS_PUBLISHER = os.environ.get("TADIAO_OC4IDS_PUBLISHER", "").strip()
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("TADIAO_EMAIL_HOST", "localhost"),
            "port": _env_int("TADIAO_EMAIL_PORT", 25),
            "username": os.environ.get("TADIAO_EMAIL_USER", ""),
            "password": os.environ.get("TADIAO_EMAIL_PASSWORD", ""),
            "use_tls": _env_bool("TADIAO_EMAIL_TLS"),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("TADIAO_EMAIL_FROM", "tadiao@localhost")

# --- security ----------------------------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402  (grouped with the settings it serves)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],  # ECharts and Bootstrap set inline styles
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
# Behind an HTTPS reverse proxy: the proxy's public origin(s), and trust its X-Forwarded-Proto header.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("TADIAO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
if _env_bool("TADIAO_BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
CSRF_FAILURE_VIEW = "tadiao.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TADIAO_LOG_LEVEL", "WARNING")},
}
