"""portal-infra's policy pack, started by the language host as `python -m pulumi.policy <engine> policy/`."""

from portal_policies import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

# Mandatory unless a stack's --policy-pack-config says otherwise (policy/config/<stack>.json), so a pack
# run without a config file enforces every rule.
PolicyPack(name=PACK_NAME, policies=list(POLICIES), enforcement_level=EnforcementLevel.MANDATORY)
