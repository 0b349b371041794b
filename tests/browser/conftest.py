"""Browser harness: one database, one widget server, one demo host and one Chromium per session.

The widget runs under gunicorn at http://127.0.0.1:<port>; the demo host page (an institution's
site) at http://localhost:<port>: two different sites, as in production. Each test gets a fresh
browser context (no shared cookies, cache or storage).
"""
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import create_engine, select

from app.migrate import upgrade
from tests.browser import data
from tests.conftest import TEST_SECRET_KEY, database_url

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TENANT = "auvergne-rhone-alpes"
OTHER_TENANT = "hauts-de-france"
STARTUP_TIMEOUT = 60  # seconds, for a server to answer its first request
PAGE_TIMEOUT = 15_000  # milliseconds, for a Playwright wait

expect.set_options(timeout=PAGE_TIMEOUT)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"flask {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
    return result


class Server:
    """A subprocess serving HTTP, its output kept in a log file for failure messages."""

    def __init__(self, name: str, command: list[str], env: dict, url: str, log_dir: Path):
        self.name, self.url = name, url
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_until_ready(self, path: str) -> None:
        """Return once `path` answers 200; fail the session if the server exits or never answers."""
        session = requests.Session()
        session.trust_env = False  # never through a proxy: these are loopback servers
        try:
            deadline = STARTUP_TIMEOUT * 10
            for _ in range(deadline):
                if self.process.poll() is not None:
                    pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
                try:
                    if session.get(self.url + path, timeout=2).status_code == 200:
                        return
                except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting (loaded CPU)
                    pass
                try:
                    self.process.wait(timeout=0.1)  # a process wait, not a sleep: it ends early on exit
                except subprocess.TimeoutExpired:
                    pass
            pytest.fail(f"{self.name} did not answer {path} within {STARTUP_TIMEOUT} s:\n{self.log()}")
        finally:
            session.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def browser_env(tmp_path_factory):
    """The browser tests' own database, migrated and loaded through the CLI like a deployment."""
    tmp_dir = tmp_path_factory.mktemp("browser")
    url = database_url(tmp_dir, "jobtab_browser_test")
    upgrade(url)
    ports = set()
    while len(ports) < 4:
        ports.add(free_port())
    host_port, widget_port, framing_port, other_port = ports
    host_origin = f"http://localhost:{host_port}"
    widget_origin = f"http://127.0.0.1:{widget_port}"
    # A second allowed host site (pages written by the tests) and a site that is not allowed.
    framing_origin = f"http://localhost:{framing_port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JOBTAB_ENV": "development",
        "SECRET_KEY": TEST_SECRET_KEY,
        "PUBLIC_BASE_URL": widget_origin,
        "PYTHONUNBUFFERED": "1",
        # Applications: CVs in the test's folder; no time trap, since a test types faster than a person.
        "UPLOAD_DIR": str(tmp_dir / "uploads"),
        "APPLY_MIN_SECONDS": "0",
    }
    env.pop("FLASK_DEBUG", None)
    run_cli(env, "reference", "load")
    run_cli(env, "demo", "load", "--host-origin", host_origin, "--host-origin", framing_origin)
    added = data.top_up_catalog(url, TENANT)
    if added:
        print(f"\nbrowser tests: the demo data of {TENANT} was topped up with {', '.join(added)}")
    return {
        "url": url,
        "env": env,
        "tmp_dir": tmp_dir,
        "host_port": host_port,
        "host_origin": host_origin,
        "widget_port": widget_port,
        "widget_origin": widget_origin,
        "framing_port": framing_port,
        "other_port": other_port,
    }


@pytest.fixture(scope="session")
def widget_server(browser_env):
    env = {**browser_env["env"], "JOBTAB_ENV": "production"}  # production-like: no dev fallbacks
    server = Server(
        "widget",
        [str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "4",
         "--bind", f"127.0.0.1:{browser_env['widget_port']}", "wsgi:app"],
        env, browser_env["widget_origin"], browser_env["tmp_dir"],
    )
    try:
        server.wait_until_ready("/healthz")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def host_server(browser_env, widget_server):
    """The demo host page, served by `flask demo host` as the README's demo does."""
    command = [str(VENV_BIN / "flask"), "--app", "wsgi", "demo", "host", "--bind", "localhost",
               "--port", str(browser_env["host_port"]), "--widget-url", browser_env["widget_origin"]]
    server = Server("host", command, browser_env["env"], browser_env["host_origin"], browser_env["tmp_dir"])
    try:
        server.wait_until_ready(f"/{TENANT}")
        yield server
    finally:
        server.stop()


class TinySite:
    """A static web site on loopback whose pages the tests write: `url = site.serve(path, html)`.

    A real server, not page.route(): Chromium's Local Network Access rules let a page reach
    127.0.0.1 only from a loopback (or private) address, and a routed page has none.
    """

    def __init__(self, port: int):
        self.origin = f"http://localhost:{port}"
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "<!doctype html><title>404</title>").encode())

            def log_message(self, *arguments):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: str, title: str = "Autre site") -> str:
        self.pages[path] = (
            f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>"
        )
        return self.origin + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="session")
def allowed_site(browser_env):
    """A second site in the tenant's allowed_hosts, besides the demo host page."""
    tiny = TinySite(browser_env["framing_port"])
    yield tiny
    tiny.stop()


@pytest.fixture(scope="session")
def other_site(browser_env):
    """A site that is in no tenant's allowed_hosts."""
    tiny = TinySite(browser_env["other_port"])
    yield tiny
    tiny.stop()


@pytest.fixture(scope="session")
def site(browser_env, widget_server, host_server):
    """Where things are: URLs of the two servers and the tenant's name."""
    from app.tenants.models import Tenant

    engine = create_engine(browser_env["url"])
    with engine.connect() as connection:
        names = dict(connection.execute(select(Tenant.slug, Tenant.name)).all())
    engine.dispose()
    return Site(
        widget=browser_env["widget_origin"],
        host=browser_env["host_origin"],
        tenant=TENANT,
        tenant_name=names[TENANT],
    )


class Site:
    def __init__(self, widget: str, host: str, tenant: str, tenant_name: str):
        self.widget, self.host, self.tenant, self.tenant_name = widget, host, tenant, tenant_name

    def widget_url(self, path: str = "jobs") -> str:
        return f"{self.widget}/t/{self.tenant}/{path}"

    def host_url(self, query: str = "") -> str:
        return f"{self.host}/{self.tenant}" + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_context(browser):
    """Make fresh contexts (French, desktop width unless told); all closed after the test."""
    contexts = []

    def make(**options):
        options = {"locale": "fr-FR", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(PAGE_TIMEOUT)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, site):
    return new_context().new_page()
