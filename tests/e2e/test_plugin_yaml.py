"""Pulumi YAML on the provider plugin, through the real pulumi CLI against the fake: `examples/yaml/`
declares the dev stack's platform (its portal, Dashboard settings, custom domain, and three connected
accounts' portals and branding) with `portal-infra:index:` types and no Python, and the engine runs
the venv's `pulumi-resource-portal-infra` and the bootstrapped `pulumi-language-yaml` from PATH.

It goes up, previews clean, takes a change, refreshes, shows a Dashboard edit and repairs it, and is
destroyed; it makes the same Stripe requests as the repo's Python stack program for the same
declaration (stacks/ dev over portal-infra:base); a bad value fails preview, naming where it is, before
any request."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal_infra.program import BASE_KEY, effective
from portal_infra.testing import PulumiCLI, RecordedRequest, offline_env
from portal_infra.testing.tools import _lookup
from tests.e2e.conftest import KEY, REPO, FakeDeployment

pytestmark = pytest.mark.e2e

EXAMPLE = REPO / "examples" / "yaml"
YAML_HOST_ENV = "PORTAL_INFRA_YAML_HOST_DIR"
ACCOUNTS = {  # the example's defaults, which are stacks/Pulumi.dev.yaml's accounts
    "bakery": "acct_1DevBakery000000000000",
    "bikes": "acct_1DevBikes0000000000000",
    "books": "acct_1DevBooks0000000000000",
}
# What the fake makes (models/base.py new_id: a prefix and 24 random letters and digits).
MADE_ID = re.compile(r"\b(file|bpc|link)_[A-Za-z0-9]{24}\b")


def _yaml_host_dir() -> Path:
    found = _lookup(YAML_HOST_ENV)
    if not found or not (Path(found) / "pulumi-language-yaml").is_file():
        pytest.skip("pulumi-language-yaml is not bootstrapped: run `scripts/bootstrap.sh yaml`")
    return Path(found)


def _seed(d: FakeDeployment) -> None:
    """The dev Stripe account: its three connected accounts, the prices the portal names by lookup key,
    and the retention coupon."""
    d.fake.control.seed(accounts=[{"id": a} for a in ACCOUNTS.values()])

    def price(key: str, product: str) -> dict[str, Any]:
        camel = "".join(p.title() for p in key.split("_"))
        return {"id": f"price_Dev{camel}", "product": f"prod_Dev{product}", "lookup_key": key,
                "unit_amount": 1000, "recurring": {"interval": "month"}}

    d.fake.control.seed(products=[{"id": "prod_DevStarter", "name": "Starter"}, {"id": "prod_DevPro", "name": "Pro"}],
                        prices=[price("starter_monthly", "Starter"), price("starter_yearly", "Starter"),
                                price("pro_monthly", "Pro")],
                        coupons=[{"id": "stay-25-off", "percent_off": 25}])


class YamlProject:
    """A copy of examples/yaml with its own state, run by the real CLI with the plugin and the YAML
    host on PATH, against the fixture's fake (through its recorder)."""

    def __init__(self, d: FakeDeployment, root: Path, *, key_as_config: bool = True) -> None:
        self.dir = root / "yaml-project"
        shutil.copytree(EXAMPLE, self.dir)
        (root / "yaml-state").mkdir()
        env = offline_env(root / "yaml-state", root / "yaml-home", extra={"STRIPE_API_BASE": d.recorder.url})
        env["PATH"] = f"{REPO / '.venv' / 'bin'}:{_yaml_host_dir()}:{env['PATH']}"
        env.pop("STRIPE_API_KEY", None)
        if not key_as_config:
            env["STRIPE_API_KEY"] = KEY
        self.cli = PulumiCLI(self.dir, env, log_path=root / "pulumi-yaml.log")
        self.cli.select_stack("dev")
        if key_as_config:
            self.cli.set_config([("portal-infra:stripeApiKey", KEY)], secret=True)

    @property
    def program(self) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load((self.dir / "Pulumi.yaml").read_text())
        return data

    def edit(self, old: str, new: str) -> None:
        text = (self.dir / "Pulumi.yaml").read_text()
        assert text.count(old) == 1, old
        (self.dir / "Pulumi.yaml").write_text(text.replace(old, new))


