#!/usr/bin/python3
"""validate-scenarios.py SCHEMA FILE...: validates each scenario file against the JSON
Schema (draft 2020-12), printing "FILE: PATH: message" for the first error in each; exits 1
when any file fails. Debian: python3-jsonschema (make deps installs it)."""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: tools/validate-scenarios.py SCHEMA FILE...")
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = 0
    for name in sys.argv[2:]:
        with open(name) as f:
            doc = json.load(f)
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
        if error is not None:
            failed += 1
            path = ".".join(str(p) for p in error.absolute_path)
            print(f"{name}: {path}: {error.message}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
