"""Presentation of the service's page models: chart specs and CSV tables (no computation)."""
