from enum import StrEnum


class VolunteerError(StrEnum):
    PERMISSION_DENIED = "volunteer_permission_denied"
    ILLEGAL_TRANSITION = "volunteer_illegal_transition"
    ALREADY_REGISTERED = "volunteer_already_registered"
    NO_SKILLS = "volunteer_no_skills"
    UNKNOWN_SKILL = "volunteer_unknown_skill"
    HOURS_INVALID = "volunteer_availability_invalid"
    NOT_APPROVED = "volunteer_not_approved"
    SKILL_MISMATCH = "volunteer_skill_mismatch"
    MINUTES_INVALID = "volunteer_minutes_invalid"
    NOT_RECIPIENT = "volunteer_not_recipient"
    NO_NETWORK = "volunteer_no_network"
    OTHER_DISTRICT = "volunteer_other_district"
    OTHER_STREET = "volunteer_other_street"
    NOT_A_VOLUNTEER = "volunteer_not_a_volunteer"
    NEED_TAKEN = "volunteer_need_taken"
    OWN_NEED = "volunteer_own_need"
    NO_RECORD = "volunteer_no_record"
    FIELD_INVALID = "field_invalid"
    UNKNOWN_ACTION = "unknown_action"
