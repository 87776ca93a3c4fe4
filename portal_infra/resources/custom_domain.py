"""`CustomDomain`: Stripe's custom domain (Checkout, Payment Links, the customer portal on your own
subdomain), honest about being a Dashboard-only feature.

Stripe has no API to add, verify or remove a custom domain. So this resource publishes the DNS
records the domain needs (as an output a DNS provider's record resource can take), checks them
with a DNS resolver, and, with `verify: active`, opens a portal session to see whether Stripe
already serves the portal on the domain. `status` says how far the domain has come and
`instructions` what is left to do by hand. Lifecycle (DESIGN.md): create and update verify;
refresh verifies again; delete only forgets, with a warning, since the Dashboard setting stays.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from ..dns_check import RecordCheck, check_records
from ..specs import SpecError
from ..specs.common import UNKNOWN
from ..specs.custom_domain import CustomDomainSpec, dns_records, parse_custom_domain
from ..stripe_api import StripeCallError, StripeGateway, idempotency_key
from .base import StripeResourceProvider, failures, warn, without_provider, without_stack_trace

OWNER_METADATA_KEY = "portal_infra_owner"
DASHBOARD_PLACE = "Settings > Custom domains"

# Inputs the user declares (the spec's fields), checked by the spec.
DECLARED_FIELDS = tuple(CustomDomainSpec.model_fields)
# Inputs set by the resource class itself.
CONTROL_FIELDS = ("owner", "dns_records")
# Outputs of verification.
COMPUTED_FIELDS = ("status", "instructions", "check_customer", "session_host")
REPLACE_FIELDS = ("domain", "stripe_account")

Status = Literal["awaiting_dashboard", "awaiting_dns", "dns_verified", "active"]


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in (*DECLARED_FIELDS, *CONTROL_FIELDS) if props.get(k) is not None}


def _declared(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in DECLARED_FIELDS if props.get(k) is not None}


class CustomDomainProvider(StripeResourceProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        try:
            spec = parse_custom_domain(_declared(news))
        except SpecError as err:
            return CheckResult(without_provider(news), failures(err.problems))
        # Only `verify: active` calls Stripe; DNS-only verification needs no key.
        problems = self.connection_failures() if spec.verify == "active" else []
        if problems:
            return CheckResult(without_provider(news), problems)
        checked = {**_inputs(news), **spec.model_dump(exclude_none=True), "verify": spec.verify}
        if UNKNOWN not in (spec.domain, spec.acme_challenge):
            checked["dns_records"] = dns_records(spec.domain, spec.acme_challenge)
        return CheckResult(checked, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in DECLARED_FIELDS if olds.get(k) != news.get(k)]
        replaces = [k for k in REPLACE_FIELDS if k in changed]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = parse_custom_domain(_declared(props))
        return CreateResult(spec.domain, self._verified(spec, props, previous={}))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = parse_custom_domain(_declared(news))
        return UpdateResult(self._verified(spec, news, previous=olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # Refresh re-runs the verification: there is nothing in Stripe to read.
        spec = parse_custom_domain(_declared(props))
        inputs = _inputs(props)
        return ReadResult(id_, self._verified(spec, inputs, previous=props), inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        where = _dashboard(props.get("stripe_account"))
        message = (f"custom domain {props.get('domain', id_)} is removed from this stack only: Stripe has no API "
                   f"for custom domains, so the setting in {where} ({DASHBOARD_PLACE}) and its DNS records stay; "
                   "remove them there by hand if the domain should stop serving Stripe pages")
        if props.get("check_customer") and not props.get("verification_customer"):
            message += (f"; the customer {props['check_customer']} that verify: active used is kept "
                        "(it has no payment methods and costs nothing)")
        warn(message)

    def _verified(self, spec: CustomDomainSpec, inputs: Mapping[str, Any],
                  previous: Mapping[str, Any]) -> dict[str, Any]:
        records = dns_records(spec.domain, spec.acme_challenge)
        checks = check_records(records, spec.dns_resolver) if spec.verify != "none" else None
        # Kept while verify is not `active`, so switching back reuses the customer made before.
        customer, session_host = _own_customer(previous), None
        if spec.verify == "active":
            customer, session_host = self._session_host(spec, inputs, previous)
        status, instructions = assess(spec, checks, session_host)
        if instructions and spec.verify != "none":
            warn(f"custom domain {spec.domain}: {instructions}")
        return {
            **without_provider(_inputs(inputs)),
            "dns_records": records,
            "status": status,
            "instructions": instructions,
            "check_customer": customer,
            "session_host": session_host,
        }

    def _session_host(self, spec: CustomDomainSpec, inputs: Mapping[str, Any],
                      previous: Mapping[str, Any]) -> tuple[str, str | None]:
        """Open a portal session and return the host Stripe put in its URL.

        Stripe puts the custom domain in session URLs once the domain is active (STRIPE.md 3), so
        this is the one observable proof of activation. A session needs a customer: the declared
        `verification_customer`, else one this resource created earlier, else a new one.
        """
        gateway = self.gateway(spec.stripe_account)
        customer = spec.verification_customer or _own_customer(previous)
        if customer is None:
            customer = self._create_check_customer(gateway, spec, str(inputs.get("owner", "")))
        try:
            url = self._open_session(gateway, spec, str(customer))
        except StripeCallError as err:
            # Stripe answers a missing referenced object with `resource_missing` (400, or 404 in the fake).
            gone = err.code == "resource_missing" or err.is_missing
            if not (gone and err.param == "customer" and not spec.verification_customer):
                raise _session_failure(err) from None
            # The customer this resource created was deleted by hand: make another.
            customer = self._create_check_customer(gateway, spec, str(inputs.get("owner", "")),
                                                   after=str(customer))
            try:
                url = self._open_session(gateway, spec, customer)
            except StripeCallError as again:
                raise _session_failure(again) from None
        return str(customer), urlsplit(url).hostname

    def _create_check_customer(self, gateway: StripeGateway, spec: CustomDomainSpec, owner: str,
                               after: str | None = None) -> str:
        params = {
            "description": f"portal-infra: checks which host Stripe serves the portal on ({spec.domain})",
            "metadata": {OWNER_METADATA_KEY: owner},
        }
        # Derived from the owner, so a retried or re-run create replays Stripe's answer instead of
        # making a second customer.
        key = idempotency_key("domain-check-customer", owner, params, after=after)
        return str(gateway.post("/v1/customers", params, idempotency_key=key)["id"])

    def _open_session(self, gateway: StripeGateway, spec: CustomDomainSpec, customer: str) -> str:
        params: dict[str, Any] = {"customer": customer, "return_url": f"https://{spec.domain}/"}
        if spec.configuration:
            params["configuration"] = spec.configuration
        # Never a replay: each check must see the host Stripe uses now, not the first answer.
        key = idempotency_key("domain-check-session", customer, params, after=secrets.token_hex(8))
        return str(gateway.post("/v1/billing_portal/sessions", params, idempotency_key=key)["url"])


def _own_customer(previous: Mapping[str, Any]) -> str | None:
    """The verification customer this resource made earlier (not one the user declared)."""
    if previous.get("verification_customer"):
        return None
    found = previous.get("check_customer")
    return str(found) if found else None


def _session_failure(err: StripeCallError) -> RuntimeError:
    return RuntimeError(f"verify: active could not open a portal session to see which host Stripe serves it on: "
                        f"{err}. Set `configuration` to an active portal configuration (bpc_…) or save the "
                        "portal settings once in the Dashboard; or use verify: dns")


def _dashboard(account: str | None) -> str:
    return f"the Stripe Dashboard of {account}" if account else "the Stripe Dashboard"


def _record_text(record: Mapping[str, Any]) -> str:
    text = f"{record['type']} {record['name']} -> {record['value']}"
    return text + " (DNS only, not proxied)" if record["type"] == "CNAME" else text


def assess(spec: CustomDomainSpec, checks: list[RecordCheck] | None,
           session_host: str | None) -> tuple[Status, str | None]:
    """How far the domain has come, and the next step in plain words (None once nothing is left)."""
    where = _dashboard(spec.stripe_account)
    if session_host == spec.domain:
        return "active", None
    missing = [c for c in checks if not c.ok] if checks is not None else None
    if not spec.acme_challenge:
        step = (f"add {spec.domain} in {where} ({DASHBOARD_PLACE}), then set acme_challenge to the TXT value it "
                f"shows for _acme-challenge.{spec.domain}")
        cname = next((c for c in checks or [] if c.record["type"] == "CNAME"), None)
        if cname is None or not cname.ok:
            record = dns_records(spec.domain, None)[0]
            step += f"; the CNAME can be created already: {_record_text(record)}"
        return "awaiting_dashboard", step
    if missing is None:
        records = "; ".join(_record_text(r) for r in dns_records(spec.domain, spec.acme_challenge))
        return "awaiting_dns", (f"create these DNS records (not checked, verify is none): {records}; then click "
                                f"Verify in {where} ({DASHBOARD_PLACE})")
    if missing:
        wanted = "; ".join(f"{_record_text(c.record)} (the resolver answered: {c.found})" for c in missing)
        return "awaiting_dns", f"add these DNS records: {wanted}"
    if spec.verify == "active":
        return "dns_verified", (f"DNS is in place, but Stripe still opens portal sessions on {session_host}: click "
                                f"Verify in {where} ({DASHBOARD_PLACE}) and wait for the domain to become active")
    return "dns_verified", (f"DNS is in place; if {where} ({DASHBOARD_PLACE}) does not show the domain as active "
                            "yet, click Verify there (verify: active checks activation from here)")


class CustomDomain(Resource, module="portal_infra", name="CustomDomain"):
    """A Stripe custom domain (e.g. billing.example.com), set up in the Dashboard and proven with DNS.

    `domain`: the subdomain. `acme_challenge`: the TXT value the Dashboard shows (optional until
    then). `verify`: "none", "dns" (default: resolve both records) or "active" (also open a portal
    session and check its URL is on the domain; needs a Stripe key). `dns_resolver`: "ip[:port]"
    to ask instead of the system resolver. `stripe_account`: a connected account (acct_…).
    `configuration` / `verification_customer`: the portal configuration and customer `active`
    uses; without a customer, one is created once per resource and kept.

    Outputs: `dns_records` (type, name, value, ttl, proxied: pass each to a DNS provider's record
    resource), `status` and `instructions`.
    """

    dns_records: pulumi.Output[list[dict[str, Any]]]
    status: pulumi.Output[str]
    instructions: pulumi.Output[str | None]
    check_customer: pulumi.Output[str | None]
    session_host: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        domain: pulumi.Input[str],
        *,
        acme_challenge: pulumi.Input[str] | None = None,
        verify: Literal["none", "dns", "active"] = "dns",
        dns_resolver: str | None = None,
        stripe_account: pulumi.Input[str] | None = None,
        configuration: pulumi.Input[str] | None = None,
        verification_customer: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = domain_inputs(resource_name, domain, acme_challenge=acme_challenge, verify=verify,
                              dns_resolver=dns_resolver, stripe_account=stripe_account, configuration=configuration,
                              verification_customer=verification_customer)
        with without_stack_trace():
            super().__init__(CustomDomainProvider(), resource_name, props, opts)


def domain_inputs(
    resource_name: str,
    domain: pulumi.Input[str],
    *,
    acme_challenge: pulumi.Input[str] | None = None,
    verify: Literal["none", "dns", "active"] = "dns",
    dns_resolver: str | None = None,
    stripe_account: pulumi.Input[str] | None = None,
    configuration: pulumi.Input[str] | None = None,
    verification_customer: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    """The resource's inputs from CustomDomain's arguments: what the dynamic resource and the plugin's
    own resource class (portal_infra.plugin.children) both register."""
    props: dict[str, Any] = {
        "domain": domain,
        "acme_challenge": acme_challenge,
        "verify": verify,
        "dns_resolver": dns_resolver,
        "stripe_account": stripe_account,
        "configuration": configuration,
        "verification_customer": verification_customer,
        "owner": f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}",
        # Known at preview whenever the domain and token are, so a DNS record resource fed from
        # this output previews real values; check() recomputes it from the validated spec.
        "dns_records": pulumi.Output.all(domain, acme_challenge).apply(
            lambda parts: dns_records(str(parts[0]), parts[1])),
    }
    for key in COMPUTED_FIELDS:
        props[key] = None
    return props
