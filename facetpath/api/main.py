"""The API object: version 1, token auth on every operation, our error shapes, the routers."""

from __future__ import annotations

from ninja import NinjaAPI

from facetpath.api import errors, evaluate, prior_auth, reads, writes  # noqa: F401  (writes adds to reads.router)
from facetpath.api.auth import TokenAuth

api = NinjaAPI(
    title="facetpath API",
    version="1",
    description=(
        "The clinic's facet-joint pathway records for outside systems (EHR, billing). Every request carries "
        "a clinic's API token (`Authorization: Bearer fp_…`, made by a clinic admin on the API tokens "
        "page); a staff session does not open the API. Lists are cursor-paginated (`cursor`, `limit`). "
        "Refusals are JSON: `{detail, errors: [{field, message}]}`."
    ),
    auth=TokenAuth(),
    urls_namespace="api-1",
)
errors.install(api)
api.add_router("", reads.router)  # with writes' operations on it (same paths, other methods)
api.add_router("", evaluate.router)  # POST /evaluate and /evaluate/fhir
api.add_router("", prior_auth.router)  # prior authorization, its checklist and the report PDFs
