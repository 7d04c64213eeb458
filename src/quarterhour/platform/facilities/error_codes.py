from enum import StrEnum


class FacilityError(StrEnum):
    PERMISSION_DENIED = "facility_permission_denied"
    OUTSIDE_EVERY_COMMUNITY = "facility_outside_every_community"
    NO_ITEMS = "facility_without_items"
    UNKNOWN_ITEM = "facility_unknown_item"
    HOURS_INVALID = "facility_hours_invalid"
    COORDINATES_INVALID = "facility_coordinates_invalid"
    IMPORT_INVALID = "facility_import_invalid"
    IMPORT_PERMISSION_DENIED = "facility_import_permission_denied"
    IMPORT_SCOPE_REQUIRED = "facility_import_scope_required"
    IMPORT_SCOPE_UNKNOWN = "facility_import_scope_unknown"
    IMPORT_KEY_OUTSIDE = "facility_import_key_outside_scope"
    IMPORT_VALUE_TOO_LONG = "facility_import_value_too_long"
    IMPORT_NOTHING_INSIDE = "facility_import_nothing_inside"
    IMPORT_CRS_MISMATCH = "facility_import_crs_mismatch"
