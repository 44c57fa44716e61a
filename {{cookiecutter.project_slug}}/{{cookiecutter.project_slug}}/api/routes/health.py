from typing import Any

from fastapi import APIRouter, Response, status

from {{ cookiecutter.project_slug }}.core.sentry import sentry_status
from {{ cookiecutter.project_slug }}.db import database_ok

router = APIRouter()


@router.api_route("/health", methods=["GET", "HEAD"])  # HEAD: uptime monitors.
def health(response: Response) -> dict[str, Any]:
    state = "ok" if database_ok() else "degraded"
    if state != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": state, "sentry": sentry_status()}
