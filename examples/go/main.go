// The dev stack's platform in Go: what stacks/Pulumi.dev.yaml declares over Pulumi.yaml's
// portal-infra:base, written out as portal-infra's custom resources. `make sdks` generates the SDK
// this imports (sdk/go, module portal-infra/sdk/go, from schema/pulumi-schema.json); the provider
// plugin (pulumi-resource-portal-infra) does the work, configured by this stack's portal-infra:* settings.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	pi "portal-infra/sdk/go/portalinfra"
)

// Image paths are read by the plugin relative to the program's directory.
const assets = "../../stacks/assets"

// A connected account: its own portal configuration (the fleet's defaults, then its headline) and branding.
type account struct {
	name       string
	id         string
	headline   string
	cancelMode pi.SubscriptionCancelMode
	branding   pi.AccountBrandingArgs
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		// The platform's own portal configuration: portal-infra:base, with dev's name and return URL.
		configuration, err := pi.NewPortalConfiguration(ctx, "portal", &pi.PortalConfigurationArgs{
			Name:               pulumi.String("Acme customer portal (dev)"),
			Default_return_url: pulumi.String("https://dev.acme.example/account"),
			Business_profile: &pi.BusinessProfileArgs{
				Headline:             pulumi.String("Manage your Acme subscription"),
				Privacy_policy_url:   pulumi.String("https://acme.example/privacy"),
				Terms_of_service_url: pulumi.String("https://acme.example/terms"),
			},
			Login_page: &pi.LoginPageArgs{Enabled: pulumi.Bool(true)},
			Metadata:   pulumi.StringMap{"team": pulumi.String("billing-platform")},
			Features: &pi.FeaturesArgs{
				Customer_update: &pi.CustomerUpdateArgs{
					Enabled: pulumi.Bool(true),
					Allowed_updates: pi.CustomerUpdateAllowedUpdatesArray{
						pi.CustomerUpdateAllowedUpdatesEmail, pi.CustomerUpdateAllowedUpdatesAddress,
						pi.CustomerUpdateAllowedUpdates_Tax_id,
					},
				},
				Invoice_history:       &pi.InvoiceHistoryArgs{Enabled: pulumi.Bool(true)},
				Payment_method_update: &pi.PaymentMethodUpdateArgs{Enabled: pulumi.Bool(true)},
				Subscription_cancel: &pi.SubscriptionCancelArgs{
					Enabled:            pulumi.Bool(true),
					Mode:               pi.SubscriptionCancelMode_At_period_end,
					Proration_behavior: pi.SubscriptionCancelProrationBehaviorNone,
					Cancellation_reason: &pi.CancellationReasonArgs{
						Enabled: pulumi.Bool(true),
						Options: pi.CancellationReasonOptionsArray{
							pi.CancellationReasonOptions_Too_expensive, pi.CancellationReasonOptions_Missing_features,
							pi.CancellationReasonOptions_Switched_service, pi.CancellationReasonOptionsOther,
						},
					},
				},
				Subscription_update: &pi.SubscriptionUpdateArgs{
					Enabled: pulumi.Bool(true),
					Default_allowed_updates: pi.SubscriptionUpdateDefaultAllowedUpdatesArray{
						pi.SubscriptionUpdateDefaultAllowedUpdatesPrice, pi.SubscriptionUpdateDefaultAllowedUpdatesQuantity,
						pi.SubscriptionUpdateDefaultAllowedUpdates_Promotion_code,
					},
					Proration_behavior: pi.SubscriptionUpdateProrationBehavior_Create_prorations,
					// Prices by lookup key, so the same declaration resolves to each account's own price IDs.
					Products: pi.ProductUpdateArray{
						&pi.ProductUpdateArgs{Prices: pulumi.Array{
							&pi.PriceLookupArgs{Lookup_key: pulumi.String("starter_monthly")},
							&pi.PriceLookupArgs{Lookup_key: pulumi.String("starter_yearly")},
						}},
						&pi.ProductUpdateArgs{
							Prices: pulumi.Array{&pi.PriceLookupArgs{Lookup_key: pulumi.String("pro_monthly")}},
							Adjustable_quantity: &pi.AdjustableQuantityArgs{
								Enabled: pulumi.Bool(true), Minimum: pulumi.Int(1), Maximum: pulumi.Int(50),
							},
						},
					},
					Schedule_at_period_end: &pi.ScheduleAtPeriodEndArgs{
						Conditions: pi.ScheduleConditionArray{
							&pi.ScheduleConditionArgs{Type: pi.ScheduleConditionType_Decreasing_item_amount},
						},
					},
				},
			},
			Retention_coupon: pulumi.String("stay-25-off"),
		})
		if err != nil {
			return err
		}

		// The platform's Dashboard-only settings: compared at preview and refresh, never written.
		settings, err := pi.NewPlatformSettings(ctx, "platform", &pi.PlatformSettingsArgs{
			Business_name: pulumi.String("Acme Platform"),
			Primary_color: pulumi.String("#0a7d5e"),
		})
		if err != nil {
			return err
		}

		// The platform's custom domain: portal-infra publishes the DNS records to create.
		domain, err := pi.NewCustomDomain(ctx, "domain", &pi.CustomDomainArgs{
			Domain: pulumi.String("billing.dev.acme.example"),
			Verify: pi.CustomDomainVerifyNone,
		})
		if err != nil {
			return err
		}

		accounts := []account{
			{
				name: "bakery", id: "acct_1DevBakery000000000000",
				headline: "Your Rise & Shine bread subscription",
				branding: pi.AccountBrandingArgs{
					Icon:          pulumi.String(assets + "/bakery-icon.png"),
					Logo:          pulumi.String(assets + "/bakery-logo.png"),
					Primary_color: pulumi.String("#b5651d"),
					Business_name: pulumi.String("Rise & Shine Bakery"),
					Support_email: pulumi.String("help@bakery.example"),
				},
			},
			{
				name: "bikes", id: "acct_1DevBikes0000000000000",
				headline: "Manage your bike-share membership",
				branding: pi.AccountBrandingArgs{
					Icon:          pulumi.String(assets + "/bikes-icon.png"),
					Logo:          pulumi.String(assets + "/bikes-logo.png"),
					Primary_color: pulumi.String("#1e6091"),
					Business_name: pulumi.String("Spoke Bike Share"),
					Support_email: pulumi.String("help@bikes.example"),
					Support_url:   pulumi.String("https://bikes.example/help"),
				},
			},
			{
				name: "books", id: "acct_1DevBooks0000000000000",
				headline:   "Your book club, your way",
				cancelMode: pi.SubscriptionCancelModeImmediately,
				branding: pi.AccountBrandingArgs{
					Icon:            pulumi.String(assets + "/books-icon.png"),
					Logo:            pulumi.String(assets + "/books-logo.png"),
					Primary_color:   pulumi.String("#6e3078"),
					Secondary_color: pulumi.String("#fdf6e3"),
					Business_name:   pulumi.String("Chapter Book Club"),
					Support_email:   pulumi.String("help@books.example"),
					Support_phone:   pulumi.String("+1 415 555 0100"),
				},
			},
		}

		fleet := pulumi.StringMap{}
		for _, a := range accounts {
			mode := a.cancelMode
			if mode == "" {
				mode = pi.SubscriptionCancelMode_At_period_end
			}
			accountPortal, err := pi.NewPortalConfiguration(ctx, a.name+"-portal", &pi.PortalConfigurationArgs{
				Stripe_account: pulumi.String(a.id),
				Business_profile: &pi.BusinessProfileArgs{
					Headline:             pulumi.String(a.headline),
					Privacy_policy_url:   pulumi.String("https://acme.example/privacy"),
					Terms_of_service_url: pulumi.String("https://acme.example/terms"),
				},
				Features: &pi.FeaturesArgs{
					Customer_update: &pi.CustomerUpdateArgs{
						Enabled: pulumi.Bool(true),
						Allowed_updates: pi.CustomerUpdateAllowedUpdatesArray{
							pi.CustomerUpdateAllowedUpdatesEmail, pi.CustomerUpdateAllowedUpdatesAddress,
						},
					},
					Invoice_history:       &pi.InvoiceHistoryArgs{Enabled: pulumi.Bool(true)},
					Payment_method_update: &pi.PaymentMethodUpdateArgs{Enabled: pulumi.Bool(true)},
					Subscription_cancel: &pi.SubscriptionCancelArgs{
						Enabled: pulumi.Bool(true),
						Mode:    mode,
						Cancellation_reason: &pi.CancellationReasonArgs{
							Enabled: pulumi.Bool(true),
							Options: pi.CancellationReasonOptionsArray{
								pi.CancellationReasonOptions_Too_expensive, pi.CancellationReasonOptions_Switched_service,
								pi.CancellationReasonOptionsOther,
							},
						},
					},
				},
			})
			if err != nil {
				return err
			}
			branding := a.branding
			branding.Account = pulumi.String(a.id)
			if branding.Secondary_color == nil {
				branding.Secondary_color = pulumi.String("#f6f9fc") // the fleet's default
			}
			if _, err := pi.NewAccountBranding(ctx, a.name+"-branding", &branding); err != nil {
				return err
			}
			fleet[a.name] = accountPortal.ID().ToStringOutput()
		}

		ctx.Export("configuration_id", configuration.ID())
		ctx.Export("login_page_url", configuration.Login_page_url)
		ctx.Export("is_default", configuration.Is_default)
		ctx.Export("platform_settings", pulumi.Map{"differences": settings.Differences})
		ctx.Export("domain", pulumi.Map{
			"status": domain.Status, "dns_records": domain.Dns_records, "instructions": domain.Instructions,
		})
		ctx.Export("fleet_configurations", fleet)
		return nil
	})
}
