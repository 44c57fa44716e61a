"""The production web server, the Dockerfile's CMD:
`python -m {{ cookiecutter.project_slug }}.serve --host 0.0.0.0 --port 8000`.

uvicorn with worker processes, as `uvicorn --workers` runs it, but with the core's
logging (`core/logs.py`: LOG_FORMAT, LOG_LEVEL) for uvicorn's own lines too (started,
listening, each worker, shutdown): production writes nothing but JSON lines, which
uvicorn's command line cannot do without a logging file. A bad setting stops it
here, in one line (exit status 3), before any worker starts.

Behind a proxy: the client address and scheme come from X-Forwarded-For/-Proto when
the peer is in FORWARDED_ALLOW_IPS (uvicorn reads it). On SIGTERM uvicorn stops
taking connections, gives the requests in flight `--timeout-graceful-shutdown`
seconds, then runs the app's lifespan shutdown (Sentry's flush, 2 s).
"""

import argparse

import uvicorn

from .core.logs import logging_config
from .features import settings_or_exit

APP = "{{ cookiecutter.project_slug }}.main:app"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the app with uvicorn.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--timeout-graceful-shutdown", type=int, default=20, help="seconds"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = settings_or_exit()
    uvicorn.run(
        APP,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
        log_config=logging_config(settings),
    )


if __name__ == "__main__":
    main()
