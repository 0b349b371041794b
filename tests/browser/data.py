"""Test data the real demo data may lack.

The browser tests run on what `flask demo load` loads (real France Travail offers and LHEO
trainings). Here, made-up offers are added only where the tenant lacks what the tests need:
more than one page of jobs (for "Page suivante"), and trainings with sessions (none of the
real LHEO samples lies in région 84). Everything is committed: the servers run in other
processes.
"""
from contextlib import contextmanager

from sqlalchemy import func, select

from app import create_app
from app import db as app_db
from app.catalog.models import Offer, TrainingOffer, TrainingSession
from app.tenants.services import get_tenant
from tests.conftest import test_config
from tests.factories.catalog import make_job, make_source, make_training

JOB_TITLES = (
    "Cuisinier / Cuisinière",
    "Aide-soignant / Aide-soignante",
    "Conducteur / Conductrice de bus",
    "Agent / Agente d'entretien des locaux",
    "Vendeur / Vendeuse en boulangerie",
    "Électricien / Électricienne du bâtiment",
    "Assistant / Assistante de vie aux familles",
    "Maçon / Maçonne",
    "Comptable",
    "Préparateur / Préparatrice de commandes",
    "Serveur / Serveuse en restauration",
    "Mécanicien / Mécanicienne automobile",
)
TRAINING_TITLES = (
    "Titre professionnel Cuisinier",
    "CAP Accompagnant éducatif petite enfance",
    "Titre professionnel Agent de propreté et d'hygiène",
)
# Places in région 84 (commune, département): Lyon, Grenoble, Clermont-Ferrand.
AURA_PLACES = (("69123", "69"), ("38185", "38"), ("63113", "63"))


@contextmanager
def committed_session(url: str):
    """The app's session on `url`, committed at the end, its connections closed."""
    app = create_app(test_config(url))
    try:
        with app.app_context():
            yield app_db.session
            app_db.session.commit()
            app_db.session.remove()
    finally:
        app_db.get_engine(app).dispose()


def top_up_catalog(url: str, slug: str = "auvergne-rhone-alpes", jobs: int = 25) -> list[str]:
    """Add made-up offers only where the tenant lacks what the tests need; say what was added."""
    added = []
    with committed_session(url) as session:
        tenant = get_tenant(session, slug)
        regions = tenant.region_codes
        job_count = session.scalar(
            select(func.count(Offer.id)).where(Offer.kind == "job", Offer.region_code.in_(regions))
        )
        if job_count <= 20:  # one page is 20 offers: the tests need a second page
            source = make_source(session, slug="browser-test-jobs", name="Partenaire de démonstration")
            for number in range(jobs):
                commune, departement = AURA_PLACES[number % len(AURA_PLACES)]
                make_job(
                    session,
                    source=source,
                    title=f"{JOB_TITLES[number % len(JOB_TITLES)]} ({number + 1})",
                    description=("Missions principales.\nTravail en équipe.\n\n" * (1 + number % 4)).strip(),
                    commune_code=commune,
                    departement_code=departement,
                    region_code=regions[0],
                )
            added.append(f"{jobs} jobs")
        trainings_with_dated_sessions = session.scalar(
            select(func.count(TrainingOffer.id))
            .where(TrainingOffer.region_code.in_(regions))
            .where(TrainingOffer.id.in_(
                select(TrainingSession.offer_id).where(TrainingSession.start_date.is_not(None))
            ))
        )
        if not trainings_with_dated_sessions:
            source = make_source(
                session, slug="browser-test-trainings", name="Carif de démonstration", kind="training_body"
            )
            for number, title in enumerate(TRAINING_TITLES):
                commune, departement = AURA_PLACES[number % len(AURA_PLACES)]
                make_training(
                    session,
                    source=source,
                    sessions=2,
                    title=title,
                    commune_code=commune,
                    departement_code=departement,
                    region_code=regions[0],
                )
            added.append(f"{len(TRAINING_TITLES)} trainings with sessions")
    return added
