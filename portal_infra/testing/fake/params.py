"""Stripe's parameter definitions for every endpoint the fake serves, and the checks Stripe makes with them.

stripe-mock, which the fake asks first, checks only the top level of a request: a typo inside `features[...]`
or an empty value Stripe will not take passes it (STRIPE-MOCK.md 2.3). Real Stripe refuses both. So the fake
checks every parameter at every depth against Stripe's own definitions, derived by code, never hand-listed:

- Names, types, enums, `""` and required: the generated parameter TypedDicts of the pinned stripe-python
  (16.1.0, which sends API version 2026-10-28.endive), e.g. `stripe/params/_account_update_params.py`
  `AccountUpdateParams`. `Literal['a', 'b']|str` is an enum: the SDK adds `|str` only for forward
  compatibility, Stripe itself refuses other values. `Literal['']` in a union marks a field Stripe lets you
  unset (its spec's `anyOf: [..., {enum: [""]}]`, stripe-node's `Emptyable`); anywhere else `""` is refused.
- Max lengths: the SDK types carry none, so they come from the OpenAPI spec stripe-mock embeds
  (github.com/stripe/stripe-mock@v0.203.0 `embedded/openapi/spec3.json`), whose path scripts/bootstrap.sh
  records as PORTAL_INFRA_STRIPE_SPEC in .tools/paths.env. Without that file only the SDK's rules apply
  (`spec_source()` says which).

Error shapes (400, type `invalid_request_error`, `param` in Stripe's bracket form `features[bogus]`):
- unknown parameter: code `parameter_unknown`, "Received unknown parameter: X" (STRIPE.md 6; stripe-node#1323).
- `""` where Stripe takes no empty value: code `parameter_invalid_empty`, Stripe's message quoted in many
  public reports ("You passed an empty string for 'X'. We assume empty values are an attempt to unset a
  parameter; however 'X' cannot be unset. ...").
- missing required parameter: code `parameter_missing`, "Missing required param: X." (Stripe's error codes).
- not an integer: code `parameter_invalid_integer` (in Stripe's published error codes, e.g. stripe-go's ErrorCode).
- not a boolean: "Invalid boolean: X" with no code (stripe-python#487 shows Stripe's answer: error_code=None).
- bad enum value, too long, wrong shape: Stripe's published error codes have none for these, so the fake sends
  none (`UNSOURCED_CODE`); the messages follow Stripe's ("Invalid mode: must be one of at_period_end or
  immediately", cf. stripe-kit#216). Which code, if any, real Stripe sends is a question for `make test-stripe`.
- metadata (docs.stripe.com/metadata, STRIPE.md 6): keys up to 40 characters, values up to 500, 50 keys;
  `metadata[key]=` removes one key, so an empty value is always accepted.

Accounts v2 (`/v2/...`, `_V2Checker` at the end): the same SDK-derived definitions, read with JSON's real types
(a `str` field refuses a number or a boolean, a `bool` refuses "true", `null` only where the annotation is
`Optional`), with dotted params (`configuration.merchant.branding.icon`) and v2's "Unknown field" wording;
the server wraps the refusal in v2's envelope (exceptions.StripeError.body_v2).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import stripe
import typing_extensions
from stripe._request_options import RequestOptions

from ..tools import stripe_spec
from .exceptions import InvalidParam, MissingParam, StripeError, UnknownParam

SDK_VERSION = stripe.VERSION  # the pinned 16.1.0 (pyproject.toml): the definitions below are its
# Stripe's published error codes name none for a bad enum value, an over-long string or a wrong shape.
UNSOURCED_CODE: str | None = None

# Route (as urls.route_name folds it) -> the stripe-python parameter class that describes its body or query.
# `None`: the SDK defines no parameters (file contents are served by files.stripe.com with none).
ROUTE_PARAMS: dict[str, str | None] = {
    "POST /v1/billing_portal/configurations": "billing_portal.ConfigurationCreateParams",
    "GET /v1/billing_portal/configurations": "billing_portal.ConfigurationListParams",
    "GET /v1/billing_portal/configurations/{id}": "billing_portal.ConfigurationRetrieveParams",
    "POST /v1/billing_portal/configurations/{id}": "billing_portal.ConfigurationUpdateParams",
    "POST /v1/billing_portal/sessions": "billing_portal.SessionCreateParams",
    "POST /v1/accounts": "AccountCreateParams",
    "GET /v1/accounts": "AccountListParams",
    "GET /v1/accounts/{id}": "AccountRetrieveParams",
    "POST /v1/accounts/{id}": "AccountUpdateParams",
    "DELETE /v1/accounts/{id}": "AccountDeleteParams",
    "GET /v1/account": "AccountRetrieveCurrentParams",
    "POST /v1/files": "FileCreateParams",
    "GET /v1/files": "FileListParams",
    "GET /v1/files/{id}": "FileRetrieveParams",
    "GET /v1/files/{id}/contents": None,
    "POST /v1/products": "ProductCreateParams",
    "GET /v1/products": "ProductListParams",
    "GET /v1/products/{id}": "ProductRetrieveParams",
    "POST /v1/products/{id}": "ProductUpdateParams",
    "POST /v1/prices": "PriceCreateParams",
    "GET /v1/prices": "PriceListParams",
    "POST /v1/prices/{id}": "PriceUpdateParams",
    "POST /v1/customers": "CustomerCreateParams",
    "GET /v1/customers/{id}": "CustomerRetrieveParams",
    "DELETE /v1/customers/{id}": "CustomerDeleteParams",
    "POST /v1/coupons": "CouponCreateParams",
    "GET /v1/coupons/{id}": "CouponRetrieveParams",
    "POST /v1/billing/feedback_options": "billing.FeedbackOptionCreateParams",
    "GET /v1/billing/feedback_options": "billing.FeedbackOptionListParams",
    "GET /v1/billing/feedback_options/{id}": "billing.FeedbackOptionRetrieveParams",
    "POST /v1/billing/feedback_options/{id}": "billing.FeedbackOptionUpdateParams",
    "POST /v1/billing/feedback_options/{id}/deactivate": "billing.FeedbackOptionDeactivateParams",
    # Accounts v2 (stripe/v2/core/_account_service.py; the classes in stripe/params/v2/core/_account_*_params.py).
    "POST /v2/core/accounts": "v2.core.AccountCreateParams",
    "GET /v2/core/accounts": "v2.core.AccountListParams",
    "GET /v2/core/accounts/{id}": "v2.core.AccountRetrieveParams",
    "POST /v2/core/accounts/{id}": "v2.core.AccountUpdateParams",
    "POST /v2/core/accounts/{id}/close": "v2.core.AccountCloseParams",
}

# Parameters a route takes that its SDK class does not list. `page`: the token in a v2 list's
# `next_page_url`/`previous_page_url`, which stripe-python requests verbatim (stripe/v2/_list_object.py
# `_auto_paging_iter`), so the list endpoint must take it although AccountListParams has no `page`.
# unsourced: the name `page` is the fake's choice; Stripe's tokens are opaque to clients.
_EXTRA_FIELDS: dict[str, dict[str, str]] = {"GET /v2/core/accounts": {"page": "string"}}

# Request options (api_key, idempotency_key, ...) that some SDK param classes inherit: headers, not params.
_REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__)
_INTEGER = re.compile(r"^-?\d+$")
_METADATA_KEY_MAX, _METADATA_VALUE_MAX, _METADATA_KEYS_MAX = 40, 500, 50


@dataclass
class Shape:
    """What one parameter accepts: the union of everything its SDK annotation allows."""

    strings: bool = False  # free text
    nullable: bool = False  # JSON `null` accepted (`Optional[...]`; only v2's JSON bodies can send it)
    enum: tuple[str, ...] = ()  # Stripe's fixed values (a Literal), which then replace free text
    emptyable: bool = False  # `""` accepted (unsets the field or clears the list)
    ints: bool = False
    floats: bool = False
    bools: bool = False
    anything: bool = False  # `file: Any` (a multipart part)
    objects: list[ObjectShape] = field(default_factory=list)
    items: Shape | None = None  # a list of these
    values: Shape | None = None  # a hash with any keys (metadata, currency_options)

    @property
    def expects(self) -> str:
        """The kind a person meant, for the message when nothing matched."""
        if self.enum:
            return "enum"
        for kind, flag in (("boolean", self.bools), ("integer", self.ints), ("decimal", self.floats),
                           ("string", self.strings), ("object", bool(self.objects) or self.values is not None),
                           ("array", self.items is not None)):
            if flag:
                return kind
        return "string"


@dataclass
class ObjectShape:
    name: str  # the SDK class, for reading a failure
    fields: dict[str, Shape]
    required: frozenset[str]


@functools.cache
def definition(route: str) -> ObjectShape | None:
    """The top-level parameters of `route`, or None when the fake has no definition for it."""
    target = ROUTE_PARAMS.get(route)
    if target is None:
        return None
    package, _, name = target.rpartition(".")
    cls = getattr(importlib.import_module("stripe.params" + (f".{package}" if package else "")), name)
    top = _object(cls, {})
    extra = _EXTRA_FIELDS.get(route)
    if extra:
        top = ObjectShape(top.name, {**top.fields, **{k: Shape(strings=True) for k in extra}}, top.required)
    return top


def _object(cls: Any, seen: dict[Any, ObjectShape]) -> ObjectShape:
    if cls in seen:  # the SDK's types are a tree, but a cycle must not recurse forever
        return seen[cls]
    required = frozenset(getattr(cls, "__required_keys__", ())) - _REQUEST_OPTIONS
    out = seen[cls] = ObjectShape(cls.__name__, {}, required)
    for key, annotation in _annotations(cls).items():
        out.fields[key] = _shape(annotation, seen)
    return out


class _Holder:
    def __init__(self, annotations: dict[str, Any]) -> None:
        self.__annotations__ = annotations


def _annotations(cls: Any) -> dict[str, Any]:
    """The class's annotations, resolved: they are strings naming classes of the SDK module. The request
    options some classes inherit (headers, not params) are left out; they name types the SDK imports only
    for type checkers, so they could not be resolved."""
    own = {k: v for k, v in cls.__annotations__.items() if k not in _REQUEST_OPTIONS}
    namespace = vars(sys.modules[cls.__module__])
    hints: dict[str, Any] = typing_extensions.get_type_hints(_Holder(own), globalns=namespace)
    return hints


def _shape(annotation: Any, seen: dict[Any, ObjectShape], into: Shape | None = None) -> Shape:
    shape = into if into is not None else Shape()
    origin = get_origin(annotation)
    if origin in (typing_extensions.NotRequired, typing_extensions.Required):
        return _shape(get_args(annotation)[0], seen, shape)
    if origin is Union:
        saw_text = False
        for member in get_args(annotation):
            if member is str:
                saw_text = True
            else:
                _shape(member, seen, shape)
        # `Literal['a', 'b']|str`: the SDK's forward-compatible enum; Stripe takes only the Literal.
        shape.strings = shape.strings or (saw_text and not shape.enum)
        return shape
    if origin is Literal:
        for value in get_args(annotation):
            if value == "":
                shape.emptyable = True
            else:
                shape.enum = (*shape.enum, str(value))
        shape.strings = shape.strings and not shape.enum
        return shape
    if origin is list:
        shape.items = _shape(get_args(annotation)[0], seen)
        return shape
    if origin is dict or (isinstance(origin, type) and origin.__name__ == "UntypedStripeObject"):
        args = get_args(annotation)
        shape.values = _shape(args[-1] if args else Any, seen)
        return shape
    if annotation is str:
        shape.strings = not shape.enum
    elif annotation is bool:
        shape.bools = True
    elif annotation is int:
        shape.ints = True
    elif annotation is float:
        shape.floats = True
    elif typing_extensions.is_typeddict(annotation):
        shape.objects.append(_object(annotation, seen))
    elif annotation is type(None):
        shape.nullable = True
    else:  # Any, or a type this module does not know: accept rather than refuse what Stripe may take
        shape.anything = True
    return shape


# Max lengths from the OpenAPI spec, keyed by route and generic path ("*" for a list item or a hash value).
Lengths = dict[tuple[str, ...], int]


def spec_source() -> str:
    """Where the max lengths come from, or a sentence saying that none are checked (for skips and reports)."""
    path = stripe_spec()
    if path is None or not path.is_file():
        return "none: no OpenAPI spec found (PORTAL_INFRA_STRIPE_SPEC); max lengths are not checked"
    return str(path)


@functools.cache
def _spec(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


@functools.cache
def max_lengths(route: str) -> Lengths:
    spec = _spec(stripe_spec())
    if spec is None:
        return {}
    method, _, pattern = route.partition(" ")
    wanted = re.compile("^" + re.escape(pattern).replace(re.escape("{id}"), r"\{[^}]+\}") + "$")
    out: Lengths = {}
    for path, item in spec.get("paths", {}).items():
        operation = item.get(method.lower()) if wanted.match(path) else None
        if not operation:
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query":
                _walk(spec, parameter.get("schema", {}), (parameter["name"],), out)
        for media in operation.get("requestBody", {}).get("content", {}).values():
            _walk(spec, media.get("schema", {}), (), out)
    return out


def _walk(spec: dict[str, Any], schema: Any, path: tuple[str, ...], out: Lengths, depth: int = 0) -> None:
    if not isinstance(schema, dict) or depth > 40:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        _walk(spec, target, path, out, depth + 1)
        return
    if isinstance(schema.get("maxLength"), int) and path:
        out[path] = max(out.get(path, 0), schema["maxLength"])
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in schema.get(key, []):
            _walk(spec, alternative, path, out, depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        _walk(spec, sub, (*path, name), out, depth + 1)
    if isinstance(schema.get("items"), dict):
        _walk(spec, schema["items"], (*path, "*"), out, depth + 1)
    if isinstance(schema.get("additionalProperties"), dict):
        _walk(spec, schema["additionalProperties"], (*path, "*"), out, depth + 1)


# The checks.

def param_name(path: Iterable[str]) -> str:
    """Stripe's name for a nested parameter: `features[customer_update][allowed_updates][0]`."""
    parts = list(path)
    return parts[0] + "".join(f"[{p}]" for p in parts[1:]) if parts else ""


