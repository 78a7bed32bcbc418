"""Do with ~/.ocarina-tokens what Ocarina (v0.36.1) does, with the library Ocarina uses.

Usage: ocarina_like.py CACHE DOMAIN CLIENT_ID CLIENT_SECRET COMMAND [--refresh]

COMMAND names an Ocarina command ("put biosample", "get", ... see KEYS), or is itself a
key (as in `ocarina oauth refresh --scopes KEY`). Like Ocarina's
`util.handle_oauth`, it looks the token up under that command's own scope string, and
when the entry is missing or `expires_at <= now` it goes to the interactive grant: here
it prints Ocarina's prompt and exits 3 instead of waiting for a pasted URL. Otherwise it
makes an OAuth2Session that refreshes on its own and saves what it refreshed under
`" ".join(token["scope"])`, as Ocarina does; `--refresh` forces that refresh (Ocarina's
`oauth refresh`). Then it calls the test server's v2 API stand-in (`/test/api/`) with the
command's scope and prints the access token it used. Exit 0 only if the server took it.
"""
import json
import os
import sys
from datetime import datetime

# The test server is plain http on loopback; oauthlib insists on https otherwise.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from requests_oauthlib import OAuth2Session

READ = "majora2.temp_can_read_pags_via_api"
# Ocarina's ENDPOINTS table (ocarina/client.py): the key each command reads.
KEYS = {
    "put biosample": "majora2.add_biosampleartifact majora2.change_biosampleartifact majora2.add_biosamplesource majora2.change_biosamplesource majora2.add_biosourcesamplingprocess majora2.change_biosourcesamplingprocess",
    "update biosample": "majora2.change_biosampleartifact majora2.change_biosamplesource majora2.change_biosourcesamplingprocess",
    "empty biosample": "majora2.force_add_biosampleartifact majora2.add_biosampleartifact majora2.change_biosampleartifact majora2.add_biosourcesamplingprocess majora2.change_biosourcesamplingprocess",
    "put library": "majora2.add_biosampleartifact majora2.change_biosampleartifact majora2.add_libraryartifact majora2.change_libraryartifact majora2.add_librarypoolingprocess majora2.change_librarypoolingprocess",
    "put sequencing": "majora2.change_libraryartifact majora2.add_dnasequencingprocess majora2.change_dnasequencingprocess",
    "put file": "majora2.add_digitalresourceartifact majora2.change_digitalresourceartifact",
    "put metric": "majora2.add_temporarymajoraartifactmetric majora2.change_temporarymajoraartifactmetric",
    "put qc": "majora2.add_pagqualityreport majora2.change_pagqualityreport",
    "put accession": "majora2.add_temporaryaccessionrecord majora2.change_temporaryaccessionrecord",
    "get dataview": "majora2.can_read_dataview_via_api",
    "get": READ,
}


def main():
    cache_path, domain, client_id, client_secret, command = sys.argv[1:6]
    scope = KEYS.get(command, command)

    def load():
        if os.path.exists(cache_path):
            with open(cache_path) as f:
                return json.load(f)
        return {}

    def save(token):  # Ocarina's oauth_save_token
        tokens = load()
        tokens[" ".join(token["scope"])] = token
        with open(cache_path, "w") as f:
            json.dump(tokens, f)

    tokens = load()
    if scope not in tokens or datetime.fromtimestamp(tokens[scope]["expires_at"]) <= datetime.now():
        print("Please request a grant via:", file=sys.stderr)
        sys.exit(3)
    token = tokens[scope]
    extra = {"client_id": client_id, "client_secret": client_secret}
    session = OAuth2Session(
        client_id=client_id, token=token, scope=scope,
        auto_refresh_url=domain + "o/token/", auto_refresh_kwargs=extra, token_updater=save,
    )
    if "--refresh" in sys.argv:
        token = session.refresh_token(domain + "o/token/", **extra)
        save(token)
    r = session.post(domain + "test/api/", json={"username": "alice", "token": "OAUTH", "scope": scope})
    if r.status_code != 200:
        print(f"Majora answered {r.status_code}: {r.text}", file=sys.stderr)
        sys.exit(1)
    print(session.token["access_token"])


if __name__ == "__main__":
    main()
