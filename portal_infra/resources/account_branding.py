"""`AccountBranding`: a connected account's look (`settings.branding`) and customer-facing
`business_profile`, as a Pulumi dynamic resource.

Lifecycle (DESIGN.md): create records what the account had before and writes the declared look;
icon and logo are uploaded as Files on the platform, one per distinct image for the whole platform
(branding_files.py), and only when their bytes change (state keeps each File by content hash, so
renaming or touching an image changes nothing); update sends only what changed; read maps the
account back onto the declared fields, so a change made by hand is drift; delete restores the
recorded look (`on_delete: restore`, the default) or leaves it (`retain`).

The wire is `portal-infra:accountsApi` (v1 `POST /v1/accounts/{id}` or v2 `POST /v2/core/accounts/{id}`):
where each field lives on each, and how each unsets, is specs/account_wire.py; nothing here depends
on which. State holds declared fields and File IDs only, so a stack moved from v1 to v2 has no diff.

Stripe cannot unset every field it sets. No branding field takes `""`, and in v1's `business_profile`
only `support_url` does (stripe-python 16.1.0, `stripe/params/_account_update_params.py`:
`support_url: "Literal['']|str"`, while `name`, `support_email`, `support_phone` and `url` are
`str`; Stripe answers `parameter_invalid_empty` to `""` there); on v2 none does (account_wire.py).
Where the account had no value before portal-infra set one, restoring keeps portal-infra's value and
says so.

What the account had before is also written to the account's own metadata in the same request that
changes it. A `pulumi up` killed after Stripe acted but before state was written would otherwise
record portal-infra's own values as "before" on the next run, and destroy would restore nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from ..specs import SpecError
from ..specs.account_wire import (
    AccountsApi,
    account_path,
    account_update,
    emptyable,
    live_values,
    refused_file_param,
    retrieve_params,
    wrong_api,
)
from ..specs.branding import BRANDING_FIELDS, IMAGE_FIELDS, PROFILE_FIELDS, AccountBrandingSpec, parse_account_branding
from ..specs.contrast import aa_failures, describe
from ..specs.images import PURPOSE, ImageInfo, is_file_id, sha256_of
from ..stripe_api import StripeCallError, StripeGateway, idempotency_key
from .account_pages import AccountPages
from .base import ResourceError, StripeResourceProvider, failures, warn, without_provider, without_stack_trace
from .branding_files import platform_copy, platform_file, retrieve_file

OnDelete = Literal["restore", "retain"]
ON_DELETE = ("restore", "retain")
OWNER_METADATA_KEY = "portal_infra_owner"
RESTORE_METADATA_PREFIX = "portal_infra_restore_"
_METADATA_VALUE_MAX = 500

COLOR_FIELDS = ("primary_color", "secondary_color")
# Every declared field that lands on the account, in a stable order.
MANAGED_FIELDS = (*BRANDING_FIELDS, *PROFILE_FIELDS)
STRIPE_FIELDS = ("account", *MANAGED_FIELDS)
CONTROL_FIELDS = ("owner", "on_delete")
COMPUTED_FIELDS = ("icon_file", "logo_file", "files", "previous", "livemode", "mode")
# Where this resource's uploaded images live. State written before Files moved to the platform has no
# `files_owner`: its images were uploaded on the connected account, which Stripe does not accept.
FILES_OWNER = "platform"


def _warn_about_contrast(owner: Any, spec: AccountBrandingSpec) -> None:
    """Preview runs check() for every resource: a colour customers cannot read text on is said there."""
    name = str(owner or "").rsplit("/", 1)[-1]
    who = f"account {name} ({spec.account})" if name else f"account {spec.account}"
    for failure in aa_failures(spec.primary_color, spec.secondary_color):
        warn(describe(who, failure, spec.primary_color, spec.secondary_color))


def _restore_metadata(previous: Mapping[str, Any]) -> dict[str, str]:
    """`previous` as compact JSON, split over as many 500-character metadata values as it needs."""
    text = json.dumps(previous, separators=(",", ":"), sort_keys=True)
    chunks = [text[i:i + _METADATA_VALUE_MAX] for i in range(0, len(text), _METADATA_VALUE_MAX)] or [""]
    return {f"{RESTORE_METADATA_PREFIX}{i}": chunk for i, chunk in enumerate(chunks)}


def _restore_from_metadata(metadata: Mapping[str, Any]) -> dict[str, Any] | None:
    keys = sorted((k for k in metadata if k.startswith(RESTORE_METADATA_PREFIX)),
                  key=lambda k: int(k[len(RESTORE_METADATA_PREFIX):] or 0))
    if not keys:
        return None
    try:
        found = json.loads("".join(str(metadata[k]) for k in keys))
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _image_identity(props: Mapping[str, Any], role: str) -> str | None:
    """What an image *is*: its File ID when given one, else its content hash and where its File lives.
    Paths never count; an image uploaded on the account (before Files moved to the platform) differs
    from the same bytes on the platform, so such a stack moves over on its next `up`."""
    value = props.get(role)
    if value is None:
        return None
    if is_file_id(str(value)):
        return str(value)
    return f"{props.get('files_owner') or 'account'}:{props.get(f'{role}_sha256')}"


def _files_key(role: str, digest: str) -> str:
    return f"{FILES_OWNER}:{role}:{digest}"


class AccountBrandingProvider(StripeResourceProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        problems: list[CheckFailure] = []
        declared = {k: news[k] for k in STRIPE_FIELDS if news.get(k) is not None}
        images: dict[str, ImageInfo] = {}
        try:
            spec, images = parse_account_branding(declared, base_dir=Path.cwd())
        except SpecError as err:
            problems = failures(err.problems)
            spec = None
        on_delete = news.get("on_delete", "restore")
        if on_delete not in ON_DELETE:
            problems.append(CheckFailure("on_delete", f"{on_delete!r} is not a delete policy; use restore or retain"))
        problems += self.connection_failures()
        if spec is None or problems:
            return CheckResult(without_provider(news), problems)
        inputs = {k: news[k] for k in CONTROL_FIELDS if news.get(k) is not None}
        inputs.update(spec.model_dump(exclude_none=True))
        inputs["on_delete"] = on_delete
        for role, info in images.items():
            inputs[f"{role}_sha256"] = info.sha256
        if images:
            inputs["files_owner"] = FILES_OWNER
        _warn_about_contrast(news.get("owner"), spec)
        return CheckResult(inputs, [])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Fails rather than replacing: a key of the other mode would brand a different account object.
        self.refuse_other_mode("account branding", id_, olds)
        changed = [f for f in (*COLOR_FIELDS, *PROFILE_FIELDS, "on_delete") if olds.get(f) != news.get(f)]
        changed += [role for role in IMAGE_FIELDS if _image_identity(olds, role) != _image_identity(news, role)]
        replaces = ["account"] if olds.get("account") != news.get("account") else []
        return DiffResult(changes=bool(changed or replaces), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        account_id = str(props["account"])
        gateway = self.gateway()
        account = self._account(gateway, account_id)
        metadata = account.get("metadata") or {}
        owner = str(props.get("owner", ""))
        holder = metadata.get(OWNER_METADATA_KEY)
        if holder and holder != owner:
            raise ResourceError(
                f"account {account_id}: its branding is already managed by portal-infra resource {holder!r}; "
                "remove it there first (destroy restores what it recorded), or manage it from that stack")
        now = live_values(_api(gateway), account)
        # Taken over after an interrupted create: what the account had before is in its metadata.
        previous = (_restore_from_metadata(metadata) if holder == owner else None) or now
        files: dict[str, str] = {}
        kept = self._shown_already(gateway, account_id, props, now, files)
        values = self._changes(gateway, props, now, files, kept=kept)
        body = account_update(_api(gateway), values,
                              metadata={OWNER_METADATA_KEY: owner, **_restore_metadata(previous)})
        updated = _post_account(gateway, account_id, body)
        return CreateResult(account_id, self._outputs(props, updated, gateway, files, previous))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self.refuse_other_mode("account branding", id_, olds)
        gateway = self.gateway()
        files = _platform_files(olds)
        now = {f: olds.get(f) for f in MANAGED_FIELDS}
        for role in IMAGE_FIELDS:
            now[role] = olds.get(f"{role}_file")
        previous = dict(olds.get("previous") or {})
        # An unchanged image stays the File it is: it may be one the account showed before it was adopted.
        kept: dict[str, str] = {role: str(olds[f"{role}_file"]) for role in IMAGE_FIELDS
                if olds.get(f"{role}_file") and _image_identity(olds, role) == _image_identity(news, role)}
        values = self._changes(gateway, news, now, files, previous=previous, olds=olds, kept=kept)
        if not values:
            computed = {k: olds.get(k) for k in COMPUTED_FIELDS}
            return UpdateResult({**without_provider(news), **computed, "files": files})
        metadata = None
        if not olds.get("owner") and news.get("owner"):
            # Imported (import_state): its first write records the holder and the look at import, as create does.
            metadata = {OWNER_METADATA_KEY: str(news["owner"]), **_restore_metadata(previous)}
        updated = _post_account(gateway, id_, account_update(_api(gateway), values, metadata=metadata))
        return UpdateResult(self._outputs(news, updated, gateway, files, previous))

    def configure(self, req: ConfigureRequest) -> None:
        super().configure(req)
        # This run's account list pages (account_pages.py): configure runs once per provider process.
        self._account_pages = AccountPages()

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        self.refuse_other_mode("account branding", id_, props)
        gateway = self.gateway()
        api = _api(gateway)
        pages: AccountPages | None = getattr(self, "_account_pages", None)
        try:
            # v1: from the run's list pages when they hold it; v2's list has no include (account_pages.py).
            account = pages.take(gateway, id_) if pages is not None and api == "v1" else None
            if account is None:
                account = gateway.get(account_path(api, id_), retrieve_params(api))
        except StripeCallError as err:
            if err.is_missing:
                return ReadResult(id_="", outs={})
            _refused_api(api, id_, err)
            raise
        live = live_values(api, account)
        inputs: dict[str, Any] = {k: props[k] for k in ("account", *CONTROL_FIELDS) if props.get(k) is not None}
        for f in (*COLOR_FIELDS, *PROFILE_FIELDS):
            if props.get(f) is not None and live.get(f) is not None:
                inputs[f] = live[f]
        for role in IMAGE_FIELDS:
            if props.get(role) is None or live.get(role) is None:
                continue
            if live[role] == props.get(f"{role}_file"):
                inputs[role] = props[role]  # unchanged: keep the declared path and its hash
                if props.get(f"{role}_sha256"):
                    inputs[f"{role}_sha256"] = props[f"{role}_sha256"]
            else:
                inputs[role] = live[role]  # set by hand to another File: drift, shown as that File's ID
        if props.get("files_owner"):
            inputs["files_owner"] = props["files_owner"]
        outs = self._outputs(inputs, account, gateway, dict(props.get("files") or {}),
                             dict(props.get("previous") or {}))
        return ReadResult(id_, outs, inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.refuse_other_mode("account branding", id_, props)
        gateway = self.gateway()
        api = _api(gateway)
        release = (OWNER_METADATA_KEY, *_restore_metadata(props.get("previous") or {}))
        values: dict[str, Any] = {}
        if props.get("on_delete") == "retain":
            warn(f"account {id_}: branding is left as it is (on_delete: retain)")
        else:
            previous = props.get("previous") or {}
            managed = [f for f in MANAGED_FIELDS if props.get(f) is not None]
            values = self._restore_params(gateway, id_, managed, previous)
        body = account_update(api, values, remove_metadata=release)
        try:
            gateway.post(account_path(api, id_), body, idempotency_key=account_write_key("restore", id_))
        except StripeCallError as err:
            if err.is_missing:
                return
            _refused_api(api, id_, err)
            raise

    # --- helpers -------------------------------------------------------------------------------

    def _account(self, gateway: StripeGateway, account_id: str) -> dict[str, Any]:
        api = _api(gateway)
        try:
            return gateway.get(account_path(api, account_id), retrieve_params(api))
        except StripeCallError as err:
            _refused_api(api, account_id, err)
            if (err.is_missing or err.status == 403) and api == "v2":
                # "a new v1 Account can take up to 10 minutes before v2 endpoints accept it" (STRIPE.md 4.1,
                # Stripe's migrate-integration guide).
                raise ResourceError(
                    f"account {account_id}: Accounts v2 (portal-infra:accountsApi v2) shows no connected account "
                    f"with this ID to this platform key in {gateway.mode} mode. Check the ID and the key's mode; an "
                    "account just made with Accounts v1 can take up to 10 minutes before v2 accepts it (run `pulumi "
                    "up` again then), and a platform not enrolled in v2 sets portal-infra:accountsApi v1") from None
            if err.is_missing or err.status == 403:
                raise ResourceError(f"account {account_id}: no connected account with this ID is visible to this "
                                  f"platform key in {gateway.mode} mode; check the ID and the key's mode") from None
            raise

    def _changes(self, gateway: StripeGateway, props: Mapping[str, Any], now: Mapping[str, Any],
                 files: dict[str, str], *, previous: Mapping[str, Any] | None = None,
                 olds: Mapping[str, Any] | None = None, kept: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The declared fields (field -> value) to send so that Stripe holds `props`, given what it holds `now`."""
        values: dict[str, Any] = {}
        account_id = str(props["account"])
        undeclared: list[str] = []
        for f in MANAGED_FIELDS:
            want = props.get(f)
            if want is None:
                if olds is not None and olds.get(f) is not None:
                    undeclared.append(f)
                continue
            if f in IMAGE_FIELDS:
                want = (kept or {}).get(f) or self._file_for(gateway, f, props, files)
            if want == now.get(f):
                continue
            values[f] = want
        if undeclared and previous is not None:
            # A field dropped from the program goes back to what the account had before.
            values.update(self._restore_params(gateway, account_id, undeclared, previous))
        return values

    def _shown_already(self, gateway: StripeGateway, account_id: str, props: Mapping[str, Any],
                       now: Mapping[str, Any], files: dict[str, str]) -> dict[str, str]:
        """Images declared by path that the account already shows, byte for byte (what `portal-infra pull
        --assets` declares): kept as the File the account shows, so adopting uploads and changes nothing.
        The File is read where it lives, the platform first, then the account (branding_files.py)."""
        kept: dict[str, str] = {}
        for role in IMAGE_FIELDS:
            value, shown = props.get(role), now.get(role)
            if value is None or not shown or is_file_id(str(value)):
                continue
            local = Path(str(value)).read_bytes()
            digest = sha256_of(local)
            if digest != props.get(f"{role}_sha256"):
                continue  # changed since preview: _file_for says so
            account = self.gateway(account_id)
            found = retrieve_file(gateway, account, str(shown))
            if found is None or int(found[0].get("size") or -1) != len(local):
                continue
            owner = found[1]
            if (gateway if owner == "platform" else account).download_file(str(shown)) != local:
                continue
            kept[role] = str(shown)
            if owner == "platform":
                files[_files_key(role, digest)] = str(shown)  # found again later without an upload
        return kept

    def _file_for(self, gateway: StripeGateway, role: str, props: Mapping[str, Any], files: dict[str, str]) -> str:
        value = str(props[role])
        if is_file_id(value):
            return value
        digest = str(props.get(f"{role}_sha256") or "")
        known = files.get(_files_key(role, digest))
        if known:
            return known
        path = Path(value)
        data = path.read_bytes()
        if sha256_of(data) != digest:
            raise ResourceError(f"{role}: {value!r} changed between preview and update; run `pulumi up` again")
        # On the platform, shared by every account showing these bytes (branding_files.py).
        file_id = platform_file(gateway, PURPOSE[role], data)  # type: ignore[index]
        files[_files_key(role, digest)] = file_id
        return file_id

    def _restore_params(self, gateway: StripeGateway, account_id: str, fields: list[str],
                        previous: Mapping[str, Any]) -> dict[str, Any]:
        """The declared fields (field -> value) that put back what the account had before."""
        values: dict[str, Any] = {}
        for f in fields:
            before = previous.get(f)
            if before is None and not emptyable(_api(gateway), f):
                # Stripe's API cannot unset it (module docstring): keep the value, and say so.
                warn(f"account {account_id}: {f} had no value before portal-infra set it, and Stripe "
                     "cannot unset it; it keeps its current value")
            elif f in IMAGE_FIELDS:
                restored = self._restorable_file(gateway, account_id, f, str(before))
                if restored:
                    values[f] = restored
            else:
                values[f] = "" if before is None else before  # "" only where emptyable() says so
        return values

    def _restorable_file(self, gateway: StripeGateway, account_id: str, role: str, file_id: str) -> str | None:
        """A File the platform may set that shows what `file_id` showed. The account's earlier image may
        be one it uploaded itself, which the platform cannot set: then the same bytes go up on the platform."""
        copy = platform_copy(gateway, self.gateway(account_id), file_id)
        if copy is None:
            warn(f"account {account_id}: its earlier {role} {file_id} no longer exists in Stripe; "
                 f"the {role} keeps its current value")
        elif copy != file_id:
            warn(f"account {account_id}: its earlier {role} {file_id} was the account's own upload, which the "
                 f"platform cannot set; restored the same image as platform File {copy}")
        return copy

    def _outputs(self, inputs: Mapping[str, Any], account: Mapping[str, Any], gateway: StripeGateway,
                 files: dict[str, str], previous: Mapping[str, Any]) -> dict[str, Any]:
        live = live_values(_api(gateway), account)
        return {
            **without_provider(inputs),
            "icon_file": live.get("icon"),
            "logo_file": live.get("logo"),
            "files": files,
            "previous": dict(previous),
            "livemode": bool(account.get("livemode")),
            "mode": gateway.mode,
        }


