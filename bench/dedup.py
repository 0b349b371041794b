"""Deduplication speed and memory at 50,000 and 500,000 job offers, on SQLite and PostgreSQL.

    .venv/bin/python bench/dedup.py                          # both engines, both sizes
    .venv/bin/python bench/dedup.py --engine sqlite --sizes 50000 --runs 3

For each engine and size: a fresh database (reference data), `demo generate` jobs, then
planted duplicates (PLANTED_SHARE of the offers copied as a temp agency would publish them:
its name instead of the employer's, its boilerplate around the text, another title form, a
date a few days off). Deterministic: fixed seeds. Then it times, each in a fresh process so
that the peak memory is that step's own:
- `deduplicate_all` (the full rebuild), median of --runs;
- `deduplicate_offers` on 5,000 new offers (half new vacancies, half copies of stock
  offers) against the deduplicated stock, median of --runs batches;
and prints the pairwise precision and recall on the planted copies as a sanity check (the
generated vacancies themselves are taken as distinct). Each update also prints the CPU time
of its Python process (on SQLite, the database's work included; on PostgreSQL, without the
server's): on a loaded 2-core machine that is the steadier figure. Timings belong here, never
in tests.

`--update-region 84` passes only the batch's offers located in that région (a regional
partner's feed, about 600 of the 5,000): an update reads only the stock of the areas its
offers touch, which the nationwide batch (every département) cannot show.
"""
import argparse
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench import common  # noqa: E402

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jobtab_bench_dedup")
PLANTED_SHARE = 0.3
UPDATE_SIZE = 5000
AGENCY_SLUG = "bench-agence-interim"
AGENCY_BEFORE = "Horizon Intérim recrute pour l'un de ses clients, acteur reconnu de son secteur."
AGENCY_AFTER = "Acompte de paie à la semaine, comité d'entreprise. Postulez en ligne, réponse sous 48 heures."


def fresh_database(engine_name: str, workdir: Path, size: int) -> str:
    return common.fresh_database(engine_name, workdir / f"dedup-{size}.sqlite3", POSTGRES_URL)


def app_for(url: str):
    from app import create_app

    return create_app({"TESTING": False, "JOBTAB_ENV": "bench", "SECRET_KEY": "bench-only-secret-key-0123456789",
                       "DATABASE_URL": url, "PUBLIC_BASE_URL": "http://jobtab.bench", "SERVER_NAME": None})


# --- Building the data ------------------------------------------------------------------------

def build(url: str, size: int) -> None:
    from app import db
    from app.catalog.reference import load_reference
    from app.demo.generate import generate_demo
    from app.migrate import upgrade

    upgrade(url)
    app = app_for(url)
    with app.app_context():
        load_reference(db.session)
        generate_demo(db.session, jobs=round(size / (1 + PLANTED_SHARE)), trainings=0, seed=1)
        db.session.commit()
        base_ids = list(db.session.scalars(select(text("id")).select_from(text("offers")).order_by(text("id"))))
        plant_copies(db.session, random.Random(7).sample(base_ids, size - len(base_ids)), "copie")
        db.session.commit()


def agency_source_id(session) -> int:
    from app.ingest.services import get_or_create_source

    return get_or_create_source(session, AGENCY_SLUG, "Bench – agence d'intérim", "temp_agency", 40, "generated").id


def plant_copies(session, offer_ids: list[int], prefix: str) -> list[int]:
    """A temp agency's copy of each of these offers; returns the copies' ids."""
    from app.catalog.models import Offer

    table = Offer.__table__
    source_id = agency_source_id(session)
    slugs = dict(session.execute(select(text("id"), text("slug")).select_from(text("sources"))).all())
    rng = random.Random(f"{prefix}-{len(offer_ids)}")
    copied_columns = [column for column in table.c if column.name not in ("id", "ingested_at", "duplicate_of_id")]
    rows = []
    for start in range(0, len(offer_ids), 5000):
        chunk = sorted(offer_ids[start:start + 5000])
        for row in session.execute(select(*copied_columns).where(table.c.id.in_(chunk))).mappings():
            original = f"{slugs[row['source_id']]}:{row['partner_id']}"
            rows.append(agency_copy(dict(row), source_id, f"{prefix}/{original}", rng))
    for start in range(0, len(rows), 5000):
        session.execute(insert(table), rows[start:start + 5000])
    partner_ids = [row["partner_id"] for row in rows]
    found = []
    for start in range(0, len(partner_ids), 5000):
        found += session.scalars(select(table.c.id).where(table.c.source_id == source_id, table.c.partner_id.in_(partner_ids[start:start + 5000])))
    return found


def agency_copy(row: dict, source_id: int, partner_id: str, rng: random.Random) -> dict:
    title = row["title"].replace("(H/F)", "").replace("H/F", "").strip(" -")
    return {
        **row,
        "source_id": source_id,
        "partner_id": partner_id,
        "title": rng.choice((f"{title} F/H", title.upper(), f"{title} - Intérim")),
        "description": f"{AGENCY_BEFORE}\n\n{row['description']}\n\n{AGENCY_AFTER}",
        "organisation_name": "Horizon Intérim",
        "published_at": row["published_at"] + timedelta(days=rng.randint(-5, 5)),
        "content_hash": None,
    }


