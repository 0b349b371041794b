"""The three tabs, the lists and the offer pages, as a citizen sees them (no JavaScript)."""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html

from app.embed import views
from app.search.cache import RecentResults
from tests.factories.catalog import NOW, make_job, make_tenant, make_training


@pytest.fixture
def tenant(db_session):
    return make_tenant(db_session, slug="ara", name="Région Auvergne-Rhône-Alpes", region_codes=["84"])


def page(response):
    return html.fromstring(response.get_data(as_text=True))


def texts(document, xpath):
    return [" ".join(node.text_content().split()) for node in document.xpath(xpath)]


@pytest.mark.parametrize("tab, label", [("jobs", "Offres d'emploi"), ("trainings", "Offres de formation"), ("post", "Déposer une offre")])
def test_each_tab_is_a_real_link_marked_current(client, tenant, tab, label):
    document = page(client.get(f"/t/ara/{tab}"))
    links = {" ".join(a.text_content().split()): a for a in document.xpath("//nav//a")}
    assert set(links) >= {"Offres d'emploi", "Offres de formation", "Déposer une offre"}
    assert links["Offres d'emploi"].get("href") == "/t/ara/jobs"
    assert links["Offres de formation"].get("href") == "/t/ara/trainings"
    assert links["Déposer une offre"].get("href") == "/t/ara/post"
    current = document.xpath('//nav//a[@aria-current="page"]')
    assert [" ".join(a.text_content().split()) for a in current] == [label]


def test_unknown_tenant_is_a_404_page(client, tenant):
    response = client.get("/t/nowhere/jobs")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_jobs_list_shows_newest_first_within_the_tenant_scope(client, db_session, tenant):
    older = make_job(db_session, title="Boulanger", published_at=NOW - timedelta(days=5))
    newer = make_job(db_session, title="Pâtissière", published_at=NOW - timedelta(days=1))
    make_job(db_session, title="Poissonnier à Lille", commune_code="59350", departement_code="59", region_code="32")
    document = page(client.get("/t/ara/jobs"))
    titles = texts(document, "//ol[@class='offer-list']//h2")
    assert titles == [newer.title, older.title]
    assert "2 offres" in texts(document, "//p[@class='result-count']")[0]


def test_keyword_box_ignores_case_and_accents(client, db_session, tenant):
    make_job(db_session, title="Pâtissier / Pâtissière", organisation_name="Maison Pralus")
    make_job(db_session, title="Maçon", organisation_name="BTP Rhône")
    for query in ("patissiere", "PÂTISSIÈRE", "pralus"):
        titles = texts(page(client.get("/t/ara/jobs", query_string={"q": query})), "//ol//h2")
        assert titles == ["Pâtissier / Pâtissière"], query
    response = client.get("/t/ara/jobs", query_string={"q": "astronaute"})
    assert "Aucune offre ne correspond" in response.get_data(as_text=True)


def test_pagination_by_plain_links(client, db_session, tenant):
    for index in range(25):
        make_job(db_session, title=f"Offre {index:02d}", published_at=NOW - timedelta(hours=index))
    first = page(client.get("/t/ara/jobs"))
    assert len(first.xpath("//ol[@class='offer-list']/li")) == 20
    next_link = first.xpath("//nav[@class='pagination']//a[@rel='next']/@href")[0]
    second = page(client.get(next_link))
    assert texts(second, "//ol//h2") == [f"Offre {index:02d}" for index in range(20, 25)]
    assert second.xpath("//link[@rel='prev']")
    assert client.get("/t/ara/jobs?page=3").status_code == 404
    assert client.get("/t/ara/jobs?page=zero").status_code == 400


def test_job_page_shows_what_the_source_gave(client, db_session, tenant):
    offer = make_job(
        db_session,
        title="Aide-soignant / Aide-soignante (H/F)",
        organisation_name="EHPAD Les Tilleuls",
        description="Soins d'hygiène.\n\nTravail en équipe.",
        contract_type="CDD",
        contract_label="CDD - 6 Mois",
        salary_text="Mensuel de 1923.00 Euros sur 12 mois",
        experience="beginner",
        details={"skills": ["Réaliser des soins d'hygiène"], "languages": ["Anglais"]},
    )
    document = page(client.get(f"/t/ara/jobs/{offer.id}"))
    assert texts(document, "//h1") == ["Aide-soignant / Aide-soignante (H/F)"]
    assert texts(document, "//p[@class='offer-organisation']") == ["EHPAD Les Tilleuls"]
    facts = " ".join(texts(document, "//dl"))
    for expected in ("CDD – CDD - 6 Mois", "Mensuel de 1923.00 Euros", "Débutant accepté", "Lyon (69)",
                     "Réaliser des soins d'hygiène", "Anglais"):
        assert expected in facts, expected
    assert len(document.xpath("//div[@class='offer-description']/p")) == 2
    apply_link = document.xpath("//section[@class='apply']//a")[0]
    # Through our redirect, which counts the click and only goes to the URL stored for the offer.
    assert apply_link.get("href") == f"/t/ara/jobs/{offer.id}/apply-elsewhere"
    assert apply_link.get("target") == "_blank" and "nouvelle fenêtre" in apply_link.text_content()


