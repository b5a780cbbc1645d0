"""All SPARQL the pages use, as named functions that take a GraphStore and return plain data (app/web/model.py).

Routes call one of these and hand the result to a template or a serialiser; no other web module writes SPARQL
for pages. Queries stay cheap on large stores: every list is capped (`page_link_limit` per property, a page of a
class, a page of search hits) with its true total counted separately; sorting by label happens in Python on those
small lists, never as a global ORDER BY over all labels.

`entity.py` holds the entity page's queries, `graph.py` its relation graph's, `timeline.py` the timelines',
`reading.py` a source's read with its facts, `links.py` a page of a hub's inverse links, `catalog.py` those of
the other pages, `history.py` what release
diffs read, `common.py` what they share.
"""

from app.web.queries.catalog import (
    choices,
    claim_parts,
    class_index,
    classes,
    dataset_summary,
    description,
    is_instance,
    property_usage,
    search,
)
from app.web.queries.common import compact
from app.web.queries.entity import entity
from app.web.queries.facets import facets, search_facets
from app.web.queries.graph import neighbourhood
from app.web.queries.history import graph_quads
from app.web.queries.links import inverse_links
from app.web.queries.network import network
from app.web.queries.profile import profile
from app.web.queries.reading import reading
from app.web.queries.timeline import countries, timeline

__all__ = ["choices", "claim_parts", "class_index", "classes", "compact", "countries", "dataset_summary",
           "description", "entity", "facets", "graph_quads", "inverse_links", "is_instance", "neighbourhood",
           "network", "profile", "property_usage", "reading", "search", "search_facets", "timeline"]
