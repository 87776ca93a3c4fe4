"""Secretness carried from what the engine sent to what the plugin answers.

The plugin tells the engine it accepts secrets (`accept_secrets=True` in Configure: a plugin that
constructs components must, pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go, Construct:
"plugins that can construct components must support secrets"). The engine then sends secret inputs
marked as such and keeps in state only what the answer marks: the resource providers work on plain
values (values.py), so without this a value declared secret (`fn::secret` in YAML,
`pulumi.Output.secret` in a program) came back unmarked and was written to state in plain text.

`keep_secrets` is the engine's own rule for providers that do not accept secrets, `annotateSecrets` in
the same file: a property whose input held a secret anywhere is secret in the answer; where both are
objects, key by key. The dynamic resources (which do not accept secrets) get exactly this from the
engine, so both faces keep the same values secret.
"""

from __future__ import annotations

from collections.abc import Mapping

from pulumi.provider.experimental.property_value import PropertyValue


def keep_secrets(outs: Mapping[str, PropertyValue],
                 ins: Mapping[str, PropertyValue] | None) -> dict[str, PropertyValue]:
    """`outs` with every property secret whose counterpart in `ins` holds a secret (annotateSecrets)."""
    result = dict(outs)
    for key, given in (ins or {}).items():
        answered = result.get(key)
        if answered is None or answered.is_secret:
            continue
        if not given.is_secret and isinstance(given.value, Mapping) and isinstance(answered.value, Mapping):
            result[key] = answered.with_value(keep_secrets(answered.value, given.value))
        elif given.contains_secret():
            result[key] = answered.with_secret(True)
    return result
