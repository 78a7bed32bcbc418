"""A long job as the WLCG discovery standard's readers behave: every second, read the
token from $BEARER_TOKEN_FILE (whitespace at both ends ignored) and call the server's API
with it; on a refusal, read the file again and, if it holds another token (a rotation
landed between the read and the call), try once more, as rclone and Davix do.

Prints one line per call, then a summary; exits 0 only if every call succeeded.
usage: long_job.py API_URL SECONDS"""
import json
import os
import stat
import sys
import time
import urllib.error
import urllib.request

api, seconds = sys.argv[1], int(sys.argv[2])
path = os.environ["BEARER_TOKEN_FILE"]
print("file", path, flush=True)
print("BEARER_TOKEN", os.environ.get("BEARER_TOKEN", "unset"), flush=True)
print("mode", oct(stat.S_IMODE(os.stat(path).st_mode)), oct(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)), flush=True)


def read():
    with open(path) as f:
        return f.read().strip()


def call(token):
    body = json.dumps({"username": "alice", "token": "x"}).encode()
    req = urllib.request.Request(api, data=body, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False


ok = retried = 0
seen = set()
calls = 0
end = time.time() + seconds
while time.time() < end:
    calls += 1
    token = read()
    seen.add(token)
    if call(token):
        ok += 1
    else:
        again = read()
        if again != token and again and call(again):
            ok += 1
            retried += 1
            seen.add(again)
        else:
            print("failed", calls, flush=True)
    time.sleep(1)
print("calls", calls, "ok", ok, "retried", retried, "tokens", len(seen), flush=True)
sys.exit(0 if ok == calls else 1)
