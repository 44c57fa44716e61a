"""Django's side of `core.request_log`: the request id and one line per request.

First in MIDDLEWARE, inside Sentry's request scope: see `core.request_log`.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response

from ..core.request_log import (
    REQUEST_ID_HEADER,
    log_request,
    request_context,
    request_id,
)

Handler = Callable[[HttpRequest], HttpResponse]


class RequestLoggingMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = request_id(request.headers.get(REQUEST_ID_HEADER))
        status = 500
        with request_context(rid, outside_sentry=False):
            try:
                response = self.get_response(request)
                status = response.status_code
                response[REQUEST_ID_HEADER] = rid
                if status >= 400:
                    # Django's own line for an error answer ("Not Found: /x"), here
                    # with the request's ids (Django would log it after this context).
                    log_response(
                        "%s: %s",
                        response.reason_phrase,
                        request.path,
                        response=response,
                        request=request,
                    )
                return response
            finally:
                client = request.META.get("REMOTE_ADDR")
                method = request.method or ""
                log_request(method, request.path, status, started, client=client)
