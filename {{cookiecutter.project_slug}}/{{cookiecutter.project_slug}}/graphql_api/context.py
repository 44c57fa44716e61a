"""The GraphQL view: its context holds the user the request authenticated as.

Who the request is was settled by `BearerTokenBackend` (authentication.py), for
every route: the Sentry user is already set. Requests it cannot read (malformed
JSON, another media type, a body that is not an operation) are answered in JSON,
GraphQL's way: `{"errors": [{"message": ...}]}` with a 4xx status. No error message
quotes a value the client sent (graphql-core's do: "Variable '$x' has invalid value:
{...}"), and a bug's message (an exception a resolver did not raise on purpose, which
may hold SQL and its parameters) stays on the server and in its Sentry event: the
client reads "Internal Server Error", as from the REST routes' 500.
"""

import json
import re
from dataclasses import dataclass

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from {{ cookiecutter.project_slug }}.authentication import SignedInUser
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.media_types import is_utf8, texts

from .sentry import is_client_error

# Where graphql-core quotes a value it could not use: after "value: " (with a path,
# "value.items[0]: ") or "found: ".
QUOTED_VALUE = re.compile(r"(\bvalue(?:[.\[][^:]*)?|\bfound): .*", re.DOTALL)
# graphql-core's hint at the names of the schema ("Did you mean 'me'?"): the schema
# is not shown in production (no introspection), nor is it through these.
SUGGESTION = re.compile(r" Did you mean .*\?$", re.DOTALL)


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    signed_in: SignedInUser | None = None


class GraphQLWithContext(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive=receive))
        except HTTPException as error:
            response = JSONResponse(
                {"errors": [{"message": error.reason}]}, status_code=error.status_code
            )
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        user = request.user
        signed_in = user if isinstance(user, SignedInUser) else None
        return Context(request=request, response=response, signed_in=signed_in)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # The answer's errors only: Sentry reports `result.errors` after this, with
        # their original exceptions.
        errors = zip(result.errors or [], response.get("errors") or [], strict=True)
        for error, formatted in errors:
            if not isinstance(formatted, dict):
                continue
            if not is_client_error(error):
                formatted["message"] = "Internal Server Error"
            elif isinstance(formatted.get("message"), str):
                message = QUOTED_VALUE.sub(r"\1.", formatted["message"], count=1)
                if get_settings().environment == "production":
                    message = SUGGESTION.sub("", message)
                formatted["message"] = message
        return response

    def decode_json(self, data: str | bytes) -> object:
        # Strawberry answers malformed JSON with 400, but with 500 what else the
        # parser refuses: invalid UTF-8, nesting deeper than its recursion limit, an
        # integer longer than Python converts (4300 digits).
        try:
            body = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise json.JSONDecodeError("the body is not valid JSON", "", 0) from error
        # A resolver would fail with a 500 on a lone surrogate.
        if not all(map(is_utf8, texts(body))):
            raise HTTPException(400, "the body holds a lone surrogate")
        return body
