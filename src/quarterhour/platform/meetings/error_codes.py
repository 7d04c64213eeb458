from enum import StrEnum


class MeetingError(StrEnum):
    PERMISSION_DENIED = "meeting_permission_denied"
    ILLEGAL_TRANSITION = "meeting_illegal_transition"
    NO_ATTENDEES = "meeting_no_attendees"
    DUE_IN_PAST = "meeting_action_due_in_past"
    TEXT_REQUIRED = "meeting_text_required"
    OWNER_NOT_STAFF = "meeting_owner_not_staff"
    FIELD_INVALID = "field_invalid"