def new_offers(url: str, batch: int) -> list[int]:
    """UPDATE_SIZE offers arriving after the stock: half new vacancies, half copies of
    generated stock offers (never of a copy)."""
    from app import db
    from app.demo.generate import generate_demo

    app = app_for(url)
    with app.app_context():
        before = db.session.scalar(select(func.max(text("id"))).select_from(text("offers")))
        generate_demo(db.session, jobs=UPDATE_SIZE // 2, trainings=0, seed=1000 + batch)
        fresh = list(db.session.scalars(select(text("id")).select_from(text("offers")).where(text(f"id > {before}"))))
        agency = agency_source_id(db.session)
        stock = list(db.session.scalars(
            select(text("id")).select_from(text("offers")).where(text(f"id <= {before} and source_id != {agency}"))
        ))
        copies = plant_copies(db.session, random.Random(batch).sample(stock, UPDATE_SIZE - len(fresh)), f"maj{batch}")
        db.session.commit()
    return fresh + copies


# --- Measuring, each step in its own process -------------------------------------------------

def timed_step(url: str, step: str, offer_ids: list[int] | None, queue) -> None:
    from app import db
    from app.dedup.services import deduplicate_all, deduplicate_offers

    app = app_for(url)
    with app.app_context():
        started, cpu_started = time.perf_counter(), time.process_time()
        stats = deduplicate_all(db.session) if step == "full" else deduplicate_offers(db.session, offer_ids)
        db.session.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"seconds": elapsed, "cpu_seconds": cpu, "peak_mb": peak_mb, "stats": stats})


def in_child(url: str, step: str, offer_ids: list[int] | None = None) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=timed_step, args=(url, step, offer_ids, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def planted_quality(url: str) -> dict:
    """Pairwise precision and recall on the planted copies, taking the generated vacancies as
    distinct: a copy's partner id names its original ("copie/demo-employeurs:gen-1-job-42")."""
    from itertools import combinations

    from app import db
    from app.dedup.services import export_clusters

    app = app_for(url)
    with app.app_context():
        clusters = export_clusters(db.session)
    planted: dict[str, set[str]] = {}
    for cluster in clusters:
        for key in cluster:
            slug, _, partner_id = key.partition(":")
            if slug == AGENCY_SLUG:
                original = partner_id.partition("/")[2]
                planted.setdefault(original, {original}).add(key)
    found = {pair for cluster in clusters for pair in combinations(sorted(cluster), 2)}
    expected = {pair for group in planted.values() for pair in combinations(sorted(group), 2)}
    right = len(found & expected)
    return {"precision": right / len(found) if found else 1.0, "recall": right / len(expected) if expected else 1.0}


def in_region(url: str, offer_ids: list[int], region_code: str | None) -> list[int]:
    if region_code is None:
        return offer_ids
    from app import db
    from app.catalog.models import Offer

    app = app_for(url)
    with app.app_context():
        return [offer_id for start in range(0, len(offer_ids), 5000) for offer_id in db.session.scalars(
            select(Offer.id).where(Offer.id.in_(offer_ids[start:start + 5000]), Offer.region_code == region_code)
        )]


def bench(engine_name: str, size: int, runs: int, workdir: Path, region_code: str | None = None) -> dict:
    url = fresh_database(engine_name, workdir, size)
    started = time.perf_counter()
    build(url, size)
    build_seconds = time.perf_counter() - started
    full = [in_child(url, "full") for _ in range(runs)]
    quality = planted_quality(url)
    updates = [in_child(url, "update", in_region(url, new_offers(url, batch), region_code)) for batch in range(runs)]
    return {"engine": engine_name, "size": size, "build_seconds": build_seconds, "full": full, "updates": updates, "quality": quality}


def report(result: dict) -> None:
    full, updates = result["full"], result["updates"]
    seconds = statistics.median(run["seconds"] for run in full)
    stats = full[0]["stats"]
    print(
        f"{result['engine']:10} {result['size']:>7,} offers | full {seconds:6.1f} s ({result['size'] / seconds:,.0f} offers/s), "
        f"peak {max(run['peak_mb'] for run in full):,.0f} MB, {stats['candidate_pairs']:,} candidates, "
        f"{stats['matched_pairs']:,} matched | update of {statistics.median(run['stats']['requested'] for run in updates):,.0f}"
        f" (stock read {statistics.median(run['stats']['stock'] for run in updates):,.0f}): "
        f"{statistics.median(run['seconds'] for run in updates):.2f} s "
        f"(CPU of this process {statistics.median(run['cpu_seconds'] for run in updates):.2f} s), peak {max(run['peak_mb'] for run in updates):,.0f} MB | "
        f"planted copies P {result['quality']['precision']:.3f} R {result['quality']['recall']:.3f} "
        f"| runs {[round(run['seconds'], 1) for run in full]} / {[round(run['seconds'], 2) for run in updates]} "
        f"| data built in {result['build_seconds']:.0f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--update-region", metavar="CODE", help="update with only the batch's offers of this région")
    arguments = parser.parse_args()
    engines = ("sqlite", "postgresql") if arguments.engine == "both" else (arguments.engine,)
    with tempfile.TemporaryDirectory() as workdir:
        for size in arguments.sizes:
            for engine_name in engines:
                runs = arguments.runs if size <= 50_000 else 1
                report(bench(engine_name, size, runs, Path(workdir), arguments.update_region))


if __name__ == "__main__":
    main()
