from enum import StrEnum


class RequestError(StrEnum):
    PERMISSION_DENIED = "request_permission_denied"
    NO_CATEGORY = "request_no_category"
    UNKNOWN_CATEGORY = "request_unknown_category"
    NO_LOCATION = "request_no_location"
    LOCATION_OUTSIDE = "request_location_outside"
    BAD_COORDINATES = "request_bad_coordinates"
    DESCRIPTION_TOO_LONG = "request_description_too_long"
    TOO_LONG = "request_text_too_long"
    BAD_ATTRIBUTE = "request_bad_attribute"
    MISSING_ATTRIBUTE = "request_missing_attribute"
    ILLEGAL_TRANSITION = "request_illegal_transition"
    NO_REASON = "request_reason_required"
    BAD_RATING = "request_bad_rating"
    ALREADY_RATED = "request_already_rated"
    BAD_TRANSFER_TARGET = "request_bad_transfer_target"
    BAD_DEADLINE = "request_bad_deadline"
    BAD_CALENDAR = "request_bad_calendar"
    IDEMPOTENCY_CONFLICT = "request_idempotency_conflict"
