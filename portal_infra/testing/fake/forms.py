"""Stripe's request bodies: bracket-encoded forms (`a[b][0]=x`, `a[b][]=x`) and multipart uploads."""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

_TOKEN = re.compile(r"\[([^\]]*)\]")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Nested params from flat pairs. Lists are made from numeric or empty (`[]`) brackets."""
    root: dict[str, Any] = {}
    appends: dict[tuple[int, str], int] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head, *_TOKEN.findall("[" + rest)] if rest else [head]
        node: dict[str, Any] = root
        for i, part in enumerate(parts):
            if part == "":
                counter = (id(node), "|".join(parts[:i]))
                part = str(appends.get(counter, 0))
                appends[counter] = int(part) + 1
            if i == len(parts) - 1:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    out: dict[str, Any] = _listify(root)
    return out


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_listify(node[k]) for k in sorted(node, key=int)]
        return {k: _listify(v) for k, v in node.items()}
    return node


def decode_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Fields and files (name -> (filename, bytes)) of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    )
    pairs: list[tuple[str, str]] = []
    files: dict[str, tuple[str, bytes]] = {}
    if not message.is_multipart():
        return {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, data)
        else:
            pairs.append((name, data.decode("utf-8", errors="replace")))
    return decode_form(pairs), files
