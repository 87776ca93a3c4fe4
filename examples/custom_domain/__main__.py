"""A Stripe custom domain and its DNS records in one program.

Stripe has no API for custom domains: add billing.example.com in the Dashboard (Settings > Custom
domains), copy the TXT value it shows into `billing-domain:acmeChallenge`, and run `pulumi up`.
CustomDomain publishes the records; Cloudflare's record resource creates them as they are.

    pip install portal-infra pulumi-cloudflare   # pulumi-cloudflare 6.x; in 5.x use cloudflare.Record
    pulumi config set billing-domain:zoneId <your Cloudflare zone ID>
    pulumi config set billing-domain:acmeChallenge <the token from the Dashboard>
    export STRIPE_API_KEY=sk_test_...              # only verify: active calls Stripe
    pulumi up
    pulumi refresh                                 # later: re-checks DNS and activation

CustomDomain checks DNS before the records below exist (they are made from its output), and DNS
takes a while to spread anyway; `pulumi refresh` re-runs the check and updates `status`.
"""

import pulumi
import pulumi_cloudflare as cloudflare

from portal_infra import CustomDomain

config = pulumi.Config()
token = config.get("acmeChallenge") or None

domain = CustomDomain(
    "billing",
    domain="billing.example.com",
    acme_challenge=token,
    verify="active",  # "dns" checks the records only and needs no Stripe key
)

# One record per entry of `dns_records`: the CNAME always, the TXT once the token is known.
# `dns_records` is known at preview, so `pulumi preview` shows the exact records to be created.
for index, kind in enumerate(["cname", "txt"] if token else ["cname"]):
    record = domain.dns_records[index]
    cloudflare.DnsRecord(
        f"stripe-{kind}",
        zone_id=config.require("zoneId"),
        name=record["name"],
        type=record["type"],
        content=record["value"],
        ttl=record["ttl"],
        proxied=record["proxied"],  # always False: Stripe must see its own CNAME target
    )

pulumi.export("status", domain.status)
pulumi.export("instructions", domain.instructions)
