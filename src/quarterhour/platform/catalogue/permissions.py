"""Who may change providers and their services: the street they are registered with, or their
own staff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import Role, any_covers, is_provider_staff, place_of_street

if TYPE_CHECKING:
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.geography.models import Street


def can_edit_provider(user: Any, street: Street, provider_id: int | None = None) -> bool:
    """Create (``provider_id`` None) or change a provider registered with ``street``."""
    if is_provider_staff(user, provider_id):
        return True
    return any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_edit_service(user: Any, provider: Provider) -> bool:
    return can_edit_provider(user, provider.street, provider.pk)
