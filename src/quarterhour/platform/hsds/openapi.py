"""Our OpenAPI 3.1 description of the HSDS API (self-contained: no outside ``$ref``).

The object schemas describe what we send, field for field, with HSDS 3.0's names and types;
tests check our answers against the official HSDS schemas too.
"""

from __future__ import annotations

from typing import Any

S: dict[str, Any] = {"type": "string"}
UUID: dict[str, Any] = {"type": "string", "format": "uuid"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def _arr(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        ["error"],
        {"error": _obj(["code", "message"], {"code": S, "message": S})},
    ),
    "Page": _obj(
        [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 0},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array"},
        },
    ),
    "Phone": _obj(
        ["id", "number"],
        {
            "id": UUID,
            "service_id": UUID,
            "organization_id": UUID,
            "location_id": UUID,
            "service_at_location_id": UUID,
            "number": S,
            "type": S,
            "description": S,
        },
    ),
    "Schedule": _obj(
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "service_at_location_id": UUID,
            "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
            "wkst": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
            "byday": S,
            "opens_at": S,
            "closes_at": S,
            "description": S,
        },
    ),
    "Address": _obj(
        ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
        {
            "id": UUID,
            "location_id": UUID,
            "address_1": S,
            "city": S,
            "region": S,
            "state_province": S,
            "postal_code": S,
            "country": S,
            "address_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
        },
    ),
    "Location": _obj(
        ["id", "location_type"],
        {
            "id": UUID,
            "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
            "name": S,
            "latitude": {"type": "number"},
            "longitude": {"type": "number"},
            "addresses": _arr("Address"),
            "phones": _arr("Phone"),
            "schedules": _arr("Schedule"),
        },
    ),
    "Taxonomy": _obj(
        ["id", "name", "description"],
        {"id": UUID, "name": S, "description": S, "uri": S, "version": S},
    ),
    "TaxonomyTerm": _obj(
        ["id", "name", "description"],
        {
            "id": UUID,
            "code": S,
            "name": S,
            "description": S,
            "parent_id": UUID,
            "taxonomy": S,
            "taxonomy_detail": _ref("Taxonomy"),
            "language": S,
            "taxonomy_id": UUID,
        },
    ),
    "Attribute": _obj(
        ["id"],
        {
            "id": UUID,
            "link_id": UUID,
            "link_type": S,
            "link_entity": S,
            "taxonomy_term_id": UUID,
            "taxonomy_term": _ref("TaxonomyTerm"),
        },
    ),
    "CostOption": _obj(
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "amount": {"type": "number"},
            "currency": S,
            "amount_description": S,
        },
    ),
    "OrganizationBasic": _obj(
        ["id", "name", "description"],
        {"id": UUID, "name": S, "description": S, "website": S},
    ),
    "ServiceBasic": _obj(
        ["id", "name", "status"],
        {
            "id": UUID,
            "organization_id": UUID,
            "name": S,
            "description": S,
            "status": {
                "type": "string",
                "enum": ["active", "inactive", "defunct", "temporarily closed"],
            },
            "fees_description": S,
            "application_process": S,
            "last_modified": {"type": "string", "format": "date-time"},
            "organization": _ref("OrganizationBasic"),
        },
    ),
    "ServiceAtLocationBasic": _obj(
        ["id"],
        {
            "id": UUID,
            "service_id": UUID,
            "location_id": UUID,
            "location": _ref("Location"),
            "service": _ref("ServiceBasic"),
        },
    ),
}
SCHEMAS["Service"] = {
    "allOf": [_ref("ServiceBasic")],
    "type": "object",
    "properties": {
        "phones": _arr("Phone"),
        "schedules": _arr("Schedule"),
        "service_at_locations": _arr("ServiceAtLocationBasic"),
        "cost_options": _arr("CostOption"),
        "attributes": _arr("Attribute"),
    },
}
SCHEMAS["Organization"] = {
    "allOf": [_ref("OrganizationBasic")],
    "type": "object",
    "properties": {
        "phones": _arr("Phone"),
        "services": {"type": "array", "items": {"anyOf": [_ref("Service"), _ref("ServiceBasic")]}},
    },
}
SCHEMAS["ServiceAtLocation"] = {
    "allOf": [_ref("ServiceAtLocationBasic")],
    "type": "object",
    "properties": {
        "phones": _arr("Phone"),
        "schedules": _arr("Schedule"),
        "service": _ref("Service"),
    },
}
SCHEMAS["ServiceMinimal"] = _obj(
    ["id", "name", "status"],
    {
        "id": UUID,
        "name": S,
        "status": S,
        "last_modified": {"type": "string", "format": "date-time"},
    },
)