@pytest.fixture
def yaml_project(fake_deployment: FakeDeployment, tmp_path: Path) -> Iterator[YamlProject]:
    _yaml_host_dir()
    _seed(fake_deployment)
    yield YamlProject(fake_deployment, tmp_path)


def _owned(d: FakeDeployment) -> dict[str, dict[str, Any]]:
    """Every portal-infra configuration in the fake, the platform's and each connected account's, by owner."""
    backend = d.fake.fake.backend
    stores = [backend.store("test", None), *(backend.store("test", a) for a in ACCOUNTS.values())]
    found = [dict(c) for store in stores for c in store.configurations.items.values()]
    return {c["metadata"]["portal_infra_owner"]: c for c in found if c["metadata"].get("portal_infra_owner")}


def _ok(run: Any) -> str:
    assert run.returncode == 0, f"pulumi {' '.join(run.args)}: exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    return str(run.stdout)


def test_yaml_example_lifecycle(fake_deployment: FakeDeployment, yaml_project: YamlProject) -> None:
    d, y = fake_deployment, yaml_project
    up = _ok(y.cli.run("up", "--yes", "--skip-preview"))
    assert "portal-infra:index:AccountBranding" in up
    outputs = y.cli.outputs()
    owned = _owned(d)
    assert set(owned) == {f"acme-portal/dev/{n}" for n in ("portal", "bakery-portal", "bikes-portal", "books-portal")}
    assert owned["acme-portal/dev/portal"]["id"] == outputs["configuration_id"]
    assert outputs["price_lookup_keys"] == {"starter_monthly": "price_DevStarterMonthly",
                                            "starter_yearly": "price_DevStarterYearly",
                                            "pro_monthly": "price_DevProMonthly"}
    assert outputs["retention"] == {"configuration_id": outputs["configuration_id"], "coupon": "stay-25-off"}
    assert outputs["domain"]["dns_records"][0]["name"] == "billing.dev.acme.example"
    for name, account_id in ACCOUNTS.items():
        account = d.stripe.v1.accounts.retrieve(account_id)
        branding = y.program["resources"][f"{name}-branding"]["properties"]
        assert account.settings.branding.primary_color == branding["primary_color"]
        assert account.business_profile.name == branding["business_name"]
        # The image files under examples/yaml/ resolve against the program's directory, as in stacks/.
        assert account.settings.branding.icon == outputs["fleet"][name]["icon_file"]
        assert outputs["fleet"][name]["configuration_id"].startswith("bpc_")

    _ok(y.cli.run("preview", "--expect-no-changes"))

    # A change in the program: previewed by field, then applied in place.
    y.edit('primary_color: "#6e3078"', 'primary_color: "#5a2466"')
    preview = _ok(y.cli.run("preview", "--diff"))
    assert "books-branding" in preview and "#5a2466" in preview and "bikes-branding" not in preview
    d.recorder.clear()
    _ok(y.cli.run("up", "--yes", "--skip-preview"))
    (write,) = [r for r in d.recorder.requests if r.method == "POST"]
    assert write.path == f"/v1/accounts/{ACCOUNTS['books']}"
    assert write.params == {"settings[branding][primary_color]": "#5a2466"}
    _ok(y.cli.run("refresh", "--yes", "--skip-preview", "--expect-no-changes"))

    # Edits made by hand in the Dashboard: refresh shows them, preview shows the repair, up repairs.
    d.stripe.v1.accounts.update(ACCOUNTS["bikes"], params={"settings": {"branding": {"primary_color": "#ff0000"}}})
    d.stripe.v1.billing_portal.configurations.update(
        outputs["configuration_id"], params={"business_profile": {"headline": "Edited in the Dashboard"}})
    # PULUMI_SKIP_CONFIRMATIONS counts as --yes, which --preview-only refuses.
    drift = y.cli.run("refresh", "--preview-only", "--diff", "--expect-no-changes",
                      env={"PULUMI_SKIP_CONFIRMATIONS": "false"})
    assert drift.returncode != 0
    assert "#ff0000" in drift.stdout and "Edited in the Dashboard" in drift.stdout
    _ok(y.cli.run("refresh", "--yes", "--skip-preview"))
    repair = _ok(y.cli.run("preview", "--diff"))
    assert "bikes-branding" in repair and "#1e6091" in repair and "Manage your Acme subscription" in repair
    _ok(y.cli.run("up", "--yes", "--skip-preview"))
    assert d.stripe.v1.accounts.retrieve(ACCOUNTS["bikes"]).settings.branding.primary_color == "#1e6091"
    _ok(y.cli.run("preview", "--expect-no-changes"))

    exported = y.cli.export()
    assert KEY not in exported and KEY not in (y.dir.parent / "pulumi-yaml.log").read_text()

    _ok(y.cli.run("destroy", "--yes", "--skip-preview"))
    assert all(c["active"] is False for c in _owned(d).values())
    for account_id in ACCOUNTS.values():
        metadata = d.stripe.v1.accounts.retrieve(account_id).metadata.to_dict()
        assert not any(k.startswith("portal_infra_") for k in metadata)


