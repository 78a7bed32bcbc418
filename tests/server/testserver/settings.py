"""The generic test server: django-oauth-toolkit 3.x configured like COG-UK's Majora where
it can be (Majora itself runs DOT 1.4.1: see settings_majora.py), for Latchkey's tests.

Confidential clients, authorization-code grant, refresh tokens that rotate with no grace
period, a short access-token lifetime (per application, see ``token_lifetime``), the
``/o/`` endpoints with trailing slashes, and Majora's own ``/o/callback/`` page. Device
authorization (RFC 8628), dynamic registration (RFC 7591/7592) and RFC 8414 metadata are
DOT's own implementations, switched on.
"""
import os
import re

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.environ.get("TESTSERVER_DATA", "/tmp/latchkey-testserver")
SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "testserver",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "testserver.views.BrowserSessionMiddleware",
]
# E2E only: the sign-in window's own browser profile cannot be driven by WebDriver
# (WebKitGTK automates one web context, and each profile has its own). With this set,
# anonymous visits to the authorize page count as that user's existing browser session.
BROWSER_SESSION_USER = os.environ.get("TESTSERVER_BROWSER_SESSION_USER")
ROOT_URLCONF = "testserver.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(DATA_DIR, "db.sqlite3"),
        # Concurrent token requests are part of the tests: IMMEDIATE transactions and WAL
        # keep SQLite from answering "database is locked".
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, test only
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR"},
        # Clients killed mid-request (the crash soak) are expected: no "Broken pipe" lines.
        "django.server": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}

# Majora's scopes are its Django permissions; these are the ones Ocarina's commands ask for
# (Ocarina v0.36.1, client.py ENDPOINTS).
MAJORA_SCOPES = {
    **{
        f"majora2.{verb}_{thing}": f"{verb} {thing}"
        for verb in ("add", "change")
        for thing in (
            "biosampleartifact", "biosamplesource", "biosourcesamplingprocess",
            "libraryartifact", "librarypoolingprocess", "dnasequencingprocess",
            "digitalresourceartifact", "temporarymajoraartifactmetric", "pagqualityreport",
            "temporaryaccessionrecord",
        )
    },
    "majora2.force_add_biosampleartifact": "Add empty biosamples",
    "majora2.temp_can_read_pags_via_api": "Read published artifact groups via the API",
    "majora2.can_read_dataview_via_api": "Read data views via the API",
}

DEFAULT_TOKEN_LIFETIME = int(os.environ.get("TESTSERVER_TOKEN_LIFETIME", "36000"))


def token_lifetime(request):
    """Access-token lifetime in seconds: `[ttl=N]` in the application's name, else the
    server default (Majora: 10 h)."""
    name = getattr(getattr(request, "client", None), "name", "") or ""
    m = re.search(r"\[ttl=(\d+)\]", name)
    return int(m.group(1)) if m else DEFAULT_TOKEN_LIFETIME


OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": token_lifetime,
    "ROTATE_REFRESH_TOKEN": True,
    # As Majora: none (TESTSERVER_REFRESH_GRACE=N allows a rotated refresh token's reuse for N s).
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": int(os.environ.get("TESTSERVER_REFRESH_GRACE", "0")),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": int(os.environ.get("TESTSERVER_CODE_LIFETIME", "60")),
    # Majora accepts PKCE but does not require it; TESTSERVER_PKCE_REQUIRED=1 requires it.
    "PKCE_REQUIRED": os.environ.get("TESTSERVER_PKCE_REQUIRED") == "1",
    # RFC 9207 `iss` in authorization responses, advertised in the metadata (TESTSERVER_ISS=1).
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": os.environ.get("TESTSERVER_ISS") == "1",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "latchkey"],
    "SCOPES": {
        "read": "Read",
        "write": "Write",
        **MAJORA_SCOPES,
        "openid": "OpenID Connect",
        "profile": "Profile",
        "email": "Email",
        "offline_access": "Offline access",
    },
    # Majora auto-approves a client that still holds a valid token for the scopes.
    "REQUEST_APPROVAL_PROMPT": os.environ.get("TESTSERVER_APPROVAL_PROMPT", "force"),
    "DCR_ENABLED": True,
    "DCR_REGISTRATION_PERMISSION_CLASSES": ("oauth2_provider.dcr.AllowAllDCRPermission",),
    "OAUTH_DEVICE_VERIFICATION_URI": os.environ.get("TESTSERVER_PUBLIC_URL", "http://127.0.0.1") + "/o/device/",
    "DEVICE_FLOW_INTERVAL": 1,
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
if os.environ.get("TESTSERVER_LONG_TOKENS") == "1":
    OAUTH2_PROVIDER["ACCESS_TOKEN_GENERATOR"] = "testserver.tokens.jwt_sized"
    OAUTH2_PROVIDER["REFRESH_TOKEN_GENERATOR"] = "oauthlib.oauth2.rfc6749.tokens.random_token_generator"
if OAUTH2_PROVIDER["COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS"]:
    # One issuer for the metadata and for `iss` (the endpoints are served at / and /o/).
    OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] = os.environ.get("TESTSERVER_PUBLIC_URL", "http://127.0.0.1")

# Benchmarks only (TESTSERVER_OIDC=1): OpenID Connect on, so oidc-agent — the peer that
# `make bench` measures Latchkey against — can discover this server. Off in tests, which
# rely on this server having no OIDC discovery document.
if os.environ.get("TESTSERVER_OIDC") == "1":
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    _key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    OAUTH2_PROVIDER["OIDC_ENABLED"] = True
    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = _key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
