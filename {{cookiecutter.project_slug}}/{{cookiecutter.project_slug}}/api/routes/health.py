from typing import Any

from fastapi import APIRouter, Response, status

from {{ cookiecutter.project_slug }}.core.sentry import sentry_status
from {{ cookiecutter.project_slug }}.db import database_ok

router = APIRouter()


@router.get("/health")
@router.head("/health", include_in_schema=False)  # Uptime monitors send HEAD.
def health(response: Response) -> dict[str, Any]:
    state = "ok" if database_ok() else "degraded"
    if state != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": state, "sentry": sentry_status()}
