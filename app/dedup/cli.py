"""`flask --app wsgi dedup …`: rebuild the clusters, explain a pair, export every cluster."""
import json

import click
from flask.cli import AppGroup

from app import db
from app.dedup import services
from app.search.cli import fold_search_counts

dedup_cli = AppGroup("dedup", help="Cross-source deduplication of job offers.")


@dedup_cli.command("rebuild")
def rebuild_command():
    """Group every job offer again from scratch (feed imports update the clusters on their own)."""
    stats = services.deduplicate_all(db.session)
    db.session.commit()
    fold_search_counts()  # the duplicates' changes, into the search counts
    click.echo(json.dumps(stats, ensure_ascii=False))


@dedup_cli.command("explain")
@click.argument("first")
@click.argument("second")
def explain_command(first: str, second: str):
    """Why two offers (ids, or keys like france-travail:185VBSL) are or are not one vacancy."""
    ids = []
    for reference in (first, second):
        offer_id = services.find_offer_id(db.session, reference)
        if offer_id is None:
            raise click.BadParameter(f"no offer {reference!r}")
        ids.append(offer_id)
    explanation = services.explain_pair(db.session, *ids)
    verdict = explanation.verdict
    click.echo(f"{explanation.keys[0]} / {explanation.keys[1]}")
    click.echo(f"Doublons : {'oui' if verdict.matched else 'non'} (score {verdict.score})")
    click.echo(f"Même groupe enregistré : {'oui' if explanation.same_cluster else 'non'}")
    for signal in verdict.signals:
        click.echo(f"  + {signal}")
    for veto in verdict.vetoes:
        click.echo(f"  - {veto}")
    for key, reason in explanation.stored_reasons.items():
        click.echo(f"Raison enregistrée pour {key} : {reason}")


@dedup_cli.command("export")
def export_command():
    """Every cluster, singletons included, as JSON: [[source:partner_id, …], …]."""
    click.echo(json.dumps(services.export_clusters(db.session), ensure_ascii=False))
