"""Every table the platform hands out goes through the engine's one table writer: a provider's
name or a contract's title typed as a spreadsheet formula comes back inert."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.funding import services
from tests.engine.inert import HOSTILE, INERT, assert_inert_csv, assert_inert_xlsx, csv_cells
from tests.platform.certified import certify
from tests.platform.sharing.helpers import offer


def test_funding_rollup_download_is_inert(client, world):
    Provider.objects.filter(pk=world.pA1.pk).update(name=HOSTILE)
    world.pA1.refresh_from_db()
    certify(world.pA1)
    services.record_contract(
        actor=world.users["street"],
        street=world.A1,
        provider=world.pA1,
        number="-2026-001",
        title=HOSTILE,
        amount="120000.00",
        signed_on=dt.date(2026, 1, 15),
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    client.force_login(world.users["district"])
    response = client.get(reverse("funding:export", args=[world.A.pk, 2026]))
    assert response.status_code == 200
    assert_inert_xlsx(response.content)
    contracts = load_workbook(BytesIO(response.content))["合同 Contracts"]
    row = [c.value for c in contracts[2]]
    assert row[:5] == ["'-2026-001", "西长安街街道", INERT, INERT, 120000]
    assert contracts["E2"].data_type == "n"  # the amount stays a number


def test_siting_candidates_export_is_inert(world, tmp_path):
    shared = offer(world, name=HOSTILE)
    out = tmp_path / "candidates.csv"
    call_command("export_siting_candidates", str(out))
    assert_inert_csv(out)
    assert csv_cells(out)[1][:2] == [f"shared:{shared.pk}", INERT]
