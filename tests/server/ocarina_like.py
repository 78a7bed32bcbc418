"""Do what Ocarina does with its token cache, with the library Ocarina uses.

Usage: ocarina_like.py CACHE TOKEN_URL CLIENT_ID CLIENT_SECRET [--refresh]

Reads the cache (JSON object keyed by the space-joined scope string, values the token
dicts of requests-oauthlib), checks the entry has the fields Ocarina relies on, and with
--refresh renews it through requests-oauthlib and writes it back the way Ocarina does.
Prints the access token it ends up with.
"""
import json
import os
import sys
import time

# The test server is plain http on loopback; oauthlib insists on https otherwise.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from requests_oauthlib import OAuth2Session


def main():
    cache_path, token_url, client_id, client_secret = sys.argv[1:5]
    with open(cache_path) as f:
        cache = json.load(f)
    assert isinstance(cache, dict) and cache, "cache must be a non-empty JSON object"
    scope_key = next(k for k in cache if k.startswith("majora2.") or k in ("read", "read write"))
    token = cache[scope_key]
    for field in ("access_token", "refresh_token", "token_type", "expires_in", "expires_at", "scope"):
        assert field in token, f"missing {field}"
    assert isinstance(token["expires_at"], float), "expires_at must be an epoch float"
    assert isinstance(token["scope"], list), "scope must be a list"
    assert token["scope"] == scope_key.split(" "), "key must be the space-joined scope"
    session = OAuth2Session(client_id, token=token, scope=token["scope"])
    if "--refresh" in sys.argv:
        token = session.refresh_token(token_url, auth=(client_id, client_secret))
        cache[scope_key] = token
        with open(cache_path, "w") as f:
            json.dump(cache, f)
    assert token["expires_at"] > time.time()
    print(token["access_token"])


if __name__ == "__main__":
    main()
