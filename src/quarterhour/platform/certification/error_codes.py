from enum import StrEnum


class CertificationError(StrEnum):
    PERMISSION_DENIED = "certification_permission_denied"
    ILLEGAL_TRANSITION = "certification_illegal_transition"
    VOTES_DO_NOT_ADD_UP = "certification_votes_do_not_add_up"
    VOTES_NEGATIVE = "certification_votes_negative"
    DECISION_AGAINST_VOTES = "certification_decision_against_votes"
    MEETING_IN_FUTURE = "certification_meeting_in_future"
    TERM_INVALID = "certification_term_invalid"
    NOTICE_IN_PAST = "certification_notice_in_past"
    NOTICE_RUNNING = "certification_notice_running"
    OPEN_OBJECTIONS = "certification_open_objections"
    NOT_IN_NOTICE = "certification_not_in_notice"
    REASON_REQUIRED = "certification_reason_required"
    NO_ITEMS = "certification_no_items"
    UNKNOWN_ITEM = "certification_unknown_item"
    HOURS_INVALID = "certification_hours_invalid"
    ALREADY_OPEN = "certification_already_open"
    OBJECTION_CLOSED = "certification_objection_closed"
