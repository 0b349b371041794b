"""The public, read-only JSON API (/api/v1), described by an OpenAPI document."""
