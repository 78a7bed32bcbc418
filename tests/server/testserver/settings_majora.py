"""The test server as COG-UK's Majora runs it: django-oauth-toolkit 1.4.1 on Django 3.2
(tests/server/requirements-majora.txt), for the tests of Latchkey's Majora presets.

What Majora's own settings say (majora2 at 46ea180, mylims/settings.py.example), and so
this file: redirect URIs must be https (`ALLOWED_REDIRECT_URI_SCHEMES = ["https"]`: the
callback page `https://HOST/o/callback/` is the only one Latchkey can register, so the
tests catch it without ever loading it — this server speaks plain http); consent is
skipped for a client that still holds a valid token (`REQUEST_APPROVAL_PROMPT = "auto"`);
refresh tokens rotate with no grace period (DOT's defaults); scopes are the user's Django
permissions, and two-factor authentication is checked when the code is exchanged (see
``testserver.majora``). No dynamic registration, device flow or RFC 8414 metadata: DOT
1.4.1 has none, and neither has Majora.
"""
from .settings import *  # noqa: F401,F403
from .settings import DATA_DIR, MIDDLEWARE as _MIDDLEWARE, OAUTH2_PROVIDER as _GENERIC, os

MIDDLEWARE = ["testserver.views.OneRequestAtATimeMiddleware", *_MIDDLEWARE]

# Django 3.2's SQLite backend takes no transaction_mode / init_command.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(DATA_DIR, "db.sqlite3"),
        "OPTIONS": {"timeout": 30},
    }
}

OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": _GENERIC["ACCESS_TOKEN_EXPIRE_SECONDS"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": _GENERIC["AUTHORIZATION_CODE_EXPIRE_SECONDS"],
    "ROTATE_REFRESH_TOKEN": True,
    # As Majora: none (TESTSERVER_REFRESH_GRACE=N allows a rotated refresh token's reuse for N s).
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": int(os.environ.get("TESTSERVER_REFRESH_GRACE", "0")),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REQUEST_APPROVAL_PROMPT": os.environ.get("TESTSERVER_APPROVAL_PROMPT", "auto"),
    "OAUTH2_VALIDATOR_CLASS": "testserver.majora.MajoraValidator",
    "SCOPES_BACKEND_CLASS": "testserver.majora.PermissionScopes",
    "OAUTH2_BACKEND_CLASS": "testserver.majora.UserScopesOAuthLibCore",
}
