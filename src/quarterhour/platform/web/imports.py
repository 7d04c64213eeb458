"""The import page: a street officer uploads the facility register (or the community list) of
its jurisdiction, sees every problem at once or a preview of what would change, confirms, and
the import queues the assessment that shows which circles gained which items.

Order of checks: who may import is decided before the request body is read (the view turns off
Django's automatic CSRF reading of the body until its own upload handler is in place, so an
upload beyond ``QH_IMPORT_MAX_BYTES`` is cut off, never held); the file is then read within the
upload limits by the import services, which write nothing until every row is good. Between the
preview and the confirmation the file waits in ``QH_UPLOAD_DIR`` under a random name known only
to the uploader's session, and is removed after the import (files older than a day are swept).
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.core.forms import staff_only
from quarterhour.platform.facilities.imports import (
    CRS_WORDS,
    RegisterScope,
    import_register,
    register_scope,
    register_scopes,
)
from quarterhour.platform.geography.imports import (
    ImportReport,
    can_import_communities,
    import_adcode,
    issue_lines,
    kind_label,
    upload_limits,
)
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.planning import permissions as perm
from quarterhour.platform.planning.models import AssessmentRun
from quarterhour.platform.planning.networks import network_at
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.web.error_codes import WebError as E

#: file kinds the page takes
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
#: text encodings a person picks (value → what the reader is told; "" = recognise)
ENCODINGS = {"": None, "utf-8": "utf-8", "gbk": "gb18030"}
SESSION_KEY = "qh_import"
#: stored uploads older than this are removed
KEEP_SECONDS = 24 * 3600


class CappedUpload(FileUploadHandler):
    """Takes a file only up to ``limit`` bytes: beyond it the file is skipped (the rest of the
    body is read and dropped) and ``too_big`` tells the view."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def size_text(n: int) -> str:
    """A size in words a person reads: whole MB, or KB below one MB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, n // 1024)} KB"


def _may_import(user: Any) -> bool:
    return bool(register_scopes(user)) or can_import_communities(user)


def _upload_dir() -> Path:
    path = Path(settings.QH_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for folder in _upload_dir().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _store(upload: Any) -> tuple[str, Path]:
    _sweep()
    token = secrets.token_urlsafe(18)
    folder = _upload_dir() / token
    folder.mkdir()
    try:
        name = get_valid_filename(Path(upload.name or "").name)
    except SuspiciousFileOperation:
        name = "upload" + Path(upload.name or ".csv").suffix.lower()
    path = folder / name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, path


def _stored(token: str) -> Path | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _upload_dir() / token
    files = list(folder.iterdir()) if folder.is_dir() else []
    return files[0] if len(files) == 1 else None


def _discard(token: str) -> None:
    if token and token.replace("-", "").replace("_", "").isalnum():
        shutil.rmtree(_upload_dir() / token, ignore_errors=True)


def _summary(report: ImportReport) -> list[dict[str, Any]]:
    rows = []
    for kind in ("district", "street", "community", "facility"):
        counts = {
            "created": report.created.get(kind, 0),
            "updated": report.updated.get(kind, 0),
            "unchanged": report.unchanged.get(kind, 0),
            "skipped": report.skipped.get(kind, 0),
        }
        if any(counts.values()):
            rows.append({"label": kind_label(kind), **counts})
    return rows


def _run(entry: dict[str, Any], path: Path, user: Any, *, dry_run: bool) -> ImportReport:
    if entry["kind"] == "adcode":
        return import_adcode([path], actor=user, dry_run=dry_run, limits=upload_limits())
    return import_register(
        path,
        actor=user,
        crs=entry["crs"],
        scope_code=entry["scope"] or None,
        encoding=ENCODINGS[entry["encoding"]],
        file=path.name,
        dry_run=dry_run,
        limits=upload_limits(),
        walk_network=network_at,
    )


def _assessment_for(user: Any, scope: RegisterScope) -> tuple[AssessmentRun | None, str]:
    """Queue the assessment of the register's jurisdiction (or find the one already queued)."""
    street: Street | None = None
    district: District | None = None
    if scope.community_id is not None:
        street = Community.objects.select_related("street").get(pk=scope.community_id).street
    elif scope.street_id is not None:
        street = Street.objects.get(pk=scope.street_id)
    elif scope.district_id is not None:
        district = District.objects.get(pk=scope.district_id)
    if not perm.can_run_assessment(user, district=district, street=street):
        return None, _("评估需由街道或区县工作人员发起：请联系他们重新评估。")
    try:
        return assessment_request(actor=user, district=district, street=street), ""
    except Invalid as exc:
        pending = AssessmentRun.objects.filter(
            district=district, street=street, status=AssessmentRun.Status.QUEUED
        ).first()
        if pending is not None:
            return pending, _("该辖区的评估已在排队，将计入本次导入。")
        return None, str(exc.message)


