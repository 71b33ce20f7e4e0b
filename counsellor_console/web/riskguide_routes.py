"""The risk guide over HTTP, for staff only.

``GET /api/riskguide`` serves the guide (counsellor_console.domain.riskguide). ``POST
/api/riskguide/answers`` takes ``{"answers": {QUESTION: "yes"|"no"|"dont_know"}}`` and nothing
else: a body with any other field (a chat id, say) is refused, so the counts can never be tied
to a chat or a person. It adds one to each question/answer counter and returns the advice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from chat.api import origin_allowed
from counsellor_console.domain.riskguide import (
    RiskAnswersError,
    advise,
    escalation_as_json,
    guide_as_json,
    parse_answers,
    pointing_questions,
)
from counsellor_console.domain.staff_language import translator
from counsellor_console.web.staff_pages import StaffGate, served_securely

#: A full set of answers is about 200 bytes; anything much larger is a mistake or abuse.
MAX_BODY_BYTES: Final = 4096


class RiskRecorder(Protocol):
    async def record_risk(self, answers: Mapping[str, str]) -> None: ...


def _refuse(field: str, status: int = 400) -> Response:
    return JSONResponse({"error": "bad_field", "field": field}, status_code=status)


def create_riskguide_routes(
    gate: StaffGate, recorder: RiskRecorder, extra_origins: frozenset[str]
) -> list[BaseRoute]:
    async def guide(request: Request) -> Response:
        staff = await gate.identify(request)
        if staff is None:
            return PlainTextResponse("Forbidden", status_code=403)
        return JSONResponse(guide_as_json(translator(staff.ui_lang)))

    async def answers(request: Request) -> Response:
        origin_ok = origin_allowed(request.headers, extra_origins, secure=served_securely(request))
        if request.headers.get("origin") and not origin_ok:
            return PlainTextResponse("Forbidden", status_code=403)
        staff = await gate.identify(request)
        if staff is None:
            return PlainTextResponse("Forbidden", status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return PlainTextResponse("Unsupported Media Type", status_code=415)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("Too Large", status_code=413)
        try:
            obj = json.loads(body)
        except ValueError:
            return _refuse("body")
        if not isinstance(obj, dict) or set(obj) != {"answers"}:
            return _refuse("body")
        try:
            parsed = parse_answers(obj["answers"])
        except RiskAnswersError as exc:
            return _refuse(exc.field)
        if parsed:
            await recorder.record_risk({k: v.value for k, v in parsed.items()})
        gettext = translator(staff.ui_lang)
        advice = [
            {**escalation_as_json(e, gettext), "because": pointing_questions(parsed, e.key)}
            for e in advise(parsed)
        ]
        return JSONResponse({"advice": advice, "counted": len(parsed)})

    return [
        Route("/api/riskguide", guide, methods=["GET"]),
        Route("/api/riskguide/answers", answers, methods=["POST"]),
    ]
