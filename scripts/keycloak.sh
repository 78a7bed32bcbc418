#!/usr/bin/env bash
# Keycloak for the tests: the server distribution from Maven Central
# (org.keycloak:keycloak-quarkus-dist), kept in a cache outside the clone so CI downloads
# it once per machine. Prints the directory of the unpacked distribution.
set -euo pipefail
version=${KEYCLOAK_VERSION:-26.5.6}
cache=${LATCHKEY_CACHE:-$HOME/.cache/latchkey}/keycloak
home=$cache/keycloak-$version
if [ ! -x "$home/bin/kc.sh" ]; then
  mkdir -p "$cache"
  zip=$cache/keycloak-quarkus-dist-$version.zip
  if [ ! -s "$zip" ]; then
    echo "==> downloading Keycloak $version (Maven Central, ~160 MB, once)" >&2
    mvn -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" -DoutputDirectory="$cache" >&2
  fi
  (cd "$cache" && unzip -q -o "$zip")
fi
echo "$home"
