"""One declaration, two wires: where each declared field goes on Accounts v1 and v2, and back."""

from __future__ import annotations

import pytest

from portal_infra.specs.account_wire import (
    FIELD_PATHS,
    account_path,
    account_update,
    accounts_api,
    emptyable,
    live_values,
    refused_file_param,
    retrieve_params,
    wrong_api,
)

LOOK = {"icon": "file_icon", "logo": "file_logo", "primary_color": "#0a7d5e", "secondary_color": "#ffffff",
        "business_name": "Acme", "support_email": "help@acme.test", "support_phone": "+1 415 555 0100",
        "support_url": "https://acme.test/help", "url": "https://acme.test"}


def test_v1_writes_settings_branding_and_business_profile() -> None:
    body = account_update("v1", LOOK, metadata={"owner": "p/s/r"}, remove_metadata=("old",))
    assert body == {
        "settings": {"branding": {"icon": "file_icon", "logo": "file_logo", "primary_color": "#0a7d5e",
                                  "secondary_color": "#ffffff"}},
        "business_profile": {"name": "Acme", "support_email": "help@acme.test", "support_phone": "+1 415 555 0100",
                             "support_url": "https://acme.test/help", "url": "https://acme.test"},
        "metadata": {"owner": "p/s/r", "old": ""},
    }


def test_v2_writes_the_merchant_configuration_and_profile_and_asks_for_them_back() -> None:
    body = account_update("v2", LOOK, metadata={"owner": "p/s/r"}, remove_metadata=("old",))
    assert body == {
        "configuration": {"merchant": {
            "branding": {"icon": "file_icon", "logo": "file_logo", "primary_color": "#0a7d5e",
                         "secondary_color": "#ffffff"},
            "support": {"email": "help@acme.test", "phone": "+1 415 555 0100", "url": "https://acme.test/help"}}},
        "defaults": {"profile": {"doing_business_as": "Acme", "business_url": "https://acme.test"}},
        "metadata": {"owner": "p/s/r", "old": None},  # v2 removes a metadata key with null
        "include": ["configuration.merchant", "defaults"],
    }


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_what_is_written_reads_back_as_the_same_declaration(api: str) -> None:
    wire = accounts_api(api)
    written = account_update(wire, LOOK)
    written.pop("include", None)
    assert live_values(wire, written) == LOOK


def test_nothing_to_send_is_an_empty_body_on_both() -> None:
    assert account_update("v1", {}) == {} and account_update("v2", {}) == {}


def test_colours_read_lower_case_and_expanded_files_as_their_id() -> None:
    account = {"configuration": {"merchant": {"branding": {"primary_color": "#0A7D5E", "icon": {"id": "file_1"}}}}}
    live = live_values("v2", account)
    assert (live["primary_color"], live["icon"], live["url"]) == ("#0a7d5e", "file_1", None)


def test_paths_and_include() -> None:
    assert account_path("v1", "acct_1") == "/v1/accounts/acct_1"
    assert account_path("v2", "acct_1") == "/v2/core/accounts/acct_1"
    assert retrieve_params("v1") == {}
    assert retrieve_params("v2") == {"include": ["configuration.merchant", "defaults"]}


def test_only_v1_support_url_can_be_emptied() -> None:
    assert [f for f in FIELD_PATHS if emptyable("v1", f)] == ["support_url"]
    assert [f for f in FIELD_PATHS if emptyable("v2", f)] == []


def test_a_bad_setting_says_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"set v1 .* or v2"):
        accounts_api("v3")


def test_refused_files_are_recognised_on_each_wire() -> None:
    assert refused_file_param("v1", "settings[branding][icon]")
    assert refused_file_param("v2", "configuration.merchant.branding.logo")
    assert not refused_file_param("v2", "settings[branding][icon]")
    assert not refused_file_param("v1", None)


@pytest.mark.parametrize(("api", "code", "message", "setting"), [
    ("v2", None, "Accounts v2 is not enabled for your platform. If you're interested ...", "accountsApi v1"),
    ("v2", None, "Accounts v2 isn't available in test mode. Switch to a sandbox to test.", "sandbox"),
    ("v1", "account_token_required_for_v2_account", "An account token is required", "accountsApi v2"),
    ("v1", None, "See https://docs.stripe.com/connect/accounts-v2/account-creation", "accountsApi v2"),
])
def test_a_refused_api_names_the_setting(api: str, code: str | None, message: str, setting: str) -> None:
    hint = wrong_api(accounts_api(api), code, message)
    assert hint is not None and setting in hint


def test_other_refusals_are_not_about_the_api() -> None:
    assert wrong_api("v2", "parameter_unknown", "Unknown field configuration.merchant.bogus") is None
    assert wrong_api("v1", "resource_missing", "No such account: 'acct_1'") is None
