"""/api/v1: answers, errors, headers."""
from tests.factories.catalog import make_job
from tests.statements import statements_of


def test_search_answers_the_documented_shape(client, catalog):
    response = client.get("/api/v1/offers", query_string={"tenant": "ara", "q": "serveuse", "commune": "69123"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    result = body["results"][0]
    assert result["title"] == "Serveuse (H/F)" and result["employer"] == "Brasserie Martin"
    assert result["commune"] == {"code": "69123", "name": "Lyon"} and result["departement"] == "69"
    assert result["occupation"]["code"] == "G1803" and result["contract"] == "CDD"
    assert result["distance_km"] == 0.1 and result["url"] == f"http://jobtab.test/t/ara/jobs/{result['id']}"
    assert body["facets"]["contract"]["CDD"] == 1
    assert body["imprecise_in_departement"] == 0


def test_reading_is_open_to_every_origin_and_cacheable(client, catalog):
    response = client.get("/api/v1/offers?tenant=ara")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=60" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]


def errors_of(client, **parameters):
    response = client.get("/api/v1/offers", query_string={"tenant": "ara", **parameters})
    assert response.status_code == 400
    return {error["parameter"]: error["message"] for error in response.get_json()["errors"]}


def test_bad_parameters_are_clear_400s(client, catalog):
    assert "Commune inconnue : 99999" in errors_of(client, commune="99999")["commune"]
    assert "entre 5 et 100" in errors_of(client, commune="69123", radius="101")["radius"]
    assert "dernière page (1)" in errors_of(client, page="2")["page"]
    assert "demande une commune" in errors_of(client, sort="distance")["sort"]
    assert "Code ROME inconnu" in errors_of(client, occupation="Z9999")["occupation"]
    assert "tenant" in errors_of(client, tenant="")


def test_one_offer_within_the_tenant_only(client, catalog):
    offer = catalog["jobs"][0]
    body = client.get(f"/api/v1/offers/{offer.id}?tenant=ara").get_json()
    assert body["id"] == offer.id and body["description"].startswith("Service en salle")
    assert client.get("/api/v1/offers/999999?tenant=ara").status_code == 404
    assert client.get("/api/v1/offers/99999999999999999999?tenant=ara").status_code == 404


def test_places_tell_homonyms_apart_by_departement(client, catalog):
    results = client.get("/api/v1/places?q=saint-denis&tenant=ara").get_json()["results"]
    labels = [result["label"] for result in results]
    assert {"Saint-Denis (93)", "Saint-Denis (974)"} <= set(labels)
    by_code = client.get("/api/v1/places?q=3800").get_json()["results"]
    assert by_code[0]["name"] == "Grenoble" and "38000" in by_code[0]["postal_codes"]


def test_occupations_suggest_rome_titles_by_word_starts(client, catalog):
    results = client.get("/api/v1/occupations?q=aide soi").get_json()["results"]
    assert results[0]["occupation"] == "J1501" and results[0]["label"].startswith("Aide-soignant")
    assert client.get("/api/v1/occupations?q=").status_code == 400


def test_the_openapi_document_describes_every_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.0")
    assert set(document["paths"]) == {"/api/v1/offers", "/api/v1/offers/{offer_id}", "/api/v1/places",
                                      "/api/v1/occupations"}


def test_unknown_api_paths_answer_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json() == {"error": "Not Found"}


def test_a_list_costs_the_same_statements_whatever_its_occupations(client, db_session, catalog):
    """Each result's occupation comes with the list, not one query per ROME code."""

    url = "/api/v1/offers?tenant=ara"
    client.get(url)  # reference data loaded once per process, as a server warms it
    few, _ = statements_of(client, url)
    for code in ("A1101", "D1106", "F1703", "H2102", "K2204", "N4101"):
        make_job(db_session, title=f"Offre {code}", occupation_code=code)
    many, response = statements_of(client, url)
    body = response.get_json()
    assert many == few
    labels = {result["occupation"]["code"]: result["occupation"]["label"] for result in body["results"]}
    assert {"A1101", "N4101", "J1501"} <= labels.keys() and all(labels.values())
