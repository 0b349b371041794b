"""The judged query set: what must and must not come back, through the API, on either engine.

Run it on both: `pytest tests/unit/search` and the same with TEST_DATABASE_URL pointing at
PostgreSQL. Every query is checked and every failure reported at once.
"""
from tests.unit.search.conftest import load_fixture

QUERIES = load_fixture("judged_queries.json")["queries"]


def run_query(client, tenant, query: dict) -> dict:
    parameters = {"tenant": tenant.slug, "kind": query.get("kind", "job"), "per_page": "100", **query["params"]}
    response = client.get("/api/v1/offers", query_string=parameters)
    assert response.status_code == 200, (query["id"], response.get_json())
    return response.get_json()


def problems_of(query: dict, body: dict, key_of: dict[int, str]) -> list[str]:
    found = [key_of.get(result["id"], f"#{result['id']}") for result in body["results"]]
    problems = []
    missing = [key for key in query.get("must", []) if key not in found]
    unwanted = [key for key in query.get("must_not", []) if key in found]
    if missing:
        problems.append(f"missing {missing}")
    if unwanted:
        problems.append(f"unwanted {unwanted}")
    if query.get("exactly") and sorted(found) != sorted(query["must"]):
        problems.append(f"expected exactly {sorted(query['must'])}, got {sorted(found)}")
    if "order" in query and found[:len(query["order"])] != query["order"]:
        problems.append(f"expected {query['order']} first, got {found}")
    if "imprecise" in query and body["imprecise_in_departement"] != query["imprecise"]:
        problems.append(f"expected {query['imprecise']} offers without a commune, got {body['imprecise_in_departement']}")
    if body["total"] != len(found):
        problems.append(f"total {body['total']} but {len(found)} results")
    return problems


def test_the_judged_set_is_large_enough_and_named_uniquely():
    assert len(QUERIES) >= 40
    assert len({query["id"] for query in QUERIES}) == len(QUERIES)


def test_judged_queries(client, corpus):
    tenant, offers = corpus
    key_of = {offer.id: key for key, offer in offers.items()}
    failures = {}
    for query in QUERIES:
        problems = problems_of(query, run_query(client, tenant, query), key_of)
        if problems:
            failures[query["id"]] = problems
    assert not failures, "\n".join(f"{name}: {'; '.join(problems)}" for name, problems in failures.items())
