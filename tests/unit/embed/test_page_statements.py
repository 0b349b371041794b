"""A results page costs a bounded number of SQL statements, whatever the number of results:
no per-card lazy load (places, sessions, deferred texts) may creep in."""
from datetime import timedelta

import pytest
from tests.factories.catalog import NOW, make_job, make_tenant, make_training
from tests.statements import statements_of

PLACES = [
    {"commune_code": "69123", "departement_code": "69", "region_code": "84", "latitude": 45.758, "longitude": 4.835},
    {"commune_code": "38185", "departement_code": "38", "region_code": "84", "latitude": 45.188, "longitude": 5.724},
    {"commune_code": "69266", "departement_code": "69", "region_code": "84", "latitude": 45.771, "longitude": 4.880},
    {"commune_code": None, "departement_code": "42", "region_code": "84", "location_precision": "departement",
     "latitude": None, "longitude": None},
    {"commune_code": None, "departement_code": None, "region_code": "84", "location_precision": "region",
     "latitude": None, "longitude": None},
]


@pytest.fixture
def tenant(db_session):
    return make_tenant(db_session, slug="bounded", region_codes=["84"])


@pytest.mark.parametrize("tab, make", [("jobs", make_job), ("trainings", make_training)])
@pytest.mark.parametrize("query", ["", "?q=cuisinier+serveur", "?commune=69123&radius=100", "?page=2"])
def test_a_page_of_results_costs_the_same_statements_for_one_offer_or_a_full_page(
    client, db_session, tenant, tab, make, query
):
    def add(count: int) -> None:
        for number in range(count):
            extra = {"sessions": 1 + number % 3} if make is make_training else {"contract_type": ("CDI", "CDD")[number % 2]}
            make(db_session, title=f"Cuisinier serveur {number}", published_at=NOW - timedelta(days=number % 20),
                 **PLACES[number % len(PLACES)], **extra)

    url = f"/t/bounded/{tab}{query}"
    add(21 if query == "?page=2" else 1)  # page 2 holds one offer
    client.get(url)  # loads the gazetteer and job titles once per process, as a server warms them
    few, _ = statements_of(client, url)
    add(40)
    many, _ = statements_of(client, url)
    assert many == few
    # A broad search (no words, occupation nor commune) first asks which day the precomputed
    # counts are for (app/search/counts.py): one statement more than a search with words.
    assert many <= (7 if tab == "jobs" else 8)
