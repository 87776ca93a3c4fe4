"""The plugin's Pulumi package schema, generated from the pydantic specs.

Every declared field comes from the spec model the resource's `check()` validates with (types,
required fields, enums), so the schema cannot drift from the rules. Descriptions are Stripe's own,
read from the pinned stripe-python's generated parameter types (`stripe/params/...`, "File generated
from our OpenAPI spec"), where each field carries the API reference's sentence as its docstring;
portal-infra's own fields (on_delete, adopt, …) and the provider settings carry ours, from the specs.

Property names are Stripe's (snake_case), as in the stack files and the Python API: the plugin does
no renaming, so a YAML program reads like Stripe's API reference.

`schema/pulumi-schema.json` is this module's output, committed; a unit test regenerates and compares.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import re
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..specs.account_wire import ACCOUNTS_APIS
from ..specs.branding import PROFILE_FIELDS, AccountBrandingSpec, PlatformSettingsSpec
from ..specs.custom_domain import CustomDomainSpec
from ..specs.portal_configuration import PortalConfigurationSpec
from ..specs.stack import RateLimits, Retries, StackConfig, Timeouts

PACKAGE = "portal-infra"
SECRET_CONFIG = frozenset({"stripeApiKey"})
# Provider settings: the StackConfig keys that configure the Stripe client (not the program's own).
CONFIG_PROPERTIES = ("mode", "allowLive", "stripeApiBase", "stripeApiKey", "rateLimits", "timeouts", "retries",
                     "accountsApi")


def _token(name: str) -> str:
    return f"{PACKAGE}:index:{name}"


# --- Stripe's descriptions -------------------------------------------------------------------------

@functools.cache
def _stripe_params(module: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{class: {field: (annotation source, docstring)}} of one `stripe.params` module, read as text."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return {}
    tree = ast.parse(Path(spec.origin).read_text())
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, tuple[str, str]] = {}
        body = node.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                doc = ""
                nxt = body[i + 1] if i + 1 < len(body) else None
                text = nxt.value.value if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) else None
                if isinstance(text, str):
                    doc = " ".join(text.split())
                fields[stmt.target.id] = (ast.unparse(stmt.annotation), doc)
        out[node.name] = fields
    return out


class StripeDocs:
    """Field descriptions under one root parameter class, followed down by the annotations."""

    def __init__(self, module: str, root: str) -> None:
        self.classes = _stripe_params(module)
        self.root = root

    def child(self, cls: str | None, field: str) -> str | None:
        if cls is None or field not in self.classes.get(cls, {}):
            return None
        annotation = self.classes[cls][field][0]
        found = [name for name in re.findall(r"[A-Za-z_]\w*", annotation) if name in self.classes and name != cls]
        return str(found[0]) if found else None

    def doc(self, cls: str | None, field: str) -> str:
        return self.classes.get(cls or "", {}).get(field, ("", ""))[1]

    def at(self, path: str) -> str:
        *parents, last = path.split(".")
        cls: str | None = self.root
        for part in parents:
            cls = self.child(cls, part)
        return self.doc(cls, last)


_CONFIGURATION = StripeDocs("stripe.params.billing_portal._configuration_create_params", "ConfigurationCreateParams")
_CONFIGURATION_UPDATE = StripeDocs("stripe.params.billing_portal._configuration_update_params",
                                   "ConfigurationUpdateParams")
_ACCOUNT = StripeDocs("stripe.params._account_update_params", "AccountUpdateParams")


def _account_doc(field: str) -> str:
    if field in PROFILE_FIELDS:
        return _ACCOUNT.at(f"business_profile.{PROFILE_FIELDS[field]}")
    return _ACCOUNT.at(f"settings.branding.{field}")


# --- pydantic's JSON schema -> Pulumi types --------------------------------------------------------

class _Builder:
    def __init__(self) -> None:
        self.types: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, dict[str, Any]] = {}  # each resource's input properties, for the components

    def object_properties(self, model: type[BaseModel], *, docs: StripeDocs | None = None,
                          doc_for: Mapping[str, str] | None = None) -> tuple[dict[str, Any], list[str]]:
        js = model.model_json_schema(mode="validation", ref_template="#/$defs/{model}")
        defs = js.get("$defs", {})
        owner = model.__name__.removesuffix("Spec")
        return self._properties(js, defs, owner, docs, docs.root if docs else None, doc_for or {})

    def _properties(self, js: Mapping[str, Any], defs: Mapping[str, Any], owner: str, docs: StripeDocs | None,
                    cls: str | None, doc_for: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
        props: dict[str, Any] = {}
        for name, sub in js.get("properties", {}).items():
            desc = doc_for.get(name) or (docs.doc(cls, name) if docs else "") or sub.get("description", "")
            child = docs.child(cls, name) if docs else None
            props[name] = self._type(sub, defs, owner + _pascal(name), docs, child)
            if desc:
                props[name]["description"] = desc
        return props, sorted(js.get("required", []))

    def _type(self, js: Mapping[str, Any], defs: Mapping[str, Any], name: str, docs: StripeDocs | None,
              cls: str | None) -> dict[str, Any]:
        if "anyOf" in js or "oneOf" in js:
            options = [o for o in js.get("anyOf", js.get("oneOf", [])) if o.get("type") != "null"]
            if len(options) == 1:
                return self._type(options[0], defs, name, docs, cls)
            kinds = [self._type(o, defs, name, docs, cls) for o in options]
            # A union of a plain string and an object (a price ID or {lookup_key}): Pulumi's oneOf.
            return {"oneOf": kinds}
        if "$ref" in js:
            ref = js["$ref"].rsplit("/", 1)[-1]
            if ref not in self.types:
                self.types[ref] = {}  # a placeholder first: recursive types end here
                model = defs[ref]
                props, required = self._properties(model, defs, ref, docs, cls, {})
                spec: dict[str, Any] = {"type": "object", "properties": props}
                if required:
                    spec["required"] = required
                if model.get("description"):
                    spec["description"] = " ".join(model["description"].split())
                self.types[ref] = spec
            return {"$ref": f"#/types/{_token(ref)}"}
        if "enum" in js:
            if name not in self.types:
                self.types[name] = {"type": "string", "enum": [{"value": v} for v in js["enum"]]}
            return {"$ref": f"#/types/{_token(name)}"}
        kind = js.get("type")
        if kind == "array":
            return {"type": "array", "items": self._type(js.get("items", {}), defs, name, docs, cls)}
        if kind == "object":
            values = js.get("additionalProperties")
            any_: dict[str, Any] = {"$ref": "pulumi.json#/Any"}
            items = self._type(values, defs, name, docs, cls) if isinstance(values, Mapping) else any_
            return {"type": "object", "additionalProperties": items}
        if kind in ("string", "boolean", "integer", "number"):
            return {"type": kind}
        return {"$ref": "pulumi.json#/Any"}


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": [{"value": v} for v in values]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/types/{_token(name)}"}


def _components(b: _Builder, resources: dict[str, Any]) -> None:
    """The component blocks are the resources' own inputs, less what the component fills in itself."""
    config = {k: v for k, v in b.inputs["PortalConfiguration"].items()
              if k not in ("on_delete", "adopt", "stripe_account", "retention_coupon")}
    b.types["PortalControl"] = {"type": "object", "description": "portal-infra's own settings for the "
                                "configuration, never sent to Stripe", "properties": {
                                    k: b.inputs["PortalConfiguration"][k] for k in ("adopt", "on_delete")}}
    b.types["PortalRetention"] = {"type": "object", "description": "the retention offer portal sessions make "
                                  "(Stripe applies it per session, not per configuration)", "properties": {
                                      "coupon": b.inputs["PortalConfiguration"]["retention_coupon"]}}
    b.types["Portal"] = {"type": "object", "description": "a portal configuration's fields, in Stripe's names",
                         "properties": {**config, "portal_infra": _ref("PortalControl"),
                                        "retention": _ref("PortalRetention")}}
    b.types["Branding"] = {"type": "object", "description": "AccountBranding's fields, without the account",
                           "properties": {k: v for k, v in b.inputs["AccountBranding"].items() if k != "account"}}
    b.types["Domain"] = {"type": "object", "description": "CustomDomain's fields; the account and the "
                         "configuration come from the component",
                         "properties": {k: v for k, v in b.inputs["CustomDomain"].items()
                                        if k not in ("stripe_account", "configuration")},
                         "required": ["domain"]}
    account = {"type": "string", "description": "the connected account (acct_…); the platform's own when absent"}
    resources[_token("BillingPortal")] = {
        "isComponent": True,
        "description": "One account's customer portal: its configuration, its branding (connected accounts) and "
                       "its custom domain, as the children PortalConfiguration, AccountBranding and CustomDomain.",
        "inputProperties": {"portal": _ref("Portal"), "account": account, "branding": _ref("Branding"),
                            "domain": _ref("Domain")},
        "properties": {
            "configuration_id": {"type": "string", "description": "the configuration's ID (bpc_…)"},
            "login_page_url": {"type": "string", "description": "the hosted login page, when login_page.enabled"},
            "domain_status": {"type": "string", "description": "the custom domain's status"},
        },
    }
    b.types["FleetAccount"] = {"type": "object", "description": "one connected account of the fleet: its "
                               "overrides are merged key by key over the defaults (null drops a default)",
                               "properties": {
                                   "name": {"type": "string", "description": "names the account's resources: 1 "
                                            "to 40 lowercase letters, digits and dashes"},
                                   "account": {"type": "string", "description": "the connected account (acct_…)"},
                                   "portal": _ref("Portal"), "branding": _ref("Branding"), "domain": _ref("Domain")},
                               "required": ["account", "name"]}
    b.types["FleetDefaults"] = {"type": "object", "description": "laid under every account's own blocks",
                                "properties": {"portal": _ref("Portal"), "branding": _ref("Branding")}}
    resources[_token("ConnectFleet")] = {
        "isComponent": True,
        "description": "A BillingPortal for each connected account, from shared defaults and per-account "
                       "overrides; each account's resources are named after its name.",
        "inputProperties": {"accounts": {"type": "array", "items": _ref("FleetAccount")},
                            "defaults": _ref("FleetDefaults")},
        "requiredInputs": ["accounts"],
        "properties": {"configuration_ids": {"type": "object", "additionalProperties": {"type": "string"},
                                             "description": "each account's configuration ID, by name"}},
        "required": ["configuration_ids"],
    }


