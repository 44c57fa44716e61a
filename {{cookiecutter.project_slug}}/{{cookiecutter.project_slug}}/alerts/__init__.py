"""Alerts on bursts of errors: the monitor, and one module per notifier."""
