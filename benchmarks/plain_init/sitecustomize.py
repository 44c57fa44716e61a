"""The SDK floor for service_benchmark.py: on this directory's PYTHONPATH, every
Python process of the service (uvicorn's spawned workers, gunicorn's master) starts
with a plain `sentry_sdk.init(dsn=PLAIN_SENTRY_DSN,
traces_sample_rate=PLAIN_TRACES_SAMPLE_RATE)`, the SDK's defaults for everything
else, while the template's own set-up finds SENTRY_DSN empty and stays off."""

import os

if os.environ.get("PLAIN_SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=os.environ["PLAIN_SENTRY_DSN"],
        traces_sample_rate=float(os.environ.get("PLAIN_TRACES_SAMPLE_RATE", "0.1")),
    )
