"""Harness helpers around the real DOT views.

* ``callback``: Majora's ``/o/callback/`` page, which only shows the code and state for
  the user to copy.
* ``CountingTokenView``: DOT's token endpoint, counting grants per client so tests can
  assert that exactly one refresh reached the server.
* ``/test/...``: create applications (returning the plaintext secret, which DOT hashes at
  rest) and users. Loopback-only test server; never part of the product.
"""
import json
import secrets
import threading
from collections import Counter

from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import Application
from oauth2_provider.views import TokenView

_lock = threading.Lock()
_counts = Counter()


def _client_id(request):
    import base64

    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("Basic "):
        try:
            from urllib.parse import unquote

            raw = base64.b64decode(auth[6:]).decode()
            return unquote(raw.split(":", 1)[0])
        except Exception:
            return "?"
    return request.POST.get("client_id", "?")


_inflight = Counter()


class CountingTokenView(TokenView):
    def post(self, request, *args, **kwargs):
        client = _client_id(request)
        key = (client, request.POST.get("grant_type", "?"))
        with _lock:
            _inflight[client] += 1
        try:
            response = super().post(request, *args, **kwargs)
            with _lock:
                _counts[key] += 1
                _counts[key + (response.status_code,)] += 1
            return response
        finally:
            with _lock:
                _inflight[client] -= 1


def stats(request, client_id):
    with _lock:
        data = {
            "/".join(str(k) for k in key[1:]): n for key, n in _counts.items() if key[0] == client_id
        }
        data["inflight"] = _inflight[client_id]
    return JsonResponse(data)


def callback(request):
    code = escape(request.GET.get("code", ""))
    state = escape(request.GET.get("state", ""))
    error = escape(request.GET.get("error", ""))
    body = (
        f"<h1>Authorization</h1><p>Error: {error}</p>"
        if error
        else f"<h1>Authorization code</h1><p>Code: <code id='code'>{code}</code></p>"
        f"<p>State: <code id='state'>{state}</code></p>"
    )
    return HttpResponse(f"<!doctype html><title>OAuth callback</title>{body}")


@csrf_exempt
def create_app(request):
    spec = json.loads(request.body)
    secret = spec.get("client_secret") or secrets.token_urlsafe(30)
    app = Application(
        name=spec.get("name", "latchkey-test"),
        client_type=spec.get("client_type", Application.CLIENT_CONFIDENTIAL),
        authorization_grant_type=spec.get("grant", Application.GRANT_AUTHORIZATION_CODE),
        redirect_uris=" ".join(spec.get("redirect_uris", [])),
        skip_authorization=spec.get("skip_authorization", False),
        client_secret=secret,
    )
    if hasattr(app, "algorithm"):  # DOT 1.5+ (OpenID Connect); Majora's DOT 1.4.1 has none
        app.algorithm = spec.get("algorithm", "")
    app.save()
    return JsonResponse({"client_id": app.client_id, "client_secret": secret}, status=201)


def make_user(username, password, email="", first_name="", scopes=None, two_factor=True):
    """A user holding `scopes` (default: every Majora scope) as Majora permissions, with a
    two-factor device unless `two_factor` is false (see testserver.majora)."""
    from django.conf import settings
    from django.contrib.auth.models import Group

    from .majora import SCOPE_GROUP_PREFIX, TWO_FACTOR_GROUP

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username, email, password, first_name=first_name)
    names = [SCOPE_GROUP_PREFIX + s for s in (settings.MAJORA_SCOPES if scopes is None else scopes)]
    if two_factor:
        names.append(TWO_FACTOR_GROUP)
    user.groups.set([Group.objects.get_or_create(name=n)[0] for n in names])
    return user


@csrf_exempt
def create_user(request):
    spec = json.loads(request.body)
    make_user(
        spec["username"], spec["password"], spec.get("email", ""),
        scopes=spec.get("scopes"), two_factor=spec.get("two_factor", True),
    )
    return JsonResponse({"ok": True}, status=201)


_one_request = threading.Lock()


class OneRequestAtATimeMiddleware:
    """Majora-flavoured server only: Django 3.2's SQLite backend has no IMMEDIATE
    transactions, so two requests that both read and then write can fail with "database
    is locked" (Majora runs MySQL). Serving one request at a time keeps the tests about
    Latchkey; the counters (`/test/stats/`) stay answerable while a request is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/test/stats/"):
            return self.get_response(request)
        with _one_request:
            return self.get_response(request)


class BrowserSessionMiddleware:
    """See settings.BROWSER_SESSION_USER (E2E only; off unless that is set)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import login

        username = settings.BROWSER_SESSION_USER
        if username and request.path == "/o/authorize/" and not request.user.is_authenticated:
            login(request, User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
        return self.get_response(request)


def echo(request):
    """Echo the request's Authorization header (tests that a client never shows it)."""
    return HttpResponse(f"you sent: {request.META.get('HTTP_AUTHORIZATION', '')}", content_type="text/plain")


@csrf_exempt
def api(request):
    """A stand-in for Majora's v2 API: a POST of JSON that carries `username` and `token`
    fields, answered 200 when the bearer token is valid for the endpoint's `scope` (sent in
    the body here; Majora knows it per endpoint) and, as Majora does, 400 — not 401 — when
    it is not."""
    from oauth2_provider.oauth2_backends import get_oauthlib_core

    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"errors": 1, "messages": ["not JSON"]}, status=400)
    if request.method != "POST" or "username" not in body or "token" not in body:
        return JsonResponse({"errors": 1, "messages": ["POST JSON with username and token"]}, status=400)
    valid, r = get_oauthlib_core().verify_request(request, scopes=body.get("scope", "").split())
    if not valid:
        return JsonResponse({"errors": 1, "messages": ["Your token is invalid or expired"]}, status=400)
    return JsonResponse({"errors": 0, "user": r.user.username, "scope": r.access_token.scope})
