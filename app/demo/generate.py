"""`demo generate`: realistic, deterministic demo offers at the 2017 scale (23,000 jobs, 26,000
trainings), built from the real ROME job titles and INSEE communes weighted by population.

Same arguments and same tenants give the same rows: every offer draws from its own random
generator seeded with (seed, kind, number), and time is measured from a fixed reference date,
never from the clock. Partner ids are deterministic, so a second run adds only what is missing.
Rows go in through Core bulk inserts: the ORM unit of work is far too slow for 100,000 rows.
"""
import hashlib
import random
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.catalog.models import JobTitle, Occupation, OccupationDomain, Offer, TrainingSession
from app.catalog.text import fold
from app.ingest import content_hash, search_text
from app.ingest.normalise import parse_salary
from app.ingest.places import CommuneEntry, Place, PlaceResolver
from app.ingest.services import get_or_create_source
from app.search.index import session_columns
from app.search.text import search_columns
from app.tenants.services import list_tenants

# The day the real France Travail feeds were captured: generated offers share their timeline.
REFERENCE_DATE = datetime(2025, 1, 12, 18, 0, tzinfo=timezone.utc)
PUBLICATION_WINDOW = timedelta(days=60)
OFFER_LIFETIME = timedelta(days=60)
BATCH_SIZE = 2000
SMIC_MONTHLY = 1801.80  # gross, 35 h a week, 2025
SMIC_HOURLY = 11.88

# key: (slug, name, kind, rank). Names say "démo" so nobody mistakes them for real partners.
DEMO_SOURCES = {
    "temp_agency": ("demo-agences-interim", "Démo – agences d'intérim (offres générées)", "temp_agency", 40),
    "employer": ("demo-employeurs", "Démo – employeurs (offres générées)", "employer", 20),
    "training_body": (
        "demo-organismes-formation", "Démo – organismes de formation (offres générées)", "training_body", 20
    ),
}

# Occupations that recruit the most (France Travail "métiers en tension" and BMO surveys):
# two thirds of the offers come from them, the rest from any ROME job title.
HIGH_DEMAND_OCCUPATIONS = (
    "J1501", "G1803", "D1106", "N1105", "K2204", "G1602", "N4101", "D1507", "K1303", "K1304",
    "F1703", "F1602", "M1203", "M1805", "J1506", "N1103", "N1101", "K2503", "M1607", "N4105",
    "F1603", "I1604", "D1202", "D1102", "D1101", "I1304", "D1402", "D1408", "H2913", "A1203",
    "K1302", "G1501", "G1703", "M1602", "H3302", "K2111", "J1301",
)
HIGH_DEMAND_SHARE = 0.65
DEPARTEMENT_ONLY_SHARE = 0.10  # as in France Travail, some offers name only a département

CONTRACT_MIX = {"CDI": 55, "CDD": 20, "MIS": 15, "ALT": 5, "SAI": 3, "LIB": 2}

SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Fontaine", "Chevalier", "Robin", "Masson", "Boyer", "Denis", "Lemaire",
    "Duval", "Joly", "Roche", "Meyer", "Lucas", "Meunier", "Marchand", "Dufour", "Blanchard", "Barbier",
    "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Renaud",
)
PLACE_NAMES = (
    "du Centre", "des Tilleuls", "de la Gare", "du Parc", "des Lilas", "du Moulin", "de l'Avenir",
    "des Coteaux", "du Val", "des Acacias", "du Lac", "de la Vallée", "des Quatre Vents", "du Pont",
    "des Sources", "du Marché", "des Remparts", "du Plateau",
)
# What a company's name starts with, by ROME large domain.
COMPANY_PREFIXES = {
    "A": ("Domaine", "Pépinières", "Paysages", "Jardins", "EARL"),
    "B": ("Atelier", "Ateliers", "Maison"),
    "C": ("Cabinet", "Agence immobilière", "Assurances", "Courtage"),
    "D": ("Maison", "Comptoir", "Boutique", "Distribution", "Magasin"),
    "E": ("Studio", "Agence", "Éditions", "Imprimerie"),
    "F": ("Bâtiment", "Constructions", "Entreprise", "Rénovation", "BTP"),
    "G": ("Hôtel", "Restaurant", "Brasserie", "Auberge", "Camping"),
    "H": ("Industries", "Mécanique", "Plasturgie", "Usinage", "Métallerie"),
    "I": ("Garage", "Maintenance", "Électricité", "Thermique"),
    "J": ("Clinique", "Résidence", "Centre médical", "Groupe de santé"),
    "K": ("Association", "Services", "Groupe", "Fondation"),
    "L": ("Compagnie", "Théâtre", "Productions"),
    "M": ("Cabinet", "Conseil", "Groupe", "Solutions", "Gestion"),
    "N": ("Transports", "Logistique", "Express", "Messagerie", "Déménagements"),
}
LEGAL_FORMS = ("", "", "", " SAS", " SARL", " & Fils")
TEMP_AGENCY_BRANDS = (
    "Horizon", "Nova", "Atout", "Relais", "Élan", "Tempo", "Duo", "Alliance", "Azur", "Boréal",
    "Déclic", "Prisme", "Sillage", "Trajectoire", "Équinoxe",
)
FULL_TIME_HOURS = ("35H Horaires normaux", "39H Horaires normaux", "35H Travail en équipe")
PART_TIME_HOURS = ("24H Horaires normaux", "28H Horaires variables", "20H Travail samedi et dimanche")
QUALITIES = (
    "Faire preuve d'autonomie", "Travailler en équipe", "Faire preuve de rigueur et de précision",
    "Avoir le sens du service", "Faire preuve de réactivité", "Organiser son travail selon les priorités",
    "Être à l'écoute, faire preuve d'empathie", "Faire preuve de curiosité", "Gérer son stress",
    "Prendre des initiatives et être force de proposition", "S'adapter aux changements",
)
BENEFITS = (
    "Mutuelle", "Titres restaurant", "Prime de fin d'année", "Participation transport", "Comité d'entreprise"
)


# --- What the generator draws from -------------------------------------------------------

@dataclass(frozen=True)
class TitleEntry:
    ogr_code: str
    label: str
    masculine: str
    feminine: str
    occupation_code: str


@dataclass(frozen=True)
class OccupationEntry:
    code: str
    label: str
    domain_name: str
    large_domain_code: str


@dataclass(frozen=True)
class Pools:
    titles: list[TitleEntry]
    titles_by_occupation: dict[str, list[TitleEntry]]
    high_demand_codes: list[str]
    occupations: dict[str, OccupationEntry]
    communes: list[CommuneEntry]
    cumulative_population: list[int]
    places: PlaceResolver

    def draw_commune(self, rng: random.Random) -> CommuneEntry:
        """A commune drawn in proportion to its population."""
        point = rng.random() * self.cumulative_population[-1]
        return self.communes[bisect_right(self.cumulative_population, point)]

    def draw_title(self, rng: random.Random) -> TitleEntry:
        if self.high_demand_codes and rng.random() < HIGH_DEMAND_SHARE:
            return rng.choice(self.titles_by_occupation[rng.choice(self.high_demand_codes)])
        return rng.choice(self.titles)


def load_pools(session: Session) -> Pools:
    """Reference data in a stable order, so that a seed always draws the same rows."""
    places = PlaceResolver.from_database(session)
    occupations = {
        code: OccupationEntry(code, label, domain_name or "", large_domain or "")
        for code, label, domain_name, large_domain in session.execute(
            select(Occupation.code, Occupation.label, OccupationDomain.name, OccupationDomain.large_domain_code)
            .outerjoin(OccupationDomain, Occupation.domain_code == OccupationDomain.code)
            .order_by(Occupation.code)
        )
    }
    titles = [
        TitleEntry(*row)
        for row in session.execute(
            select(
                JobTitle.ogr_code, JobTitle.label, JobTitle.masculine, JobTitle.feminine, JobTitle.occupation_code
            ).order_by(JobTitle.ogr_code)
        )
    ]
    titles_by_occupation: dict[str, list[TitleEntry]] = {}
    for title in titles:
        titles_by_occupation.setdefault(title.occupation_code, []).append(title)
    communes = communes_in_scope(session, places)
    if not titles or not communes:
        raise RuntimeError("reference data is missing: run `flask --app wsgi reference load` first")
    return Pools(
        titles=titles,
        titles_by_occupation=titles_by_occupation,
        high_demand_codes=[code for code in HIGH_DEMAND_OCCUPATIONS if code in titles_by_occupation],
        occupations=occupations,
        communes=communes,
        cumulative_population=list(accumulate(commune.population for commune in communes)),
        places=places,
    )


