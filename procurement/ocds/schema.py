"""The OCDS 1.1 release schema (1.1.5) and the extensions our releases use, shipped in schema/ so
compiling a record needs no network. schema/README.md says where each file comes from."""

import json
from functools import cache
from pathlib import Path

from ocdsmerge import Merger

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# The extensions used, as the URLs of their extension.json, with their folder under schema/.
# Techniques: the dynamic market (a dynamic purchasing system) and the open framework. United
# Kingdom: the notice type of each document, the light-touch regime, the threshold and gross
# values. Location: the United Kingdom extension's fields refer to its Location. Pagination:
# links.next and links.prev of a paginated release package.
OCE = "https://raw.githubusercontent.com/open-contracting-extensions"
EXTENSIONS = {
    f"{OCE}/ocds_techniques_extension/master/extension.json": "techniques",
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json": "uk",
    f"{OCE}/ocds_location_extension/master/extension.json": "location",
    f"{OCE}/ocds_pagination_extension/master/extension.json": "pagination",
}


def merge_patch(target, patch):
    """Apply a JSON Merge Patch (RFC 7386), the way OCDS extensions patch the release schema."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_patch(target[key], value)
        else:
            target[key] = value
    return target


@cache
def release_schema():
    """The release schema with every extension's patch applied."""
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    for folder in EXTENSIONS.values():
        patch = SCHEMA_DIR / "extensions" / folder / "release-schema.json"
        if patch.exists():
            merge_patch(schema, json.loads(patch.read_text()))
    return schema


@cache
def merger():
    """ocdsmerge's merger, with the merge rules of our patched schema."""
    return Merger(schema=release_schema())
