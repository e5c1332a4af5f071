"""The web application's commands, dispatched from `facetpath serve|manage|demo|worker ...`.

facetpath demo [--host H] [--port 8000] [--no-serve] [--no-worker]   demo clinic in the data dir, served with
                                            the reminder worker beside it
facetpath serve [--host H] [--port P] [--workers N]   production server (granian, WSGI)
facetpath manage <django command> ...       Django's management commands (migrate, createsuperuser…)
facetpath worker [--once] [--every SECONDS] [--interval SECONDS]
                                            send diary reminders as they fall due; re-evaluate stages
                                            as the calendar moves them
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

SETTINGS = "facetpath.settings"
DEMO_HOST, DEMO_PORT = "127.0.0.1", 8000


def main(command: str, argv: list[str]) -> int:
    """Runs one web command; returns the process exit status."""
    commands = {"serve": serve, "manage": manage, "demo": demo, "worker": worker}
    if command not in commands:
        print(
            f"facetpath: unknown web command {command!r} (choose from {', '.join(commands)})", file=sys.stderr
        )
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    try:
        return commands[command](argv)
    except KeyboardInterrupt:
        return 130


def _setup() -> None:
    import django

    django.setup()


def manage(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["facetpath manage", *argv])
    return 0


def _server_arguments(prog: str, argv: list[str], host: str, port: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--workers", type=int, default=1)
    if prog.endswith("demo"):
        parser.add_argument("--no-serve", action="store_true", help="prepare the demo database and stop")
        parser.add_argument("--no-worker", action="store_true", help="serve without the reminder worker")
    return parser.parse_args(argv)


def serve(argv: list[str]) -> int:
    args = _server_arguments("facetpath serve", argv, os.environ.get("FACETPATH_HOST", "127.0.0.1"), 8000)
    # A server logs its requests (facetpath.web.access_log, tokens left out).
    os.environ.setdefault("FACETPATH_ACCESS_LOG", "1")
    _setup()
    warn_without_public_url("serve")
    return _run_granian(args.host, args.port, args.workers)


def warn_without_public_url(command: str) -> None:
    """Says so at start-up when messages would link to the built-in default address: the settings
    cannot tell it from a chosen one, so the environment is asked (the demo sets it; DEBUG is a
    developer's own machine)."""
    from django.conf import settings

    if os.environ.get("FACETPATH_PUBLIC_URL") or settings.DEBUG:
        return
    print(
        f"facetpath {command}: WARNING: FACETPATH_PUBLIC_URL is not set. Diary reminders, on-call alerts"
        f"\nand password-reset e-mails will link to {settings.FACETPATH_PUBLIC_URL}, which patients and"
        "\nstaff cannot reach. Set it to the address people open this server at, for example"
        "\nFACETPATH_PUBLIC_URL=https://diary.example.org",
        file=sys.stderr,
        flush=True,
    )


def served_address(host: str, port: int) -> str:
    """The address the demo serves at, for the links in its reminders and alerts. A server listening on
    every interface (0.0.0.0, ::) is reached on this machine as localhost."""
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def _run_granian(host: str, port: int, workers: int) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "facetpath.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=8,  # per worker; the database, not Python threads, is the limit here
        log_access=False,  # it prints each path whole, diary tokens too: facetpath.web.access_log instead
    ).serve()
    return 0


def demo(argv: list[str]) -> int:
    # The demo serves plain HTTP on this machine only, so cookies cannot be HTTPS-only.
    os.environ.setdefault("FACETPATH_SECURE_COOKIES", "0")
    os.environ.pop("DATABASE_URL", None)  # the demo always uses SQLite in the data dir
    args = _server_arguments("facetpath demo", argv, DEMO_HOST, DEMO_PORT)
    os.environ.setdefault("FACETPATH_ACCESS_LOG", "1")
    # Links in reminders and on-call alerts point where this demo serves; set before Django reads its
    # settings, and inherited by the reminder worker started below.
    os.environ["FACETPATH_PUBLIC_URL"] = served_address(args.host, args.port)
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _load_demo_once(Path(settings.DATA_DIR))
    _print_api_token(Path(settings.DATA_DIR), args.host, args.port)
    _print_logins(args.host, args.port)
    if args.no_serve:
        return 0
    # The worker sends diary reminders as they fall due, so the demo's outbox fills at the right times.
    helper = None if args.no_worker else subprocess.Popen([sys.executable, "-m", "facetpath.cli", "worker"])
    try:
        return _run_granian(args.host, args.port, args.workers)
    finally:
        if helper is not None:
            helper.terminate()
            helper.wait(timeout=10)


