from enum import StrEnum


class SharingError(StrEnum):
    PERMISSION_DENIED = "sharing_permission_denied"
    OUTSIDE_WINDOW = "sharing_outside_window"
    FULL = "sharing_slot_full"
    WITHDRAWN = "sharing_withdrawn"
    IN_PAST = "sharing_in_past"
    WINDOW_INVALID = "sharing_window_invalid"
    NOT_A_UNIT = "sharing_not_a_resident_unit"
    BOOKING_CLOSED = "sharing_booking_closed"
    UNKNOWN_ITEM = "sharing_unknown_item"
    NOTICE_TOO_SHORT = "sharing_notice_too_short"
    FIELD_INVALID = "field_invalid"
    UNIT_WITHOUT_COMMUNITY = "sharing_unit_without_community"
