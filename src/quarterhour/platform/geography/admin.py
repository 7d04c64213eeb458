from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quarterhour.platform.accounts.admin_scope import ScopedAdmin
from quarterhour.platform.geography import permissions as perm
from quarterhour.platform.geography import selectors, services
from quarterhour.platform.geography.models import (
    Circle,
    Community,
    District,
    Street,
)


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ("code", "name", "population")
    search_fields = ("code", "name")
    service_fields = ("code", "name", "population", "boundary_geojson")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj else ()

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.districts_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return perm.can_create_district(request.user)

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_district(request.user, obj)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.district_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        return services.district_update(actor=request.user, district=obj, **data)


@admin.register(Street)
class StreetAdmin(ScopedAdmin):
    list_display = ("code", "name", "district", "kind")
    list_select_related = ("district",)
    search_fields = ("code", "name")
    service_fields = ("code", "name", "kind", "boundary_geojson", "supervision_phone", "district")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code", "district") if obj else ()

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.streets_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return any(perm.can_create_street(request.user, d) for d in District.objects.all())

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_street(request.user, obj)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.street_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        data.pop("district", None)
        return services.street_update(actor=request.user, street=obj, **data)


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ("code", "name", "street", "urban_rural", "population", "households")
    list_select_related = ("street",)
    list_filter = ("urban_rural", "kind")
    search_fields = ("code", "name")
    service_fields = (
        "code",
        "street",
        "name",
        "kind",
        "urban_rural",
        "population",
        "households",
        "elderly",
        "centre_lon",
        "centre_lat",
        "boundary_geojson",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code", "street", "ur_code", "derived_for_demo") if obj else ("ur_code",)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.communities_visible(request.user).select_related("street")

    def can_add(self, request: HttpRequest) -> bool:
        return selectors.streets_visible(request.user).exists() and any(
            perm.can_create_community(request.user, s)
            for s in selectors.streets_visible(request.user)[:50]
        )

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_community(request.user, obj)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.community_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        return services.community_update(actor=request.user, community=obj, **data)


def _parse_members(text: str, user: Any) -> list[tuple[Community, float]]:
    """Lines of "<community code> [population share]" → (community, share) pairs."""
    members: list[tuple[Community, float]] = []
    errors: list[str] = []
    visible = selectors.communities_visible(user).select_related("street")
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").replace("，", " ").split()
        if not parts:
            continue
        code = parts[0]
        try:
            share = float(parts[1]) if len(parts) > 1 else 1.0
        except ValueError:
            errors.append(_("第 %(n)d 行：人口占比不是数字") % {"n": n})
            continue
        community = visible.filter(code=code).first()
        if community is None:
            errors.append(_("第 %(n)d 行：您辖区内没有社区 %(c)s") % {"n": n, "c": code})
            continue
        members.append((community, share))
    if errors:
        raise forms.ValidationError(errors)
    return members


class CircleForm(forms.ModelForm[Circle]):
    members = forms.CharField(
        label=gettext_lazy("成员社区"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一个：社区区划代码 [人口占比，默认 1]，如 110102001001 0.5"),
    )
    user: Any = None  # set by CircleAdmin.get_form

    class Meta:
        model = Circle
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["members"] = "\n".join(
                f"{m.community.code} {m.population_share:g}"
                for m in self.instance.memberships.select_related("community")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "members" not in data:
            return data
        members = _parse_members(data["members"], self.user)
        street = data.get("street") or getattr(self.instance, "street", None)
        if street is not None and not perm.can_edit_circle(
            self.user, street, [c for c, _s in members]
        ):
            raise forms.ValidationError(_("服务圈的牵头街道或成员社区不在您的辖区内"))
        issues = services.check_members(members, circle=self.instance if self.instance.pk else None)
        if issues:
            raise forms.ValidationError([str(i.message) for i in issues])
        data["members"] = members
        return data


@admin.register(Circle)
class CircleAdmin(ScopedAdmin):
    list_display = ("code", "name", "street", "status")
    list_select_related = ("street",)
    list_filter = ("status",)
    search_fields = ("code", "name")
    form = CircleForm
    service_fields = (
        "code",
        "street",
        "name",
        "status",
        "service_centre_name",
        "centre_lon",
        "centre_lat",
        "notes",
        "members",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("service_centre", "derived_for_demo")
        return ("code", "street", "service_centre", "derived_for_demo")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)
        # the admin builds the form class from ``self.form``, a CircleForm subclass
        cast("type[CircleForm]", form).user = request.user
        return form

    def can_add(self, request: HttpRequest) -> bool:
        return any(
            perm.can_edit_circle(request.user, s, [])
            for s in selectors.streets_visible(request.user)[:50]
        )

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.circle_create(actor=request.user, **data)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.circles_visible(request.user).select_related("street")

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        members = [m.community for m in obj.memberships.select_related("community__street")]
        return perm.can_edit_circle(request.user, obj.street, members)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        members = data.pop("members", None)
        data.pop("code", None)
        data.pop("street", None)
        circle = services.circle_update(actor=request.user, circle=obj, **data)
        if members is not None:
            services.circle_set_members(actor=request.user, circle=circle, members=members)
        return circle
