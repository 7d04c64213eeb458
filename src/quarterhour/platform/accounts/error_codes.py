from enum import StrEnum


class AccountsError(StrEnum):
    PERMISSION_DENIED = "accounts_permission_denied"
    REASON_REQUIRED = "reason_required"
    PASSWORD_INVALID = "password_invalid"
    USERNAME_TAKEN = "username_taken"
    USERNAME_REQUIRED = "username_required"
    SIGN_UP_INVALID = "sign_up_invalid"
    REASON_TOO_LONG = "reason_too_long"
    SELF = "accounts_self"
    ROLE_INVALID = "role_invalid"
    UNIT_REQUIRED = "unit_required"
    UNIT_NOT_FOR_ROLE = "unit_not_for_role"
    MEMBERSHIP_EXISTS = "membership_exists"
