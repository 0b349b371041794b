"""`flask --app wsgi demo …`: demo tenants and offers from the real partner feeds."""
import json
import time
from datetime import timezone

import click
from flask.cli import AppGroup

from app import db
from app.demo.generate import REFERENCE_DATE, generate_demo
from app.demo.load import load_demo
from app.demo.tenants import DEFAULT_HOST_ORIGINS
from app.web.security import is_valid_origin

demo_cli = AppGroup("demo", help="Demo data and the demo host page.")


def check_origins(_context, _parameter, origins: tuple[str, ...]) -> tuple[str, ...]:
    """Origins end up in a CSP header: refuse anything but scheme://host[:port]."""
    for origin in origins:
        if not is_valid_origin(origin):
            raise click.BadParameter(f"{origin!r} is not an origin like https://www.region.example.org")
    return origins


@demo_cli.command("load")
@click.option(
    "--host-origin",
    "host_origins",
    multiple=True,
    callback=check_origins,
    help=f"A site allowed to frame the demo tenants; repeat for several. Default: {DEFAULT_HOST_ORIGINS[0]}.",
)
def load_command(host_origins: tuple[str, ...]):
    """Create the two demo tenants and load the real France Travail and LHEO samples."""
    started = time.perf_counter()
    summary = load_demo(db.session, host_origins or DEFAULT_HOST_ORIGINS)
    db.session.commit()
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    click.echo(f"Demo feeds loaded in {time.perf_counter() - started:.1f} s.", err=True)


@demo_cli.command("generate")
@click.option("--jobs", type=click.IntRange(min=0), default=23000, show_default=True, help="Jobs to add.")
@click.option("--trainings", type=click.IntRange(min=0), default=26000, show_default=True, help="Trainings.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same offers.")
@click.option(
    "--reference-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=REFERENCE_DATE.strftime("%Y-%m-%d"),
    show_default=True,
    help="Offers are published in the 60 days before this date.",
)
def generate_command(jobs: int, trainings: int, seed: int, reference_date):
    """Add realistic, deterministic offers in the tenants' régions (all of France without tenants)."""
    started = time.perf_counter()
    reference = reference_date.replace(hour=REFERENCE_DATE.hour, tzinfo=timezone.utc)
    counts = generate_demo(db.session, jobs=jobs, trainings=trainings, seed=seed, reference_date=reference)
    db.session.commit()
    elapsed = round(time.perf_counter() - started, 1)
    click.echo(json.dumps({**counts, "seconds": elapsed}, ensure_ascii=False))
