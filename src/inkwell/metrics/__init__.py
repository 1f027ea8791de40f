"""Prometheus metrics: GET /metrics, the request middleware and the pool sampler."""
