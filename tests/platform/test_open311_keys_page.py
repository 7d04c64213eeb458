"""The partners' keys page: city staff only; a key is shown once, stored as its digest; expiry
in the past refused beside the field; revoking is kept in the history with who did it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from quarterhour.platform.open311.keys import check_key
from quarterhour.platform.open311.models import ApiClient

pytestmark = pytest.mark.django_db


def test_city_issues_sets_expiry_and_revokes(client: Any, world: Any) -> None:
    client.force_login(world.users["city"])
    answer = client.post("/partners/keys/", {"name": "合作方甲", "contact": "张工"})
    page = answer.content.decode()
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    raw = page.split('<code id="new-key">')[1].split("</code>")[0]
    row = ApiClient.objects.get(name="合作方甲")
    assert row.key_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert check_key(raw) == row
    assert raw not in client.get("/partners/keys/").content.decode()  # shown once
    bad = client.post("/partners/keys/", {"name": "合作方乙", "expires_on": "2001-01-01"})
    assert bad.status_code == 422 and "到期时间须晚于现在" in bad.content.decode()
    assert not ApiClient.objects.filter(name="合作方乙").exists()
    client.post(f"/partners/keys/{row.pk}/expire", {"expires_on": "2099-12-31"})
    row.refresh_from_db()
    assert row.expires_at is not None and row.expires_at.year == 2099
    client.post(f"/partners/keys/{row.pk}/revoke")
    row.refresh_from_db()
    assert not row.is_active and row.revoked_at is not None
    assert [h.history_user for h in row.history.all()] == [world.users["city"]] * 3


@pytest.mark.parametrize("who", ["district", "street", "community", "provider", "resident"])
def test_others_are_refused(client: Any, world: Any, who: str) -> None:
    client.force_login(world.users[who])
    assert client.get("/partners/keys/").status_code == 403
    assert client.post("/partners/keys/", {"name": "x"}).status_code == 403
    assert not ApiClient.objects.exists()
