from enum import StrEnum


class CoreError(StrEnum):
    """Codes of the checks every app shares (forms, pickers, recording, state machines)."""

    PERMISSION_DENIED = "permission_denied"
    STAFF_ONLY = "staff_only"
    FIELD_INVALID = "field_invalid"
    FIELD_REQUIRED = "field_required"
    FIELD_NOT_EDITABLE = "field_not_editable"
    PICKER_NO_MATCH = "picker_no_match"
    CONTROL_CHARACTER = "control_character"
    BAD_COORDINATES = "bad_coordinates"
