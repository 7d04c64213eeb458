from enum import StrEnum


class HsdsError(StrEnum):
    BAD_PARAMETER = "hsds_bad_parameter"
    NOT_FOUND = "hsds_not_found"
    UNKNOWN_TAXONOMY = "hsds_unknown_taxonomy"
    UNKNOWN_TAXONOMY_TERM = "hsds_unknown_taxonomy_term"
    UNKNOWN_ORGANIZATION = "hsds_unknown_organization"
    UNKNOWN_POSTCODE = "hsds_unknown_postcode"
    POINT_OFF_NETWORK = "hsds_point_off_network"
    NO_WALK_NETWORK = "hsds_no_walk_network"
