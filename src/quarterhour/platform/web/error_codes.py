from enum import StrEnum


class WebError(StrEnum):
    CIRCLE_OUT_OF_JURISDICTION = "circle_out_of_jurisdiction"
    RUN_OUT_OF_JURISDICTION = "run_out_of_jurisdiction"
    IMPORT_PERMISSION_DENIED = "import_permission_denied"