def test_departement_only_offer_says_so(client, db_session, tenant):
    offer = make_job(db_session, commune_code=None, departement_code="74", location_precision="departement",
                     latitude=None, longitude=None)
    text = page(client.get(f"/t/ara/jobs/{offer.id}")).text_content()
    assert "Haute-Savoie (74)" in text and "lieu précis non communiqué" in text


def test_offer_of_another_kind_or_territory_is_not_found(client, db_session, tenant):
    training = make_training(db_session)
    lille = make_job(db_session, commune_code="59350", departement_code="59", region_code="32")
    assert client.get(f"/t/ara/jobs/{training.id}").status_code == 404
    assert client.get(f"/t/ara/jobs/{lille.id}").status_code == 404
    assert client.get("/t/ara/jobs/999999").status_code == 404


def test_feed_script_urls_are_never_links(client, db_session, tenant):
    offer = make_job(db_session, apply_url="javascript:alert(1)", title="<script>alert(1)</script>")
    body = client.get(f"/t/ara/jobs/{offer.id}").get_data(as_text=True)
    assert "javascript:alert" not in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_training_page_lists_sessions_and_training_body(client, db_session, tenant):
    offer = make_training(db_session, sessions=2, title="CAP Cuisine", organisation_name="GRETA Lyon Métropole")
    document = page(client.get(f"/t/ara/trainings/{offer.id}"))
    assert texts(document, "//h1") == ["CAP Cuisine"]
    assert "GRETA Lyon Métropole" in document.text_content()
    rows = document.xpath("//table[contains(@class,'sessions')]/tbody/tr")
    assert len(rows) == 2
    assert "du 4 janv. 2027 au 30 juin 2027" in " ".join(rows[0].text_content().split())
    assert "34095" in document.text_content()


def test_trainings_list_shows_trainings_only(client, db_session, tenant):
    make_training(db_session, title="BTS Commerce")
    make_job(db_session, title="Vendeur")
    titles = texts(page(client.get("/t/ara/trainings")), "//ol//h2")
    assert titles == ["BTS Commerce"]


def test_post_tab_says_how_to_reach_the_institution(client, tenant):
    document = page(client.get("/t/ara/post"))
    assert texts(document, "//h1") == ["Déposer une offre"]
    assert document.xpath("//a[@href='mailto:emploi@region-test.example.org']")


