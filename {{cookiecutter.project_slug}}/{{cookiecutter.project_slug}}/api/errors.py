"""Client mistakes answered in JSON, without a word of what the client sent.

FastAPI's own answer to a request that fails validation echoes every input value
(a 20 MB body comes back as a 40 MB answer, secrets included). Here:

- 400 when the body is not valid JSON;
- 415 when a body comes with a media type other than JSON;
- 422 otherwise, with each problem's location, message and type: never its input.
"""

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from {{ cookiecutter.project_slug }}.media_types import is_json


async def validation_failed(request: Request, error: Exception) -> JSONResponse:
    """The handler of RequestValidationError (Starlette registers handlers for any
    exception type, hence the wider parameter)."""
    if not isinstance(error, RequestValidationError):
        raise error
    problems = error.errors()
    if any(problem["type"] == "json_invalid" for problem in problems):
        return JSONResponse(
            {"detail": "the body is not valid JSON"},
            status_code=status.HTTP_400_BAD_REQUEST,
        )
    if sends_a_body(request) and not is_json(request.headers.get("content-type")):
        return JSONResponse(
            {"detail": "send the body as JSON (Content-Type: application/json)"},
            status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    return JSONResponse(
        {
            "detail": [
                {"loc": problem["loc"], "msg": problem["msg"], "type": problem["type"]}
                for problem in problems
            ]
        },
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def sends_a_body(request: Request) -> bool:
    length = request.headers.get("content-length", "0")
    return length != "0" or "transfer-encoding" in request.headers
