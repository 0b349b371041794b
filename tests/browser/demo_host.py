"""Serve the demo host page as `flask --app wsgi demo host` means to, for the browser tests.

`demo host` calls `app.run()` from inside a `flask` command, which Flask ignores ("Ignoring a
call to 'app.run()' that would block the current 'flask' CLI command"): the command exits at
once. Until it serves through werkzeug's `run_simple`, the harness falls back to this module,
which builds the very same host app (`create_host_app`) from the same database.

    python -m tests.browser.demo_host --bind localhost --port 8000 --widget-url http://127.0.0.1:5000
"""
import argparse

from werkzeug.serving import run_simple

from app import create_app
from app import db
from app.demo.host import create_host_app
from app.tenants.services import list_tenants


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", default="localhost")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--widget-url", required=True)
    arguments = parser.parse_args()
    app = create_app()
    with app.app_context():
        tenants = [{"slug": tenant.slug, "name": tenant.name} for tenant in list_tenants(db.session)]
        db.session.remove()
    run_simple(arguments.bind, arguments.port, create_host_app(arguments.widget_url, tenants), threaded=True)


if __name__ == "__main__":
    main()
