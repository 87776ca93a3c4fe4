"""Writing the pulled declaration into a stack file, over the project's base.

A stack file is laid over `portal-infra:base` (specs/layers.py), so each pulled key is written as the
smallest override of the base that gives it (`difference`, as `promote` writes), with `null` where the
base has something the account does not. Keys pull does not write (the key, the API base, `allowLive`,
`rateLimits`, `domain` …) stay as the file had them, comments and secrets included.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..specs.layers import difference
from ..specs.stack import NAMESPACE

# The keys pull owns in a stack file; everything else there is left alone.
PULLED_KEYS = ("mode", "portal", "portals", "platform", "fleet")
HEADER_MARK = "# pull:"


def write_stack_file(path: Path, pulled: Mapping[str, Any], base: Mapping[str, Any],
                     header: Sequence[str]) -> None:
    yaml = YAML()  # round-trip: what pull does not own keeps its comments and order
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    data = yaml.load(path.read_text()) if path.exists() else None
    if data is None:
        data = {}
    config = data.setdefault("config", {})
    for key in PULLED_KEYS:
        full = f"{NAMESPACE}:{key}"
        value = pulled.get(key)
        if value is None:
            if key in base:
                config[full] = None  # null removes the base's
            else:
                config.pop(full, None)
            continue
        override = difference(base[key], value) if key in base else value
        if override is None:
            config.pop(full, None)  # the base already says it
        else:
            config[full] = override
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    lines = [line for line in buffer.getvalue().splitlines() if not line.startswith(HEADER_MARK)]
    text = "\n".join([*(f"{HEADER_MARK} {line}".rstrip() for line in header), *lines]) + "\n"
    # Whole or not at all: a pull stopped mid-write must not leave half a stack file.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.pull")
    partial.write_text(text)
    os.replace(partial, path)