def test_job_page_json_ld_satisfies_google_required_properties(client, db_session, tenant):
    offer = make_job(db_session, salary_min=1923.0, salary_max=1923.0, salary_period="MONTH",
                     expires_at=NOW + timedelta(days=60))
    document = page(client.get(f"/t/ara/jobs/{offer.id}"))
    data = json.loads(document.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "JobPosting"
    for required in ("title", "description", "datePosted", "hiringOrganization", "jobLocation"):
        assert data[required], required
    assert data["hiringOrganization"]["name"] == "Brasserie des Terreaux"
    address = data["jobLocation"]["address"]
    assert address["addressLocality"] == "Lyon" and address["addressCountry"] == "FR"
    assert re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", data["datePosted"])
    assert data["employmentType"] == "FULL_TIME"
    assert data["baseSalary"]["value"] == {"@type": "QuantitativeValue", "unitText": "MONTH", "value": 1923.0}
    assert data["validThrough"].startswith((NOW + timedelta(days=60)).date().isoformat())
    assert data["url"] == f"http://jobtab.test/t/ara/jobs/{offer.id}"


def test_training_page_json_ld_is_a_course_with_instances(client, db_session, tenant):
    offer = make_training(db_session, sessions=2)
    document = page(client.get(f"/t/ara/trainings/{offer.id}"))
    data = json.loads(document.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "Course"
    assert data["name"] and data["description"] and data["provider"]["name"]
    assert [instance["startDate"] for instance in data["hasCourseInstance"]] == ["2027-01-04", "2027-04-04"]


def test_json_ld_cannot_break_out_of_its_script(client, db_session, tenant):
    offer = make_job(db_session, description="</script><script>alert(1)</script>")
    body = client.get(f"/t/ara/jobs/{offer.id}").get_data(as_text=True)
    assert "</script><script>alert(1)" not in body


def test_back_link_returns_to_the_same_results_page_only(client, db_session, tenant):
    offer = make_job(db_session)
    document = page(client.get(f"/t/ara/jobs/{offer.id}?back=/t/ara/jobs%3Fq%3Dserveur%26page%3D1"))
    assert document.xpath("//p[@class='back-link']/a/@href") == ["/t/ara/jobs?q=serveur&page=1"]
    for hostile in ("https://evil.example/", "//evil.example/t/ara/jobs", "/t/ara/jobs//evil"):
        document = page(client.get(f"/t/ara/jobs/{offer.id}", query_string={"back": hostile}))
        assert document.xpath("//p[@class='back-link']/a/@href") == ["/t/ara/jobs"], hostile


def test_english_is_available_and_kept_across_links(client, db_session, tenant):
    make_job(db_session)
    document = page(client.get("/t/ara/jobs?lang=en"))
    assert document.get("lang") == "en"
    assert all("lang=en" in href for href in document.xpath("//nav//a/@href"))


def test_browser_language_picks_english(client, tenant):
    response = client.get("/t/ara/jobs", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page(response).get("lang") == "en"
    response = client.get("/t/ara/jobs", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert page(response).get("lang") == "fr"


def test_theme_stylesheet_carries_the_tenant_colour(client, db_session):
    make_tenant(db_session, slug="bleu", primary_colour="#003366")
    make_tenant(db_session, slug="bad", primary_colour="red;}")
    assert "--jt-primary: #003366" in client.get("/t/bleu/theme.css").get_data(as_text=True)
    response = client.get("/t/bad/theme.css")
    assert response.mimetype == "text/css"
    assert "red;}" not in response.get_data(as_text=True)



def test_expired_offers_leave_the_list_but_a_shared_link_says_why(client, db_session, tenant):
    today = datetime.now(timezone.utc)
    expired = make_job(db_session, title="Caissier", expires_at=today - timedelta(days=1))
    make_job(db_session, title="Vendeur", expires_at=today + timedelta(days=30))
    assert texts(page(client.get("/t/ara/jobs")), "//ol//h2") == ["Vendeur"]
    document = page(client.get(f"/t/ara/jobs/{expired.id}"))
    assert "Cette offre a expiré" in document.text_content()
    assert not document.xpath("//section[@class='apply']")


def test_an_error_inside_the_widget_keeps_its_tabs_and_framing(client, tenant):
    response = client.get("/t/ara/jobs/999999")
    assert response.status_code == 404
    document = page(response)
    assert "Page introuvable" in document.text_content()
    assert texts(document, "//nav//a") == ["Offres d'emploi", "Offres de formation", "Déposer une offre"]
    assert "frame-ancestors https://www.region-test.fr" in response.headers["Content-Security-Policy"]


def test_filters_stay_folded_until_one_is_chosen(client, db_session, tenant):
    make_job(db_session)
    folded = page(client.get("/t/ara/jobs")).xpath("//details[contains(@class, 'filters')]")[0]
    assert folded.get("open") is None
    assert folded.xpath(".//input[@type='checkbox']"), "the filters are there, folded"
    opened = page(client.get("/t/ara/jobs?contract=CDI")).xpath("//details[contains(@class, 'filters')]")[0]
    assert opened.get("open") is not None
    assert opened.xpath(".//input[@value='CDI']/@checked")


def test_a_reused_results_page_is_the_same_url_in_the_same_language_only(
    app, client, db_session, monkeypatch
):
    """SEARCH_PAGE_CACHE_SECONDS: a page is reused for its own URL and language, never another's."""
    monkeypatch.setitem(app.config, "SEARCH_PAGE_CACHE_SECONDS", 30)
    monkeypatch.setattr(views, "recent_pages", RecentResults())
    make_tenant(db_session, slug="one", name="Territoire Un", region_codes=["84"])
    make_tenant(db_session, slug="two", name="Territoire Deux", region_codes=["84"])
    make_job(db_session, title="Cuisinier de collectivité")

    first = client.get("/t/one/jobs?q=cuisinier").get_data(as_text=True)
    make_job(db_session, title="Cuisinier en brasserie")
    assert client.get("/t/one/jobs?q=cuisinier").get_data(as_text=True) == first  # reused
    assert "Cuisinier en brasserie" not in first
    assert "Cuisinier en brasserie" in client.get("/t/one/jobs?q=cuisinier&page=1").get_data(as_text=True)
    other_tenant = client.get("/t/two/jobs?q=cuisinier").get_data(as_text=True)
    assert "Territoire Deux" in other_tenant and "Territoire Un" not in other_tenant
    english = client.get("/t/one/jobs?q=cuisinier", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="en"' in english and english != first
    assert 'lang="en"' in client.get("/t/one/jobs?q=cuisinier&lang=en").get_data(as_text=True)