def account_write_key(operation: str, account_id: str) -> str:
    """A fresh idempotency key for one write of an account, kept across the gateway's retries of it.

    Not derived from the write, as configuration writes are (stripe_api/idempotency.py): those carry
    the object's `updated` time, which tells one lifecycle from the next, and Stripe's Account object
    has no such field (API reference, "The Account object": `created`, no `updated`). A derived key
    for an account repeats whenever its values come back to what they were: a second create after a
    destroy, or two stacks restoring the same account to the same look, within the 24 hours Stripe
    keeps keys ("Idempotent requests": keys are pruned after 24 hours); Stripe then replays the first
    answer and the second write is never made. An account update sets absolute values, so making it
    again after a killed run cannot act twice, and a run retried later needs no replay.
    """
    return idempotency_key(operation, account_id, None, after=secrets.token_hex(16))


def _api(gateway: StripeGateway) -> AccountsApi:
    return gateway.settings.accounts_api


def _refused_api(api: AccountsApi, account_id: str, err: StripeCallError) -> None:
    """Raise the reason and the setting to change when Stripe refused the Accounts API itself."""
    hint = wrong_api(api, err.code, str(err))
    if hint:
        raise ResourceError(f"account {account_id}: {hint}. Nothing was changed on the account. Stripe said: {err}"
                            ) from None


