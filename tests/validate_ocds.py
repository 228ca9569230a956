"""Validates an OCDS release package (JSON on stdin) against the OCDS 1.1.5
schema vendored in tests/ocds-1.1.5, offline: the schemas' id URLs are mapped to
the local files. Prints "valid" or the errors; exits 1 when invalid."""
import json
import pathlib
import sys

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

here = pathlib.Path(__file__).resolve().parent
folder = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here / "ocds-1.1.5"
package_schema = json.loads((folder / "release-package-schema.json").read_text())
release_schema = json.loads((folder / "release-schema.json").read_text())
registry = Registry().with_resources(
    [(s["id"], Resource.from_contents(s, default_specification=DRAFT4)) for s in (package_schema, release_schema)]
)
validator = Draft4Validator(package_schema, registry=registry)
errors = sorted(validator.iter_errors(json.load(sys.stdin)), key=lambda e: list(e.absolute_path))
for e in errors[:50]:
    print("/".join(str(p) for p in e.absolute_path), ":", e.message)
if errors:
    sys.exit(1)
print("valid")
