#!/usr/bin/python3
"""schema.py ARCHSIM: the JSON Schema for scenario files, made from what
the loader itself accepts. `archsim fields FILE` lists, for each object the loader read, the
fields it asked about (those it accepts) and the names the user chose (map keys such as node
names); this script runs it on every scenario in the repository, folds the objects by their
place (node names become '*', array indices '[]', a node's "type" and a distribution's
"dist" choose the set of fields) and writes a schema that names every field and refuses an
unknown one. It knows what the repository's scenarios exercise: a field the loader reads only
in a branch no scenario takes is missing (add a scenario that uses it, then make schema). Values are left to the loader (`archsim check`). `make schema` rewrites
docs/scenario.schema.json; `make test` checks it is up to date and validates every
scenario with it."""
import glob
import json
import re
import subprocess
import sys

# The scenarios, and tools/schema-corpus/: files that exercise what no scenario uses.
CORPUS = ["scenarios/*/*.json", "tests/scenarios/*.json", "tools/schema-corpus/*.json"]
DISCRIMINATORS = ("type", "dist")  # a key whose value chooses which fields apply
DIST = "$dist"  # the place every distribution folds into: #/$defs/distribution
SCHEMA_ID = "https://archsim.invalid/scenario.schema.json"


def segments(doc, path):
    """The keys and indices of a dotted path, found by walking the document (a key may
    hold a dot)."""
    out, node = [], doc
    while path:
        if isinstance(node, list):
            head, _, path = path.partition(".")
            out.append(int(head))
            node = node[int(head)]
            continue
        key = max((k for k in node if path == k or path.startswith(k + ".")), key=len)
        out.append(key)
        node = node[key]
        path = path[len(key) + 1:]
    return out, node


def fold(archsim, files):
    """places[place] = {"fields": {discriminator or None: set}, "named": bool}; every
    distribution (an object with "dist") folds into the one place ("$dist",), and dists
    holds the places where one was found."""
    places, dists = {}, set()
    for f in files:
        with open(f) as fh:
            doc = json.load(fh)
        run = subprocess.run([archsim, "fields", f], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"schema.py: archsim fields {f} failed: {run.stderr.strip()}")
        readers = json.loads(run.stdout)
        named = {r["path"]: set(r["named"]) for r in readers}
        dist_paths = set()  # readers come parent first, so a dist's parts follow it
        for r in readers:
            segs, obj = segments(doc, r["path"])
            place, concrete = [], []
            for s in segs:
                parent = ".".join(str(x) for x in concrete)
                if parent in dist_paths:
                    place = [DIST]
                if isinstance(s, int):
                    place.append("[]")
                elif s in named.get(parent, ()):
                    place.append("*")
                else:
                    place.append(s)
                concrete.append(s)
            if "dist" in r["asked"] and isinstance(obj.get("dist"), str):
                dists.add(tuple(place))
                dist_paths.add(r["path"])
                place = [DIST]
            info = places.setdefault(tuple(place), {"fields": {}, "named": False})
            branch = None
            for d in DISCRIMINATORS:
                if d in r["asked"] and isinstance(obj.get(d), str):
                    branch = (d, obj[d])
                    break
            info["fields"].setdefault(branch, set()).update(r["asked"])
            info["named"] |= bool(r["named"])
    return places, dists


def value(places, dists, place):
    """A field's value: anything, and where the loader read an object (or an array of
    objects) there, that object's schema for an object (or each element); where it read a
    distribution, the shared one."""
    # if/then rather than anyOf: a validator or an editor then reports the field itself.
    schema = {}
    item = place + ("[]",)
    if item in places or item in dists:
        schema = {"if": {"type": "array"}, "then": {"items": value(places, dists, item)}}
    then = obj(places, dists, place) if place in places else None
    if place in dists:
        ref = {"$ref": "#/$defs/distribution"}
        then = {"if": {"required": ["dist"]}, "then": ref, "else": then} if then else ref
    if then:
        schema = {"if": {"type": "object"}, "then": then, **({"else": schema} if schema else {})}
    return schema


def obj(places, dists, place):
    info = places[place]
    fields = sorted(set().union(*info["fields"].values()))
    schema = {"type": "object"}
    if fields:
        schema["properties"] = {k: value(places, dists, place + (k,)) for k in fields}
    branches = sorted(b for b in info["fields"] if b is not None)
    if info["named"]:
        schema["additionalProperties"] = value(places, dists, place + ("*",))
    elif not branches:
        schema["additionalProperties"] = False
    else:
        # Each "type" or "dist" the scenarios use takes its own fields and no other; one
        # they do not use (a distribution no scenario draws from) is left to the loader.
        # The values the scenarios use, for an editor to offer (not a limit).
        for d in sorted({d for d, _ in branches}):
            schema["properties"][d] = dict(schema["properties"][d],
                                           examples=sorted(v for k, v in branches if k == d))
        schema["allOf"] = [
            {"if": {"properties": {d: {"const": v}}, "required": [d]},
             "then": {"propertyNames": {"enum": sorted(info["fields"][(d, v)])}}}
            for d, v in branches]
    return schema


def missing(schema_file):
    """The field names the loader's sources spell out (the key of a sim_cfg_* call) that
    the schema has nowhere: each is read only in a branch no scenario takes. A scan of the
    sources, so a safety net behind the corpus, not the schema's source."""
    with open(schema_file) as f:
        schema = json.load(f)
    names = set()

    def walk(x):
        if isinstance(x, dict):
            names.update(x.get("properties", {}))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(schema)
    source = "".join(open(f).read() for f in sorted(glob.glob("sim/*/*.c") + glob.glob("models/*.c")))
    keys = set(re.findall(r'sim_cfg_(?!op\b)\w+\(\s*\w+,\s*"([^"]+)"', source))
    keys |= set(re.findall(r'\b(?:quantity|shape|parse|parts)\(\s*\w+,\s*"([^"]+)"', source))
    return sorted(keys - names)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--missing":
        gone = missing(sys.argv[2])
        for k in gone:
            print(f"'{k}' is read by the loader but is not in the schema: no scenario uses it; "
                  "add one to tools/schema-corpus/ and run make schema")
        sys.exit(1 if gone else 0)
    if len(sys.argv) != 2:
        sys.exit("usage: tools/schema.py ARCHSIM > docs/scenario.schema.json\n"
                 "       tools/schema.py --missing docs/scenario.schema.json")
    files = sorted(f for pattern in CORPUS for f in glob.glob(pattern))
    places, dists = fold(sys.argv[1], files)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "archsim scenario",
        "description": "Generated by tools/schema.py from `archsim fields` over the "
                       "repository's scenarios (make schema); do not edit. It names every "
                       "field the loader accepts; `archsim check` checks the values.",
    }
    schema.update(obj(places, dists, ()))
    schema["$defs"] = {"distribution": obj(places, dists, (DIST,))}
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
