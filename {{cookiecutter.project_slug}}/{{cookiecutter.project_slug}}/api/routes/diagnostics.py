"""`POST /api/v1/test/error`: proves each kind of report reaches Sentry."""

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from {{ cookiecutter.project_slug }}.core.diagnostics import (
    ErrorKind,
    describe,
    trigger_test_error,
)
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.db import execute_sql

router = APIRouter()


class ErrorRequest(BaseModel):
    error_type: ErrorKind = ErrorKind.EXCEPTION
    message: str | None = None


@router.post("/error")
def trigger_error(request: ErrorRequest) -> dict[str, Any]:
    if get_settings().environment == "production":
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not Found")
    if request.error_type is ErrorKind.HTTP:
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail=describe("Test HTTP error", request.message),
        )
    return trigger_test_error(
        request.error_type, request.message, execute_sql=execute_sql
    )
