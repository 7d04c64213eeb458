from enum import StrEnum


class NotificationError(StrEnum):
    PERMISSION_DENIED = "notification_permission_denied"
    NO_RECIPIENTS = "notification_no_recipients"
    EMPTY_SUBJECT = "notification_empty_subject"
    UNKNOWN_CHANNEL = "notification_unknown_channel"
