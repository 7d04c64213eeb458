from enum import StrEnum


class CatalogueError(StrEnum):
    PERMISSION_DENIED = "catalogue_permission_denied"
    UNKNOWN_ITEM = "service_unknown_item"
    NO_ITEMS = "service_without_items"
    HOURS_INVALID = "service_hours_invalid"
    COMMUNITY_NOT_IN_STREET = "provider_community_not_in_street"
