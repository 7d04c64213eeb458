"""The base of every admin page: querysets filtered by jurisdiction, permissions from the
``can_*`` functions, and saves that go through the app's services (so the admin is no back door:
``is_superuser`` grants nothing, ``is_staff`` only lets a user open the admin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    # simple_history ships no type hints; its admin is a ModelAdmin subclass
    SimpleHistoryAdmin = admin.ModelAdmin[Any]
else:
    from simple_history.admin import SimpleHistoryAdmin

from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.recording import delete_audited, save_audited


class ScopedAdmin(SimpleHistoryAdmin):
    #: fields passed to the service on create/update (others are shown read-only)
    service_fields: tuple[str, ...] = ()

    # -- to override per model --------------------------------------------------------------
    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def can_add(self, request: HttpRequest) -> bool:
        return False

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return False

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    # -- Django admin hooks --------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.visible(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_staff_pages(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not can_use_staff_pages(request.user):
            return False
        return obj is None or self.visible(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can_use_staff_pages(request.user) and self.can_add(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not can_use_staff_pages(request.user):
            return False
        if obj is None:
            return True
        return self.can_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in self.service_fields}
            fresh = type(obj).objects.get(pk=obj.pk)
            saved = self.update(request, fresh, data)
        else:
            data = {f: form.cleaned_data[f] for f in self.service_fields if f in form.cleaned_data}
            saved = self.create(request, data)
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Related rows are written by the services; nothing else to save."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """Only the history of a row one may see: an id that is no row's (``1e30``, ``²``) or
        a row outside one's jurisdiction is not found (simple_history would look it up as is)."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404(_("没有这条记录"))
        response: HttpResponse = super().history_view(request, object_id, extra_context)
        return response


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def register(model: type[Model]) -> Any:
    return admin.register(model)


class AuditedAdmin:
    """For the set-up tables city staff keep in the admin (users and their roles, request
    categories, calendars): every save of the page and of its inlines goes through
    :func:`core.recording.save_audited` — validated, with who, when and why in the history."""

    audit_reason = gettext_lazy("在管理后台修改")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_audited(obj, actor=request.user, reason=str(self.audit_reason), exclude=["password"])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_audited(obj, actor=request.user, reason=str(self.audit_reason))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            delete_audited(row, actor=request.user, reason=str(self.audit_reason))
        for row in rows:
            save_audited(row, actor=request.user, reason=str(self.audit_reason))
        formset.save_m2m()
