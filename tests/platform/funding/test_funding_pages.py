"""Funding pages: record through the form, the district roll-up page and its XLSX download;
a street officer cannot open the district roll-up."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from quarterhour.platform.funding.models import Fund


def test_record_rollup_and_export(world):
    c = Client()
    c.force_login(world.users["street"])
    bad = c.post(
        reverse("funding:record"),
        {
            "action": "fund",
            "street": world.A1.pk,
            "year": "2026",
            "source": "don_person",
            "use": "staff",
            "amount": "100",
        },
        follow=True,
    )
    assert "捐赠须写明捐赠方" in bad.content.decode() and Fund.objects.count() == 0
    c.post(
        reverse("funding:record"),
        {
            "action": "fund",
            "street": world.A1.pk,
            "year": "2026",
            "source": "fiscal",
            "use": "staff",
            "amount": "1500.50",
        },
    )
    assert Fund.objects.get().amount == 1500.5
    assert c.get(reverse("funding:rollup", args=[world.A.pk, 2026])).status_code == 403
    c.force_login(world.users["district"])
    page = c.get(reverse("funding:rollup", args=[world.A.pk, 2026])).content.decode()
    assert "西长安街街道" in page and "1500.50" in page
    x = c.get(reverse("funding:export", args=[world.A.pk, 2026]))
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(x.content))
    rows = list(wb["来源 Sources"].iter_rows(min_row=3, values_only=True))
    assert rows[0][0] == "西长安街街道" and rows[0][-1] == 1500.5
    assert c.get(reverse("funding:rollup", args=[world.B.pk, 2026])).status_code == 403


def test_admin_is_read_only_for_funds(world):
    c = Client()
    c.force_login(world.users["street"])
    r = c.post(
        reverse("admin:funding_fund_add"),
        {
            "street": world.A1.pk,
            "year": "2026",
            "source": "fiscal",
            "use": "staff",
            "amount": "500.00",
        },
    )
    assert r.status_code == 403 and Fund.objects.count() == 0
