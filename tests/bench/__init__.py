"""Smoke tests of `make bench` (bench/): small N, behaviour only, no timing assertions."""

# The routes the bench counts each step's requests by (bench/scenarios.py: the fake's method and route).
LIST = "GET /v1/billing_portal/configurations"
CREATE = "POST /v1/billing_portal/configurations"
RETRIEVE = "GET /v1/billing_portal/configurations/{id}"
UPDATE = "POST /v1/billing_portal/configurations/{id}"
