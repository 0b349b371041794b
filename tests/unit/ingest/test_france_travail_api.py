"""The France Travail API client against a local server replaying the real recorded offers
(app/demo/feeds/ft_offres_980.json): OAuth2, ranges and 206, the ceiling split, retries."""
import json
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from werkzeug.wrappers import Request, Response

from app.demo.load import FEEDS_DIR
from app.ingest import FeedError, Rejection
from app.ingest.connectors.france_travail import FranceTravailApi, FranceTravailConnector, Window

OFFERS = json.loads((FEEDS_DIR / "ft_offres_980.json").read_text(encoding="utf-8"))
API = "/partenaire/offresdemploi/v2"
CAPTURED = datetime(2025, 1, 12, 8, tzinfo=timezone.utc)  # when the offers were recorded
EVERYTHING = Window(datetime(2023, 1, 1, tzinfo=timezone.utc), datetime(2025, 2, 1, tzinfo=timezone.utc))


class FakeFranceTravail:
    """The API's behaviour as documented: token endpoint, /offres/search with range, 206 and
    Content-Range, ranges past the ceiling refused; `failures` answers the next calls badly."""

    def __init__(self, server, offers=OFFERS, ceiling=3150):
        self.offers, self.ceiling = offers, ceiling
        self.failures: list[Response] = []
        self.tokens_issued = 0
        self.searches: list[dict] = []
        server.routes["/token"] = self.token
        server.routes[API + "/offres/search"] = self.search

    def token(self, request: Request) -> Response:
        if request.form.get("client_secret") != "secret" or request.form.get("grant_type") != "client_credentials":
            return Response(json.dumps({"error": "invalid_client"}), status=401, content_type="application/json")
        self.tokens_issued += 1
        body = {"access_token": f"token-{self.tokens_issued}", "expires_in": 1499, "token_type": "Bearer"}
        return Response(json.dumps(body), content_type="application/json")

    def search(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer token-{self.tokens_issued}":
            return Response("", status=401)
        if self.failures:
            return self.failures.pop(0)
        self.searches.append(dict(request.args))
        start, end = (int(n) for n in request.args["range"].split("-"))
        if end >= self.ceiling or end - start >= 150:
            return Response(json.dumps({"message": "range invalide"}), status=400, content_type="application/json")
        matching = [offer for offer in self.offers if self.matches(offer, request.args)]
        if not matching:
            return Response(status=204)
        page = matching[start:end + 1]
        status = 200 if len(matching) <= end + 1 and start == 0 else 206
        headers = {"Content-Range": f"offres {start}-{start + len(page) - 1}/{len(matching)}"}
        return Response(json.dumps({"resultats": page}), status=status, headers=headers, content_type="application/json")

    @staticmethod
    def matches(offer: dict, args) -> bool:
        created = offer["dateCreation"][:19] + "Z"
        if "minCreationDate" in args and not args["minCreationDate"] <= created <= args["maxCreationDate"]:
            return False
        if "departement" in args:
            return re.match(rf"^{args['departement']}\b", (offer.get("lieuTravail") or {}).get("libelle", "")) is not None
        return True


@pytest.fixture
def api_server(server):
    return FakeFranceTravail(server)


@pytest.fixture
def sleeps():
    return []


def make_api(server, http, sleeps, secret="secret", **options) -> FranceTravailApi:
    return FranceTravailApi("client", secret, http, departements=["13", "31", "38", "44", "69", "74", "92"],
                            api_base=server.url(API), token_url=server.url("/token"), sleep=sleeps.append, **options)


def test_every_offer_is_read_range_by_range(server, http, api_server, sleeps):
    offers = list(make_api(server, http, sleeps).search({"codeROME": "M1801"}, EVERYTHING))

    assert len(offers) == 980 and len({offer["id"] for offer in offers}) == 980
    assert [search["range"] for search in api_server.searches] == [f"{n}-{n + 149}" for n in range(0, 1050, 150)]
    assert api_server.searches[0]["codeROME"] == "M1801"
    assert api_server.searches[0]["minCreationDate"] == "2023-01-01T00:00:00Z"
    assert api_server.tokens_issued == 1 and sleeps == []


def test_a_result_that_fits_in_one_range_is_one_call(server, http, sleeps):
    api_server = FakeFranceTravail(server, offers=OFFERS[:120])

    assert len(list(make_api(server, http, sleeps).search({}, EVERYTHING))) == 120
    assert len(api_server.searches) == 1


def test_a_query_over_the_ceiling_is_split_by_date_window(server, http, sleeps):
    api_server = FakeFranceTravail(server, ceiling=300)

    offers = list(make_api(server, http, sleeps, max_results=300).search({}, EVERYTHING))

    assert sorted(offer["id"] for offer in offers) == sorted(offer["id"] for offer in OFFERS)
    assert all(int(search["range"].split("-")[1]) < 300 for search in api_server.searches)
    assert len({search["minCreationDate"] for search in api_server.searches}) > 4


def test_a_window_that_cannot_shrink_is_split_by_departement_and_says_what_it_missed(server, http, sleeps, context):
    same_second = [{**offer, "dateCreation": "2025-01-10T10:00:00.000Z"} for offer in OFFERS]
    api_server = FakeFranceTravail(server, offers=same_second, ceiling=300)
    moment = datetime(2025, 1, 10, 10, tzinfo=timezone.utc)
    connector = FranceTravailConnector(make_api(server, http, sleeps, max_results=300), {}, since=moment)

    items = []
    with pytest.raises(FeedError, match="placed only in France"):
        for item in connector.read(server.url(API), replace(context, now=moment)):  # a one-second window
            items.append(item)

    assert {search.get("departement") for search in api_server.searches} >= {"69", "74", "92"}
    assert 0 < len(items) < 980


def test_429_waits_as_long_as_the_api_asks(server, http, api_server, sleeps):
    api_server.failures = [Response("slow down", status=429, headers={"Retry-After": "7"})]

    assert len(list(make_api(server, http, sleeps).search({}, EVERYTHING))) == 980
    assert sleeps == [7.0]


def test_5xx_is_retried_with_growing_waits(server, http, api_server, sleeps):
    api_server.failures = [Response("down", status=500), Response("down", status=503), Response("down", status=502)]

    assert len(list(make_api(server, http, sleeps).search({}, EVERYTHING))) == 980
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_feed_that_keeps_answering_500_is_a_feed_error(server, http, api_server, sleeps):
    api_server.failures = [Response("down", status=500) for _ in range(10)]

    with pytest.raises(FeedError, match="HTTP 500"):
        list(make_api(server, http, sleeps, max_attempts=3).search({}, EVERYTHING))
    assert sleeps == [1.0, 2.0]


def test_an_expired_token_is_renewed_once(server, http, api_server, sleeps):
    api = make_api(server, http, sleeps)
    api.token()
    api_server.tokens_issued += 1  # the server moved on: our token is no longer valid

    assert len(list(api.search({}, EVERYTHING))) == 980
    assert api_server.tokens_issued == 3


def test_refused_credentials_are_a_feed_error(server, http, api_server, sleeps):
    with pytest.raises(FeedError, match="refused the credentials"):
        list(make_api(server, http, sleeps, secret="wrong").search({}, EVERYTHING))


def test_the_connector_reads_every_open_offer(server, http, api_server, sleeps, context):
    connector = FranceTravailConnector(make_api(server, http, sleeps), {"codeROME": "M1801"})

    items = list(connector.read(server.url(API), replace(context, now=CAPTURED)))

    assert connector.is_full_feed(server.url(API))
    assert len(items) == 980 and not any(isinstance(item, Rejection) for item in items)
    assert connector.normalise(items[0], context).values["partner_id"] == items[0].partner_id


def test_an_incremental_read_asks_only_for_offers_created_since(server, http, api_server, sleeps, context):
    since = datetime(2025, 1, 10, tzinfo=timezone.utc)
    connector = FranceTravailConnector(make_api(server, http, sleeps), {}, since=since)

    items = list(connector.read(server.url(API), replace(context, now=CAPTURED)))

    assert not connector.is_full_feed(server.url(API))
    assert api_server.searches[0]["minCreationDate"] == "2025-01-10T00:00:00Z"
    assert api_server.searches[0]["maxCreationDate"] == "2025-01-12T08:00:00Z"
    assert len(items) == sum(offer["dateCreation"] >= "2025-01-10" for offer in OFFERS)


def test_a_results_file_is_read_too(tmp_path, context):
    results = tmp_path / "resultats.json"
    results.write_text(json.dumps({"resultats": OFFERS[:3] + [{"intitule": "sans id"}]}), encoding="utf-8")

    items = list(FranceTravailConnector().read(str(results), context))

    assert [getattr(item, "partner_id", None) for item in items] == [offer["id"] for offer in OFFERS[:3]] + [None]
    assert items[3] == ("record #4", "no id")


def test_a_file_that_is_not_json_is_a_feed_error(tmp_path, context):
    results = tmp_path / "resultats.json"
    results.write_text("<html>erreur</html>", encoding="utf-8")

    with pytest.raises(FeedError, match="not JSON"):
        list(FranceTravailConnector().read(str(results), context))
