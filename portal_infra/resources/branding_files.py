"""Branding Files on the platform: one File per distinct image, shared by every account that shows it.

Stripe takes `settings.branding.icon/logo` from the platform's `POST /v1/accounts/{id}` only when the
File was uploaded by the platform, with no `Stripe-Account` header (STRIPE.md section 4: stripe-node
issue 2486 answered `No such file upload` for a File uploaded on the connected account; Stripe's
Connect demo, stripe-connect-furever-demo scripts/setup-accounts.py, uploads on the platform). A
platform File can then serve any number of accounts, so a fleet whose accounts share an icon
uploads it once.

One image, one File, however it is reached:
- in one provider process, a lock per image: parallel operations wait for the first upload;
- across provider processes and interrupted runs, the upload's idempotency key is the image's
  content hash (no account, no path), so Stripe replays the first File for 24 hours;
- across runs after that, the File's name carries the hash (`portal-infra-<purpose>-<hash>.<ext>`)
  and the platform's Files of that purpose are listed once per process (`GET /v1/files?purpose=`,
  100 a page) before anything is uploaded. The name and the size must both match.

Files cannot be deleted (STRIPE.md section 3), so nothing here ever removes one.
"""

from __future__ import annotations

import threading
from typing import Any

from ..specs.images import sha256_of
from ..stripe_api import StripeCallError, StripeGateway, idempotency_key

# Stripe's file types by their first bytes, for the File's name (Stripe itself sniffs the bytes).
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))


def file_name(purpose: str, digest: str, data: bytes) -> str:
    """The name a platform File of these bytes is uploaded under: found again by it in later runs."""
    ext = next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), "bin")
    return f"portal-infra-{purpose}-{digest[:32]}.{ext}"


class _PlatformFiles:
    """What this process knows of each platform's Files: image -> File ID, and one listing per purpose."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._image_locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._known: dict[tuple[str, str, str], str] = {}
        self._listed: dict[tuple[str, str], dict[tuple[str, int], str]] = {}

    def file_for(self, gateway: StripeGateway, purpose: str, data: bytes) -> str:
        """The ID of a platform File holding `data` with `purpose`: found, or uploaded once."""
        digest = sha256_of(data)
        key = (gateway.account_digest, purpose, digest)
        with self._lock:
            known = self._known.get(key)
            if known:
                return known
            image_lock = self._image_locks.setdefault(key, threading.Lock())
        with image_lock:
            with self._lock:
                known = self._known.get(key)
            if known:
                return known
            name = file_name(purpose, digest, data)
            found = self._listing(gateway, purpose).get((name, len(data)))
            if found is None:
                uploaded = gateway.upload_file(purpose, name, data,
                                               idempotency_key=idempotency_key("upload", "platform", [purpose, digest]))
                found = str(uploaded["id"])
            with self._lock:
                self._known[key] = found
            return found

    def _listing(self, gateway: StripeGateway, purpose: str) -> dict[tuple[str, int], str]:
        # Serialised by the caller's image lock only per image; two images of one purpose may list at
        # once on a cold process, which costs a second listing, never a second File.
        scope = (gateway.account_digest, purpose)
        with self._lock:
            listed = self._listed.get(scope)
        if listed is not None:
            return listed
        files = gateway.list_all("/v1/files", {"purpose": purpose})
        listed = {(str(f.get("filename")), int(f.get("size") or 0)): str(f["id"])
                  for f in reversed(files)}  # the oldest File of a name wins, as in every earlier run
        with self._lock:
            self._listed.setdefault(scope, listed)
            return self._listed[scope]


_platform_files = _PlatformFiles()


def platform_file(gateway: StripeGateway, purpose: str, data: bytes) -> str:
    """A platform File (gateway with no `Stripe-Account`) holding `data`, uploaded only if none exists."""
    return _platform_files.file_for(gateway, purpose, data)


def retrieve_file(platform: StripeGateway, account: StripeGateway, file_id: str) -> tuple[dict[str, Any], str] | None:
    """The File an account points at, and whose it is ("platform" or "account"), or None when neither has it.

    The platform first: Files set through the API are the platform's. Then the account: a File the
    account uploaded in its own Dashboard lives there (dj-stripe issue 960; STRIPE.md section 4).
    """
    for gateway, owner in ((platform, "platform"), (account, "account")):
        try:
            return gateway.get(f"/v1/files/{file_id}"), owner
        except StripeCallError as err:
            if not err.is_missing:
                raise
    return None


def platform_copy(platform: StripeGateway, account: StripeGateway, file_id: str) -> str | None:
    """A platform File showing what `file_id` shows: itself when the platform owns it, else a platform
    upload of the account's own File's bytes. None when the File no longer exists anywhere."""
    found = retrieve_file(platform, account, file_id)
    if found is None:
        return None
    file, owner = found
    if owner == "platform":
        return file_id
    return platform_file(platform, str(file.get("purpose")), account.download_file(file_id))
