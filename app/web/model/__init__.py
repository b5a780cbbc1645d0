"""The page model: the plain data app/web/queries returns and templates show (no SPARQL, no Flask).

`pages.py` holds what the Linked Data pages show (entities, citations, class indexes, search, facets),
`explore.py` what the exploration views show (relation graphs, timelines, profiles), `node.py` the term both use.
"""

from app.web.model.explore import (
    GraphEdge,
    GraphNode,
    Network,
    Profile,
    ProfileQuantity,
    ProfileSide,
    RelationGraph,
    Timeline,
    TimelineItem,
)
from app.web.model.node import Node
from app.web.model.pages import (
    Basis,
    Citation,
    ClaimParts,
    ClassCount,
    ClassIndex,
    Entity,
    Facet,
    FacetValue,
    Hit,
    LinkPage,
    PropertyGroup,
    Reading,
    ReadSentence,
    SearchResults,
    Statement,
    Summary,
    Term,
    Value,
)

__all__ = ["Basis", "Citation", "ClaimParts", "ClassCount", "ClassIndex", "Entity", "Facet", "FacetValue", "GraphEdge",
           "GraphNode", "Hit", "LinkPage", "Network", "Node", "Profile", "ProfileQuantity", "ProfileSide",
           "PropertyGroup", "ReadSentence", "Reading", "RelationGraph", "SearchResults", "Statement",
           "Summary", "Term", "Timeline", "TimelineItem", "Value"]
