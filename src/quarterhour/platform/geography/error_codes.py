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