def check_request(route: str, params: Mapping[str, Any], uploads: Iterable[str] = ()) -> None:
    """Raise Stripe's 400 for the first parameter Stripe would refuse. `uploads`: multipart file parts."""
    top = definition(route)
    if top is None:
        return
    if is_v2(route):
        # A v2 POST body is JSON with real types; a v2 GET query is form-encoded strings (_api_encode).
        _V2Checker({}, frozenset(), typed=route.startswith("POST ")).check_object(dict(params), top, (), ())
        return
    _Checker(max_lengths(route), frozenset(uploads)).check_object(dict(params), top, (), ())


def is_v2(route: str) -> bool:
    return route.split(" ", 1)[-1].startswith("/v2/")


def one_of(values: Iterable[str]) -> str:
    """Stripe's list of allowed values: `a or b`, `a, b, or c`."""
    items = list(values)
    if len(items) <= 2:
        return " or ".join(items)
    return ", ".join(items[:-1]) + f", or {items[-1]}"


@dataclass
class _Checker:
    lengths: Lengths
    uploads: frozenset[str]

    def check_object(self, value: dict[str, Any], shape: ObjectShape, path: tuple[str, ...],
                     generic: tuple[str, ...]) -> None:
        for key, item in value.items():
            sub = shape.fields.get(key)
            if sub is None:
                raise UnknownParam(param_name((*path, key)))
            if not path and key in self.uploads:
                continue
            self.check(item, sub, (*path, key), (*generic, key))
        present = set(value) | (self.uploads if not path else set())
        for key in sorted(shape.required - present):
            raise MissingParam(param_name((*path, key)))

    def check(self, value: Any, shape: Shape, path: tuple[str, ...], generic: tuple[str, ...]) -> None:
        param = param_name(path)
        if shape.anything:
            return
        if value == "":
            if not shape.emptyable:
                raise InvalidParam(param, f"You passed an empty string for '{param}'. We assume empty values are an "
                                          f"attempt to unset a parameter; however '{param}' cannot be unset. You "
                                          f"should remove '{param}' from your request or supply a non-empty value.",
                                   code="parameter_invalid_empty")
            return
        if isinstance(value, list) and shape.items is None and (shape.values is not None or shape.objects):
            # The form decoder reads `metadata[0]=x` as a list; for a hash those are keys like any other.
            value = {str(i): v for i, v in enumerate(value)}
        if isinstance(value, dict):
            self._hash(value, shape, path, generic)
        elif isinstance(value, list):
            if shape.items is None:
                raise _shape_error(param, shape, value)
            for i, item in enumerate(value):
                self.check(item, shape.items, (*path, str(i)), (*generic, "*"))
        else:
            self._scalar(str(value), shape, param, generic)

    def check_objects(self, value: dict[str, Any], shape: Shape, path: tuple[str, ...],
                      generic: tuple[str, ...]) -> None:
        """`value` against a union of objects (a card or a bank account): any one may match; else the
        first one's refusal."""
        first: StripeError | None = None
        for candidate in shape.objects:
            try:
                self.check_object(value, candidate, path, generic)
                return
            except StripeError as err:
                first = first or err
        assert first is not None
        raise first

    def _hash(self, value: dict[str, Any], shape: Shape, path: tuple[str, ...], generic: tuple[str, ...]) -> None:
        param = param_name(path)
        if shape.objects:
            self.check_objects(value, shape, path, generic)
            return
        if shape.values is None:
            raise _shape_error(param, shape, value)
        if path[-1] == "metadata":
            _check_metadata(value, param)
        for key, item in value.items():
            if path[-1] == "metadata" and item == "":
                continue  # `metadata[key]=` removes that key (the SDK's docstring on metadata)
            self.check(item, shape.values, (*path, key), (*generic, "*"))

    def _scalar(self, value: str, shape: Shape, param: str, generic: tuple[str, ...]) -> None:
        name = _short_name(param)
        if shape.enum and value in shape.enum:
            return
        if shape.bools and value in ("true", "false"):
            return
        if shape.ints and _INTEGER.match(value):
            return
        if shape.floats and _is_decimal(value):
            return
        if shape.strings:
            limit = self.lengths.get(generic)
            if limit is not None and len(value) > limit:
                raise InvalidParam(param, f"Invalid string: {_clip(value)}; must be at most {limit} characters",
                                   code=UNSOURCED_CODE)
            return
        expects = shape.expects
        if expects == "enum":
            raise InvalidParam(param, f"Invalid {name}: must be one of {one_of(shape.enum)}",
                               code=UNSOURCED_CODE)
        if expects == "boolean":
            raise InvalidParam(param, f"Invalid boolean: {value}", code=None)
        if expects == "integer":
            raise InvalidParam(param, f"Invalid integer: {value}", code="parameter_invalid_integer")
        if expects == "decimal":
            raise InvalidParam(param, f"Invalid decimal: {value}", code=UNSOURCED_CODE)
        raise _shape_error(param, shape, value)


