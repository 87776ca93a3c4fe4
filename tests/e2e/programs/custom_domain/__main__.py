"""Test program: one CustomDomain per entry of `portal-infra:customDomains` (a list of the
resource's keyword arguments plus `name`), each exporting its outputs under its name."""

import pulumi

from portal_infra import CustomDomain

for entry in pulumi.Config("portal-infra").require_object("customDomains"):
    args = dict(entry)
    name = args.pop("name")
    domain = CustomDomain(name, **args)
    pulumi.export(name, {"id": domain.id, "status": domain.status, "instructions": domain.instructions,
                         "dns_records": domain.dns_records, "session_host": domain.session_host,
                         "check_customer": domain.check_customer})