def communes_in_scope(session: Session, places: PlaceResolver) -> list[CommuneEntry]:
    """Inhabited communes of the tenants' régions and départements; all of France without tenants."""
    tenants = list_tenants(session)
    regions = {code for tenant in tenants for code in tenant.region_codes or []}
    departements = {code for tenant in tenants for code in tenant.departement_codes or []}
    return [
        commune
        for commune in places.communes.values()
        if commune.population > 0
        and (not tenants or commune.region_code in regions or commune.departement_code in departements)
    ]


# --- The command's work ------------------------------------------------------------------

def generate_demo(
    session: Session, jobs: int, trainings: int, seed: int, reference_date: datetime = REFERENCE_DATE
) -> dict[str, int]:
    """Insert the missing generated offers; returns how many rows went in and how many existed."""
    pools = load_pools(session)
    sources = {
        key: get_or_create_source(session, slug, name, kind, rank, "generated")
        for key, (slug, name, kind, rank) in DEMO_SOURCES.items()
    }
    source_ids = {key: source.id for key, source in sources.items()}
    existing = existing_partner_ids(session, list(source_ids.values()), seed)

    job_rows = [
        job_row(pools, seed, number, reference_date, source_ids)
        for number in range(jobs)
        if job_partner_id(seed, number) not in existing
    ]
    training_rows, session_rows = [], {}
    for number in range(trainings):
        if training_partner_id(seed, number) in existing:
            continue
        offer, sessions = training_row(pools, seed, number, reference_date, source_ids["training_body"])
        training_rows.append(offer)
        session_rows[offer["partner_id"]] = sessions

    bulk_insert(session, Offer.__table__, job_rows)
    bulk_insert(session, Offer.__table__, training_rows)
    offer_ids = offer_ids_by_partner_id(session, source_ids["training_body"], set(session_rows))
    sessions = [
        {**values, "offer_id": offer_ids[partner_id]}
        for partner_id, rows in session_rows.items()
        for values in rows
    ]
    bulk_insert(session, TrainingSession.__table__, sessions)
    return {
        "jobs": len(job_rows),
        "trainings": len(training_rows),
        "sessions": len(sessions),
        "already_there": jobs + trainings - len(job_rows) - len(training_rows),
    }


def job_partner_id(seed: int, number: int) -> str:
    return f"gen-{seed}-job-{number}"


def training_partner_id(seed: int, number: int) -> str:
    return f"gen-{seed}-training-{number}"


def existing_partner_ids(session: Session, source_ids: list[int], seed: int) -> set[str]:
    statement = select(Offer.partner_id).where(
        Offer.source_id.in_(source_ids), Offer.partner_id.startswith(f"gen-{seed}-")
    )
    return set(session.scalars(statement))


def offer_ids_by_partner_id(session: Session, source_id: int, partner_ids: set[str]) -> dict[str, int]:
    rows = session.execute(select(Offer.partner_id, Offer.id).where(Offer.source_id == source_id))
    return {partner_id: offer_id for partner_id, offer_id in rows if partner_id in partner_ids}


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        session.execute(insert(table), rows[start:start + BATCH_SIZE])


# --- One job -----------------------------------------------------------------------------