def _p(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


BOOL = {"type": "string", "enum": ["true", "false"]}
PARAMS: dict[str, Any] = {
    "search": _p(
        "search",
        {"type": "string", "maxLength": 100},
        "全文检索（全角/半角、繁/简体均可）/ full-text search",
    ),
    "page": _p("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "page number"),
    "per_page": _p(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 1000},
        "results per page (default 50)",
    ),
    "format": _p(
        "format",
        {"type": "string", "enum": ["json", "ndjson"]},
        "ndjson streams every result, without paging",
    ),
    "modified_after": _p(
        "modified_after",
        {"type": "string", "format": "date-time"},
        "only results changed on or after this time",
    ),
    "taxonomy_term_id": _p("taxonomy_term_id", UUID, "services with this taxonomy term"),
    "taxonomy_id": _p("taxonomy_id", UUID, "services with any term of this taxonomy"),
    "organization_id": _p("organization_id", UUID, "services of this organization"),
    "minimal": _p("minimal", BOOL, "only id, name, status and last_modified"),
    "full": _p("full", BOOL, "fully nested objects"),
    "full_service": _p("full_service", BOOL, "organizations with full services"),
    "postcode": _p(
        "postcode",
        {"type": "string", "pattern": "^[0-9]{12}$"},
        "社区 12 位区划代码：以社区中心为起点 / community code: its centre is the point",
    ),
    "proximity": _p(
        "proximity",
        {"type": "number", "minimum": 1, "maximum": 5000},
        "沿步行网络的距离（米）/ walking distance along the network, metres",
    ),
    "lon": _p(
        "lon",
        {"type": "number", "minimum": -180, "maximum": 180},
        "point longitude (WGS-84), with proximity",
    ),
    "lat": _p(
        "lat",
        {"type": "number", "minimum": -90, "maximum": 90},
        "point latitude (WGS-84), with proximity",
    ),
    "top_only": _p("top_only", BOOL, "only terms without a parent"),
    "parent_id": _p("parent_id", UUID, "terms under this parent"),
}


def _params(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{n}"} for n in names]


def _err(code: str, text: str) -> dict[str, Any]:
    return {code: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}}


def _list(item: dict[str, Any], *names: str, errors: tuple[str, ...] = ("400",)) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "a page of results (or an NDJSON stream with format=ndjson)",
            "content": {
                "application/json": {
                    "schema": {
                        "allOf": [_ref("Page")],
                        "properties": {"contents": {"type": "array", "items": item}},
                    }
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        },
    }
    texts = {
        "400": "bad parameter",
        "422": "point off the walk network",
        "503": "no walk network imported",
    }
    for code in errors:
        responses |= _err(code, texts[code])
    return {"get": {"parameters": _params(*names), "responses": responses}}


def _detail(schema: str, what: str) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "description": f"the {what} id",
            }
        ],
        "get": {
            "responses": {
                "200": {
                    "description": what,
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                **_err("404", f"no such {what}"),
                **_err("400", "bad parameter"),
            },
            "parameters": _params("full_service") if schema == "Organization" else [],
        },
    }


def document(*, server: str = "/api/hsds/") -> dict[str, Any]:
    any_service = {"anyOf": [_ref("Service"), _ref("ServiceBasic"), _ref("ServiceMinimal")]}
    any_sal = {"anyOf": [_ref("ServiceAtLocation"), _ref("ServiceAtLocationBasic")]}
    any_org = {"anyOf": [_ref("Organization"), _ref("OrganizationBasic")]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "一刻钟社区服务圈 HSDS 3.0 接口 / Quarter-hour community services HSDS API",
            "version": "1.0.0",
            "summary": "Public community-service directory in Open Referral HSDS 3.0",
            "description": "社区服务商、服务、服务地点及标准分类（四类服务、30 项设施）。"
            "仅公开数据。/ Providers, services, places and the standard's taxonomy. Public "
            "data only. Place data © OpenStreetMap contributors where imported from OSM.",
            "license": {
                "name": "ODbL-1.0 (OSM-derived data); directory data public",
                "identifier": "ODbL-1.0",
            },
        },
        "servers": [{"url": server}],
        "paths": {
            "/": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "API information",
                            "content": {
                                "application/json": {
                                    "schema": _obj(
                                        ["version", "profile", "openapi_url"],
                                        {
                                            "version": S,
                                            "profile": {"type": "string", "format": "uri"},
                                            "openapi_url": {"type": "string", "format": "uri"},
                                        },
                                    )
                                }
                            },
                        }
                    }
                }
            },
            "/services": _list(
                any_service,
                "search",
                "page",
                "per_page",
                "format",
                "taxonomy_term_id",
                "taxonomy_id",
                "organization_id",
                "modified_after",
                "minimal",
                "full",
            ),
            "/services/{id}": _detail("Service", "service"),
            "/organizations": _list(
                any_org, "search", "full_service", "full", "page", "per_page", "format"
            ),
            "/organizations/{id}": _detail("Organization", "organization"),
            "/service_at_locations": _list(
                any_sal,
                "search",
                "taxonomy_term_id",
                "taxonomy_id",
                "organization_id",
                "modified_after",
                "full",
                "page",
                "per_page",
                "format",
                "postcode",
                "proximity",
                "lon",
                "lat",
                errors=("400", "422", "503"),
            ),
            "/service_at_locations/{id}": _detail("ServiceAtLocation", "service at location"),
            "/taxonomies": _list(_ref("Taxonomy"), "search", "page", "per_page", "format"),
            "/taxonomies/{id}": _detail("Taxonomy", "taxonomy"),
            "/taxonomy_terms": _list(
                _ref("TaxonomyTerm"),
                "search",
                "page",
                "per_page",
                "format",
                "taxonomy_id",
                "top_only",
                "parent_id",
            ),
            "/taxonomy_terms/{id}": _detail("TaxonomyTerm", "taxonomy term"),
        },
        "components": {"schemas": SCHEMAS, "parameters": PARAMS},
    }
