"""``GET /api/municipalities`` and ``GET /api/districts?kommun=``: the lists the pages' pickers
offer and the server checks ``hello`` against (chat.domain.municipalities). Public reference
data."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from chat.domain.municipalities import districts, municipalities

MUNICIPALITIES_PATH: Final = "/api/municipalities"
DISTRICTS_PATH: Final = "/api/districts"


async def _municipalities(request: Request) -> Response:
    return JSONResponse(
        {"municipalities": [{"code": m.code, "name": m.name} for m in municipalities()]}
    )


async def _districts(request: Request) -> Response:
    """Empty for a municipality without districts, and for anything that is not a code."""
    kommun = request.query_params.get("kommun", "")
    return JSONResponse(
        {"districts": [{"code": d.code, "name": d.name} for d in districts(kommun)]}
    )


def create_municipality_routes() -> list[BaseRoute]:
    return [
        Route(MUNICIPALITIES_PATH, _municipalities, methods=["GET"]),
        Route(DISTRICTS_PATH, _districts, methods=["GET"]),
    ]
