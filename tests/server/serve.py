"""Start the test authorization server on 127.0.0.1 (port 0 = any free port).

Prints ``READY <port>`` on stdout once it accepts connections. Usage:
    serve.py [--port N] [--data DIR] [--majora]
The database lives in DIR (a fresh temp dir by default) and is migrated at start; a user
``alice`` / ``wonderland`` exists, holding every Majora scope and a two-factor device.
``--majora`` runs it as Majora does (``testserver.settings_majora``: DOT 1.4.1, run it
with tests/server/.venv-majora); without it, the generic server (DOT 3.x).
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data")
    parser.add_argument("--majora", action="store_true", help="Majora's settings (DOT 1.4.1)")
    parser.add_argument("--exit-with-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()
    os.environ["TESTSERVER_DATA"] = args.data or tempfile.mkdtemp(prefix="latchkey-dot-")
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "testserver.settings_majora" if args.majora else "testserver.settings"
    )

    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    os.environ["TESTSERVER_PUBLIC_URL"] = f"http://127.0.0.1:{port}"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from testserver.views import make_user

    make_user("alice", "wonderland", email="alice@example.org", first_name="Alice")

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *a):
            if os.environ.get("TESTSERVER_VERBOSE"):
                super().log_message(*a)

    sock.close()
    httpd = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler)
    httpd.daemon_threads = True
    httpd.set_app(WSGIHandler())
    from serving import serve

    serve(httpd, port, args.exit_with_stdin)

if __name__ == "__main__":
    main()
