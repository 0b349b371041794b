"""Walking the posting flow with the test client, as a browser without JavaScript and without
cookies would: read each page's form, post it with its hidden fields."""
from lxml import html

GOOD_ANSWERS = {
    "company": {"company_name": "Brasserie des Terreaux", "siret": "732 829 320 00074", "company_place": "Lyon (69)",
                "company_commune": ""},
    "contact": {"contact_email": "Patron@Brasserie.example.org"},
    "offer": {"title": "Cuisinier / Cuisinière", "occupation": "", "contract_type": "CDI", "working_time": "full_time",
              "place": "Lyon", "commune": "", "salary_text": "2 000 € brut par mois", "start_date": "04/01/2099",
              "description": "Cuisine traditionnelle.\n\nMissions :\n- préparer les entrées\n- dresser les assiettes"},
    "apply": {"apply_method": "platform", "apply_url": ""},
}


def page_of(response):
    return html.fromstring(response.text)


def hidden_fields(response) -> dict:
    document = page_of(response)
    return {field.get("name"): field.get("value") or "" for field in document.xpath("//form//input[@type='hidden']")}


def start(client, tenant_slug="ara") -> str:
    """Open a draft from the post tab; the path of its first page."""
    tab = client.get(f"/t/{tenant_slug}/post")
    assert tab.status_code == 200
    response = client.post(f"/t/{tenant_slug}/post/start")
    assert response.status_code == 303
    return response.headers["Location"]


def answer(client, path: str, values: dict):
    """Post one page with the hidden fields its form carries (token, return_to)."""
    shown = client.get(path)
    assert shown.status_code == 200, shown.text
    return client.post(path, data={**hidden_fields(shown), **values})


def fill_draft(client, tenant_slug="ara", **changes) -> str:
    """Answer every page (GOOD_ANSWERS with `changes` per page); the check page's path."""
    path = start(client, tenant_slug)
    base = path.rsplit("/", 1)[0]
    for name in ("company", "contact", "offer", "apply"):
        response = answer(client, f"{base}/{name}", {**GOOD_ANSWERS[name], **changes.get(name, {})})
        assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith("/check")
    return f"{base}/check"


def submit(client, check_path: str):
    shown = client.get(check_path)
    assert shown.status_code == 200, shown.text
    return client.post(check_path, data=hidden_fields(shown))


def error_summary(response) -> list[str]:
    return [" ".join(a.text_content().split()) for a in page_of(response).xpath("//*[@class='error-summary']//a")]