def _post_account(gateway: StripeGateway, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST the account's new values, under a fresh key (`account_write_key`)."""
    api = _api(gateway)
    try:
        return gateway.post(account_path(api, account_id), body,
                            idempotency_key=account_write_key("branding", account_id))
    except StripeCallError as err:
        _refused_api(api, account_id, err)
        if err.code == "resource_missing" and refused_file_param(api, err.param):
            raise ResourceError(
                f"account {account_id}: Stripe has no File the platform may set as {err.param}. Stripe lets a "
                "platform set only Files the platform uploaded (not ones uploaded on the connected account, "
                "nor in another mode); declare a local image path instead, which portal-infra uploads on the "
                f"platform, or the ID of a platform File. Stripe said: {err}") from None
        raise


def _platform_files(props: Mapping[str, Any]) -> dict[str, str]:
    """The Files in state that live on the platform; account-owned uploads of older state are dropped."""
    return {k: v for k, v in dict(props.get("files") or {}).items() if k.startswith(f"{FILES_OWNER}:")}


class AccountBranding(Resource, module="portal_infra", name="AccountBranding"):
    """A connected account's branding (`settings.branding`) and customer-facing business profile.

    `icon` and `logo` take a local image path (relative to the Pulumi program's directory) or an
    existing File ID (`file_…`); images are uploaded only when their bytes change.
    `business_name` is `business_profile.name`. `on_delete`: "restore" (default) puts back what
    the account had before; "retain" leaves it. Stripe cannot write the platform's own branding:
    see `PlatformSettings` for a read-only check of it.
    """

    icon_file: pulumi.Output[str | None]
    logo_file: pulumi.Output[str | None]
    previous: pulumi.Output[dict[str, Any]]
    livemode: pulumi.Output[bool]
    mode: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        account: pulumi.Input[str],
        icon: pulumi.Input[str] | None = None,
        logo: pulumi.Input[str] | None = None,
        primary_color: pulumi.Input[str] | None = None,
        secondary_color: pulumi.Input[str] | None = None,
        business_name: pulumi.Input[str] | None = None,
        support_email: pulumi.Input[str] | None = None,
        support_phone: pulumi.Input[str] | None = None,
        support_url: pulumi.Input[str] | None = None,
        url: pulumi.Input[str] | None = None,
        on_delete: OnDelete = "restore",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = branding_inputs(resource_name, account=account, icon=icon, logo=logo, primary_color=primary_color,
                                secondary_color=secondary_color, business_name=business_name,
                                support_email=support_email, support_phone=support_phone, support_url=support_url,
                                url=url, on_delete=on_delete)
        with without_stack_trace():
            super().__init__(AccountBrandingProvider(), resource_name, props, opts)


def branding_inputs(resource_name: str, *, account: pulumi.Input[str], on_delete: OnDelete = "restore",
                    **fields: pulumi.Input[str] | None) -> dict[str, Any]:
    """The resource's inputs from AccountBranding's arguments: what the dynamic resource and the
    plugin's own resource class (portal_infra.plugin.children) both register."""
    props: dict[str, Any] = {
        "account": account, **{f: fields.get(f) for f in _DECLARED_ARGS},
        "owner": f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}", "on_delete": on_delete,
    }
    unknown = set(fields) - set(_DECLARED_ARGS)
    if unknown:
        raise TypeError(f"AccountBranding has no argument {', '.join(sorted(unknown))}")
    for key in COMPUTED_FIELDS:
        props.setdefault(key, None)
    return props


_DECLARED_ARGS = ("icon", "logo", "primary_color", "secondary_color", "business_name", "support_email",
                  "support_phone", "support_url", "url")
