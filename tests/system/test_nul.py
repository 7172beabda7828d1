"""Strings are never cut: a U+0000 in any string of any request is refused.

cJSON ends a C string at U+0000, so before the refusal "AC not\\u0000 cooling"
was stored as "AC not" and technician "T-1\\u0000x" overwrote T-1. Here every
service (and the fixture) is asked, through sys.ops, which ops it serves and by
which request schema; one request is generated per string reachable in each
schema (and in the envelope), with a U+0000 inside that string, plus one per op
with a U+0000 in a key. Each must get invalid_argument naming exactly that
string's JSON pointer, and the service's database must not change at all.
The ops are never listed here: a new service or op is covered once sys.ops
names it.
"""
import copy
import json
import os
import re
import sqlite3
import subprocess
import urllib.parse

import pytest

import harness
from test_foundation import SERVICES

NUL_WORDS = "a string may not contain U+0000"
DEPTH = 12  # deepest schema nesting followed (cycles through $ref stop there)


def resolve(schema, uri):
    """Follows $ref (other files of the contract, JSON pointers) to (schema, its document uri)."""
    for _ in range(32):
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema, uri
        target = urllib.parse.urljoin(uri, schema["$ref"])
        doc_uri, _, fragment = target.partition("#")
        node = harness.CONTRACT.store[doc_uri]
        for token in urllib.parse.unquote(fragment).split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        schema, uri = node, doc_uri
    raise AssertionError("$ref loop at %s" % uri)


JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
              type(None): "null", dict: "object", list: "array"}


def types(schema):
    """The JSON types a schema allows, guessed from its keywords when it has no type."""
    if "type" in schema:
        declared = schema["type"]
        return declared if isinstance(declared, list) else [declared]
    for key in ("const", "enum"):
        if key in schema:
            values = [schema[key]] if key == "const" else schema[key]
            return sorted({JSON_TYPES[type(v)] for v in values})
    if {"properties", "required", "additionalProperties", "patternProperties"} & set(schema):
        return ["object"]
    if "items" in schema:
        return ["array"]
    return []


def pattern_sample(pattern):
    """A short string for the simple patterns schemas use (^, $, literals, classes,
    groups with |, quantifiers); None when this small generator cannot make one."""
    pos = 0

    def alternatives():
        nonlocal pos
        options = [sequence()]
        while pos < len(pattern) and pattern[pos] == "|":
            pos += 1
            options.append(sequence())
        return options[0]

    def atom():
        nonlocal pos
        c = pattern[pos]
        pos += 1
        if c == "(":
            if pattern.startswith("?:", pos):
                pos += 2
            text = alternatives()
            pos += 1  # ")"
            return text
        if c == "[":
            end = pattern.index("]", pos + 1)
            body = pattern[pos:end]
            pos = end + 1
            if body.startswith("^"):
                return "a" if "a" not in body else "#"
            if body.startswith("\\"):
                return {"d": "0", "w": "a", "s": " "}.get(body[1], body[1])
            return body[0]
        if c == "\\":
            c = pattern[pos]
            pos += 1
            return {"d": "0", "w": "a", "s": " "}.get(c, c)
        if c == ".":
            return "a"
        return c

    def sequence():
        nonlocal pos
        out = ""
        while pos < len(pattern) and pattern[pos] not in "|)":
            if pattern[pos] in "^$":
                pos += 1
                continue
            text = atom()
            count = 1
            if pos < len(pattern) and pattern[pos] in "*+?{":
                q = pattern[pos]
                if q == "{":
                    end = pattern.index("}", pos)
                    count = int(pattern[pos + 1:end].split(",")[0] or 0)
                    pos = end + 1
                else:
                    count = 0 if q in "*?" else 1
                    pos += 1
            out += text * count
        return out

    try:
        text = alternatives()
    except (IndexError, ValueError):
        return None
    return text if re.search(pattern, text) else None


