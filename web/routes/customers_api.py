"""Privacy requests through the HTTP API: a customer's data exported, or erased.

The `{id}` is the business's own customer id, as its events send it. Both requests are
written to the audit log; an unknown customer is a 404 and changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from journeys.models import Customer
from web.audit import record
from web.privacy import CustomerNotFound, erase_customer, export_customer
from web.routes.api import ApiError, api

ID_LENGTH: int = Customer._meta.fields_map["external_id"].max_length  # type: ignore[attr-defined]


def _external_id(request: Request) -> str:
    """The customer id of the path; one longer than any stored names no customer."""
    external_id: str = request.path_params["id"]
    if len(external_id) > ID_LENGTH:
        raise ApiError(404, f"no customer with an id of {len(external_id)} characters", "id")
    return external_id


async def export(request: Request) -> JSONResponse:
    external_id = _external_id(request)
    try:
        data = await export_customer(external_id)
    except CustomerNotFound as error:
        raise ApiError(404, str(error), "id") from None
    await record(request, "customer.exported", external_id)
    return JSONResponse(data)


async def erase(request: Request) -> JSONResponse:
    external_id = _external_id(request)
    try:
        summary = await erase_customer(external_id)
    except CustomerNotFound as error:
        raise ApiError(404, str(error), "id") from None
    answer = summary.as_dict()
    await record(
        request,
        "customer.erased",
        external_id,
        {k: v for k, v in answer.items() if k != "customer"},
    )
    return JSONResponse(answer)


routes = [
    Route("/api/v1/customers/{id}/export", api(export), methods=["GET"]),
    Route("/api/v1/customers/{id}", api(erase), methods=["DELETE"]),
]
