"""The pulled declaration over the project's base: the file holds the smallest override, and keys
pull does not own stay as they were, comments and secrets included."""

from __future__ import annotations

from pathlib import Path

import yaml

from portal_infra.pull.stackfile import write_stack_file
from portal_infra.specs.layers import merge
from portal_infra.stackfiles import own_config

BASE = {"portal": {"name": "Acme", "features": {"invoice_history": {"enabled": True}},
                   "retention": {"coupon": "stay"}},
        "platform": {"business_name": "Acme"}}
PULLED = {"mode": "test", "portal": {"name": "Acme", "features": {"invoice_history": {"enabled": False}},
                                     "portal_infra": {"adopt": "default"}},
          "portals": None, "platform": None, "fleet": None}


def test_the_file_is_the_smallest_override_of_the_base(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("# my own note\nconfig:\n  portal-infra:stripeApiKey:\n    secure: v1:abc\n"
                    "  portal-infra:domain: {domain: billing.example.com}  # kept\nencryptionsalt: v1:xyz\n")
    write_stack_file(path, PULLED, BASE, ["first pull"])
    write_stack_file(path, PULLED, BASE, ["second pull", "  - a note"])
    text = path.read_text()
    assert text.startswith("# pull: second pull\n# pull:   - a note\n") and "first pull" not in text
    assert "# my own note" in text and "# kept" in text and "encryptionsalt: v1:xyz" in text
    data = yaml.safe_load(text)
    own = own_config(data, path)
    assert own["portal"] == {"features": {"invoice_history": {"enabled": False}}, "retention": None,
                             "portal_infra": {"adopt": "default"}}
    assert own["platform"] is None  # the base's is not the account's: null removes it
    effective = merge(BASE, own)
    assert effective["portal"] == PULLED["portal"] and "platform" not in effective
    assert effective["stripeApiKey"] == "[secret]" and effective["mode"] == "test"
