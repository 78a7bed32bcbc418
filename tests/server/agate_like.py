"""A test server that answers as OBiBa Agate's OAuth 2 endpoints do (Agate 4.x, read from
its source: agate-rest's OAuthResource, AuthorizationService, TicketService and the
Apache Oltu response builders it carries). Python's standard library only.

Usage: agate_like.py [--port N] [--exit-with-stdin]
Prints ``READY <port>`` once it accepts connections. A user ``alice`` / ``wonderland``
exists. ``AGATE_AUTO_LOGIN=alice`` skips the sign-in page and presses Authorize on the
consent page (the sign-in window's tests, which cannot type into that window).

What it does as Agate does:
* ``GET /ws/oauth2/authorize``: without a session, to ``/authorize`` and on to
  ``/signin``; with one, the application is looked up by client id and the redirect URI
  must *start with* one of the application's (a plain string prefix). Applications are
  trusted, so a request whose scopes are covered is approved at once: a 302 to the
  redirect URI with ``code``, ``state`` and ``expires_in`` (the authorization's life,
  90 days). A request that fails a check falls through to the consent page
  (``/authorize``), whose form posts to ``/ws/oauth2/authz``: there a redirect URI that
  does not match gets a 400 with a JSON body (``invalid_redirect_uri``), shown to the
  person as is. One authorization per user and application; its code stays the same
  while it lives, and it remembers every redirect URI it was used with.
* ``POST /ws/oauth2/token`` (client credentials in HTTP Basic or the form): the
  ``authorization_code`` grant checks the key (``InvalidApplicationKeyException``), then
  the code (``NoSuchAuthorizationException``), then that ``redirect_uri`` is one the
  authorization was made with (``invalid_redirect_uri``); it answers the ticket of the
  authorization, the same while it lives and a new one once it has expired, as a JWT
  with ``token_type`` ``bearer``, ``expires_in`` (what is left of the ticket) and an
  ``id_token`` for ``openid``. No refresh tokens: a ``refresh_token`` grant gets 400 ``{}``.
  Every error is HTTP 400 with ``{"error": ..., "error_description": ...}``, the error
  being the Java exception's name where Agate caught one.
* ``GET /ws/oauth2/userinfo`` with the token: the user's claims.

For the tests, under ``/test/``: ``POST applications`` ``{"name", "redirect_uris",
"scopes"}`` makes an application (client id: the name as Agate mangles it) and answers
its ``client_id`` and ``key``; ``POST timeout`` ``{"seconds"}`` sets the ticket life
(Agate's short timeout, in hours there); ``DELETE authorizations`` removes every
authorization and its tickets (the user revoked them); ``GET stats`` counts the token
requests by grant type.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote_plus, urlencode, urlsplit

from serving import serve

USERS = {"alice": {"password": "wonderland", "email": "alice@example.org", "name": "Alice Liddell"}}
AGATE_SCOPES = {"openid", "email", "profile"}
CODE_LIFE = 90 * 24 * 3600  # Agate's long timeout (2160 h)
JWT_KEY = secrets.token_bytes(32)

lock = threading.Lock()
state = {
    "applications": {},  # id -> {"key", "redirect_uris", "scopes"}
    "authorizations": {},  # (user, app) -> {"code", "scopes", "redirect_uris", "created"}
    "tickets": {},  # (user, app) -> {"id", "created"}
    "sessions": {},  # cookie -> user
    "ticket_life": 8 * 3600,
    "stats": {},
}


def mangle(name):
    """Agate's application id from its name: lowercase, spaces and ':' to '-', runs of '-' as one."""
    return re.sub("-+", "-", re.sub("[ :]", "-", name.lower()))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims):
    head = b64(json.dumps({"alg": "HS256"}).encode())
    body = b64(json.dumps(claims, sort_keys=True).encode())
    sig = b64(hmac.new(JWT_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


def claims_of(token):
    try:
        head, body, sig = token.split(".")
        want = b64(hmac.new(JWT_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(want, sig):
            return None
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        if os.environ.get("TESTSERVER_VERBOSE"):
            super().log_message(*args)

    # -- plumbing --------------------------------------------------------------------
    def send(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location, headers=()):
        self.send(302, b"", "text/plain", [("Location", location), *headers])

    def error(self, name, description=None):
        """Oltu's error response: HTTP 400, null and empty values left out."""
        body = {"error": name}
        if description:
            body["error_description"] = description
        self.send(400, body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def form(self):
        return {k: v[0] for k, v in parse_qs(self.body(), keep_blank_values=True).items()}

    def query(self):
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def user(self):
        cookie = self.headers.get("Cookie") or ""
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "agatesid" and value in state["sessions"]:
                return state["sessions"][value]
        return None

    def base(self):
        return f"http://{self.headers.get('Host')}"

    # -- routes ----------------------------------------------------------------------
    def do_GET(self):
        path = urlsplit(self.path).path
        qs = urlsplit(self.path).query
        if path == "/ws/oauth2/authorize":
            return self.authorize(qs)
        if path == "/authorize":
            return self.consent_page(qs)
        if path == "/signin":
            return self.signin_page()
        if path == "/ws/oauth2/userinfo":
            return self.userinfo()
        if path == "/test/stats":
            with lock:
                return self.send(200, state["stats"])
        if path == "/test/ipc-report":
            with lock:
                return self.send(200, state.get("ipc_reports", []))
        self.send(404, {"error": "not found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        if path == "/signin":
            return self.signin()
        if path == "/ws/oauth2/authz":
            return self.authz()
        if path == "/ws/oauth2/token":
            return self.token()
        if path == "/test/applications":
            spec = json.loads(self.body())
            app_id, key = mangle(spec["name"]), secrets.token_urlsafe(24)
            with lock:
                state["applications"][app_id] = {
                    "key": key,
                    "redirect_uris": spec.get("redirect_uris", []),
                    "scopes": spec.get("scopes", []),
                }
            return self.send(200, {"client_id": app_id, "key": key})
        if path == "/test/ipc-report":
            with lock:
                state.setdefault("ipc_reports", []).append(self.body())
            return self.send(200, {})
        if path == "/test/timeout":
            with lock:
                state["ticket_life"] = int(json.loads(self.body())["seconds"])
            return self.send(200, {})
        self.send(404, {"error": "not found"})

    def do_DELETE(self):
        if urlsplit(self.path).path == "/test/authorizations":
            with lock:
                state["authorizations"].clear()
                state["tickets"].clear()
            return self.send(200, {})
        self.send(404, {"error": "not found"})

    # -- the person's side -----------------------------------------------------------
    def signin_page(self):
        redirect = self.query().get("redirect", "/")
        # AGATE_IPC_PROBE: the page tries Tauri's IPC, as a hostile server's page would,
        # and reports what it got to /test/ipc-report (the sign-in window must give none).
        probe = (
            "<script>(function(){function report(r){fetch('/test/ipc-report',{method:'POST',body:r});}"
            "try{var t=window.__TAURI_INTERNALS__;var u=window.__TAURI__;"
            "if(!t&&!u){report('absent');return;}"
            "(t?t.invoke('list_profiles'):u.core.invoke('list_profiles'))"
            ".then(function(v){report('answered '+JSON.stringify(v).slice(0,200));},"
            "function(e){report('refused '+String(e).slice(0,200));});"
            "}catch(e){report('threw '+String(e).slice(0,200));}})();</script>"
            if os.environ.get("AGATE_IPC_PROBE") else ""
        )
        page = (
            f"<html><head><title>Agate - Sign in</title>{probe}</head><body><h1>Sign in</h1>"
            '<form method="post" action="/signin">'
            f'<input type="hidden" name="redirect" value="{redirect.replace(chr(34), "&quot;")}">'
            '<input id="username" name="username" autofocus><input id="password" name="password" type="password">'
            '<button id="sign-in" type="submit">Sign in</button></form></body></html>'
        )
        self.send(200, page, "text/html")

    def signin(self):
        form = self.form()
        user = USERS.get(form.get("username"))
        if not user or user["password"] != form.get("password"):
            return self.send(200, "<html><title>Agate - Sign in</title><p>Wrong username or password</p></html>",
                             "text/html")
        sid = secrets.token_urlsafe(16)
        with lock:
            state["sessions"][sid] = form["username"]
        self.redirect(form.get("redirect") or "/", [("Set-Cookie", f"agatesid={sid}; Path=/; HttpOnly")])

    def authorize(self, qs):
        user = self.user() or os.environ.get("AGATE_AUTO_LOGIN")
        if user:
            params = {k: v[0] for k, v in parse_qs(qs).items()}
            try:
                redirect_uri = self.check_application(params.get("client_id"), params.get("redirect_uri"))
                scopes = set(params.get("scope", "").split())
                self.check_scopes(scopes)
                with lock:
                    auth = state["authorizations"].get((user, params["client_id"]))
                covered = all(s in AGATE_SCOPES or (auth and s in auth["scopes"]) for s in scopes)
                if covered:
                    return self.reply_authorized(user, params, redirect_uri)
            except ValueError:
                pass  # as Agate: "if any problem, continue with authorization page"
        self.redirect(f"/authorize?{qs}")

    def consent_page(self, qs):
        user = self.user() or os.environ.get("AGATE_AUTO_LOGIN")
        if not user:
            target = f"{self.base()}/ws/oauth2/authorize?{qs}"
            return self.redirect(f"/signin?redirect={quote(target, safe='')}")
        params = {k: v[0] for k, v in parse_qs(qs).items()}
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{v.replace(chr(34), "&quot;")}">' for k, v in params.items()
        )
        page = (
            "<html><head><title>Agate - Authorize</title></head><body><h1>Authorize</h1>"
            f'<form method="post" action="/ws/oauth2/authz">{hidden}'
            '<input type="hidden" name="grant" value="true">'
            '<button id="authorize" type="submit">Authorize</button></form>'
            # With AGATE_AUTO_LOGIN the person is taken to press Authorize at once.
            + ("<script>document.forms[0].submit()</script>" if os.environ.get("AGATE_AUTO_LOGIN") else "")
            + "</body></html>"
        )
        self.send(200, page, "text/html")

    def authz(self):
        user = self.user() or os.environ.get("AGATE_AUTO_LOGIN")
        if not user:
            return self.send(401, b"", "text/plain")
        params = self.form()
        try:
            redirect_uri = self.check_application(params.get("client_id"), params.get("redirect_uri"))
        except ValueError as e:
            return self.error(*e.args)
        try:
            self.check_scopes(set(params.get("scope", "").split()))
        except ValueError as e:
            query = {"error": e.args[0], "error_description": e.args[1]}
            if params.get("state"):
                query["state"] = params["state"]
            return self.redirect(f"{redirect_uri}?{urlencode(query)}")
        if params.get("grant") == "false":
            query = {"error": "access_denied", "error_description": "Owner denied authorization."}
            return self.redirect(f"{redirect_uri}?{urlencode(query)}")
        with lock:
            auth = state["authorizations"].setdefault(
                (user, params["client_id"]),
                {"scopes": set(), "redirect_uris": set(), "created": time.time()},
            )
            auth["code"] = secrets.token_hex(16)
            auth["scopes"] |= set(params.get("scope", "").split())
        self.reply_authorized(user, params, redirect_uri)

    def check_application(self, client_id, redirect_uri):
        with lock:
            app = state["applications"].get(client_id or "")
        if app is None:
            raise ValueError("NoSuchApplicationException", f"No application with name '{client_id}'")
        if not app["redirect_uris"]:
            raise ValueError("missing_application_redirect_uri", "Application does not have a default redirect URI")
        if not redirect_uri:
            return app["redirect_uris"][0]
        if not any(redirect_uri.startswith(uri) for uri in app["redirect_uris"]):
            raise ValueError("invalid_redirect_uri", "The redirect URI does not match the application's redirect URI")
        return redirect_uri

    def check_scopes(self, scopes):
        for scope in scopes - AGATE_SCOPES:
            app_id, _, permission = scope.partition(":")
            with lock:
                app = state["applications"].get(app_id)
            if app is None or (permission and permission not in app["scopes"]):
                raise ValueError("invalid_scope", f"Invalid scope {scope}")

    def reply_authorized(self, user, params, redirect_uri):
        with lock:
            key = (user, params["client_id"])
            auth = state["authorizations"].get(key)
            if auth is None:
                auth = state["authorizations"][key] = {
                    "code": secrets.token_hex(16),
                    "scopes": set(params.get("scope", "").split()),
                    "redirect_uris": set(),
                    "created": time.time(),
                }
            auth["redirect_uris"].add(redirect_uri)
            left = int(auth["created"] + CODE_LIFE - time.time())
        query = {"code": auth["code"], "expires_in": str(left)}
        if params.get("state"):
            query["state"] = params["state"]
        self.redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}")

    # -- the client's side -----------------------------------------------------------
    def token(self):
        form = self.form()
        client_id, key = form.get("client_id"), form.get("client_secret")
        basic = self.headers.get("Authorization") or ""
        if basic.startswith("Basic "):
            decoded = base64.b64decode(basic[6:]).decode()
            client_id, _, key = (unquote_plus(p) for p in decoded.partition(":"))
        grant = form.get("grant_type") or ""
        with lock:
            stats = state["stats"]
            stats[grant] = stats.get(grant, 0) + 1
        if grant != "authorization_code":
            # Agate's `default:` branch: an error response with no error in it.
            return self.send(400, {})
        for name in ("code", "redirect_uri", "client_id"):
            if not (form.get(name) or (name == "client_id" and client_id)):
                return self.error("invalid_request", f"Missing parameters: {name}")
        with lock:
            app = state["applications"].get(client_id or "")
            if app is None or not hmac.compare_digest(app["key"], key or ""):
                return self.error("InvalidApplicationKeyException", "Invalid application key")
            found = [(k, a) for k, a in state["authorizations"].items() if a["code"] == form["code"]]
            if not found:
                return self.error(
                    "NoSuchAuthorizationException", f"Authorization with code '{form['code']}' does not exist"
                )
            (user, app_id), auth = found[0]
            if app_id != client_id:
                return self.error("invalid_client_id", "The client ID does not match the one of the authorization")
            if form["redirect_uri"] not in auth["redirect_uris"]:
                return self.error(
                    "invalid_redirect_uri", "The redirect URI does not match the one of the authorization"
                )
            now = time.time()
            ticket = state["tickets"].get((user, app_id))
            if ticket is None or ticket["created"] + state["ticket_life"] < now:
                ticket = state["tickets"][(user, app_id)] = {"id": secrets.token_hex(12), "created": now}
            expires = ticket["created"] + state["ticket_life"]
        claims = {
            "sub": user, "iss": "agate", "iat": int(ticket["created"]), "exp": int(expires),
            "jti": ticket["id"], "aud": [app_id],
        }
        answer = {
            "access_token": jwt(claims),
            "token_type": "bearer",
            # What is left of the ticket, as Agate counts it: milliseconds (a few have
            # passed since the ticket was made) divided by 1000 in Java (toward zero).
            "expires_in": int((int((expires - now) * 1000) - 1) / 1000),
        }
        if "openid" in auth["scopes"]:
            answer["id_token"] = jwt({"sub": user, "aud": app_id, "iss": "agate", "exp": int(expires)})
        self.send(200, answer)

    def userinfo(self):
        bearer = self.headers.get("Authorization") or ""
        claims = claims_of(bearer[7:]) if bearer.startswith("Bearer ") else None
        if not claims or claims["exp"] < time.time():
            return self.send(401, b"", "text/plain")
        user = USERS[claims["sub"]]
        self.send(200, {"sub": claims["sub"], "email": user["email"], "name": user["name"]})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-with-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()
    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            # A client that hangs up (a test's browser stand-in, a cancelled sign-in) is
            # no error of the server's.
            if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
                super().handle_error(request, client_address)

    httpd = Server(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    serve(httpd, httpd.server_address[1], args.exit_with_stdin)

if __name__ == "__main__":
    main()
