"""The residents' provider page tells a cancelled certification (已取消资格) plainly: the date and
the decision's reason, in Chinese first and in English — never who decided it."""

from __future__ import annotations

from quarterhour.platform.certification import services
from tests.platform.certification.helpers import DAY, T0, certified


def _page(client, provider, **headers):
    resp = client.get(f"/providers/{provider.pk}/", **headers)
    assert resp.status_code == 200
    return resp.content.decode()


def test_disqualified_provider_shows_date_and_reason(client, world):
    cert = certified(world)
    assert 'id="disqualified"' not in _page(client, world.pA1)
    services.disqualify(
        actor=world.users["street"],
        certification=cert,
        reason="多次投诉属实 <b>",
        now=T0 + 30 * DAY,
    )
    html = _page(client, world.pA1)
    notice = html.split('id="disqualified"')[1].split("</div>")[0]
    assert "已取消资格" in html and "★ 认证服务商" not in html
    assert "该服务商的认证已被取消" in notice
    assert "2026-04-01" in notice  # T0 + 30 days
    assert "多次投诉属实 &lt;b&gt;" in notice and "<b>" not in notice
    # public text only: neither the deciding user nor the audit wording of the delisting
    assert "street_a1" not in html and "下架" not in html
    client.cookies["django_language"] = "en"
    en = _page(client, world.pA1)
    assert "Disqualified" in en and "Cancelled on" in en and "Reason" in en
    assert "多次投诉属实" in en  # the reason is the decision's own text


def test_disqualification_by_rule_and_a_never_certified_provider(client, world):
    cert = certified(world)
    services.disqualify_by_rule(
        certification=cert, reason="逾期未整改：消防通道堵塞", now=T0 + 40 * DAY
    )
    notice = _page(client, world.pA1).split('id="disqualified"')[1]
    assert "逾期未整改：消防通道堵塞" in notice and "2026-04-11" in notice
    # a provider that never had a certification is simply not certified, with no notice
    html = _page(client, world.pB1)
    assert "尚未认证" in html and 'id="disqualified"' not in html
