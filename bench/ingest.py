"""Feed import at scale: a generated Indeed-style feed of 50,000 and 500,000 jobs, on SQLite and
PostgreSQL (figures in docs/PERFORMANCE.md, "Ingestion").

    .venv/bin/python bench/ingest.py                              # both sizes, both engines
    .venv/bin/python bench/ingest.py --sizes 50000 --engine sqlite
    .venv/bin/python bench/ingest.py --trainings 26000            # the nightly refresh: + LHEO

Each (engine, size) runs in its own process, on a fresh database (migrations, reference data),
so peak memory (ru_maxrss) is that run's own. Steps, each timed: the full import through the
bulk path (`feeds import`'s services, without the incremental deduplication it triggers), the
re-import of the unchanged feed, a re-import where 5,000 jobs changed, then a full
deduplication through app.dedup when it exists. The feed is deterministic (seed 1): real
communes and ROME job titles from the reference tables, the title variants recruiters write.
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bench import common  # noqa: E402

from app import create_app, db  # noqa: E402
from app.catalog.models import Commune, JobTitle, PostalCode, Source  # noqa: E402
from app.catalog.reference import load_reference  # noqa: E402
from app.ingest import services  # noqa: E402
from app.ingest.connectors import connector_for  # noqa: E402
from app.ingest.connectors.base import Context  # noqa: E402
from app.ingest.fetch import http_session  # noqa: E402
from app.migrate import upgrade  # noqa: E402

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ingest_bench")
CHANGED = 5000
JOB_TYPES = ("CDI", "CDD", "temporary", "fulltime", "parttime", "Intérim", "internship", "seasonal")
SALARIES = ("De {a} 000 à {b} 000 € brut annuel", "{m} € brut mensuel", "{h},50 € / heure", "SMIC", "Selon profil", "")
TEMPLATES = ("{m} (H/F)", "{f} H/F", "{M} F/H", "{m}", "{m} - CDI", "URGENT - {f} (H/F)")


# --- The feed ----------------------------------------------------------------------------------

def write_feed(app, path: Path, jobs: int, seed: int = 1, changed: int = 0) -> None:
    """`jobs` jobs; the first `changed` get another description (an update)."""
    with app.app_context():
        titles = db.session.execute(select(JobTitle.masculine, JobTitle.feminine).order_by(JobTitle.ogr_code)).all()
        places = db.session.execute(
            select(Commune.name, PostalCode.code).join(PostalCode.commune)
            .where(Commune.population > 2000).order_by(Commune.insee_code, PostalCode.code)
        ).all()
        db.session.remove()
    rng = random.Random(seed)
    day = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8") as feed:
        feed.write('<?xml version="1.0" encoding="UTF-8"?>\n<source><publisher>Bench</publisher>\n')
        for number in range(jobs):
            masculine, feminine = rng.choice(titles)
            town, postal_code = rng.choice(places)
            title = rng.choice(TEMPLATES).format(m=masculine, f=feminine, M=masculine.upper())
            salary = rng.choice(SALARIES).format(a=rng.randint(22, 30), b=rng.randint(31, 45),
                                                 m=rng.randint(1800, 3200), h=rng.randint(12, 19))
            company = f"Entreprise {rng.randint(1, jobs // 5 + 1)}"
            note = " Poste mis à jour." if number < changed else ""
            description = (f"<p>{escape(company)} recrute un(e) {escape(masculine.lower())} à {escape(town)}.{note}</p>"
                           f"<ul><li>Accueil et conseil</li><li>Travail en équipe</li><li>Horaires : 35 h</li></ul>"
                           f"<p>{'Rejoignez une équipe engagée au service de ses clients. ' * 6}</p>")
            published = day - timedelta(minutes=rng.randrange(60 * 24 * 60))
            feed.write(
                f"<job><title><![CDATA[{title}]]></title><date>{published.isoformat()}</date>"
                f"<referencenumber>B-{number:07d}</referencenumber>"
                f"<url>https://emplois.example.org/offres/{number}</url><company><![CDATA[{company}]]></company>"
                f"<city><![CDATA[{town}]]></city><postalcode>{postal_code}</postalcode><country>FR</country>"
                f"<description><![CDATA[{description}]]></description><salary><![CDATA[{salary}]]></salary>"
                f"<jobtype>{rng.choice(JOB_TYPES)}</jobtype></job>\n"
            )
        feed.write("</source>\n")


# --- One engine, one size (a child process) ------------------------------------------------------

def fresh_database(engine_name: str, workdir: Path) -> str:
    return common.fresh_database(engine_name, workdir / "ingest-bench.sqlite3", POSTGRES_URL)


def import_once(app, slug: str, format_: str, location: Path) -> dict:
    """The bulk path `feeds import` takes, timed; the incremental deduplication is left out."""
    with app.app_context(), http_session() as http:
        source = db.session.scalar(select(Source).where(Source.slug == slug))
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        connector = connector_for(format_)
        run = services.start_run(db.session, source, connector, str(location), now)
        db.session.commit()
        services.execute_run(db.session, run, connector, Context.from_database(db.session, now, http))
        db.session.commit()
        seconds = time.perf_counter() - started
        result = {"seconds": round(seconds, 1), "status": run.status, **run.counts()}
        db.session.remove()
    return result


def deduplicate_everything(app) -> float | None:
    try:
        from app.dedup.services import deduplicate_all
    except ImportError:
        return None
    with app.app_context():
        started = time.perf_counter()
        deduplicate_all(db.session)
        db.session.commit()
        db.session.remove()
        return round(time.perf_counter() - started, 1)


def child(engine_name: str, size: int, feed: Path, changed_feed: Path, lheo: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        url = fresh_database(engine_name, Path(workdir))
        upgrade(url)
        app = create_app({"JOBTAB_ENV": "bench", "SECRET_KEY": "bench-only", "DATABASE_URL": url})
        with app.app_context():
            load_reference(db.session)
            db.session.add_all([Source(slug="bench-jobs", name="Bench", kind="employer", rank=20, format="indeed-xml"),
                                Source(slug="bench-trainings", name="Bench", kind="training_body", rank=30, format="lheo")])
            db.session.commit()
            db.session.remove()
        result = {"engine": engine_name, "offers": size}
        result["full"] = import_once(app, "bench-jobs", "indeed-xml", feed)
        result["unchanged"] = import_once(app, "bench-jobs", "indeed-xml", feed)
        result["changed"] = import_once(app, "bench-jobs", "indeed-xml", changed_feed)
        if lheo:
            result["trainings"] = import_once(app, "bench-trainings", "lheo", lheo)
        result["dedup_seconds"] = deduplicate_everything(app)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        db.get_engine(app).dispose()
    return result


# --- Trainings: an LHEO feed from the real Carif record ---------------------------------------------

def write_lheo(path: Path, trainings: int) -> None:
    """`trainings` formations: the real trefle record, renumbered, title and dates varied."""
    from app.demo.load import FEEDS_DIR

    source = (FEEDS_DIR / "trefle_formation_lheo22.xml").read_text(encoding="utf-8")
    start, end = source.index("<formation "), source.index("</formation>") + len("</formation>")
    head, formation, tail = source[:start], source[start:end], source[end:]
    numero = formation.split('numero="', 1)[1].split('"', 1)[0]
    with path.open("w", encoding="utf-8") as feed:
        feed.write(head)
        for number in range(trainings):
            feed.write(formation.replace(f'numero="{numero}"', f'numero="BENCH-{number}"', 1)
                       .replace("<debut>20171030</debut>", f"<debut>2027{1 + number % 12:02d}{1 + number % 28:02d}</debut>"))
        feed.write(tail)


# --- Driver ---------------------------------------------------------------------------------------

def report(results: list[dict]) -> None:
    print("\n| engine | offers | full import | offers/s | unchanged re-import | 5,000 changed | dedup | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        dedup = f"{r['dedup_seconds']} s" if r["dedup_seconds"] is not None else "n/a (dedup not landed)"
        full = r["full"]
        print(f"| {r['engine']} | {r['offers']:,} | {full['seconds']} s ({full['status']}) "
              f"| {full['new'] / full['seconds']:,.0f} | {r['unchanged']['seconds']} s "
              f"| {r['changed']['seconds']} s ({r['changed']['updated']} updated) | {dedup} | {r['peak_rss_mb']} MB |")
        if "trainings" in r:
            t = r["trainings"]
            print(f"|   + LHEO trainings | {t['new']:,} | {t['seconds']} s ({t['status']}) "
                  f"| {t['new'] / t['seconds']:,.0f} | | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--trainings", type=int, default=0, help="Also import an LHEO feed of this many trainings.")
    parser.add_argument("--child", nargs=5, metavar=("ENGINE", "SIZE", "FEED", "CHANGED_FEED", "LHEO"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine_name, size, feed, changed, lheo = args.child
        print(json.dumps(child(engine_name, int(size), Path(feed), Path(changed), Path(lheo) if lheo != "-" else None)))
        return
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        workdir = Path(workdir)
        reference_url = f"sqlite:///{workdir / 'reference.sqlite3'}"
        upgrade(reference_url)
        app = create_app({"JOBTAB_ENV": "bench", "SECRET_KEY": "bench-only", "DATABASE_URL": reference_url})
        with app.app_context():
            load_reference(db.session)
            db.session.commit()
            db.session.remove()
        lheo = "-"
        if args.trainings:
            lheo = str(workdir / "trainings.xml")
            write_lheo(Path(lheo), args.trainings)
        for size in args.sizes:
            feed, changed = workdir / f"jobs-{size}.xml", workdir / f"jobs-{size}-changed.xml"
            started = time.perf_counter()
            write_feed(app, feed, size)
            write_feed(app, changed, size, changed=min(CHANGED, size))
            print(f"feed of {size:,} jobs: {feed.stat().st_size / 1024**2:.0f} MB, written in "
                  f"{time.perf_counter() - started:.0f} s (twice)", flush=True)
            for engine_name in engines:
                output = subprocess.run(
                    [sys.executable, __file__, "--child", engine_name, str(size), str(feed), str(changed), lheo],
                    check=True, capture_output=True, text=True,
                ).stdout
                results.append(json.loads(output.strip().splitlines()[-1]))
                print(json.dumps(results[-1]), flush=True)
        db.get_engine(app).dispose()
    report(results)


if __name__ == "__main__":
    main()
