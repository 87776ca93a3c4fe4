"""The contrast maths against W3C's definitions (WCAG 2.2, https://www.w3.org/TR/WCAG22/): relative
luminance is 0 for black and 1 for white, ratios run from 1:1 to 21:1, and AA for normal text is 4.5:1
(Success Criterion 1.4.3)."""

from __future__ import annotations

import pytest

from portal_infra.specs.contrast import (
    DARK_TEXT,
    WHITE,
    aa_failures,
    contrast_ratio,
    describe,
    relative_luminance,
    shown,
    text_contrasts,
)


def test_luminance_ends_are_w3c_s_darkest_black_and_lightest_white() -> None:
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#FFFFFF") == pytest.approx(1)


def test_luminance_weights_are_w3c_s_for_each_channel() -> None:
    # L = 0.2126 R + 0.7152 G + 0.0722 B with each channel at full strength.
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert relative_luminance("#0000ff") == pytest.approx(0.0722)


def test_the_linear_segment_and_the_curve_meet_where_wcag_2_2_puts_the_threshold() -> None:
    # 10/255 = 0.0392 lies below both WCAG 2.0's 0.03928 and 2.2's 0.04045: the linear part, c / 12.92.
    assert relative_luminance("#0a0a0a") == pytest.approx(10 / 255 / 12.92)
    # 11/255 = 0.0431 lies above both: the curve, ((c + 0.055) / 1.055) ** 2.4.
    assert relative_luminance("#0b0b0b") == pytest.approx(((11 / 255 + 0.055) / 1.055) ** 2.4)


def test_ratios_run_from_1_to_21_in_either_order() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)


def test_the_aa_boundary_greys_on_white() -> None:
    # The greys on each side of 4.5:1 on white, as every WCAG checker reports them.
    assert shown(contrast_ratio("#767676", WHITE)) == "4.54:1"
    assert shown(contrast_ratio("#777777", WHITE)) == "4.47:1"
    assert not aa_failures("#767676", None)
    assert [f.field for f in aa_failures("#777777", None)] == ["primary_color"]


def test_ratios_are_rounded_down_so_a_failure_never_prints_as_a_pass() -> None:
    assert shown(4.4999) == "4.49:1"


def test_white_text_on_the_brand_colour_and_dark_text_on_the_accent() -> None:
    pairs = {p.field: p for p in text_contrasts("#b5651d", "#333333")}
    assert (pairs["primary_color"].text, pairs["secondary_color"].text) == (WHITE, DARK_TEXT)
    assert [f.field for f in aa_failures("#b5651d", "#333333")] == ["primary_color", "secondary_color"]
    assert aa_failures("#1e6091", "#f6f9fc") == []
    assert aa_failures(None, None) == []


def test_the_warning_names_the_account_both_colours_the_ratio_and_the_fix() -> None:
    [failure] = aa_failures("#b5651d", "#f6f9fc")
    message = describe("account bakery-branding (acct_1)", failure, "#b5651d", "#f6f9fc")
    for part in ("account bakery-branding (acct_1)", "brand colour #b5651d", "accent colour #f6f9fc",
                 "white text (#ffffff)", "4.33:1", "4.5:1", "choose a darker primary_color"):
        assert part in message, message
