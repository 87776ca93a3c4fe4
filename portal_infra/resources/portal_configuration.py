"""`PortalConfiguration`: a Stripe billing portal configuration as a Pulumi dynamic resource.

Lifecycle (DESIGN.md): create POSTs the declared fields with an ownership marker in metadata;
update sends only what changed, with "" for fields the program no longer declares; read maps
Stripe's object back onto the declared fields (404 = gone); delete retires per `on_delete`,
because Stripe has no DELETE for configurations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from ..specs import SpecError, SpecProblem, parse_portal_configuration
from ..specs.lookup import PRODUCTS_PATH, FoundPrice, chunks, resolve_prices
from ..specs.portal_configuration import PortalConfigurationSpec, price_lookup_keys
from ..specs.wire import create_params, declared, project, update_params
from ..stripe_api import StripeCallError, StripeGateway, idempotency_key, resolve
from .base import ResourceError, StripeResourceProvider, failures, warn, without_provider, without_stack_trace
from .owner_index import OwnerIndex, scope_of

PATH = "/v1/billing_portal/configurations"
OWNER_METADATA_KEY = "portal_infra_owner"
# Per provider process, never pickled: module state, not provider state.
OWNERS = OwnerIndex(OWNER_METADATA_KEY)

# Inputs that are Stripe fields, and so are validated by the spec and sent to Stripe.
STRIPE_FIELDS = tuple(PortalConfigurationSpec.model_fields)
# Inputs that steer portal-infra itself and are never sent to Stripe.
CONTROL_FIELDS = ("owner", "on_delete", "stripe_account", "adopt", "retention_coupon", "price_lookup_keys")
ADOPT_DEFAULT = "default"
# Outputs read back from Stripe.
COMPUTED_FIELDS = ("is_default", "livemode", "login_page_url", "mode", "updated")

OnDelete = Literal["deactivate", "retain"]


def _stripe_part(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in STRIPE_FIELDS if k in props and props[k] is not None}


def _control_part(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in CONTROL_FIELDS if k in props and props[k] is not None}


class PortalConfigurationProvider(StripeResourceProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        problems: list[CheckFailure] = []
        try:
            spec = parse_portal_configuration(_stripe_part(news))
        except SpecError as err:
            problems = failures(err.problems)
            spec = None
        on_delete = news.get("on_delete", "deactivate")
        if on_delete not in ("deactivate", "retain"):
            problems.append(CheckFailure("on_delete", f"{on_delete!r} is not a retire policy; "
                                                      "use deactivate or retain"))
        adopt = news.get("adopt")
        if adopt is not None and adopt != ADOPT_DEFAULT and not (isinstance(adopt, str) and adopt.startswith("bpc_")):
            problems.append(CheckFailure("adopt", f"{adopt!r} is neither 'default' nor a configuration ID (bpc_…); "
                                                  "use adopt: default, or the ID of the configuration to manage"))
        coupon = news.get("retention_coupon")
        if coupon is not None and not (isinstance(coupon, str) and coupon):
            problems.append(CheckFailure("retention_coupon", f"{coupon!r} is not a coupon ID; give the coupon's ID"))
        problems += self.connection_failures()
        if spec is None or problems:
            return CheckResult(without_provider(news), problems)
        # Only now, with the input and the key's mode both accepted, may check() ask Stripe anything.
        spec, lookups, found = self._resolve_against_account(spec, news)
        if found:
            return CheckResult(without_provider(news), failures(found))
        inputs = {**_control_part(news), "on_delete": on_delete, **declared(spec)}
        inputs.pop("price_lookup_keys", None)
        if lookups:
            inputs["price_lookup_keys"] = lookups
        return CheckResult(inputs, [])

    def _resolve_against_account(self, spec: PortalConfigurationSpec, news: Mapping[str, Any]
                                 ) -> tuple[PortalConfigurationSpec, dict[str, str], list[SpecProblem]]:
        """Lookup keys to price IDs and the retention coupon checked, in the stack's own account and mode,
        so the diff shows the IDs this stack will get and a missing one fails preview."""
        keys = price_lookup_keys(spec)
        coupon = news.get("retention_coupon")
        if not keys and not coupon:
            return spec, {}, []
        gateway = self.gateway(news.get("stripe_account"))
        where = _account_words(news, gateway.mode)
        problems: list[SpecProblem] = []
        if coupon:
            problems += _coupon_problems(gateway, str(coupon), where)
        if not keys:
            return spec, {}, problems
        found: dict[str, FoundPrice] = {}
        try:
            for chunk in chunks(keys):
                for price in gateway.list_all("/v1/prices", {"lookup_keys": chunk, "active": True}):
                    product = price.get("product")
                    product_id = product.get("id") if isinstance(product, dict) else product
                    found[str(price.get("lookup_key"))] = FoundPrice(str(price["id"]), str(product_id))
        except StripeCallError as err:  # e.g. a restricted key without Prices: Read
            return spec, {}, [*problems, SpecProblem(PRODUCTS_PATH, str(err), "then run the preview again")]
        resolved, missing = resolve_prices(declared(spec), found, where)
        problems += missing
        if problems:
            return spec, {}, problems
        try:
            spec = parse_portal_configuration(resolved)
        except SpecError as err:
            return spec, {}, err.problems
        return spec, {k: found[k].id for k in keys}, []

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        self.refuse_other_mode("portal configuration", id_, olds)
        keys = [*STRIPE_FIELDS, "on_delete", "retention_coupon", "price_lookup_keys"]
        changed = [k for k in keys if olds.get(k) != news.get(k)]
        replaces = []
        for key in ("stripe_account", "adopt"):
            if olds.get(key) != news.get(key):
                replaces.append(key)
        # `__provider` alone never counts as a change (pulumi#12401): the class is pickled by
        # reference, so its bytes change only with dill or Python upgrades.
        return DiffResult(changes=bool(changed or replaces), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = parse_portal_configuration(_stripe_part(props))
        gateway = self.gateway(props.get("stripe_account"))
        wanted = declared(spec)
        adopt = props.get("adopt")
        owner = str(props.get("owner", ""))
        if adopt:
            target = self._adoptable(gateway, str(adopt))
            return self._take_over(gateway, target, wanted, props, mark=None)
        scope = scope_of(resolve(self.settings()), props.get("stripe_account"))
        # One scan of the account per provider process, not one per create (owner_index.py).
        owned = OWNERS.owned(scope, owner, lambda: gateway.list_all(PATH))
        live = [c for c in owned if c.get("active")]
        if live:
            # A create whose state was never written (a killed `pulumi up`): take it over, do not duplicate.
            result = self._take_over(gateway, live[0], wanted, props, mark=owner)
            OWNERS.record(scope, {"id": result.id, "active": True, "metadata": {OWNER_METADATA_KEY: owner}})
            return result
        params = create_params(spec)
        params["metadata"] = {**params.get("metadata", {}), OWNER_METADATA_KEY: owner}
        # Retired configurations of this owner are in the key, so re-creating after a destroy is a new
        # request, while a retry of this very create replays Stripe's first answer.
        retired = sorted(str(c["id"]) for c in owned)
        obj = gateway.post(PATH, params, idempotency_key=idempotency_key("create", owner, params, after=retired))
        OWNERS.record(scope, obj)
        if not spec.active:
            obj = gateway.post(f"{PATH}/{obj['id']}", {"active": False},
                               idempotency_key=idempotency_key("deactivate", obj["id"], {}, after=obj.get("updated")))
            OWNERS.record(scope, obj)
        return CreateResult(obj["id"], self._outputs(props, obj, gateway.mode))

    def _adoptable(self, gateway: StripeGateway, adopt: str) -> dict[str, Any]:
        if adopt == ADOPT_DEFAULT:
            found = gateway.get(PATH, {"is_default": True, "limit": 1}).get("data") or []
            if not found:
                raise ResourceError("adopt: default: this account has no default portal configuration yet; "
                                  "save the portal settings once in the Stripe Dashboard, or drop adopt")
            return dict(found[0])
        try:
            return gateway.get(f"{PATH}/{adopt}")
        except StripeCallError as err:
            if err.is_missing:
                raise ResourceError(f"adopt: no portal configuration {adopt} in this account and mode") from None
            raise

    def _take_over(self, gateway: StripeGateway, target: Mapping[str, Any], wanted: dict[str, Any],
                   props: Mapping[str, Any], *, mark: str | None) -> CreateResult:
        """Make an existing configuration match the declaration (adoption and crash recovery)."""
        id_ = str(target["id"])
        params = update_params(project(target, wanted), wanted)
        if mark and (target.get("metadata") or {}).get(OWNER_METADATA_KEY) != mark:
            params.setdefault("metadata", {})[OWNER_METADATA_KEY] = mark
        obj: Mapping[str, Any] = target
        if params:
            key = idempotency_key("adopt", id_, params, after=target.get("updated"))
            obj = gateway.post(f"{PATH}/{id_}", params, idempotency_key=key)
        return CreateResult(id_, self._outputs(props, obj, gateway.mode))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self.refuse_other_mode("portal configuration", id_, olds)
        spec = parse_portal_configuration(_stripe_part(news))
        gateway = self.gateway(news.get("stripe_account"))
        params = update_params(_stripe_part(olds), declared(spec))
        if not params:
            computed = {k: olds.get(k) for k in COMPUTED_FIELDS}
            return UpdateResult({**without_provider(news), **computed})
        key = idempotency_key("update", id_, params, after=olds.get("updated"))
        obj = gateway.post(f"{PATH}/{id_}", params, idempotency_key=key)
        return UpdateResult(self._outputs(news, obj, gateway.mode))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # A key of the other mode would get a 404 and refresh would drop the object from state.
        self.refuse_other_mode("portal configuration", id_, props)
        gateway = self.gateway(props.get("stripe_account"))
        try:
            live = gateway.get(f"{PATH}/{id_}")
        except StripeCallError as err:
            if err.is_missing:
                return ReadResult(id_="", outs={})
            raise
        shape = {**_stripe_part(props), "active": props.get("active", True)}
        inputs = {**_control_part(props), "on_delete": props.get("on_delete", "deactivate"),
                  **project(live, shape)}
        return ReadResult(id_, self._outputs(inputs, live, gateway.mode), inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("on_delete") == "retain":
            warn(f"portal configuration {id_} is retained in Stripe (on_delete: retain)")
            return
        if props.get("adopt") == ADOPT_DEFAULT:
            warn(f"portal configuration {id_} is the account's default; it stays active (Stripe refuses "
                 "to deactivate it) and is only removed from this stack")
            return
        self.refuse_other_mode("portal configuration", id_, props)
        gateway = self.gateway(props.get("stripe_account"))
        key = idempotency_key("deactivate", id_, {}, after=props.get("updated"))
        try:
            gateway.post(f"{PATH}/{id_}", {"active": False}, idempotency_key=key)
            # A create later in this process (delete-before-replace) must see it retired.
            OWNERS.retire(scope_of(resolve(self.settings()), props.get("stripe_account")), id_)
        except StripeCallError as err:
            if err.is_missing:
                return
            if err.status == 400 and "default" in str(err).lower():
                # Stripe refuses to deactivate the account's default configuration.
                warn(f"portal configuration {id_} is the account's default and stays active; "
                     "Stripe does not allow deactivating it")
                return
            raise

    def _outputs(self, inputs: Mapping[str, Any], obj: Mapping[str, Any], mode: str) -> dict[str, Any]:
        login_page = obj.get("login_page") or {}
        return {
            **without_provider(inputs),
            "is_default": bool(obj.get("is_default")),
            "livemode": bool(obj.get("livemode")),
            "login_page_url": login_page.get("url"),
            "mode": mode,
            "updated": obj.get("updated"),
        }


def _account_words(props: Mapping[str, Any], mode: str) -> str:
    """"stack staging's Stripe account (test mode)", for messages about what that account lacks."""
    owner = str(props.get("owner") or "")
    parts = owner.split("/")
    stack = parts[1] if len(parts) == 3 else "this stack"
    account = props.get("stripe_account")
    who = f"connected account {account}" if account else "Stripe account"
    return f"stack {stack}'s {who} ({mode} mode)"


def _coupon_problems(gateway: StripeGateway, coupon: str, where: str) -> list[SpecProblem]:
    try:
        found = gateway.get(f"/v1/coupons/{coupon}")
    except StripeCallError as err:
        if not err.is_missing:  # e.g. a restricted key without Coupons: Read
            return [SpecProblem("retention.coupon", str(err), "then run the preview again")]
        return [SpecProblem("retention.coupon", f"no coupon {coupon!r} in {where}",
                            "create it there with this ID (coupon IDs are chosen at creation, so every stack "
                            "can use the same one), or correct the ID")]
    if found.get("valid") is False:
        return [SpecProblem("retention.coupon", f"coupon {coupon!r} in {where} is no longer valid",
                            "make a new coupon and name it here")]
    return []


class PortalConfiguration(Resource, module="portal_infra", name="PortalConfiguration"):
    """A Stripe customer portal configuration.

    Pass Stripe's fields as keyword arguments (or one `spec` mapping), named as in Stripe's API:
    `features`, `business_profile`, `default_return_url`, `login_page`, `metadata`, `name`, `active`.
    `adopt`: manage an existing configuration (its ID, or "default" for the account's default)
    instead of creating one; `pulumi import` cannot work for dynamic resources (pulumi#16175).
    `on_delete`: "deactivate" (default) or "retain". The adopted default is never deactivated.
    A price in `features.subscription_update.products[].prices` may be `{"lookup_key": …}`: it is
    resolved against this stack's account at preview, and `price_lookup_keys` shows what it got.
    `retention_coupon`: a coupon ID, checked at preview, for `portal_infra.sessions`.
    """

    is_default: pulumi.Output[bool]
    livemode: pulumi.Output[bool]
    login_page_url: pulumi.Output[str | None]
    mode: pulumi.Output[str]
    retention_coupon: pulumi.Output[str | None]
    price_lookup_keys: pulumi.Output[dict[str, str] | None]

    def __init__(
        self,
        resource_name: str,
        spec: Mapping[str, Any] | None = None,
        *,
        on_delete: OnDelete = "deactivate",
        adopt: str | None = None,
        stripe_account: str | None = None,
        retention_coupon: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **fields: Any,
    ) -> None:
        props = configuration_inputs(resource_name, spec, on_delete=on_delete, adopt=adopt,
                                     stripe_account=stripe_account, retention_coupon=retention_coupon, **fields)
        with without_stack_trace():
            super().__init__(PortalConfigurationProvider(), resource_name, props, opts)


def configuration_inputs(
    resource_name: str,
    spec: Mapping[str, Any] | None = None,
    *,
    on_delete: OnDelete = "deactivate",
    adopt: str | None = None,
    stripe_account: str | None = None,
    retention_coupon: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The resource's inputs from PortalConfiguration's arguments: what the dynamic resource and the
    plugin's own resource class (portal_infra.plugin.children) both register."""
    props: dict[str, Any] = {**(spec or {}), **fields}
    # Stripe applies a retention offer per portal session; the resource checks the coupon exists in
    # this account and mode, and carries it as an output beside the configuration ID.
    props["retention_coupon"] = retention_coupon
    props["price_lookup_keys"] = None
    props["owner"] = f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"
    props["on_delete"] = on_delete
    if stripe_account:
        props["stripe_account"] = stripe_account
    if adopt:
        props["adopt"] = adopt
    for key in COMPUTED_FIELDS:
        props.setdefault(key, None)
    return props
