"""Framework-agnostic observability core: settings, Sentry, scrubbing and grouping."""
