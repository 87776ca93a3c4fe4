"""A stateful, moto-style Stripe fake for tests with no Stripe account.

Layout follows moto: `models/` (state and rules), `responses.py` (HTTP in and out per endpoint),
`urls.py` (routes), `exceptions.py` (Stripe's error envelope), `server.py` (the HTTP front with
validation by stripe-mock, idempotency, the request log, faults) and `control.py` (a client for
the control API).
"""

from .control import FakeStripeControl
from .server import FakeStripe

__all__ = ["FakeStripe", "FakeStripeControl"]