def job_row(pools: Pools, seed: int, number: int, reference_date: datetime, source_ids: dict[str, int]) -> dict:
    rng = random.Random(f"{seed}-job-{number}")
    title = pools.draw_title(rng)
    occupation = pools.occupations[title.occupation_code]
    contract = rng.choices(list(CONTRACT_MIX), weights=list(CONTRACT_MIX.values()))[0]
    commune = pools.draw_commune(rng)
    place = draw_place(rng, pools, commune)
    company = temp_agency_name(rng, commune) if contract == "MIS" else company_name(rng, occupation, commune)
    experience, experience_label = draw_experience(rng, contract)
    working_time, working_hours_label = draw_working_time(rng)
    salary_text = draw_salary_text(rng, contract)
    published_at = reference_date - timedelta(seconds=rng.randrange(int(PUBLICATION_WINDOW.total_seconds())))
    offer_title = job_title_text(rng, title, commune if place.commune_code else None, contract)
    row = {
        "kind": "job",
        "source_id": source_ids["temp_agency" if contract == "MIS" else "employer"],
        "partner_id": job_partner_id(seed, number),
        "title": offer_title,
        "description": job_description(rng, title, occupation, company, commune, contract, experience),
        "organisation_name": company,
        "occupation_code": occupation.code,
        **place.columns(),
        "apply_method": "email",
        "apply_url": None,
        "apply_email": f"recrutement@{slug(company)}.example.org",
        "source_url": None,
        "details": job_details(rng, title, occupation, contract),
        "search_text": search_text(offer_title, company, occupation.label, title.label),
        "published_at": published_at,
        "updated_at": published_at + (reference_date - published_at) * rng.random() * 0.5,
        "expires_at": published_at + OFFER_LIFETIME,
        "contract_type": contract,
        "contract_label": contract_label(rng, contract),
        "working_time": working_time,
        "working_hours_label": working_hours_label,
        "salary_text": salary_text,
        **parse_salary(salary_text).columns(),
        "experience": experience,
        "experience_label": experience_label,
        "is_apprenticeship": contract == "ALT",
        "is_accessible_disabled": rng.random() < 0.05,
        "positions": rng.choices((1, 2, 3, 5), weights=(80, 12, 5, 3))[0],
    }
    row_hash = content_hash({**row, "source_id": None})  # content, not ids
    return {**row, **search_columns(row), "content_hash": row_hash}  # search columns are derived


def draw_place(rng: random.Random, pools: Pools, commune: CommuneEntry) -> Place:
    if rng.random() < DEPARTEMENT_ONLY_SHARE:
        return pools.places.departement_place(commune.departement_code)
    return pools.places.commune_place(commune)


def job_title_text(rng: random.Random, title: TitleEntry, commune: CommuneEntry | None, contract: str) -> str:
    """The many ways recruiters write a title: '(H/F)', both genders, the town, capitals."""
    masculine, feminine = title.masculine, title.feminine
    styles = [f"{masculine} (H/F)", f"{masculine} H/F", title.label, f"{masculine} (H/F) - {contract}"]
    if masculine != feminine:
        styles.append(f"{feminine} / {masculine} (F/H)")
    if commune is not None:
        styles.append(f"{masculine} - {commune.name} (H/F)")
    styles.append(f"{masculine.upper()} H/F")
    weights = [30, 12, 15, 8] + ([8] if masculine != feminine else []) + ([10] if commune else []) + [4]
    return rng.choices(styles, weights=weights)[0]


def company_name(rng: random.Random, occupation: OccupationEntry, commune: CommuneEntry) -> str:
    prefix = rng.choice(COMPANY_PREFIXES.get(occupation.large_domain_code, COMPANY_PREFIXES["M"]))
    style = rng.randrange(4)
    if style == 0:
        return f"{prefix} {rng.choice(SURNAMES)}{rng.choice(LEGAL_FORMS)}"
    if style == 1:
        return f"{prefix} {rng.choice(PLACE_NAMES)}"
    if style == 2:
        return f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}{rng.choice(LEGAL_FORMS)}"
    return f"{prefix} {rng.choice(SURNAMES)} – {commune.name}"


def temp_agency_name(rng: random.Random, commune: CommuneEntry) -> str:
    return f"{rng.choice(TEMP_AGENCY_BRANDS)} Intérim {commune.name}"


