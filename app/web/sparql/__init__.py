"""The SPARQL endpoint's machinery: user queries checked (guard), run (runner) in killable workers (pool),
per app (service), and the endpoint's Service Description (description).

Other modules need only these three names; the routes import `result_view` from its module.
"""

from app.web.sparql.description import service_description
from app.web.sparql.service import init_app, service

__all__ = ["init_app", "service", "service_description"]
