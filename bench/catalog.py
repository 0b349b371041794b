"""Render times of the list and offer pages at the 2017 scale (about 50,000 offers).

    .venv/bin/python bench/catalog.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/catalog.py --engine sqlite --requests 100

Builds a database per engine (reference data, the real demo feeds, then
`demo generate --jobs 23000 --trainings 26000 --seed 1`), then times server-side renders
through the Flask test client: no network, so these are the app's and the database's own
costs. Prints medians and p95 in milliseconds. Timings belong here, never in tests.
"""
import argparse
from datetime import date
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text  # noqa: E402

from bench import common  # noqa: E402

from app import create_app  # noqa: E402
from app import db  # noqa: E402
from app.catalog.models import Offer  # noqa: E402
from app.catalog.services import in_tenant_scope  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.tenants.services import get_tenant  # noqa: E402

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jobtab_bench")
TENANT = "auvergne-rhone-alpes"


def fresh_database(engine_name: str, workdir: Path) -> str:
    return common.fresh_database(engine_name, workdir / "bench.sqlite3", POSTGRES_URL)


def build(app, url: str) -> dict:
    upgrade(url)
    runner = app.test_cli_runner()
    steps = [
        ["reference", "load"],
        ["demo", "load"],
        ["demo", "generate", "--jobs", "23000", "--trainings", "26000", "--seed", "1",
         "--reference-date", date.today().isoformat()],
    ]
    timings = {}
    for args in steps:
        started = time.perf_counter()
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}")
        timings[" ".join(args)] = time.perf_counter() - started
    return timings


def sample_ids(app, kind: str, count: int, rng: random.Random) -> list[int]:
    with app.app_context():
        tenant = get_tenant(db.session, TENANT)
        ids = db.session.scalars(select(Offer.id).where(Offer.kind == kind, in_tenant_scope(tenant))).all()
        total = db.session.scalar(select(text("count(*)")).select_from(Offer.__table__))
        db.session.remove()
    return rng.sample(ids, min(count, len(ids))), total


def measure(client, urls: list[str]) -> list[float]:
    for url in urls[:5]:  # warm the caches, as a running server would be
        client.get(url)
    durations = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return durations


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(engine_name: str, requests: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as workdir:
        url = fresh_database(engine_name, Path(workdir))
        app = create_app({"JOBTAB_ENV": "bench", "SECRET_KEY": "bench-only", "DATABASE_URL": url,
                          "PUBLIC_BASE_URL": "http://bench.local"})
        build_times = build(app, url)
        job_ids, total = sample_ids(app, "job", requests, rng)
        training_ids, _ = sample_ids(app, "training", requests, rng)
        client = app.test_client()
        base = f"/t/{TENANT}"
        scenarios = {
            "jobs list, page 1": [f"{base}/jobs"] * requests,
            "jobs list, pages 2-50": [f"{base}/jobs?page={rng.randint(2, 50)}" for _ in range(requests)],
            "jobs list, keyword": [f"{base}/jobs?q={rng.choice(['aide', 'cuisinier', 'vendeur', 'comptable', 'data'])}"
                                   for _ in range(requests)],
            "trainings list, page 1": [f"{base}/trainings"] * requests,
            "job offer page": [f"{base}/jobs/{offer_id}" for offer_id in job_ids],
            "training offer page": [f"{base}/trainings/{offer_id}" for offer_id in training_ids],
        }
        print(f"\n## {engine_name}: {total} offers in the catalog")
        for step, seconds in build_times.items():
            print(f"- build: `flask {step}` {seconds:.1f} s")
        print("\n| page | requests | median ms | p95 ms |\n|---|---|---|---|")
        for name, urls in scenarios.items():
            durations = measure(client, urls)
            print(f"| {name} | {len(durations)} | {statistics.median(durations):.1f} | {p95(durations):.1f} |")
        db.get_engine(app).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for engine_name in engines:
        run(engine_name, args.requests)


if __name__ == "__main__":
    main()
