"""The search form without JavaScript: errors, homonyms, filters, places without a commune."""
from lxml import html


def page(response):
    return html.fromstring(response.get_data(as_text=True))


def test_bad_parameters_are_listed_in_an_error_summary_linking_to_their_fields(client, corpus):
    response = client.get("/t/judged/jobs", query_string={"radius": "500", "lieu": "Zzyzx", "contract": "XYZ"})
    assert response.status_code == 400
    document = page(response)
    assert document.findtext(".//title").startswith("Erreur :")
    summary = document.xpath("//div[@class='error-summary' and @role='alert']")[0]
    links = summary.xpath(".//a/@href")
    assert set(links) == {"#radius", "#lieu", "#contract"}
    assert "Zzyzx" in summary.text_content() and "entre 5 et 100" in summary.text_content()
    assert document.xpath("//input[@id='lieu']/@value") == ["Zzyzx"]  # what was typed is kept


def test_an_ambiguous_commune_is_asked_with_radio_buttons_and_the_most_populous_is_shown(client, corpus):
    document = page(client.get("/t/judged/jobs", query_string={"lieu": "Saint-Denis"}))
    fieldset = document.xpath("//fieldset[@class='place-choices']")[0]
    assert "Plusieurs communes s'appellent « Saint-Denis »" in fieldset.findtext("legend")
    radios = fieldset.xpath(".//input[@type='radio' and @name='commune']")
    assert [radio.get("value") for radio in radios][:2] == ["97411", "93066"]
    assert radios[0].get("checked") is not None
    for radio in radios:  # each radio has its label
        assert fieldset.xpath(f".//label[@for='{radio.get('id')}']")
    assert "Saint-Denis (974), la plus peuplée" in fieldset.text_content()


def test_the_chosen_homonym_is_searched(client, corpus):
    document = page(client.get("/t/judged/jobs", query_string={"lieu": "Saint-Denis", "commune": "93066"}))
    assert not document.xpath("//fieldset[@class='place-choices']")
    assert "Saint-Denis (93)" in document.xpath("//p[@class='result-count']")[0].text_content()
    assert [" ".join(h.text_content().split()) for h in document.xpath("//ol//h2")] == ["Infirmière"]


def test_filters_are_fieldsets_of_checkboxes_with_counts(client, corpus):
    document = page(client.get("/t/judged/jobs", query_string={"q": "serveur", "contract": "CDI"}))
    contract = document.xpath("//fieldset[legend='Type de contrat']")[0]
    labels = {box.get("value"): " ".join(contract.xpath(f".//label[@for='{box.get('id')}']")[0].text_content().split())
              for box in contract.xpath(".//input[@type='checkbox']")}
    # A chosen contract type still shows what the others would add.
    assert labels == {"CDI": "CDI (1)", "CDD": "CDD (2)", "SAI": "Saisonnier (1)"}
    assert contract.xpath(".//input[@value='CDI']/@checked")
    assert "1 offre" in document.xpath("//p[@class='result-count']")[0].text_content()


def test_a_radius_search_says_how_many_offers_have_no_commune_and_links_to_them(client, corpus):
    document = page(client.get("/t/judged/jobs", query_string={"lieu": "Lyon", "radius": "30"}))
    notice = document.xpath("//p[@class='notice']")[0]
    assert "1 autre offre du département 69 ne précise pas sa commune" in " ".join(notice.text_content().split())
    link = notice.xpath(".//a/@href")[0]
    assert "departement=69" in link and "imprecise=1" in link and "lieu=" not in link
    titles = [" ".join(h.text_content().split()) for h in page(client.get(link)).xpath("//ol//h2")]
    assert titles == ["Comptable"]


def test_offers_known_only_by_their_departement_are_marked(client, corpus):
    document = page(client.get("/t/judged/jobs", query_string={"departement": "69", "q": "comptable"}))
    card = document.xpath("//li[@class='offer-card']")[0]
    assert "lieu précis non communiqué" in card.text_content()


def test_a_typed_job_title_keeps_no_stale_occupation_code(client, corpus):
    """The hidden ROME code the autocomplete set is dropped when the text no longer names it."""
    document = page(client.get("/t/judged/jobs", query_string={"q": "maçon", "occupation": "J1501"}))
    assert [" ".join(h.text_content().split()) for h in document.xpath("//ol//h2")] == ["Maçon", "Maçonne qualifiée"]
    assert document.xpath("//input[@id='occupation']/@value") == [""]
