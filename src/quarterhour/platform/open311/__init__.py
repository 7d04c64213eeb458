"""Open311 GeoReport v2 under ``/api/open311/v2/``: services, service definitions, requests
(GET with filters, POST with an api_key and an idempotency key), single requests, tokens and
the discovery document, in JSON and XML, with the specification's error format."""