def test_a_secret_in_the_yaml_program_stays_secret_in_state(fake_deployment: FakeDeployment,
                                                              yaml_project: YamlProject) -> None:
    y = yaml_project
    y.edit("      support_phone: +1 415 555 0100", "      support_phone:\n        fn::secret: +1 415 555 0100")
    _ok(y.cli.run("up", "--yes", "--skip-preview"))
    _ok(y.cli.run("refresh", "--yes", "--skip-preview"))
    state = json.loads(y.cli.export())
    assert "555 0100" not in json.dumps(state)
    (books,) = [r for r in state["deployment"]["resources"] if r["urn"].endswith("::books-branding")]
    assert books["inputs"]["support_phone"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert books["outputs"]["support_phone"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert fake_deployment.stripe.v1.accounts.retrieve(ACCOUNTS["books"]).business_profile.support_phone \
        == "+1 415 555 0100"
    _ok(y.cli.run("preview", "--expect-no-changes"))


def _wire(requests: list[RecordedRequest], files: dict[str, bytes]) -> list[tuple[str, str, str, str]]:
    """What Stripe was asked, in an order both programs share: method, path, parameters, Stripe-Account.
    A File the fake made is named by its bytes' hash, an upload by the file name it sent (which carries
    the hash), and any other ID the fake made at random by its kind."""
    def norm(text: str) -> str:
        text = MADE_ID.sub(lambda m: f"file:{sha256(files[m.group(0)]).hexdigest()[:16]}"
                           if m.group(0) in files else f"{m.group(1)}_*", text)
        return text

    def params(r: RecordedRequest) -> list[tuple[str, str]]:
        uploaded = re.findall(rb'filename="([^"]+)"', r.body) if r.path == "/v1/files" else []
        return sorted(r.query + r.form + [("file", name.decode()) for name in uploaded])

    return sorted((r.method, norm(r.path), norm(json.dumps(params(r))), r.headers.get("stripe-account", ""))
                  for r in requests)


def _platform_files(d: FakeDeployment) -> dict[str, bytes]:
    backend = d.fake.fake.backend
    with backend.lock:
        return dict(backend.store("test", None).file_contents)


def _python_twin(d: FakeDeployment) -> None:
    """The repo's own stack program (stacks/__main__.py, dynamic resources) on the dev stack file over
    portal-infra:base, as project `acme-portal` (owners are project/stack/name) with stacks/assets."""
    project = yaml.safe_load((d.project_dir / "Pulumi.yaml").read_text())
    project["name"] = "acme-portal"
    (d.project_dir / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    shutil.copytree(REPO / "stacks" / "assets", d.project_dir / "assets")
    base = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"][f"portal-infra:{BASE_KEY}"]["default"]
    dev = {k.split(":", 1)[1]: v for k, v in
           yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())["config"].items()}
    merged, _ = effective({BASE_KEY: base, **dev})
    d.cli.select_stack(d.stack)
    d.write_stack({k: merged[k] for k in ("portal", "platform", "domain", "fleet")})


def test_the_yaml_example_makes_the_python_programs_requests(fake_deployment: FakeDeployment,
                                                             yaml_project: YamlProject) -> None:
    d, y = fake_deployment, yaml_project
    _python_twin(d)
    seen: dict[str, dict[str, list[tuple[str, str, str, str]]]] = {"python": {}, "yaml": {}}

    def steps(face: str, cli: PulumiCLI) -> None:
        for step, args in (("preview", ("preview",)), ("up", ("up", "--yes", "--skip-preview")),
                           ("refresh", ("refresh", "--yes", "--skip-preview")),
                           ("destroy", ("destroy", "--yes", "--skip-preview"))):
            d.recorder.clear()
            _ok(cli.run(*args))
            seen[face][step] = _wire(d.recorder.requests, _platform_files(d))

    steps("python", d.cli)
    d.fake.control.reset()
    _seed(d)
    steps("yaml", y.cli)
    for step in ("preview", "up", "refresh", "destroy"):
        python, yaml_ = seen["python"][step], seen["yaml"][step]
        # Every write the same, as many times. Reads the same, each at least once: how often a cold
        # process lists the platform's Files depends on which branding gets there first
        # (resources/branding_files.py: "two images of one purpose may list at once"), in both faces.
        assert [r for r in yaml_ if r[0] != "GET"] == [r for r in python if r[0] != "GET"], step
        assert {r for r in yaml_ if r[0] == "GET"} == {r for r in python if r[0] == "GET"}, step
    writes = [r for r in seen["yaml"]["up"] if r[0] == "POST"]
    assert sum(r[1] == "/v1/files" for r in writes) == 6  # an icon and a logo per account, each uploaded once
    assert sum(r[1] == "/v1/billing_portal/configurations" for r in writes) == 4
    assert {r[3] for r in writes} == {"", *ACCOUNTS.values()}


# Each a bad value in the example, the words the error must hold, and whether the YAML host refuses it
# against the schema (else the plugin's check does, with the resource's name and the property's path).
BAD_VALUES = {
    "not a boolean": ("[email, address, tax_id]\n        invoice_history:\n          enabled: true",
                      "[email, address, tax_id]\n        invoice_history:\n          enabled: yes-please",
                      ["Pulumi.yaml line", "features: Cannot assign", "invoice_history: Cannot assign",
                       "enabled: Cannot assign type 'string' to type 'boolean'"]),
    "an unknown field": ('      primary_color: "#b5651d"\n',
                         '      primary_color: "#b5651d"\n      favourite_color: blue\n',
                         ["Pulumi.yaml line", "favourite_color: blue", "Existing properties are"]),
    "not one of Stripe's values": ("options: [too_expensive, missing_features, switched_service, other]",
                                   "options: [too_expensive, missing_features, switched_service, bored]",
                                   ["resource 'portal'", "features.subscription_cancel.cancellation_reason.options[3]",
                                    "'bored' is not one of Stripe's values"]),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_a_bad_value_fails_preview_naming_it_with_no_request(fake_deployment: FakeDeployment,
                                                             yaml_project: YamlProject, case: str) -> None:
    d, y = fake_deployment, yaml_project
    old, new, words = BAD_VALUES[case]
    y.edit(old, new)
    if case == "not one of Stripe's values":
        # Only the platform's portal, so no other resource's check reads Stripe.
        program = y.program
        program["resources"] = {"portal": program["resources"]["portal"]}
        program["outputs"] = {"configuration_id": "${portal.id}"}
        (y.dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    else:
        # The YAML host checks the program against the plugin's schema before it registers anything,
        # and shows the bad line with its number.
        lines = (y.dir / "Pulumi.yaml").read_text().splitlines()
        bad = new.splitlines()[-1]
        words = [*words, f"{lines.index(bad) + 1}: {bad}"]
    d.recorder.clear()
    preview = y.cli.run("preview")
    output = re.sub(r"\x1b\[[0-9;]*m", "", preview.stdout + preview.stderr)
    assert preview.returncode != 0
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"
    assert d.recorder.requests == []