def contract_label(rng: random.Random, contract: str) -> str:
    months = rng.choice((1, 2, 3, 6, 6, 12, 12, 18))
    return {
        "CDI": "Contrat à durée indéterminée",
        "CDD": f"Contrat à durée déterminée - {months} Mois",
        "MIS": f"Mission intérimaire - {min(months, 6)} Mois",
        "SAI": f"Saisonnier - {min(months, 6)} Mois",
        "ALT": rng.choice(("Contrat d'apprentissage - 24 Mois", "Contrat de professionnalisation - 12 Mois")),
        "LIB": "Profession libérale",
    }[contract]


def draw_experience(rng: random.Random, contract: str) -> tuple[str, str]:
    levels = ("beginner", "desired", "required")
    level = "beginner" if contract == "ALT" else rng.choices(levels, weights=(45, 20, 35))[0]
    years = rng.randint(1, 5)
    return level, {
        "beginner": "Débutant accepté",
        "desired": f"Expérience souhaitée de {years} An(s)",
        "required": f"Expérience exigée de {years} An(s)",
    }[level]


def draw_working_time(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.82:
        return "full_time", rng.choice(FULL_TIME_HOURS)
    return "part_time", rng.choice(PART_TIME_HOURS)


def draw_salary_text(rng: random.Random, contract: str) -> str | None:
    """France Travail's wording ('Mensuel de 1923.00 Euros sur 12 mois'), with its mixed decimals."""
    if rng.random() < 0.25:
        return rng.choice((None, "Selon profil", "Selon convention collective"))
    if contract == "ALT":
        return f"Mensuel de {SMIC_MONTHLY * rng.choice((0.53, 0.61, 0.78, 1.0)):.2f} Euros sur 12 mois"
    if contract in ("MIS", "SAI") and rng.random() < 0.6:
        return f"Horaire de {SMIC_HOURLY + rng.randrange(0, 700) / 100:.2f} Euros"
    monthly = round(rng.triangular(SMIC_MONTHLY, 4000, 2000), -1)
    style = rng.randrange(4)
    if style == 0:
        return f"Mensuel de {monthly:.2f} Euros sur {rng.choice((12, 13))} mois"
    if style == 1:
        high = monthly + rng.choice((100, 200, 300))
        return f"Mensuel de {monthly:.1f} Euros à {high:.1f} Euros sur 12.0 mois"
    low = round(monthly * 12, -3)
    if style == 2:
        return f"Annuel de {low:.1f} Euros à {low + rng.choice((2000, 4000, 5000)):.1f} Euros sur 12.0 mois"
    return f"Annuel de {low:.2f} Euros à {low + 3000:.2f} Euros".replace(".", ",")


def job_description(
    rng: random.Random,
    title: TitleEntry,
    occupation: OccupationEntry,
    company: str,
    commune: CommuneEntry,
    contract: str,
    experience: str,
) -> str:
    job = title.masculine if title.masculine == title.feminine else f"{title.masculine} / {title.feminine}"
    domain = (occupation.domain_name or "").lower()
    growing = f"Dans le cadre de son développement, {company} renforce son équipe à {commune.name}"
    opening = rng.choice(
        (
            f"{company} recrute pour son site de {commune.name} : {job}.",
            f"{growing} : poste de {job}.",
            f"Nous recherchons pour notre client, une entreprise du secteur « {domain} », un profil de {job}."
            if contract == "MIS"
            else f"Rejoignez {company}, acteur du secteur « {domain} » à {commune.name}, comme {job}.",
        )
    )
    missions = rng.choice(
        (
            f"Vos missions relèvent du métier de {occupation.label.lower()} : vous intervenez au quotidien "
            "dans le respect des règles de qualité, d'hygiène et de sécurité.",
            "Rattaché(e) à votre responsable, vous prenez en charge les activités confiées et participez "
            "à l'amélioration de l'organisation de l'équipe.",
            f"Au sein d'une équipe de {rng.randint(3, 40)} personnes, vous assurez les tâches du poste et "
            "veillez à la satisfaction des clients et usagers.",
        )
    )
    profile = {
        "beginner": "Débutant(e) accepté(e) : vous serez formé(e) à nos méthodes dès votre arrivée.",
        "desired": "Une première expérience sur un poste similaire est souhaitée.",
        "required": "Vous justifiez d'une expérience réussie sur un poste similaire.",
    }[experience]
    qualities = rng.choice(
        (
            "Vous êtes rigoureux(se), autonome et avez le sens du travail en équipe.",
            "Ponctualité, sens du service et bonne présentation sont indispensables.",
            "Vous appréciez le contact et savez vous adapter aux imprévus.",
        )
    )
    closing = f"Avantages : {', '.join(rng.sample(BENEFITS, 2)).lower()}. Postulez en quelques minutes !"
    return "\n\n".join((opening, missions, f"{profile} {qualities}", closing))


def job_details(rng: random.Random, title: TitleEntry, occupation: OccupationEntry, contract: str) -> dict:
    details = {
        "appellation": title.label,
        "sector": occupation.domain_name,
        "qualities": rng.sample(QUALITIES, 3),
        "salary_details": rng.sample(BENEFITS, rng.randint(0, 2)),
    }
    if contract == "ALT":
        details["contract_nature"] = rng.choice(("Contrat apprentissage", "Cont. professionnalisation"))
    return {key: value for key, value in details.items() if value}


# --- One training ------------------------------------------------------------------------

@dataclass(frozen=True)
class Programme:
    name: str  # "{job}" is the masculine job title, "{domain}" the ROME professional domain
    large_domains: str  # ROME large domains where this kind of programme exists
    certifying: bool
    hours: tuple[int, int]
    exit_level: str | None


PROGRAMMES = (
    Programme("Titre professionnel {job}", "ABCDEFGHIJKLMN", True, (400, 1200), "Niveau 3 (CAP, BEP)"),
    Programme("CAP {job}", "ABDFGHIK", True, (800, 1200), "Niveau 3 (CAP, BEP)"),
    Programme("BTS {domain}", "CDEHIJMN", True, (1350, 1800), "Niveau 5 (bac + 2)"),
    Programme("Certificat de qualification professionnelle {job}", "FGHIN", True, (150, 500), None),
    Programme("Formation qualifiante {job}", "ABCDEFGHIJKLMN", False, (70, 600), None),
    Programme("Préparation opérationnelle à l'emploi : {job}", "ABCDEFGHIJKLMN", False, (150, 400), None),
)
BODY_STYLES = (
    "Institut {surname} Formation",
    "Centre de formation {place}",
    "Campus des métiers de {commune}",
    "École {surname}",
    "Form'{surname}",
    "Académie {surname} – {commune}",
)
FUNDING = ("Éligible au CPF", "Prise en charge des frais possible", "Financement Région")
MODALITY_MIX = {"onsite": 75, "blended": 15, "distance": 10}


def training_row(
    pools: Pools, seed: int, number: int, reference_date: datetime, source_id: int
) -> tuple[dict, list[dict]]:
    rng = random.Random(f"{seed}-training-{number}")
    title = pools.draw_title(rng)
    occupation = pools.occupations[title.occupation_code]
    programme = rng.choice(
        [p for p in PROGRAMMES if occupation.large_domain_code in p.large_domains] or PROGRAMMES[:1]
    )
    name = programme.name.format(job=title.masculine, domain=occupation.domain_name or occupation.label)
    commune = pools.draw_commune(rng)
    body = rng.choice(BODY_STYLES).format(
        surname=rng.choice(SURNAMES), place=rng.choice(PLACE_NAMES), commune=commune.name
    )
    hours = rng.randrange(*programme.hours, 10)
    partner_id = training_partner_id(seed, number)
    sessions = [
        session_row(rng, pools, commune, hours, reference_date, f"{partner_id}-s{index + 1}")
        for index in range(rng.choices((1, 2, 3), weights=(50, 35, 15))[0])
    ]
    published_at = reference_date - timedelta(seconds=rng.randrange(int(PUBLICATION_WINDOW.total_seconds())))
    row = {
        "kind": "training",
        "source_id": source_id,
        "partner_id": partner_id,
        "title": name,
        "description": training_description(rng, occupation, hours),
        "organisation_name": body,
        "occupation_code": occupation.code,
        **pools.places.commune_place(commune).columns(),
        "apply_method": "email",
        "apply_url": None,
        "apply_email": f"inscriptions@{slug(body)}.example.org",
        "source_url": None,
        "details": training_details(rng, programme),
        "search_text": search_text(name, body, occupation.label, title.label),
        "published_at": published_at,
        "updated_at": published_at,
        "expires_at": published_at + OFFER_LIFETIME,
        "objectives": f"Acquérir les compétences du métier de {occupation.label.lower()} et trouver un emploi.",
        "rncp_codes": [rncp_code(programme, occupation)] if programme.certifying else None,
        "certifinfo_codes": None,
        "is_certifying": programme.certifying,
        "duration_hours": hours,
        "training_body_siret": None,  # an invented SIRET could be a real company's
    }
    row_hash = content_hash({**row, "source_id": None, "sessions": sessions})
    # Search columns are derived (app.search): from the text, and from the sessions.
    return {**row, **search_columns(row), **session_columns(sessions), "content_hash": row_hash}, sessions


def session_row(
    rng: random.Random, pools: Pools, home: CommuneEntry, hours: int, reference_date: datetime, partner_id: str
) -> dict:
    modality = rng.choices(list(MODALITY_MIX), weights=list(MODALITY_MIX.values()))[0]
    commune = home if rng.random() < 0.7 else pools.draw_commune(rng)
    start = monday_on_or_after(reference_date.date() + timedelta(days=rng.randrange(-30, 270)))
    end = start + timedelta(weeks=max(1, round(hours / 30)))
    if rng.random() < 0.05:  # permanent entries: LHEO's 00000000 / 99999999
        start = end = None
    place = pools.places.commune_place(commune)
    return {
        "partner_id": partner_id,
        "start_date": start,
        "end_date": end,
        "modality": modality,
        "place_label": "À distance" if modality == "distance" else place.place_label,
        "address": None,
        "commune_code": None if modality == "distance" else commune.insee_code,
        "latitude": None if modality == "distance" else place.latitude,
        "longitude": None if modality == "distance" else place.longitude,
        "is_open": rng.choices((True, False, None), weights=(80, 10, 10))[0],
    }


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def training_description(rng: random.Random, occupation: OccupationEntry, hours: int) -> str:
    centre_hours = round(hours * rng.choice((0.7, 0.8, 1.0)))
    return "\n\n".join(
        (
            f"Cette formation prépare au métier de {occupation.label.lower()}, "
            f"dans le domaine « {(occupation.domain_name or '').lower()} ».",
            f"Elle alterne {centre_hours} heures en centre et {hours - centre_hours} heures en entreprise "
            "avec des mises en situation professionnelle.",
            rng.choice(
                (
                    "Un accompagnement personnalisé est proposé tout au long du parcours.",
                    "Les stagiaires bénéficient d'un suivi individuel et d'une aide à la recherche d'emploi.",
                    "Le parcours peut être adapté selon les acquis de chaque stagiaire.",
                )
            ),
        )
    )


def training_details(rng: random.Random, programme: Programme) -> dict:
    details = {
        "entry_level": rng.choice(("Sans niveau spécifique", "Niveau 3 (CAP, BEP)", "Niveau 4 (baccalauréat)")),
        "exit_level": programme.exit_level,
        "funding": rng.sample(FUNDING, 2),
        "recruitment": rng.choice(("Entretien", "Entretien, Tests", "Information collective puis entretien")),
        "rhythm": rng.choice(("Temps plein", "Temps partiel", "Alternance")),
    }
    return {key: value for key, value in details.items() if value}


def rncp_code(programme: Programme, occupation: OccupationEntry) -> str:
    """The same programme for the same occupation always has the same (invented) RNCP number."""
    digest = hashlib.sha256(f"{programme.name}|{occupation.code}".encode("utf-8")).hexdigest()
    return str(10000 + int(digest, 16) % 30000)


def slug(name: str) -> str:
    return re.sub(r"\s+", "-", fold(name))[:40].strip("-") or "contact"
