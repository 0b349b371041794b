"""Applying: time from submit to stored, and the outbox's delivery rate, on SQLite or PostgreSQL.

    .venv/bin/python bench/apply.py                       # SQLite, 200 applications
    .venv/bin/python bench/apply.py --count 500
    .venv/bin/python bench/apply.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/jobtab_bench_apply

Builds a fresh database (migrations, one tenant, one offer), posts `--count` applications with
a 1 MB PDF through the Flask test client (form token, CV checks, file write, commit and two
outbox rows each; the time trap and rate limits are off), then sends the outbox to an aiosmtpd
server on loopback. Prints median and p95 in ms from submit to stored, and messages/s
delivered. Timings belong here, never in tests.
"""
import argparse
import statistics
from datetime import datetime, timezone
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from app import create_app  # noqa: E402
from app import db  # noqa: E402
from app.apply import tokens  # noqa: E402
from app.catalog.models import JobOffer, Region, Source  # noqa: E402
from app.mail.sender import SMTPMailer  # noqa: E402
from app.mail.services import deliver_due  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.tenants.models import Tenant  # noqa: E402
from tests.conftest import recreate_postgres_database  # noqa: E402
from tests.unit.mail.sink import SmtpSink  # noqa: E402

ONE_MB_PDF = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 20) + b"\n%%EOF\n"


def prepare(database_url: str, upload_dir: str):
    if database_url.startswith("postgresql"):
        recreate_postgres_database(make_url(database_url))
    upgrade(database_url)
    app = create_app({"TESTING": True, "JOBTAB_ENV": "test", "SECRET_KEY": "bench-only", "DATABASE_URL": database_url,
                      "PUBLIC_BASE_URL": "http://jobtab.test", "UPLOAD_DIR": upload_dir, "APPLY_MIN_SECONDS": 0,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        region = Region(code="84", name="Auvergne-Rhône-Alpes", zone="metro")
        source = Source(slug="bench", name="Bench", kind="employer")
        tenant = Tenant(slug="bench", name="Bench", region_codes=["84"], allowed_hosts=[])
        offer = JobOffer(source=source, partner_id="1", title="Cuisinier", apply_method="email",
                         apply_email="recrutement@example.org", region_code="84", published_at=datetime.now(timezone.utc))
        db.session.add_all([region, source, tenant, offer])
        db.session.commit()
        offer_id = offer.id
        db.session.remove()
    return app, offer_id


def submit_all(app, offer_id: int, count: int) -> list[float]:
    client = app.test_client()
    durations = []
    for number in range(count):
        with app.test_request_context():
            token = tokens.new_form_token(offer_id)
        data = {"form_token": token, "name": f"Personne {number}", "email": f"p{number}@example.org",
                "cv": (BytesIO(ONE_MB_PDF), "cv.pdf")}
        builder = EnvironBuilder(path=f"/t/bench/jobs/{offer_id}/apply", method="POST", data=data,
                                 content_type="multipart/form-data")
        environ = builder.get_environ()
        builder.close()
        started = time.perf_counter()
        response = client.open(environ)
        durations.append(time.perf_counter() - started)
        environ["wsgi.input"].close()  # the test client leaves a big body's temporary file open
        assert response.status_code == 303, response.status_code
    return durations


def deliver(app) -> tuple[int, float]:
    sink = SmtpSink()
    sink.start()
    try:
        with app.app_context():
            started = time.perf_counter()
            result = deliver_due(db.session, SMTPMailer(sink.host, sink.port), "Jobtab <no-reply@jobtab.test>")
            elapsed = time.perf_counter() - started
            db.session.remove()
    finally:
        sink.stop()
    return result.sent, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{folder}/bench_apply.sqlite3"
        app, offer_id = prepare(url, f"{folder}/uploads")
        durations = submit_all(app, offer_id, arguments.count)
        sent, elapsed = deliver(app)
        db.get_engine(app).dispose()
    milliseconds = sorted(d * 1000 for d in durations)
    p95 = milliseconds[max(0, round(0.95 * len(milliseconds)) - 1)]
    print(f"engine: {url.split(':')[0]}  applications: {arguments.count} with a 1 MB PDF")
    print(f"submit to stored: median {statistics.median(milliseconds):.1f} ms, p95 {p95:.1f} ms")
    print(f"outbox: {sent} messages in {elapsed:.2f} s ({sent / elapsed:.0f} messages/s)")


if __name__ == "__main__":
    main()
