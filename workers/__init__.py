"""Celery workers (deadline sweeps, notices, email intake, year-end reports)."""
