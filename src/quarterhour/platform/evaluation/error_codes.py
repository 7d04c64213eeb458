from enum import StrEnum


class EvaluationError(StrEnum):
    PERMISSION_DENIED = "evaluation_permission_denied"
    ILLEGAL_TRANSITION = "evaluation_illegal_transition"
    RATING_RANGE = "evaluation_rating_range"
    SURVEY_CLOSED = "evaluation_survey_closed"
    ALREADY_ANSWERED = "evaluation_already_answered"
    ALREADY_REVIEWED = "evaluation_already_reviewed"
    DATES_INVALID = "evaluation_dates_invalid"
    ALREADY_PUBLISHED = "evaluation_already_published"
    DEADLINE_IN_PAST = "evaluation_deadline_in_past"
    TEXT_REQUIRED = "evaluation_text_required"
    NOT_IN_CIRCLE = "evaluation_provider_not_in_circle"
    NOTHING_ANSWERED = "evaluation_nothing_answered"
    FIELD_INVALID = "field_invalid"
    PERSONAL_DATA = "personal_data"
    UNKNOWN_ACTION = "unknown_action"
