"""Long access tokens (TESTSERVER_LONG_TOKENS=1), as long as the JWTs Keycloak or Agate
hand out (1-2 KB). Windows Credential Manager holds about 1,280 characters per item, so
a token set with one of these must be kept in parts (engine/src/store/parts.rs); the
Windows scenario (tests/integration/windows.rs) signs in and renews with them."""
import secrets


def jwt_sized(request, refresh_token=False):
    # Three base64url parts, ~1.6 KB in all: the size, not the meaning, of a JWT.
    return ".".join(secrets.token_urlsafe(n) for n in (27, 1100, 190))
