"""`POST /api/v1/test/error`: proves each kind of report reaches Sentry."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from {{ cookiecutter.project_slug }}.core.diagnostics import (
    ErrorKind,
    describe,
    trigger_test_error,
)
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.db import execute_sql


class HiddenInProduction(APIRoute):
    """A route that answers 404 in production before it reads the body: whatever
    is sent (valid JSON, malformed JSON, another media type), as in every framework."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def hidden_in_production(request: Request) -> Response:
            if get_settings().environment == "production":
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
            return await handler(request)

        return hidden_in_production


router = APIRouter(route_class=HiddenInProduction)


class ErrorRequest(BaseModel):
    error_type: ErrorKind = ErrorKind.EXCEPTION
    # No NUL, and (through the pattern's matcher) no lone surrogate: as everywhere.
    message: str | None = Field(default=None, pattern=r"^[^\x00]*$")


@router.post("/error")
def trigger_error(request: ErrorRequest) -> dict[str, Any]:
    if request.error_type is ErrorKind.HTTP:
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail=describe("Test HTTP error", request.message),
        )
    return trigger_test_error(
        request.error_type, request.message, execute_sql=execute_sql
    )