def _form(user: Any, **extra: Any) -> dict[str, Any]:
    return {
        "scopes": register_scopes(user),
        "can_communities": can_import_communities(user),
        "crs_choices": [(code, str(words)) for code, words in CRS_WORDS.items()],
        "max_size": size_text(settings.QH_IMPORT_MAX_BYTES),
        "max_rows": settings.QH_IMPORT_MAX_ROWS,
        **extra,
    }


def _check(request: HttpRequest, cap: CappedUpload) -> dict[str, Any]:
    """Read the upload and answer its problems or a preview (nothing written)."""
    user = request.user
    entry = {
        "kind": request.POST.get("kind", ""),
        "crs": request.POST.get("crs", "wgs84"),
        "encoding": request.POST.get("encoding", ""),
        "scope": request.POST.get("scope", ""),
    }
    if cap.too_big:
        return {
            "entry": entry,
            "errors": [
                _("文件超过 %(size)s 的上限：请拆分成几个文件分别上传")
                % {"size": size_text(settings.QH_IMPORT_MAX_BYTES)}
            ],
        }
    upload = request.FILES.get("file")
    if upload is None or entry["kind"] not in ("adcode", "facilities"):
        return {"entry": entry, "errors": [_("请选择文件和导入类型")]}
    if Path(upload.name or "").suffix.lower() not in SUFFIXES:
        return {
            "entry": entry,
            "errors": [_("只接受 CSV、TSV 或 XLSX 文件（旧版 .xls 请先另存为 .xlsx）")],
        }
    if entry["crs"] not in CRS_WORDS or entry["encoding"] not in ENCODINGS:
        return {"entry": entry, "errors": [_("请选择坐标系和文字编码")]}
    if entry["kind"] == "facilities":
        try:
            scope = register_scope(user, code=entry["scope"] or None)  # refuses before reading
        except Invalid as exc:
            return {"entry": entry, "errors": issue_lines(exc)}
        entry["scope"] = scope.namespace
        entry["scope_label"] = scope.label
    elif not can_import_communities(user):
        raise PermissionRefused(E.IMPORT_PERMISSION_DENIED, _("您无权导入社区名录"))
    token, path = _store(upload)
    try:
        report = _run(entry, path, user, dry_run=True)
    except (Invalid, PermissionRefused) as exc:
        _discard(token)
        return {"entry": entry, "errors": issue_lines(exc), "file_name": path.name}
    request.session[SESSION_KEY] = {**entry, "token": token}
    return {
        "preview": report,
        "summary": _summary(report),
        "token": token,
        "file_name": path.name,
        "entry": entry,
    }


def _confirm(request: HttpRequest) -> dict[str, Any]:
    """Import the previewed file; queue the assessment of its jurisdiction."""
    user = request.user
    entry = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = _stored(token) if token and entry.get("token") == token else None
    if path is None:
        return {"errors": [_("这次上传已处理或已过期：请重新选择文件上传")]}
    try:
        report = _run(entry, path, user, dry_run=False)
    except (Invalid, PermissionRefused) as exc:  # the data changed since the preview
        return {"errors": issue_lines(exc), "file_name": path.name}
    finally:
        _discard(token)
        request.session.pop(SESSION_KEY, None)
    result: dict[str, Any] = {"done": report, "summary": _summary(report), "file_name": path.name}
    if entry["kind"] == "facilities" and (report.created or report.updated):
        scope = register_scope(user, code=entry["scope"])
        result["run"], result["run_note"] = _assessment_for(user, scope)
    return result


@csrf_exempt  # the CSRF check runs below, once the upload's size cap is in place
@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """Upload, check and import a facility register or a community list of one's jurisdiction."""
    staff_only(request)
    if not _may_import(request.user):
        raise PermissionRefused(
            E.IMPORT_PERMISSION_DENIED,
            _("您无权导入数据：只有区县、街道、社区工作人员可以导入本辖区的登记表"),
        )
    cap = CappedUpload(request, settings.QH_IMPORT_MAX_BYTES)
    request.upload_handlers.insert(0, cap)
    return _imports(request, cap)


@csrf_protect
def _imports(request: HttpRequest, cap: CappedUpload) -> HttpResponse:
    result: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "check")
        if action == "confirm":
            result = _confirm(request)
        elif action == "cancel":
            _discard(request.POST.get("token", ""))
            request.session.pop(SESSION_KEY, None)
        else:
            result = _check(request, cap)
    return render(request, "web/imports.html", _form(request.user, **result))
