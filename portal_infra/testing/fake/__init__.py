"""A stateful, moto-style Stripe fake for tests with no Stripe account.

Layout follows moto: `models/` (state and rules), `responses.py` (HTTP in and out per endpoint),
`urls.py` (routes), `exceptions.py` (Stripe's error envelope), `server.py` (the HTTP front with
validation by stripe-mock, idempotency, the request log, faults) and `control.py` (a client for
the control API). Accounts v2 (`/v2/core/accounts`, JSON bodies, v2's error envelope) is the fake's own
(stripe-mock serves no v2): `models/accounts_v2.py`, over the same account objects as v1.
"""

from .control import FakeStripeControl
from .server import FakeStripe

__all__ = ["FakeStripe", "FakeStripeControl"]
