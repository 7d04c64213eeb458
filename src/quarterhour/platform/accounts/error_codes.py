from enum import StrEnum


class AccountsError(StrEnum):
    PERMISSION_DENIED = "accounts_permission_denied"
    REASON_REQUIRED = "reason_required"
    PASSWORD_INVALID = "password_invalid"
    USERNAME_TAKEN = "username_taken"
    SIGN_UP_INVALID = "sign_up_invalid"
