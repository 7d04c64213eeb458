from enum import StrEnum


class FacilityError(StrEnum):
    PERMISSION_DENIED = "facility_permission_denied"
    OUTSIDE_EVERY_COMMUNITY = "facility_outside_every_community"
    NO_ITEMS = "facility_without_items"
    UNKNOWN_ITEM = "facility_unknown_item"
    HOURS_INVALID = "facility_hours_invalid"
    COORDINATES_INVALID = "facility_coordinates_invalid"
    IMPORT_INVALID = "facility_import_invalid"
