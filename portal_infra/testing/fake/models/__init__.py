"""State and rules of the fake Stripe (moto's models.py, split by resource family)."""

from .base import AccountStore, Backend

__all__ = ["AccountStore", "Backend"]
