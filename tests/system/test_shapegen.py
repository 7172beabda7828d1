"""tools/shapegen.py: the structs and field tables generated from the schemas.

The point of generating them is that a handler cannot name a field the schema
lacks: this is proven by compiling code that does, which must fail."""
import json
import os
import subprocess

import pytest

from harness import ROOT

GEN = os.path.join(ROOT, "tools", "shapegen.py")
PYTHON = "/usr/bin/python3"


def write(root, rel, doc):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f)


def contract(tmp_path):
    root = str(tmp_path / "schemas")
    write(root, "shop/defs.json", {"definitions": {
        "summary": {"type": "object", "required": ["id", "state"], "properties": {
            "id": {"type": "string"}, "state": {"enum": ["open", "shut"]}},
            "additionalProperties": False}}})
    write(root, "shop/order.get.request.json", {
        "x-op": {"read_only": True, "roles": ["reader"]}, "type": "object", "required": ["id"],
        "properties": {"id": {"type": "string"}, "limit": {"type": "integer", "default": 50}},
        "additionalProperties": False})
    write(root, "shop/order.get.reply.json", {
        "type": "object", "required": ["id", "state", "due", "lines"], "properties": {
            "id": {"$ref": "defs.json#/definitions/summary/properties/id"},
            "state": {"$ref": "defs.json#/definitions/summary/properties/state"},
            "due": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
            "lines": {"type": "array", "items": {"type": "object", "required": ["sku"],
                                                 "properties": {"sku": {"type": "string"}},
                                                 "additionalProperties": False}}},
        "additionalProperties": False})
    write(root, "events/order.opened.json", {
        "x-source": "shop", "type": "object", "required": ["id", "state"],
        "properties": {"id": {"$ref": "../shop/defs.json#/definitions/summary/properties/id"},
                       "state": {"$ref": "../shop/defs.json#/definitions/summary/properties/state"}},
        "additionalProperties": False})
    return root


def generate(root, out):
    return subprocess.run([PYTHON, GEN, root, "demo", out], capture_output=True, text=True)


def test_structs_tables_ops_and_events(tmp_path):
    root, out = contract(tmp_path), str(tmp_path / "gen")
    result = generate(root, out)
    assert result.returncode == 0, result.stderr
    header = open(os.path.join(out, "shop_shapes.h")).read()
    # The reply embeds the summary whose properties it repeats by $ref.
    assert "shop_summary_t summary;" in header
    # A nullable date-time is int64 ms with a has_ flag; an optional int too.
    assert "int64_t due;" in header and "bool has_due;" in header
    assert "bool has_limit;" in header
    # The handler's prototype names its structs; the op table its flags.
    assert ("int order_get (shr_call_t *call, const shop_order_get_request_t *request,"
            " shop_order_get_reply_t *reply);") in header
    ops = open(os.path.join(out, "shop_ops.c")).read()
    assert '"order.get"' in ops and "SHR_OP_READ" in ops
    tables = open(os.path.join(out, "shop_shapes.c")).read()
    assert ".def_int = 50LL" in tables and ".has_default = true" in tables
    events = open(os.path.join(out, "events_shapes.h")).read()
    assert "event_order_opened_emit" in events and "shop_events[]" in events


def test_a_field_the_schema_lacks_does_not_compile(tmp_path):
    root, out = contract(tmp_path), str(tmp_path / "gen")
    assert generate(root, out).returncode == 0
    cflags = subprocess.run(["pkg-config", "--cflags", "libczmq", "libcjson", "sqlite3"],
                            capture_output=True, text=True).stdout.split()

    def compile_handler(body):
        source = tmp_path / "handler.c"
        source.write_text('#include "shop_shapes.h"\n'
                          "int order_get (shr_call_t *call, const shop_order_get_request_t *request,"
                          " shop_order_get_reply_t *reply)\n{\n    (void) call;\n" + body + "\n}\n")
        return subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Werror", "-c",
                               "-o", str(tmp_path / "handler.o"), "-I", out,
                               "-I", os.path.join(ROOT, "libshared")] + cflags + [str(source)],
                              capture_output=True, text=True)

    good = compile_handler("    reply->summary.id = request->id;\n    return 0;")
    assert good.returncode == 0, good.stderr
    typo = compile_handler("    reply->summary.id = request->idd;\n    return 0;")
    assert typo.returncode != 0 and "idd" in typo.stderr
    # A handler of the wrong shape conflicts with the generated prototype.
    source = tmp_path / "wrong.c"
    source.write_text('#include "shop_shapes.h"\n'
                      "int order_get (shr_call_t *call, const void *request, void *reply)"
                      " { (void) call; (void) request; (void) reply; return 0; }\n")
    wrong = subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-c", "-o", str(tmp_path / "w.o"),
                            "-I", out, "-I", os.path.join(ROOT, "libshared")] + cflags
                           + [str(source)], capture_output=True, text=True)
    assert wrong.returncode != 0 and "conflicting types" in wrong.stderr


@pytest.mark.parametrize("problem", ["no source", "no reply", "bad ref", "no roles"])
def test_a_broken_contract_stops_the_build_naming_the_file(tmp_path, problem):
    root = contract(tmp_path)
    if problem == "no source":
        write(root, "events/order.shut.json", {"type": "object", "properties": {}})
        words = "order.shut.json"
    elif problem == "no reply":
        write(root, "shop/order.cancel.request.json", {"x-op": {"roles": ["agent"]},
                                                       "type": "object", "properties": {}})
        words = "order.cancel.reply.json"
    elif problem == "no roles":
        write(root, "shop/order.keep.request.json", {"type": "object", "properties": {}})
        write(root, "shop/order.keep.reply.json", {"type": "object", "properties": {}})
        words = "says no roles"
    else:
        write(root, "shop/order.drop.request.json", {"x-op": {"roles": ["agent"]},
                                                     "$ref": "defs.json#/definitions/nothing"})
        write(root, "shop/order.drop.reply.json", {"type": "object", "properties": {}})
        words = "does not resolve"
    result = generate(root, str(tmp_path / "gen"))
    assert result.returncode != 0
    assert words in result.stderr, result.stderr
