"""One module per environment; each starts from `base`."""
