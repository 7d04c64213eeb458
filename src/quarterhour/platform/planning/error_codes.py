from enum import StrEnum


class PlanningError(StrEnum):
    PERMISSION_DENIED = "assessment_permission_denied"
    NO_NETWORK = "assessment_no_network"
    NO_COMMUNITIES = "assessment_no_communities"
    ALREADY_QUEUED = "assessment_already_queued"
    ENGINE_FAILED = "assessment_engine_failed"
    WHATIF_INVALID = "whatif_invalid"
    WHATIF_NOT_ASSESSED = "whatif_not_assessed"
    WHATIF_PERMISSION_DENIED = "whatif_permission_denied"
    WHATIF_ILLEGAL = "whatif_illegal_transition"