def sample_string(schema):
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    text = None
    if "pattern" in schema:
        text = pattern_sample(schema["pattern"])
    if text is None:
        text = "x"
    text = text * max(1, -(-schema.get("minLength", 1) // max(1, len(text))))
    return text[:schema["maxLength"]] if "maxLength" in schema else text


def sample(schema, uri, depth=0):
    """A best-effort valid instance: required properties filled, enum -> first value,
    integers -> minimum or 1, strings that fit simple patterns."""
    schema, uri = resolve(schema, uri)
    if not isinstance(schema, dict) or depth > DEPTH:
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return sample(schema[key][0], uri, depth + 1)
    if "allOf" in schema:
        merged = {}
        for part in schema["allOf"]:
            value = sample(part, uri, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = ([t for t in types(schema) if t != "null"] or ["null"])[0]
    if kind in ("integer", "number"):
        if "minimum" in schema:
            low = schema["minimum"]
        elif "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        else:
            low = 1
        return min(low, schema.get("maximum", low))
    if kind == "boolean":
        return True
    if kind == "string":
        return sample_string(schema)
    if kind == "array":
        items = schema.get("items", {})
        if isinstance(items, list):
            return [sample(item, uri, depth + 1) for item in items]
        return [sample(items, uri, depth + 1) for _ in range(schema.get("minItems", 0))]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: sample(props.get(name, {}), uri, depth + 1)
                for name in schema.get("required", [])}
    return None


def with_nul(text):
    """The string, then U+0000 and more: cut at the U+0000 it would be the valid
    string itself, which the seeding below may have written (T-1 of "T-1\\u0000x")."""
    return text + "\x00x"


def string_sites(schema, uri, depth=0):
    """Yields (path, instance) for every string reachable in schema: the instance is
    a best-effort valid one with a U+0000 put into the string at path."""
    schema, uri = resolve(schema, uri)
    if not isinstance(schema, dict) or depth > DEPTH:
        return
    seen = set()

    def once(found):
        for path, value in found:
            if tuple(path) not in seen:
                seen.add(tuple(path))
                yield path, value

    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key, []):
            yield from once(string_sites(branch, uri, depth + 1))
    kinds = types(schema)
    if "string" in kinds:
        base = sample(dict(schema, type="string"), uri)
        yield from once([([], with_nul(base if isinstance(base, str) else "x"))])
    if "object" in kinds:
        props = dict(schema.get("properties", {}))
        for pattern, sub in schema.get("patternProperties", {}).items():
            props.setdefault(pattern_sample(pattern) or "k", sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            props.setdefault("k", extra)  # a member the schema allows by additionalProperties
        base = sample(dict(schema, type="object"), uri, depth)
        base = base if isinstance(base, dict) else {}
        for name, sub in props.items():
            for path, value in string_sites(sub, uri, depth + 1):
                instance = copy.deepcopy(base)
                instance[name] = value
                yield from once([([name] + path, instance)])
    if "array" in kinds:
        items = schema.get("items", {})
        if isinstance(items, list):
            filled = [sample(item, uri, depth + 1) for item in items]
            for index, item in enumerate(items):
                for path, value in string_sites(item, uri, depth + 1):
                    instance = copy.deepcopy(filled)
                    instance[index] = value
                    yield from once([([index] + path, instance)])
        else:
            for path, value in string_sites(items, uri, depth + 1):
                yield from once([([0] + path, [value])])  # one element


def replace_at(instance, path, value):
    """A copy of instance with the value at path replaced."""
    instance = copy.deepcopy(instance)
    holder = instance
    for token in path[:-1]:
        holder = holder[token]
    holder[path[-1]] = value
    return instance


def pointer(path):
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in path)


def dump(service):
    """The whole database as SQL text, read through a read-only connection."""
    db = sqlite3.connect("file:%s?mode=ro" % service.db_path, uri=True, timeout=10)
    try:
        return list(db.iterdump())
    finally:
        db.close()


def nul_requests(ops):
    """Yields (description, envelope, expected field, whether the reply echoes the id)."""
    envelope = harness.CONTRACT.store[harness.Contract.BASE + "envelope/request.json"]
    envelope_uri = harness.Contract.BASE + "envelope/request.json"
    first_op = ops[0]["op"]
    for path, value in string_sites(envelope, envelope_uri):
        if path[0] == "body":
            continue  # the ops' bodies come next, from their own schemas
        request = {"v": 1, "id": "nul-env", "op": first_op, "body": {}}
        request[path[0]] = value[path[0]]
        yield "envelope %s" % pointer(path), request, pointer(path), path != ["id"]
    # A key cJSON would read as "id", before the real one: no id may be echoed.
    yield ("envelope key id\\u0000",
           {"v": 1, "id\x00": "evil", "id": "nul-key", "op": first_op, "body": {}},
           "/id\x00", False)
    for number, op in enumerate(ops):
        uri = harness.Contract.BASE + op["request"]
        schema = harness.CONTRACT.store[uri]
        rid = "nul-%d" % number
        for path, body in string_sites(schema, uri):
            if not path:
                continue
            yield ("%s %s" % (op["op"], pointer(path)),
                   {"v": 1, "id": rid, "op": op["op"], "body": body}, "/body" + pointer(path), True)
        body = sample(schema, uri)
        body = body if isinstance(body, dict) else {}
        key = (sorted(schema.get("properties", {})) or ["k"])[0] + "\x00x"
        body[key] = 1
        yield ("%s key" % op["op"], {"v": 1, "id": rid, "op": op["op"], "body": body},
               "/body" + pointer([key]), True)


def test_the_generator_reaches_every_string():
    """The generator itself, on schemas made up here: $ref to another file and
    within one, arrays of objects, nested objects, type lists, enums, oneOf."""
    base = harness.Contract.BASE + "nul-selftest/"
    main = {
        "type": "object", "required": ["id", "n", "list"],
        "properties": {
            "id": {"$ref": "other.json#/definitions/id"},
            "n": {"type": "integer", "minimum": 5},
            "list": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/obj"}},
            "a/b~c": {"type": ["string", "null"]},
            "e": {"enum": ["repair", "other"]},
            "one": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
            "flag": {"type": "boolean"},
        },
        "definitions": {"obj": {"type": "object", "required": ["k"], "properties": {
            "k": {"type": "integer"},
            "deep": {"type": "object", "properties": {"s": {"type": "string", "minLength": 3}}},
        }}},
    }
    other = {"definitions": {"id": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3,}$"}}}
    harness.CONTRACT.store[base + "main.json"] = main
    harness.CONTRACT.store[base + "other.json"] = other
    try:
        assert sample(main, base + "main.json") == {"id": "AA-000", "n": 5, "list": [{"k": 1}]}
        sites = dict((pointer(path), body) for path, body in string_sites(main, base + "main.json"))
        assert sorted(sites) == ["/a~1b~0c", "/e", "/id", "/list/0/deep/s", "/one"]
        assert sites["/id"]["id"] == "AA-000\x00x"
        assert sites["/list/0/deep/s"]["list"] == [{"k": 1, "deep": {"s": "xxx\x00x"}}]
        assert sites["/one"]["one"] == "2026-01-01T00:00:00Z\x00x"
        assert sites["/e"]["e"] == "repair\x00x"
    finally:
        del harness.CONTRACT.store[base + "main.json"], harness.CONTRACT.store[base + "other.json"]


def start(name, start_service, fixture_service):
    return fixture_service() if name == "fixture" else start_service(name, with_sources=True)


@pytest.mark.parametrize("name", SERVICES + ["fixture"])
def test_every_string_with_a_nul_is_refused_and_changes_nothing(start_service, fixture_service,
                                                                name):
    service = start(name, start_service, fixture_service)
    client = service.client()
    ops = client.call("sys.ops")["ops"]
    assert ops, "sys.ops lists no ops"
    # Whatever the best-effort bodies manage to write makes the database non-empty,
    # so that "unchanged" below means something (a cut id would hit these records).
    for op in ops:
        uri = harness.Contract.BASE + op["request"]
        body = sample(harness.CONTRACT.store[uri], uri)
        client.request(op["op"], body if isinstance(body, dict) else {})
    before = dump(service)

    sent, fields = 0, set()
    for what, request, field, echoes in nul_requests(ops):
        reply = client.raw(json.dumps(request))
        assert reply["ok"] is False, (what, request, reply)
        error = reply["error"]
        assert error["code"] == "invalid_argument", (what, request, reply)
        assert error.get("field") == field, (what, request, reply)
        assert NUL_WORDS in error["message"], (what, request, reply)
        assert reply["id"] == (request.get("id") if echoes else None), (what, request, reply)
        sent += 1
        fields.add(field)
    print("%s: %d requests with a U+0000, all refused" % (name, sent))
    assert {"/id", "/op", "/idem"} <= fields
    assert sent >= 4 + len(ops)  # the envelope's strings and key, one key per op at least

    assert dump(service) == before
    assert client.call("sys.health")["status"] == "ok"
    client.close()


@pytest.mark.parametrize("name", SERVICES + ["fixture"])
def test_other_escapes_are_not_refused(start_service, fixture_service, name):
    """\\u0001, \\n, \\u00e9 and a surrogate pair are no U+0000: they pass the check whole."""
    service = start(name, start_service, fixture_service)
    client = service.client()
    text = "p\x01\n\u00e9\U0001F600"
    reply = client.request("sys.ping", rid=text)
    assert reply["ok"] is True and reply["id"] == text
    # The same in every string of every body: refused, if at all, for something else
    # (a pattern, an unknown id), never for U+0000.
    for number, op in enumerate(client.call("sys.ops")["ops"]):
        uri = harness.Contract.BASE + op["request"]
        for path, body in string_sites(harness.CONTRACT.store[uri], uri):
            if not path:
                continue
            body = replace_at(body, path, "a\x01b\nc\u00e9")
            reply = client.raw(json.dumps({"v": 1, "id": "esc-%d" % number, "op": op["op"],
                                           "body": body}))
            assert reply["ok"] or NUL_WORDS not in reply["error"]["message"], (op, body, reply)
    assert client.call("sys.health")["status"] == "ok"
    client.close()


def test_shrctl_does_not_send_a_cut_string(fixture_service):
    """shrctl parses its body with cJSON, which would send "a\\u0000x" as "a"."""
    service = fixture_service()
    client = service.client()
    client.call("item.create", {"id": "a", "value": 1})
    before = dump(service)
    ctl = os.path.join(harness.BIN_DIR, "shrctl")
    result = subprocess.run([ctl, "call", service.api, "item.update",
                             '{"id":"a\\u0000x","value":2,"version":1}'],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2 and NUL_WORDS in result.stderr, result
    assert dump(service) == before
    assert client.call("item.get", {"id": "a"})["value"] == 1
    client.close()
