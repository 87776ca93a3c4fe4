"""`--assets DIR`: the images accounts show, saved by content hash and declared by path.

A File is read where it lives (resources/branding_files.py `retrieve_file`): the platform first,
since Files set through the API are the platform's, then the account, since an account may show a
File it uploaded in its own Dashboard (STRIPE.md section 4). The name is the bytes' SHA-256, so two
Files with the same image become one file on disk, and accounts showing it share one declared path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from ..resources.branding_files import retrieve_file
from ..specs.images import sha256_of
from ..stripe_api import StripeGateway

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))


class Assets:
    """Downloads each File once; `path_for` answers the path a stack file declares for it."""

    def __init__(self, directory: Path, program_dir: Path, platform: StripeGateway,
                 as_account: Callable[[str], StripeGateway]) -> None:
        self._dir = directory
        self._program_dir = program_dir
        self._platform = platform
        self._as_account = as_account
        self._saved: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self.downloaded = 0

    def path_for(self, file_id: str, account: str) -> str | None:
        """The declared path of the File's image, or None when neither the platform nor the account has it."""
        with self._lock:
            if file_id in self._saved:
                return self._saved[file_id]
        account_gateway = self._as_account(account)
        found = retrieve_file(self._platform, account_gateway, file_id)
        path: str | None = None
        if found is not None:
            _, owner = found
            data = (self._platform if owner == "platform" else account_gateway).download_file(file_id)
            ext = next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), "bin")
            target = self._dir / f"{sha256_of(data)[:32]}.{ext}"
            self._dir.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(data)
            # Stack files name images relative to the program directory, where the providers run.
            path = os.path.relpath(target.resolve(), self._program_dir.resolve())
        with self._lock:
            self._saved[file_id] = path
            self.downloaded += found is not None
        return path
