from enum import StrEnum


class FundingError(StrEnum):
    PERMISSION_DENIED = "funding_permission_denied"
    AMOUNT_INVALID = "funding_amount_invalid"
    YEAR_INVALID = "funding_year_invalid"
    CIRCLE_NOT_IN_STREET = "funding_circle_not_in_street"
    DONOR_REQUIRED = "funding_donor_required"
    CONTRACT_REQUIRED = "funding_contract_required"
    CONTRACT_MISMATCH = "funding_contract_mismatch"
    DATES_INVALID = "funding_dates_invalid"
    NUMBER_TAKEN = "funding_contract_number_taken"
    PROVIDER_NOT_CERTIFIED = "funding_provider_not_certified"
    PROVIDER_DISQUALIFIED = "funding_provider_disqualified"
    FIELD_INVALID = "field_invalid"
