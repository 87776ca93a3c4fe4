// The dev stack's platform in TypeScript: what stacks/Pulumi.dev.yaml declares over Pulumi.yaml's
// portal-infra:base, written out as portal-infra's custom resources. `make sdks` generates the SDK
// this imports (sdk/nodejs, from schema/pulumi-schema.json); the provider plugin
// (pulumi-resource-portal-infra) does the work, configured by this stack's portal-infra:* settings.
import * as pulumi from "@pulumi/pulumi";
import * as portal from "portal-infra-sdk";

// Image paths are read by the plugin relative to the program's directory.
const assets = "../../stacks/assets";

// The platform's own portal configuration: portal-infra:base, with dev's name and return URL.
const configuration = new portal.PortalConfiguration("portal", {
    name: "Acme customer portal (dev)",
    default_return_url: "https://dev.acme.example/account",
    business_profile: {
        headline: "Manage your Acme subscription",
        privacy_policy_url: "https://acme.example/privacy",
        terms_of_service_url: "https://acme.example/terms",
    },
    login_page: { enabled: true },
    metadata: { team: "billing-platform" },
    features: {
        customer_update: { enabled: true, allowed_updates: ["email", "address", "tax_id"] },
        invoice_history: { enabled: true },
        payment_method_update: { enabled: true },
        subscription_cancel: {
            enabled: true,
            mode: "at_period_end",
            proration_behavior: "none",
            cancellation_reason: {
                enabled: true,
                options: ["too_expensive", "missing_features", "switched_service", "other"],
            },
        },
        subscription_update: {
            enabled: true,
            default_allowed_updates: ["price", "quantity", "promotion_code"],
            proration_behavior: "create_prorations",
            // Prices by lookup key, so the same declaration resolves to each account's own price IDs.
            products: [
                { prices: [{ lookup_key: "starter_monthly" }, { lookup_key: "starter_yearly" }] },
                {
                    prices: [{ lookup_key: "pro_monthly" }],
                    adjustable_quantity: { enabled: true, minimum: 1, maximum: 50 },
                },
            ],
            schedule_at_period_end: { conditions: [{ type: "decreasing_item_amount" }] },
        },
    },
    retention_coupon: "stay-25-off",
});

// The platform's Dashboard-only settings: compared at preview and refresh, never written.
const settings = new portal.PlatformSettings("platform", {
    business_name: "Acme Platform",
    primary_color: "#0a7d5e",
});

// The platform's custom domain: portal-infra publishes the DNS records to create.
const domain = new portal.CustomDomain("domain", {
    domain: "billing.dev.acme.example",
    verify: "none",
});

// Connected accounts: each gets its own portal configuration (the fleet's defaults, then its own
// headline) and its branding (the fleet's secondary colour unless it sets one).
interface Account {
    name: string;
    account: string;
    headline: string;
    cancelMode?: "at_period_end" | "immediately";
    branding: portal.AccountBrandingArgs;
}

const accounts: Account[] = [
    {
        name: "bakery",
        account: "acct_1DevBakery000000000000",
        headline: "Your Rise & Shine bread subscription",
        branding: {
            account: "acct_1DevBakery000000000000",
            icon: `${assets}/bakery-icon.png`,
            logo: `${assets}/bakery-logo.png`,
            primary_color: "#b5651d",
            business_name: "Rise & Shine Bakery",
            support_email: "help@bakery.example",
        },
    },
    {
        name: "bikes",
        account: "acct_1DevBikes0000000000000",
        headline: "Manage your bike-share membership",
        branding: {
            account: "acct_1DevBikes0000000000000",
            icon: `${assets}/bikes-icon.png`,
            logo: `${assets}/bikes-logo.png`,
            primary_color: "#1e6091",
            business_name: "Spoke Bike Share",
            support_email: "help@bikes.example",
            support_url: "https://bikes.example/help",
        },
    },
    {
        name: "books",
        account: "acct_1DevBooks0000000000000",
        headline: "Your book club, your way",
        cancelMode: "immediately",
        branding: {
            account: "acct_1DevBooks0000000000000",
            icon: `${assets}/books-icon.png`,
            logo: `${assets}/books-logo.png`,
            primary_color: "#6e3078",
            secondary_color: "#fdf6e3",
            business_name: "Chapter Book Club",
            support_email: "help@books.example",
            support_phone: "+1 415 555 0100",
        },
    },
];

const fleet: Record<string, pulumi.Output<string>> = {};
for (const a of accounts) {
    const accountPortal = new portal.PortalConfiguration(`${a.name}-portal`, {
        stripe_account: a.account,
        business_profile: {
            headline: a.headline,
            privacy_policy_url: "https://acme.example/privacy",
            terms_of_service_url: "https://acme.example/terms",
        },
        features: {
            customer_update: { enabled: true, allowed_updates: ["email", "address"] },
            invoice_history: { enabled: true },
            payment_method_update: { enabled: true },
            subscription_cancel: {
                enabled: true,
                mode: a.cancelMode ?? "at_period_end",
                cancellation_reason: { enabled: true, options: ["too_expensive", "switched_service", "other"] },
            },
        },
    });
    new portal.AccountBranding(`${a.name}-branding`, { secondary_color: "#f6f9fc", ...a.branding });
    fleet[a.name] = accountPortal.id;
}

export const configuration_id = configuration.id;
export const login_page_url = configuration.login_page_url;
export const is_default = configuration.is_default;
export const platform_settings = { differences: settings.differences };
export const domain_status = { status: domain.status, dns_records: domain.dns_records, instructions: domain.instructions };
export const fleet_configurations = fleet;