def _short_name(param: str) -> str:
    """The field's own name, with the index of a list item: `allowed_updates[1]`, `mode`."""
    parts = param.replace("]", "").split("[")
    tail = len(parts) - 1
    while tail > 0 and parts[tail].isdigit():
        tail -= 1
    return parts[tail] + "".join(f"[{p}]" for p in parts[tail + 1:])


def _check_metadata(value: dict[str, Any], param: str) -> None:
    for key, item in value.items():
        if len(key) > _METADATA_KEY_MAX:
            raise InvalidParam(param, f"Invalid key: {key} must be a string under {_METADATA_KEY_MAX} characters",
                               code=UNSOURCED_CODE)
        if isinstance(item, str) and len(item) > _METADATA_VALUE_MAX:
            raise InvalidParam(param, f"Invalid val: {_clip(item)} must be a string under {_METADATA_VALUE_MAX} "
                                      "characters", code=UNSOURCED_CODE)
    if len(value) > _METADATA_KEYS_MAX:
        raise InvalidParam(param, f"Invalid metadata: metadata can have up to {_METADATA_KEYS_MAX} keys",
                           code=UNSOURCED_CODE)


def _shape_error(param: str, shape: Shape, value: Any) -> InvalidParam:
    expects = shape.expects
    if expects == "object":
        message = f"Invalid object: {param} must be a hash (send it as {param}[key]=value)"
    elif expects == "array":
        message = f"Invalid array: {param} must be a list (send it as {param}[0]=value)"
    elif expects == "enum":
        message = f"Invalid {_short_name(param)}: must be one of {one_of(shape.enum)}"
    else:
        message = f"Invalid {expects}: {param} cannot be a {'hash' if isinstance(value, dict) else 'list'}"
    return InvalidParam(param, message, code=UNSOURCED_CODE)