def _load_demo_once(data_dir: Path) -> None:
    """Loads the demo clinic unless it was loaded today (its dates are relative to the day it is loaded)."""
    from facetpath.clinics.models import Clinic
    from facetpath.web.demo import DEMO_CLINIC, load_demo

    marker = data_dir / "demo-loaded-on.txt"
    clinic = Clinic.objects.filter(name=DEMO_CLINIC).first()
    # Today where the demo clinic is (its dates count from that day), not the server's date in UTC.
    if clinic is not None and marker.exists() and marker.read_text().strip() == clinic.today().isoformat():
        print("Demo clinic already loaded today; keeping your changes.")
        return
    clinic = load_demo()
    marker.write_text(clinic.today().isoformat())
    print(f"Loaded {clinic.name}: {clinic.patients.count()} synthetic patients.")


def _print_api_token(data_dir: Path, host: str, port: int) -> None:
    """The demo clinic's API token and a first request with it (docs/api.md)."""
    from facetpath.clinics.models import Clinic
    from facetpath.web.demo import DEMO_CLINIC, demo_api_token

    clinic = Clinic.objects.filter(name=DEMO_CLINIC).first()
    if clinic is None:  # nothing loaded (a test that skips loading)
        return
    secret = demo_api_token(clinic, data_dir)
    base = served_address(host, port)
    print(
        f"API (docs at {base}/api/v1/docs): the demo clinic's read-write token is\n  {secret}\n"
        f'  curl -H "Authorization: Bearer {secret}" {base}/api/v1/procedures\n'
        "Clinic admins make and revoke tokens at /staff/api-tokens/.",
        flush=True,
    )


def _print_logins(host: str, port: int) -> None:
    from facetpath.web.demo import DEMO_PASSWORD, DEMO_STAFF

    print(f"\nfacetpath demo on {served_address(host, port)}/  (synthetic patients only)\n")
    print(f"  {'role':<12} {'username':<12} password")
    for username, _given, _family, role in DEMO_STAFF:
        print(f"  {role.label:<12} {username:<12} {DEMO_PASSWORD}")
    print(
        "\nA second factor is optional in the demo. To set up an authenticator app or a passkey, sign in at"
        f"\nhttp://localhost:{port}/login/ (passkeys need the name localhost, not an IP address) and open"
        f"\nhttp://localhost:{port}/account/2fa/. A clinic admin can require it per role: Admin → Clinics."
        "\n\nStop with Ctrl+C.\n",
        flush=True,
    )


def worker(argv: list[str]) -> int:
    """Sends diary reminders as they fall due (django-tasks-db) and, every `--every` seconds, re-evaluates
    every stage, which the calendar moves (each write keeps its own patient's stage current)."""
    parser = argparse.ArgumentParser(prog="facetpath worker")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    parser.add_argument(
        "--every", type=int, default=3600, help="seconds between passes over every stage (default 3600)"
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=10.0,
        help="seconds between checks for due reminders (default 10)",
    )
    args = parser.parse_args(argv)
    _setup()
    warn_without_public_url("worker")
    from django.core.management import call_command

    from facetpath.diary.services import send_lost_reminders

    last_pass = None
    while True:
        if last_pass is None or time.monotonic() - last_pass >= max(60, args.every):
            call_command("refresh_stages")
            last_pass = time.monotonic()
        # Every task already due (reminders carry their send time), then reminders whose task was lost.
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        send_lost_reminders()
        if args.once:
            return 0
        time.sleep(max(1.0, args.interval))
