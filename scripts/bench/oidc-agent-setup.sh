#!/usr/bin/env bash
# Set up the benchmarks' peer: Debian's oidc-agent with one account, `bench`, on the
# local test server, in a scratch HOME so the user's own oidc-agent is never touched.
#
# In:  ISSUER (http://127.0.0.1:PORT/o), CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN (from a
#      sign-in with scopes "openid offline_access read write"), SCRATCH (a directory).
# Out: `OIDC_SOCK=...` and `OIDCD_PID=...` lines on stdout; the agent keeps running
#      (the caller kills OIDCD_PID). `oidc-token bench` then answers from the agent's
#      cache while the access token is fresh.
set -euo pipefail
: "${ISSUER:?}" "${CLIENT_ID:?}" "${CLIENT_SECRET:?}" "${REFRESH_TOKEN:?}" "${SCRATCH:?}"

export HOME="$SCRATCH" OIDC_CONFIG_DIR="$SCRATCH/oidc-agent"
mkdir -p "$OIDC_CONFIG_DIR"
eval "$(oidc-agent)" >/dev/null
# The account file is encrypted with this password (read from the environment).
export OIDC_ENCRYPTION_PW=bench-only
# --rt: start from a refresh token (no browser); oidc-agent then refreshes it itself.
oidc-gen bench --iss="$ISSUER" --client-id="$CLIENT_ID" --client-secret="$CLIENT_SECRET" \
  --rt="$REFRESH_TOKEN" --scope="openid offline_access read write" \
  --redirect-uri=http://localhost:8080 --pw-env --confirm-default --prompt=none >&2
oidc-token bench >/dev/null
echo "OIDC_SOCK=$OIDC_SOCK"
echo "OIDCD_PID=$OIDCD_PID"
