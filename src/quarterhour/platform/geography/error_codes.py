from enum import StrEnum


class GeographyError(StrEnum):
    PERMISSION_DENIED = "geography_permission_denied"
    CODE_INVALID = "community_code_invalid"
    CODE_NOT_IN_STREET = "community_code_not_in_street"
    STREET_CODE_NOT_IN_DISTRICT = "street_code_not_in_district"
    CIRCLE_WITHOUT_COMMUNITIES = "circle_without_communities"
    CIRCLE_SHARE_INVALID = "circle_share_invalid"
    CIRCLE_SHARE_OVER_ONE = "circle_share_over_one"
    CIRCLE_DUPLICATE_MEMBER = "circle_duplicate_member"
    FILE_ENCODING = "file_encoding"
    FILE_TOO_LARGE = "file_too_large"
    FILE_UNREADABLE = "file_unreadable"
    FILE_MISSING = "file_missing"
    ADCODE_INVALID = "adcode_invalid"
    ADCODE_DUPLICATE = "adcode_duplicate"
    IMPORT_PERMISSION_DENIED = "import_permission_denied"
    ROW_OUT_OF_JURISDICTION = "permission_denied"
    PARENT_MISSING = "parent_missing"
    PARENT_CHANGED = "parent_changed"
