"""Files: uploads keep their real bytes, size and detected type."""

from __future__ import annotations

import copy

from ..exceptions import InvalidParam, MissingParam
from .base import AccountStore, Obj, check_enum, new_id

PURPOSES = ["account_requirement", "additional_verification", "business_icon", "business_logo",
            "customer_signature", "dispute_evidence", "identity_document", "pci_document", "tax_document_user_upload"]
IMAGE_PURPOSES = {"business_icon", "business_logo"}
MAX_IMAGE_BYTES = 512 * 1024


def sniff_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"%PDF"):
        return "pdf"
    return None


def create_file(store: AccountStore, params: Obj, uploads: dict[str, tuple[str, bytes]]) -> Obj:
    purpose = params.get("purpose")
    if not purpose:
        raise MissingParam("purpose")
    check_enum(purpose, PURPOSES, "purpose")
    if "file" not in uploads:
        raise MissingParam("file")
    filename, data = uploads["file"]
    kind = sniff_type(data)
    if purpose in IMAGE_PURPOSES:
        if kind not in ("png", "jpg", "gif"):
            raise InvalidParam("file", f"Files with purpose {purpose} must be a JPEG, PNG or GIF image")
        if len(data) > MAX_IMAGE_BYTES:
            raise InvalidParam("file", f"Files with purpose {purpose} must be at most 512 KB; "
                                       f"this one is {len(data)} bytes")
    file_id = new_id("file")
    obj = {
        "id": file_id, "object": "file", "created": store.clock.tick(), "expires_at": None,
        "filename": filename or file_id, "links": {"object": "list", "data": [], "has_more": False,
                                                   "url": f"/v1/file_links?file={file_id}"},
        "purpose": purpose, "size": len(data), "title": None, "type": kind,
        "url": f"https://files.stripe.com/v1/files/{file_id}/contents",
    }
    store.file_contents[file_id] = data
    return copy.deepcopy(store.files.add(obj))


def list_files(store: AccountStore, params: Obj) -> Obj:
    """GET /v1/files, newest first; `purpose` filters (Stripe's list parameters: created, purpose,
    limit, starting_after, ending_before)."""
    purpose = params.get("purpose")
    if purpose is not None:
        check_enum(purpose, PURPOSES, "purpose")
    return store.files.list(params, "/v1/files", lambda f: purpose is None or f["purpose"] == purpose)


def retrieve_file(store: AccountStore, id_: str) -> Obj:
    return copy.deepcopy(store.files.get(id_))


def file_contents(store: AccountStore, id_: str) -> bytes:
    store.files.get(id_)
    return store.file_contents[id_]
