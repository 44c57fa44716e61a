"""The answer to an unhandled error in a Starlette-based app: JSON, as every other
answer of the API.

Starlette's ServerErrorMiddleware calls the handler registered for `Exception` to
answer, then raises the error again: the server and Sentry still see it whole.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse


async def server_error(request: Request, error: Exception) -> JSONResponse:
    """500 `{"detail": "Internal Server Error"}`: nothing of the error itself."""
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
