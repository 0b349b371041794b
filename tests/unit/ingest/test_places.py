import pytest


def test_france_travail_label_resolves_to_the_commune_with_its_centroid(places):
    place = places.resolve(label="74 - ANNECY")

    assert place.location_precision == "commune"
    assert place.commune_code == "74010"
    assert (place.departement_code, place.region_code) == ("74", "84")
    assert place.latitude == pytest.approx(45.89, abs=0.01)
    assert place.longitude == pytest.approx(6.13, abs=0.01)
    assert place.place_label == "Annecy (74)"


def test_coordinates_from_the_source_win_over_the_centroid(places):
    place = places.resolve(insee_code="74010", label="74 - ANNECY", latitude=45.901584, longitude=6.125296)

    assert (place.latitude, place.longitude) == (45.901584, 6.125296)


def test_coordinates_far_from_the_commune_are_replaced_by_its_centroid(places):
    # A real France Travail record with latitude and longitude swapped.
    place = places.resolve(insee_code="13215", postal_code="13015", latitude=5.340683, longitude=43.36749)

    assert place.commune_code == "13055"
    assert place.latitude == pytest.approx(43.30, abs=0.01)


@pytest.mark.parametrize(
    ("label", "departement"),
    [
        ("92 - Hauts de Seine", "92"),
        ("67 - Rhin (Bas)", "67"),
        ("75 - Paris (Dept.)", "75"),
        ("973 - Guyane", "973"),
        ("69", "69"),
    ],
)
def test_a_label_naming_no_commune_is_departement_only(places, label, departement):
    place = places.resolve(label=label)

    assert place.location_precision == "departement"
    assert place.departement_code == departement
    assert place.commune_code is None
    assert place.latitude is None


def test_hauts_de_seine_belongs_to_ile_de_france(places):
    place = places.resolve(label="92 - Hauts de Seine")

    assert (place.region_code, place.place_label) == ("11", "Hauts-de-Seine (92)")


@pytest.mark.parametrize(
    ("label", "region"), [("Hauts-de-France", "32"), ("Auvergne-Rhône-Alpes", "84"), ("Ile-de-France", "11")]
)
def test_a_region_name_resolves_to_the_region(places, label, region):
    place = places.resolve(label=label)

    assert (place.location_precision, place.region_code, place.departement_code) == ("region", region, None)


def test_france_is_the_whole_country(places):
    place = places.resolve(label="France")

    assert place.columns() == {
        "location_precision": "country",
        "place_label": "France",
        "commune_code": None,
        "departement_code": None,
        "region_code": None,
        "latitude": None,
        "longitude": None,
    }


def test_an_unknown_label_is_kept_for_display(places):
    place = places.resolve(label="Quelque part")

    assert (place.location_precision, place.place_label) == ("country", "Quelque part")


@pytest.mark.parametrize(("insee_code", "commune"), [("69383", "69123"), ("75110", "75056"), ("13215", "13055")])
def test_arrondissements_belong_to_their_commune(places, insee_code, commune):
    assert places.resolve(insee_code=insee_code).commune_code == commune


def test_the_town_name_picks_the_commune_among_those_sharing_a_postal_code(places):
    assert places.resolve(postal_code="01400", name="Châtillon-sur-Chalaronne").commune_code == "01093"
    assert places.resolve(postal_code="01400", name="ROMANS").commune_code == "01328"


def test_without_a_matching_name_the_largest_commune_of_the_postal_code_is_taken(places):
    assert places.resolve(postal_code="01400").commune_code == "01093"


def test_a_cedex_code_still_finds_the_town_in_its_departement(places):
    place = places.resolve(postal_code="29391", name="QUIMPERLÉ")

    assert place.commune_code == "29233"


def test_an_unknown_insee_code_falls_back_to_the_postal_code(places):
    # Intercarif files sometimes put the postal code where the INSEE code belongs.
    place = places.resolve(insee_code="93100", postal_code="93100", name="Montreuil")

    assert place.commune_code == "93048"
