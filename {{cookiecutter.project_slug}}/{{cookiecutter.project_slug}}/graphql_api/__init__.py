"""Starlette + Strawberry glue: the app factory, the GraphQL context and schema."""
