#!/usr/bin/env python3
"""Compares django-ca's REST API (its OpenAPI document, made by django-ninja) with swift-ca's, path by path.

Run with the peer's venv (benchmarks/django-ca-peer/setup.sh installs django-ca[api]):
    benchmarks/django-ca-peer/venv/bin/python benchmarks/django-ca-peer/compare-api.py
For every django-ca operation it prints the query parameters, body fields and answer fields that swift-ca's
document (Sources/RESTAPI/openapi.yaml) lacks, and the ones swift-ca adds. Re-run it against a newer django-ca.
"""
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def django_ca_document():
    os.environ.setdefault("PEER_STATE_DIR", tempfile.mkdtemp(prefix="compare-api-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
    sys.path.insert(0, str(HERE / "project"))
    import django

    django.setup()
    from django_ca.api.endpoints import api

    # Lazy translation strings become text through a JSON round trip.
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))


def resolve(document, schema):
    while schema and "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    if schema and len(schema.get("allOf", [])) == 1:
        return resolve(document, schema["allOf"][0])
    return schema


def fields(document, schema):
    schema = resolve(document, schema)
    if not schema:
        return set()
    if schema.get("type") == "array":
        return fields(document, schema.get("items"))
    return set((schema.get("properties") or {}).keys())


def request_fields(document, operation):
    body = operation.get("requestBody")
    return None if not body else fields(document, next(iter(body["content"].values()))["schema"])


def answer(document, operation):
    for code in ("200", "201"):
        response = operation.get("responses", {}).get(code)
        if response and "content" in response:
            return code, fields(document, next(iter(response["content"].values()))["schema"])
    return None, set()


def query(operation):
    return {parameter["name"] for parameter in operation.get("parameters", []) if parameter.get("in") == "query"}


def main():
    django_ca = django_ca_document()
    swift_ca = yaml.safe_load((ROOT / "Sources/RESTAPI/openapi.yaml").read_text())
    differences = 0
    for path, operations in django_ca["paths"].items():
        for method, operation in operations.items():
            ours = swift_ca["paths"].get(path, {}).get(method)
            print(f"{method.upper()} {path}")
            if not ours:
                print("  missing in swift-ca")
                differences += 1
                continue
            if query(operation) - query(ours):
                print("  query parameters missing:", sorted(query(operation) - query(ours)))
                differences += 1
            theirs_body, our_body = request_fields(django_ca, operation), request_fields(swift_ca, ours)
            if theirs_body is not None:
                missing = sorted(theirs_body - (our_body or set()))
                print("  body fields missing:", missing or "none", "| added:", sorted((our_body or set()) - theirs_body) or "none")
                differences += bool(missing)
            (their_code, theirs), (our_code, our_fields) = answer(django_ca, operation), answer(swift_ca, ours)
            missing = sorted(theirs - our_fields)
            print(f"  answer {their_code} vs {our_code}; fields missing:", missing or "none",
                  "| added:", sorted(our_fields - theirs) or "none")
            differences += bool(missing) + (their_code != our_code)
    print(f"{differences} differences")


if __name__ == "__main__":
    main()
