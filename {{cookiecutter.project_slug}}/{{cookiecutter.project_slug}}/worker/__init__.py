"""The background worker: the example jobs, and how the web side queues them."""
