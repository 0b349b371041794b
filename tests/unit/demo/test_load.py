from sqlalchemy import func, select

from app.catalog.models import JobOffer, Offer, Source, TrainingOffer
from app.demo.load import load_demo
from app.search.criteria import Criteria
from app.search.services import search_offers
from app.tenants.services import get_tenant


def test_load_creates_the_two_regions_as_tenants(db_session):
    load_demo(db_session)

    aura, hdf = get_tenant(db_session, "auvergne-rhone-alpes"), get_tenant(db_session, "hauts-de-france")
    assert (aura.region_codes, hdf.region_codes) == (["84"], ["32"])
    assert aura.allowed_hosts == hdf.allowed_hosts == ["http://localhost:8000"]
    assert aura.contact_email.endswith("@auvergne-rhone-alpes.example.org")


def test_load_takes_the_host_sites_it_is_given(db_session):
    load_demo(db_session, ["https://www.region.example.org", "http://localhost:8000"])

    assert get_tenant(db_session, "hauts-de-france").allowed_hosts == [
        "https://www.region.example.org",
        "http://localhost:8000",
    ]


def test_load_brings_every_real_offer_and_reports_the_invalid_record(db_session):
    summary = load_demo(db_session)

    assert summary["files"]["ft_offres_980.json"] == {"new": 980}
    assert summary["files"]["ft_offres_147.json"] == {"new": 147}
    assert summary["files"]["trefle_formation_lheo22.xml"] == {"new": 1}
    assert summary["files"]["anotea_intercarif-data-test.xml"] == {"rejected": 1}
    [rejected] = summary["rejected"]
    assert (rejected["file"], rejected["record"]) == ("anotea_intercarif-data-test.xml", "F_XX_XX")
    assert "SIRET" in rejected["reason"]
    assert db_session.scalar(select(func.count(JobOffer.id))) == 1127
    assert db_session.scalar(select(func.count(TrainingOffer.id))) == 3


def test_loading_twice_changes_nothing(db_session):
    load_demo(db_session)
    summary = load_demo(db_session)

    assert summary["files"]["ft_offres_980.json"] == {"unchanged": 980}
    assert summary["files"]["lheo-schema_exemple-bts-onisep.xml"] == {"unchanged": 1}
    assert db_session.scalar(select(func.count(Offer.id))) == 1130
    assert db_session.scalar(select(func.count(Source.id)).where(Source.slug == "france-travail")) == 1


def test_each_region_sees_the_real_offers_located_in_it(db_session):
    load_demo(db_session)
    aura = get_tenant(db_session, "auvergne-rhone-alpes")

    page = search_offers(db_session, aura, Criteria(kind="job", text="administrateur", per_page=200)).page

    assert page.total > 0
    assert {offer.region_code for offer in page.items} == {"84"}
