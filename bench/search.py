"""Search latency and throughput, on SQLite and PostgreSQL, at 50,000 and 500,000 offers.

    .venv/bin/python bench/search.py                                  # both engines, 50k
    .venv/bin/python bench/search.py --engine sqlite --size 500k
    .venv/bin/python bench/search.py --engine postgresql --size 50k --skip-load

Builds a database (reference data, the real demo feeds, `demo generate --reference-date today`:
offers past expiry are hidden) and the precomputed counts of broad searches (`search counts
--rebuild`, as cron does at midnight), then runs one seeded mix of 200 queries: occupation + zone,
text + zone, national text, place + facets, deep pages. Prints, per kind of query, median, p95
and p99 in ms of (1) the search service (facet counts and exact total, page of 20, imprecise
count) and its ratio to a plain primary-key fetch timed in the same run, (2) the database time
alone within it (the statements' execute and fetch, what the aims of issue 4 bound), (3) the
whole results page through the Flask test client, counting on every page unless
--page-counts-cache says otherwise (the first visitor's cost), and (4) pages/s with 2 gunicorn
workers under wrk over loopback (≤ 15 s, after every page was requested six times: the server's
own counts cache, 60 s, applies there, so wrk measures the steady state of 200 repeated searches;
with --page-cache N, a second wrk run has whole pages reused N s, SEARCH_PAGE_CACHE_SECONDS).
Timings belong here, never in tests.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from app import create_app  # noqa: E402
from app import db  # noqa: E402
from app.catalog.models import Offer  # noqa: E402
from app.demo.generate import HIGH_DEMAND_OCCUPATIONS  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.search.criteria import read_criteria  # noqa: E402
from app.search.services import search_offers  # noqa: E402
from app.tenants.services import get_tenant  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jobtab_bench_search")
TENANT = "auvergne-rhone-alpes"
SIZES = {"50k": (23000, 26000), "500k": (440000, 60000)}  # jobs, trainings generated
QUERIES = 200
WORDS = ("serveur", "serveuse", "aide soignante", "cuisinier", "vendeuse", "chauffeur", "comptable",
         "agent de sécurité", "infirmière", "maçon", "electricien", "boulanger", "preparateur commandes",
         "assistante de vie", "mecanicien", "agent d'entretien", "commercial", "developpeur")
COMMUNES = ("69123", "38185", "63113", "42218", "74010", "73065", "26362", "01053", "03185", "69266",
            "15014", "43157", "07186", "38053", "74281")
MIX = (("occupation + zone", 0.30), ("text + zone", 0.30), ("national text", 0.10),
       ("zone + facets", 0.15), ("deep pages", 0.15))


def database_url(engine_name: str, workdir: Path, size: str) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{workdir / f'bench-search-{size}.sqlite3'}"
    return make_url(POSTGRES_URL).set(database=f"{make_url(POSTGRES_URL).database}_{size}").render_as_string(
        hide_password=False)


def recreate(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def build(app, url: str, size: str) -> dict:
    recreate(url)
    upgrade(url)
    jobs, trainings = SIZES[size]
    runner = app.test_cli_runner()
    timings = {}
    for args in (["reference", "load"], ["demo", "load"],
                 ["demo", "generate", "--jobs", str(jobs), "--trainings", str(trainings), "--seed", "1",
                  "--reference-date", date.today().isoformat()]):
        started = time.perf_counter()
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}")
        timings[" ".join(args)] = time.perf_counter() - started
    if make_url(url).get_backend_name() == "sqlite":
        with create_engine(url).begin() as connection:
            connection.exec_driver_sql("INSERT INTO offers_fts(offers_fts) VALUES ('optimize')")
            connection.exec_driver_sql("ANALYZE")
    else:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE offers")
            connection.exec_driver_sql("VACUUM ANALYZE training_sessions")  # as autovacuum would, in time
        engine.dispose()
    return timings


def query_mix(rng: random.Random, queries: int = QUERIES) -> list[tuple[str, str, dict]]:
    """(kind of query, tab, parameters), seeded: the same queries on every engine (a shorter mix
    is the start of the longer one)."""
    mix = []
    for _ in range(queries):
        kind = rng.choices([name for name, _ in MIX], weights=[share for _, share in MIX])[0]
        zone = {"commune": rng.choice(COMMUNES), "radius": rng.choice((10, 20, 30, 50))}
        if kind == "occupation + zone":
            mix.append((kind, "jobs", {"occupation": rng.choice(HIGH_DEMAND_OCCUPATIONS[:20]), **zone}))
        elif kind == "text + zone":
            mix.append((kind, "jobs", {"q": rng.choice(WORDS), **zone}))
        elif kind == "national text":
            mix.append((kind, rng.choice(("jobs", "trainings")), {"q": rng.choice(WORDS)}))
        elif kind == "zone + facets":
            mix.append((kind, "jobs", {**zone, "contract": rng.choice(("CDI", "CDD", "MIS")),
                                       "published": rng.choice((7, 30))}))
        else:
            mix.append((kind, rng.choice(("jobs", "trainings")), {"page": rng.randint(5, 50)}))
    return mix


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    if len(ordered) < 2:  # a short mix (--queries) may hold one query of a kind
        return ordered[0], ordered[0], ordered[0]
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cut[94], cut[98]


class StatementClock:
    """Time spent in the database driver (execute, then fetching the rows) while switched on."""

    def __init__(self, engine):
        self.total, self.on, self._started = 0.0, False, 0.0
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, *_args):
        self._started = time.perf_counter()

    def after(self, _connection, cursor, *_args):
        if self.on:
            self.total += time.perf_counter() - self._started


def time_service(app, mix) -> tuple[dict[str, list[float]], dict[str, list[float]], list[float]]:
    """Server-side search time per query, its database part, and a primary-key fetch timed in between."""
    by_kind: dict[str, list[float]] = {}
    database: dict[str, list[float]] = {}
    primary_key = []
    with app.test_request_context():
        clock = StatementClock(db.session.get_bind().engine)
        tenant = get_tenant(db.session, TENANT)
        ids = db.session.scalars(select(Offer.id).order_by(func.random()).limit(len(mix))).all()
        for round_number in range(2):  # the first round warms caches, as a running server would
            for (kind, tab, parameters), offer_id in zip(mix, ids):
                db.session.expunge_all()
                started = time.perf_counter()
                db.session.execute(select(Offer).where(Offer.id == offer_id)).scalar_one()
                pk_time = time.perf_counter() - started
                reading = read_criteria(db.session, tenant, "job" if tab == "jobs" else "training",
                                        MultiDict({k: str(v) for k, v in parameters.items()}), per_page=20)
                clock.total, clock.on = 0.0, True
                started = time.perf_counter()
                search_offers(db.session, tenant, reading.criteria, now=datetime.now(timezone.utc))
                elapsed = time.perf_counter() - started
                clock.on = False
                if round_number:
                    by_kind.setdefault(kind, []).append(elapsed * 1000)
                    database.setdefault(kind, []).append(clock.total * 1000)
                    primary_key.append(pk_time * 1000)
        db.session.remove()
    return by_kind, database, primary_key


def page_url(tab: str, parameters: dict) -> str:
    return f"/t/{TENANT}/{tab}?{urlencode(parameters, doseq=True)}"


def time_pages(app, mix) -> dict[str, list[float]]:
    client = app.test_client()
    by_kind: dict[str, list[float]] = {}
    for round_number in range(2):
        for kind, tab, parameters in mix:
            started = time.perf_counter()
            response = client.get(page_url(tab, parameters))
            elapsed = time.perf_counter() - started
            if response.status_code not in (200, 404):  # 404: a deep page past the end
                raise SystemExit(f"{page_url(tab, parameters)} answered {response.status_code}")
            if round_number:
                by_kind.setdefault(kind, []).append(elapsed * 1000)
    return by_kind


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pages_per_second(url: str, mix, seconds: int, page_cache: int = 0) -> str:
    """2 gunicorn sync workers, wrk cycling through the mix's pages over loopback. `page_cache`:
    SEARCH_PAGE_CACHE_SECONDS of the server (0: every page rendered)."""
    if not shutil.which("wrk"):
        return "wrk not installed (apt-get install -y wrk)"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only", "JOBTAB_ENV": "bench",
           "PUBLIC_BASE_URL": "http://bench.local", "SEARCH_PAGE_CACHE_SECONDS": str(page_cache)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env,
    )
    try:
        script = Path(tempfile.mkdtemp()) / "mix.lua"
        paths = ", ".join('"' + page_url(tab, parameters).replace('"', '\\"') + '"' for _, tab, parameters in mix)
        script.write_text(
            f"paths = {{{paths}}}\ncounter = 0\n"
            "request = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        # Warm both workers' counts caches: every page six times, one request at a time (a sync
        # worker takes whichever request comes, so each page reaches both with probability
        # 1 - 2^-5). Not wrk: stopping it early leaves idle connections that time a worker out.
        for path in [page_url(tab, parameters) for _, tab, parameters in mix] * 6:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
                    response.read()
            except urllib.error.HTTPError:  # a deep page past the end: 404, counted all the same
                pass
        result = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        )
        return result.stdout
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def report(title: str, by_kind: dict[str, list[float]], reference: list[float] | None = None) -> None:
    reference_median = statistics.median(reference) if reference else None
    ratio = " | × PK median" if reference else ""
    print(f"\n{title}\n\n| query | n | median ms | p95 ms | p99 ms{ratio} |\n|---|---|---|---|---|{'---|' if reference else ''}")
    everything = [value for values in by_kind.values() for value in values]
    for kind, values in [*by_kind.items(), ("all", everything)]:
        median, p95, p99 = percentiles(values)
        extra = f" | {median / reference_median:.0f}" if reference else ""
        print(f"| {kind} | {len(values)} | {median:.2f} | {p95:.2f} | {p99:.2f}{extra} |")


def run(engine_name: str, size: str, skip_load: bool, wrk_seconds: int, page_counts_cache: int,
        queries: int = QUERIES, page_cache: int = 0) -> None:
    workdir = Path(os.environ.get("BENCH_DIR", tempfile.gettempdir()))
    url = database_url(engine_name, workdir, size)
    app = create_app({"JOBTAB_ENV": "bench", "SECRET_KEY": "bench-only", "DATABASE_URL": url,
                      "PUBLIC_BASE_URL": "http://bench.local", "SEARCH_COUNTS_CACHE_SECONDS": page_counts_cache,
                      "SEARCH_PAGE_CACHE_SECONDS": 0})  # every page timed is rendered
    print(f"\n## {engine_name}, {size}")
    if not skip_load:
        for step, seconds in build(app, url, size).items():
            print(f"- build: `flask {step}` {seconds:.1f} s")
    else:
        upgrade(url)  # a database built by an older version of the code
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["search", "counts", "--rebuild"])  # as cron at midnight
    if result.exit_code != 0:
        raise SystemExit(f"search counts failed:\n{result.output}\n{result.exception!r}")
    print(f"- `flask search counts --rebuild`: {time.perf_counter() - started:.2f} s ({result.output.strip()})")
    if make_url(url).get_backend_name() == "postgresql":
        # The rebuild deleted the deltas the load wrote (one per offer): autovacuum would reclaim
        # them within a minute; a bench that starts at once does it itself.
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM search_count_deltas")
        engine.dispose()
    with app.app_context():
        total = db.session.scalar(select(func.count(Offer.id)))
        db.session.remove()
    print(f"- {total} offers in the catalog")
    mix = query_mix(random.Random(4), queries)
    by_kind, database, primary_key = time_service(app, mix)
    pk_median, pk_p95, _ = percentiles(primary_key)
    print(f"- primary-key fetch (`select(Offer).where(id == …)`): median {pk_median:.3f} ms, p95 {pk_p95:.3f} ms")
    report("### Search service (database + Python; count, facets, top 20)", by_kind, primary_key)
    report("### Database time within the search service (statements: execute + fetch)", database, primary_key)
    cache = f"counts reused {page_counts_cache} s" if page_counts_cache else "counting on every page"
    report(f"### Whole results page (Flask test client, HTML, {cache})", time_pages(app, mix))
    db.get_engine(app).dispose()
    for server_page_cache in sorted({0, page_cache}):
        print(f"\n### 2 gunicorn workers, wrk -t2 -c8 over loopback, the same {len(mix)} pages in turn, "
              f"SEARCH_PAGE_CACHE_SECONDS={server_page_cache}\n")
        print("```\n" + pages_per_second(url, mix, wrk_seconds, server_page_cache).strip() + "\n```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--size", choices=list(SIZES), default="50k")
    parser.add_argument("--skip-load", action="store_true", help="reuse the database a previous run built")
    parser.add_argument("--wrk-seconds", type=int, default=10, choices=range(1, 16))
    parser.add_argument("--page-counts-cache", type=int, default=0, metavar="SECONDS",
                        help="SEARCH_COUNTS_CACHE_SECONDS for the test-client pages (default 0: every page "
                             "counts, as for a search's first visitor; the server default is 60)")
    parser.add_argument("--page-cache", type=int, default=0, metavar="SECONDS",
                        help="also run wrk with whole results pages reused this long by the server "
                             "(SEARCH_PAGE_CACHE_SECONDS; the run without it always comes first)")
    parser.add_argument("--queries", type=int, default=QUERIES,
                        help=f"how many queries of the seeded mix (default {QUERIES}; fewer for a quick 500k run)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {date.today().isoformat()}")
    for engine_name in (["sqlite", "postgresql"] if args.engine == "both" else [args.engine]):
        run(engine_name, args.size, args.skip_load, args.wrk_seconds, args.page_counts_cache, args.queries,
            args.page_cache)


if __name__ == "__main__":
    main()
