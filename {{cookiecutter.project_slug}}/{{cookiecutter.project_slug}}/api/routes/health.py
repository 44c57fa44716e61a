from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from {{ cookiecutter.project_slug }}.core.sentry import sentry_status

from ..deps import DbSession

router = APIRouter()


@router.get("/health")
def health(session: DbSession, response: Response) -> dict[str, Any]:
    try:
        session.execute(text("SELECT 1"))
        state = "ok"
    except Exception:
        state = "degraded"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": state, "sentry": sentry_status()}
