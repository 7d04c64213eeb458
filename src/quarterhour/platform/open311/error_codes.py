from enum import StrEnum


class Open311Error(StrEnum):
    API_KEY_MISSING = "open311_api_key_missing"
    API_KEY_INVALID = "open311_api_key_invalid"
    API_KEY_EXPIRED = "open311_api_key_expired"
    JURISDICTION_NOT_FOUND = "open311_jurisdiction_not_found"
    SERVICE_CODE_MISSING = "open311_service_code_missing"
    SERVICE_NOT_FOUND = "open311_service_not_found"
    REQUEST_NOT_FOUND = "open311_request_not_found"
    TOKEN_NOT_FOUND = "open311_token_not_found"
    BAD_PARAMETER = "open311_bad_parameter"
    NOT_FOUND = "open311_not_found"
    METHOD = "open311_method_not_allowed"
    PERMISSION_DENIED = "open311_permission_denied"
