"""Canned queries: each competency question as a page of its own.

* `/questions` — every question DefCoop is built to answer, as a list of links.
* `/questions/<slug>` — the question, a form for its parameters (`?country=<IRI>`: an instance of the parameter's
  class, else 400), the answer as a table with links, a bar chart when the answer counts things, a timeline of its
  rows when it has a date column (the /timeline renderer), downloads of the
  answer (CSV, TSV, JSON, XML: the same query through /sparql) and the query itself, to open in the editor.
The query runs through the SPARQL service like any other (time limit, row cap, 503 naming the setting).
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request, url_for

from app.web import queries, sparql
from app.web.charts import bar_chart, dated_rows
from app.web.context import context
from app.web.errors import HTTPError
from app.web.examples import examples
from app.web.http import conditional, truncated
from app.web.sparql.result_view import PAGE_ACCEPT, result_view
from app.web.timeline_picture import timeline_picture

bp = Blueprint("questions", __name__)


@bp.get("/questions")
@conditional
def listing() -> str:
    return render_template("questions.html", questions=examples(context().settings.ontology_dir))


@bp.get("/questions/<slug>")
@conditional
def question(slug: str) -> Response:
    ctx = context()
    settings, store = ctx.settings, ctx.store
    found = next((e for e in examples(settings.ontology_dir) if e.slug == slug), None)
    if found is None:
        raise HTTPError(404, f"There is no question {slug!r}; see /questions.")
    values: dict[str, str] = {}
    for param in found.params:
        chosen = request.args.get(param.name)
        if chosen is not None and chosen != param.default:
            if not queries.is_instance(store, chosen, param.class_iri):
                raise HTTPError(400, f"{param.name} must be the IRI of a {param.class_iri.rsplit('#', 1)[-1]}, "
                                     f"not {chosen!r}")
            values[param.name] = chosen
    query = found.bind(values)
    answer = sparql.service().answer(query, release=ctx.release, accept=PAGE_ACCEPT)
    view = result_view(answer, settings, lambda fmt: url_for("sparql.endpoint", query=query, format=fmt.name))
    dated = dated_rows(view)
    options = {p.name: queries.choices(store, p.class_iri, values.get(p.name, p.default), settings)
               for p in found.params}
    return truncated(make_response(render_template(
        "question.html", question=found, view=view, bars=bar_chart(view), options=options,
        timeline=timeline_picture(dated) if dated else None,
        chosen={p.name: values.get(p.name, p.default) for p in found.params},
        query=query, editor=url_for("sparql.endpoint", query=query))), view.truncated)
