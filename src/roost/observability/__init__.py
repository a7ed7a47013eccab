"""Liveness, readiness and Prometheus metrics, for the API and for ``roost worker``."""
