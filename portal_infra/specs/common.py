"""Field types shared by every spec: Stripe's limits, checked before any request is made."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Pulumi's marker for a value not yet known during preview (pulumi.runtime.rpc.UNKNOWN). Kept as a
# literal so `specs` stays free of pulumi; validators let it through and check the real value at up.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# Metadata keys with this prefix belong to portal-infra (the ownership marker, see resources).
RESERVED_METADATA_PREFIX = "portal_infra_"

METADATA_MAX_KEYS = 50
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
URL_MAX = 5000


class Spec(BaseModel):
    """Base of every declared shape: unknown fields are errors, values are immutable."""

    # Not strict as a whole: Pulumi carries numbers as floats (2.0), which must still pass as ints.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_url(value: str) -> str:
    if value == UNKNOWN:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError(
            f"{value!r} is not an absolute http(s) URL; write it in full, like https://example.com/account"
        )
    if len(value) > URL_MAX:
        raise ValueError(f"is {len(value)} characters long; Stripe allows at most {URL_MAX}")
    return value


Url = Annotated[str, AfterValidator(_check_url)]


def stripe_id(*prefixes: str) -> AfterValidator:
    """A Stripe object ID with one of the given prefixes (e.g. `prod_`)."""

    def check(value: str) -> str:
        if value == UNKNOWN or value.startswith(prefixes):
            return value
        want = " or ".join(f"'{p}…'" for p in prefixes)
        raise ValueError(f"{value!r} is not a Stripe ID of the right kind; use an ID that starts with {want}")

    return AfterValidator(check)


def _check_metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > METADATA_MAX_KEYS:
        raise ValueError(
            f"has {len(value)} keys, Stripe allows at most {METADATA_MAX_KEYS}; drop or merge keys"
        )
    for key, item in value.items():
        if len(key) > METADATA_KEY_MAX:
            raise ValueError(
                f"key {key!r} is {len(key)} characters, Stripe allows at most {METADATA_KEY_MAX}; "
                "shorten the key"
            )
        if "[" in key or "]" in key or not key:
            raise ValueError(f"key {key!r} is empty or contains '[' or ']'; rename the key")
        if key.startswith(RESERVED_METADATA_PREFIX):
            raise ValueError(
                f"key {key!r} uses the prefix {RESERVED_METADATA_PREFIX!r}, reserved for portal-infra's "
                "ownership marker; rename the key"
            )
        if len(item) > METADATA_VALUE_MAX:
            raise ValueError(
                f"value of {key!r} is {len(item)} characters, Stripe allows at most {METADATA_VALUE_MAX}; "
                "shorten it"
            )
    return value


Metadata = Annotated[dict[str, str], AfterValidator(_check_metadata)]

StripeText = Annotated[str, Field(min_length=1, max_length=URL_MAX)]