def _is_decimal(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _clip(value: str) -> str:
    return value if len(value) <= 20 else value[:20] + "..."


# Accounts v2 (`/v2/...`): JSON bodies with real types, and Stripe's v2 error wording.
#
# Sources: the SDK classes above (names, types, enums, `Optional` = may be null); STRIPE.md 4.1 for the
# observed "Unknown field, did you mean fpx_payments, p24_payments, zip_payments?" on POST /v2/core/accounts.
# unsourced: the `code` of each v2 refusal (the fake reuses v1's: parameter_unknown, parameter_invalid_empty,
# parameter_missing, parameter_invalid_integer, none for enums and types), the param's form (dots between
# fields, `[i]` for a list item: `configuration.merchant.branding.icon`, `include[0]`), and every message
# but the unknown field's opening words. All are questions for the real-Stripe suite.

def v2_param_name(path: Iterable[str]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() and out else (f".{part}" if out else part)
    return out


_JSON_KIND = {bool: "boolean", int: "integer", float: "decimal", str: "string", dict: "object", list: "array"}


@dataclass
class _V2Checker(_Checker):
    typed: bool = True  # False for a GET's query string, where every value is a string

    def check_object(self, value: dict[str, Any], shape: ObjectShape, path: tuple[str, ...],
                     generic: tuple[str, ...]) -> None:
        for key, item in value.items():
            sub = shape.fields.get(key)
            if sub is None:
                param = v2_param_name((*path, key))
                near = difflib.get_close_matches(key, list(shape.fields), n=3)
                hint = f", did you mean {', '.join(near)}?" if near else "."
                raise StripeError(400, f"Unknown field {param}{hint}", code="parameter_unknown", param=param)
            self.check(item, sub, (*path, key), (*generic, key))
        for key in sorted(shape.required - set(value)):
            param = v2_param_name((*path, key))
            raise StripeError(400, f"Missing required field: {param}.", code="parameter_missing", param=param)

    def check(self, value: Any, shape: Shape, path: tuple[str, ...], generic: tuple[str, ...]) -> None:
        param = v2_param_name(path)
        if shape.anything:
            return
        if value is None:
            if shape.nullable:
                return
            raise InvalidParam(param, f"Invalid {shape.expects}: {param} cannot be null", code=UNSOURCED_CODE)
        if value == "":
            if shape.emptyable:
                return
            # The v2 types carry no Literal[''] on these fields (STRIPE.md 4.1: once set, a value cannot be
            # emptied); the code is v1's for the same refusal.
            raise InvalidParam(param, f"Invalid string: {param} cannot be empty; remove it from your request or "
                                      "supply a non-empty value.", code="parameter_invalid_empty")
        if isinstance(value, dict):
            if not self.typed and shape.items is not None and all(k.isdigit() for k in value):
                value = [value[k] for k in sorted(value, key=int)]  # a form list with gaps
            else:
                self._object_or_hash(value, shape, path, generic, param)
                return
        if isinstance(value, list):
            if shape.items is None:
                raise self._wrong(param, shape, value)
            for i, item in enumerate(value):
                self.check(item, shape.items, (*path, str(i)), (*generic, "*"))
            return
        if not self.typed:
            try:
                self._scalar(str(value), shape, param, generic)
            except InvalidParam as err:
                raise InvalidParam(param, err.message, code=err.code) from None
            return
        self._typed_scalar(value, shape, param)

    def _object_or_hash(self, value: dict[str, Any], shape: Shape, path: tuple[str, ...],
                        generic: tuple[str, ...], param: str) -> None:
        if shape.objects:
            self.check_objects(value, shape, path, generic)
            return
        if shape.values is None:
            raise self._wrong(param, shape, value)
        if path[-1] == "metadata":
            _check_metadata(value, param)
        for key, item in value.items():
            self.check(item, shape.values, (*path, key), (*generic, "*"))

    def _typed_scalar(self, value: Any, shape: Shape, param: str) -> None:
        """A JSON scalar against its annotation: JSON has types, so `"true"` is no boolean and `1` no string."""
        if isinstance(value, bool):
            if shape.bools:
                return
        elif isinstance(value, int):
            if shape.ints or shape.floats:
                return
        elif isinstance(value, float):
            if shape.floats:
                return
        elif isinstance(value, str):
            if shape.enum:
                if value in shape.enum:
                    return
                raise InvalidParam(param, f"Invalid {_short_name(param.replace('.', '['))}: must be one of "
                                          f"{one_of(shape.enum)}", code=UNSOURCED_CODE)
            if shape.strings:
                return
        raise self._wrong(param, shape, value)

    @staticmethod
    def _wrong(param: str, shape: Shape, value: Any) -> InvalidParam:
        got = _JSON_KIND.get(type(value), type(value).__name__)
        want = shape.expects if shape.expects != "enum" else f"one of {one_of(shape.enum)}"
        code = "parameter_invalid_integer" if want == "integer" else UNSOURCED_CODE
        return InvalidParam(param, f"Invalid {param}: expected {want}, got {got}", code=code)