def schema() -> dict[str, Any]:
    b = _Builder()
    resources: dict[str, Any] = {}

    def resource(name: str, description: str, inputs: dict[str, Any], required: list[str],
                 outputs: dict[str, Any]) -> None:
        b.inputs[name] = inputs
        properties = {**inputs, **outputs}
        resources[_token(name)] = {
            "description": description,
            "inputProperties": inputs,
            **({"requiredInputs": required} if required else {}),
            "properties": properties,
            "required": sorted(k for k in outputs if k not in ("login_page_url",)),
        }

    owner = {"type": "string", "description": "project/stack/name of the resource: the ownership marker portal-infra "
                                              "puts on what it makes, so a retried create takes it over"}
    mode_out = {"type": "string", "description": "the mode (test or live) of the key the object was made with"}
    livemode = {"type": "boolean", "description": "Stripe's livemode of the object"}

    # PortalConfiguration
    docs = {f: (_CONFIGURATION.at(f) or _CONFIGURATION_UPDATE.at(f)) for f in PortalConfigurationSpec.model_fields}
    inputs, required = b.object_properties(PortalConfigurationSpec, docs=_CONFIGURATION, doc_for=docs)
    b.types["PortalConfigurationOnDelete"] = _enum(("deactivate", "retain"))
    inputs |= {
        "on_delete": {"$ref": f"#/types/{_token('PortalConfigurationOnDelete')}",
                      "description": "what destroy does: deactivate (default) or retain the configuration; the "
                                     "account's default configuration is never deactivated"},
        "adopt": {"type": "string", "description": "manage an existing configuration instead of creating one: "
                                                   "'default' (the account's default) or its ID (bpc_…)"},
        "stripe_account": {"type": "string", "description": "the connected account (acct_…) the configuration "
                                                            "belongs to; the platform's own when absent"},
        "retention_coupon": {"type": "string", "description": "a coupon ID, checked at preview to exist and be "
                                                              "valid, for portal sessions' retention offers"},
    }
    resource("PortalConfiguration", "A Stripe customer portal configuration (billing_portal.configuration).",
             inputs, required, {
                 "owner": owner, "mode": mode_out, "livemode": livemode,
                 "is_default": {"type": "boolean", "description": "Whether the configuration is the default."},
                 "login_page_url": {"type": "string", "description": "The shareable URL for the hosted portal "
                                                                     "login page, when login_page.enabled."},
                 "updated": {"type": "integer", "description": "Time the configuration was last updated (Unix "
                                                               "seconds)."},
                 "price_lookup_keys": {"type": "object", "additionalProperties": {"type": "string"},
                                       "description": "each price lookup key declared, and the price ID it "
                                                      "resolved to in this stack's account"},
             })

    # AccountBranding
    docs = {f: _account_doc(f) for f in AccountBrandingSpec.model_fields if f != "account"}
    docs["account"] = "The connected account (acct_…) whose branding and public business details are managed."
    inputs, required = b.object_properties(AccountBrandingSpec, doc_for=docs)
    for image in ("icon", "logo"):
        inputs[image]["description"] = (f"{inputs[image].get('description', '')} Here: a file path, an https URL, "
                                        "or a file ID (file_…).").strip()
    b.types["AccountBrandingOnDelete"] = _enum(("restore", "retain"))
    inputs["on_delete"] = {"$ref": f"#/types/{_token('AccountBrandingOnDelete')}",
                           "description": "what destroy does: restore the values recorded before the first "
                                          "update (default), or retain the branding"}
    any_ = {"$ref": "pulumi.json#/Any"}
    resource("AccountBranding", "A connected account's branding and public business details "
             "(settings.branding and business_profile of POST /v1/accounts/{id}).", inputs, required, {
                 "owner": owner, "mode": mode_out, "livemode": livemode,
                 "icon_file": {"type": "string", "description": "the file ID (file_…) Stripe holds the icon as"},
                 "logo_file": {"type": "string", "description": "the file ID (file_…) Stripe holds the logo as"},
                 "files": {**any_, "description": "the uploaded images by role, with their content hashes"},
                 "previous": {**any_, "description": "the account's values before portal-infra first changed "
                                                     "them, restored on destroy"},
             })

    # CustomDomain
    inputs, required = b.object_properties(CustomDomainSpec)
    resource("CustomDomain", "A custom domain for the portal. Stripe has no API to set one: this publishes the "
             "DNS records to create, verifies them, and (verify: active) that Stripe serves the domain.",
             inputs, required, {
                 "owner": owner,
                 "dns_records": {"type": "array", "items": any_, "description": "the DNS records to create"},
                 "status": {"type": "string", "description": "awaiting_dashboard, awaiting_dns, dns_verified "
                                                             "or active"},
                 "instructions": {"type": "string", "description": "what is left to do, in words"},
                 "check_customer": {"type": "string", "description": "the customer verify: active opens a "
                                                                     "session for"},
                 "session_host": {"type": "string", "description": "the host Stripe served a portal session on"},
             })

    # PlatformSettings
    docs = {f: _account_doc(f) for f in PlatformSettingsSpec.model_fields}
    inputs, required = b.object_properties(PlatformSettingsSpec, doc_for=docs)
    resource("PlatformSettings", "A check of the platform's own Dashboard-only settings (business name, "
             "branding): read-only, it reports where the account differs from the declaration.",
             inputs, required, {"owner": owner, "differences": {"type": "array", "items": any_,
                                                                "description": "declared vs Stripe values"}})

    # Components: BillingPortal (one account's portal, branding and domain) and ConnectFleet (one per
    # connected account, from shared defaults), with the blocks the Python API and the stack files take.
    _components(b, resources)

    # Provider config: the stack config keys that configure the Stripe client, as StackConfig has them.
    fields = StackConfig.model_fields
    b.types["Mode"] = _enum(("test", "live"))
    b.types["AccountsApi"] = _enum(ACCOUNTS_APIS)
    config_vars: dict[str, Any] = {
        "mode": {"$ref": f"#/types/{_token('Mode')}", "description": fields["mode"].description},
        "allowLive": {"type": "boolean", "description": fields["allowLive"].description},
        "accountsApi": {"$ref": f"#/types/{_token('AccountsApi')}", "description": fields["accountsApi"].description},
        "stripeApiBase": {"type": "string", "description": fields["stripeApiBase"].description},
        "stripeApiKey": {"type": "string", "secret": True, "description":
                         "the Stripe secret or restricted key; set with `pulumi config set --secret "
                         "portal-infra:stripeApiKey`, else STRIPE_API_KEY is used. Never stored in plain text."},
    }
    for key, model in (("rateLimits", RateLimits), ("timeouts", Timeouts), ("retries", Retries)):
        props, _ = b.object_properties(model)
        b.types[model.__name__] = {"type": "object", "properties": props,
                                   **({"description": " ".join(model.__doc__.split())} if model.__doc__ else {})}
        config_vars[key] = {"$ref": f"#/types/{_token(model.__name__)}", "description": fields[key].description}
    types = {_token(k): v for k, v in sorted(b.types.items())}
    return {
        "name": PACKAGE,
        "displayName": "portal-infra",
        "version": version("portal-infra"),
        "description": "Stripe's customer portal as code: portal configurations, connected accounts' branding, "
                       "custom domains and platform settings.",
        "keywords": ["pulumi", "stripe", "billing", "customer-portal", "category/utility"],
        "license": "Apache-2.0",
        "config": {"variables": config_vars},
        "provider": {"description": "The portal-infra provider: one Stripe account and mode per stack.",
                     "inputProperties": config_vars},
        "types": types,
        "resources": resources,
        # What `pulumi package gen-sdk` (make sdks) names the SDKs: npm package portal-infra-sdk, Go module
        # portal-infra/sdk/go (go.mod written, since supportPack; programs `replace` it onto sdk/go), Python
        # package portal_infra_sdk; each registers its resources with this schema's version.
        "meta": {"supportPack": True},
        "language": {
            "nodejs": {"packageName": "portal-infra-sdk", "respectSchemaVersion": True},
            "go": {"importBasePath": "portal-infra/sdk/go/portalinfra", "respectSchemaVersion": True},
            "python": {"packageName": "portal_infra_sdk", "respectSchemaVersion": True},
        },
    }


def schema_json() -> str:
    return json.dumps(schema(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":  # regenerate: .venv/bin/python -m portal_infra.plugin.schema > schema/pulumi-schema.json
    print(schema_json(), end="")
