"""FastAPI glue: the app factory, the Sentry user middleware and the routes."""
