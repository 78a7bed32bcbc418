"""What every test server here does once it listens: say ``READY <port>`` and serve until
the test process that started it goes away (its stdin closes) — so a server never
outlives the test, however the test ends."""
import os
import sys
import threading


def serve(httpd, port, exit_with_stdin):
    if exit_with_stdin:

        def watch_stdin():
            sys.stdin.read()  # returns when the parent (the test process) goes away
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {port}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
