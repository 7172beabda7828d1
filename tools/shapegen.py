#!/usr/bin/python3
"""shapegen - C structs and field tables from the JSON Schemas, so that each
message is described once: in schemas/.

For every schema folder of a root (and its top-level files) it writes
<group>_shapes.h and <group>_shapes.c: one C struct per message shape
(requests, replies, event data, and the named definitions they share) and one
shr_shape_t field table per struct, which libshared's shr_shape uses to decode
a validated body into the struct, encode a struct as JSON, bind it to a
statement's named parameters and read a row into it. A folder with ops
(<op>.request.json + <op>.reply.json) also gets <group>_ops.c: the service's op
table, naming each op's handler by the op (workorder.create ->
workorder_create), with the prototype in the header, so a missing handler is a
link error and a handler of the wrong shape a compile error. Event schemas
(events/<type>.json) carry "x-source": the service that publishes them; each
source gets its list of event definitions.

Mapping: string (and enum, const) -> const char * (NULL when absent or null);
date-time strings -> int64_t ms since the epoch; integer -> int64_t; number ->
double; boolean -> bool; object with properties -> struct; free-form object ->
const cJSON *; array -> struct { size_t count; T *items; }. A field that is
optional or nullable, and is not a string, gets a bool has_<name>. An object
whose properties are all $refs to the same-named properties of one definition
embeds that definition's struct (an event carrying a work order's summary).
Request and reply schemas may say "x-op": {"read_only": true} (no savepoint,
no idempotency record).

Usage: shapegen.py ROOT NAME OUTDIR
  writes OUTDIR/<group>_shapes.{h,c} and OUTDIR/<group>_ops.c for ROOT's schemas;
  NAME names the root in comments and guards (e.g. contract, fixture).
"""
import json
import os
import re
import sys

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
}

KIND = {"string": "SHR_FIELD_STRING", "time": "SHR_FIELD_TIME", "integer": "SHR_FIELD_INT",
        "number": "SHR_FIELD_NUMBER", "boolean": "SHR_FIELD_BOOL", "object": "SHR_FIELD_OBJECT",
        "json": "SHR_FIELD_JSON", "array": "SHR_FIELD_ARRAY", "embed": "SHR_FIELD_EMBED"}
CTYPE = {"string": "const char *", "time": "int64_t ", "integer": "int64_t ",
         "number": "double ", "boolean": "bool ", "json": "const cJSON *"}


def fail(message):
    sys.stderr.write("shapegen: %s\n" % message)
    sys.exit(1)


def ident(text):
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return name + "_" if name in C_KEYWORDS else name


class Loader:
    """The schema documents of a root, by path relative to it, with $ref resolution."""

    def __init__(self, root):
        self.root = root
        self.docs = {}
        for dirpath, _, files in os.walk(root):
            for name in sorted(files):
                if name.endswith(".json"):
                    path = os.path.join(dirpath, name)
                    rel = os.path.relpath(path, root).replace(os.sep, "/")
                    with open(path) as f:
                        try:
                            self.docs[rel] = json.load(f)
                        except ValueError as e:
                            fail("%s: not JSON: %s" % (path, e))

    def resolve(self, base, ref):
        """(file, pointer, schema) that ref names, seen from file base."""
        target, _, pointer = ref.partition("#")
        if target:
            target = os.path.normpath(os.path.join(os.path.dirname(base), target)).replace(os.sep, "/")
        else:
            target = base
        if target not in self.docs:
            fail("%s: $ref %s: no file %s" % (base, ref, target))
        node = self.docs[target]
        for part in [p for p in pointer.split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(part)]
            elif part in node:
                node = node[part]
            else:
                fail("%s: $ref %s does not resolve" % (base, ref))
        return target, pointer, node


def group_of(rel):
    """The group (output file) a schema file belongs to: its folder, or its stem at the top."""
    folder = os.path.dirname(rel)
    return folder.replace("/", "_") if folder else os.path.splitext(os.path.basename(rel))[0]


class Field:
    def __init__(self, name, kind, required, nullable, shape=None, item=None, default=None):
        self.name = name
        self.kind = kind          # a KIND key
        self.required = required
        self.nullable = nullable
        self.shape = shape        # Shape for object, embed, array of objects
        self.item = item          # item kind for arrays
        self.default = default

    @property
    def has_flag(self):
        return self.kind != "string" and self.kind != "embed" and (
            not self.required or self.nullable)


class Shape:
    def __init__(self, cname, group, schema_name):
        self.cname = cname            # dispatch_workorder_t
        self.group = group            # dispatch
        self.schema_name = schema_name
        self.fields = []
        self.done = False
        self.alias_of = None          # Shape, when the schema is only a $ref


class Generator:
    def __init__(self, loader):
        self.loader = loader
        self.shapes = {}        # (file, pointer) -> Shape
        self.order = []         # Shapes in dependency order
        self.groups = {}        # group -> [Shape]

    # --- types -----------------------------------------------------------------------------

    def named_shape(self, file, pointer, schema, cname):
        key = (file, pointer)
        if key in self.shapes:
            shape = self.shapes[key]
            if not shape.done and not shape.alias_of:
                fail("%s#%s: recursive shapes are not supported" % (file, pointer))
            return shape
        shape = Shape(cname, group_of(file), file + ("#" + pointer if pointer else ""))
        self.shapes[key] = shape
        if "$ref" in schema and "properties" not in schema:
            rfile, rpointer, rschema = self.loader.resolve(file, schema["$ref"])
            target = self.shape_for_ref(rfile, rpointer, rschema)
            if target is None:
                fail("%s#%s: a $ref to %s that is not an object" % (file, pointer, schema["$ref"]))
            shape.alias_of = target
            shape.done = True
            self.add(shape)
            return shape
        self.fill(shape, file, schema)
        shape.done = True
        self.add(shape)
        return shape

    def add(self, shape):
        self.order.append(shape)
        self.groups.setdefault(shape.group, []).append(shape)

    def shape_for_ref(self, file, pointer, schema):
        """The named struct of an object definition, or None if it is not one."""
        if "$ref" in schema and "properties" not in schema:
            rfile, rpointer, rschema = self.loader.resolve(file, schema["$ref"])
            return self.shape_for_ref(rfile, rpointer, rschema)
        if schema.get("type") != "object":
            return None
        if "properties" not in schema and schema.get("additionalProperties") is not False:
            return None     # free-form: a const cJSON *, not a struct
        match = re.fullmatch(r"/definitions/([A-Za-z0-9_]+)", pointer)
        if match:
            cname = "%s_%s" % (group_of(file), match.group(1))
        elif pointer == "":
            cname = message_cname(file)
        else:
            cname = "%s_%s" % (group_of(file), ident(pointer.strip("/").replace("/", "_")))
        return self.named_shape(file, pointer, schema, cname)

    def fill(self, shape, file, schema):
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        names = list(props)
        embeds = self.find_embeds(file, props)
        done = set()
        for name in names:
            if name in done:
                continue
            embed = next((e for e in embeds if name in e[1]), None)
            if embed:
                target, members = embed
                shape.fields.append(Field(ident(target_member(target)), "embed", True, False,
                                          shape=target))
                done.update(members)
                continue
            shape.fields.append(self.field(shape, file, name, props[name], name in required))
            done.add(name)

    def find_embeds(self, file, props):
        """Definitions whose every property appears here as a $ref to itself."""
        by_def = {}
        for name, sub in props.items():
            ref = sub.get("$ref", "") if isinstance(sub, dict) else ""
            match = re.fullmatch(r"(.*)#(/definitions/[A-Za-z0-9_]+)/properties/([A-Za-z0-9_]+)", ref)
            if match and match.group(3) == name:
                by_def.setdefault((match.group(1), match.group(2)), set()).add(name)
        embeds = []
        for (target_file, pointer), members in by_def.items():
            rfile, rpointer, rschema = self.loader.resolve(file, target_file + "#" + pointer)
            if set(rschema.get("properties", {})) == members:
                target = self.shape_for_ref(rfile, rpointer, rschema)
                if target:
                    embeds.append((target, members))
        return embeds

    def unwrap(self, file, schema):
        """Follows $refs and nullable wrappers: (file, pointer, schema, nullable)."""
        nullable = False
        pointer = None
        while True:
            if "$ref" in schema and len([k for k in schema if k not in (
                    "$ref", "description", "default", "title")]) == 0:
                file, pointer, schema = self.loader.resolve(file, schema["$ref"])
                continue
            one = schema.get("oneOf") or schema.get("anyOf")
            if one and len(one) == 2 and {"type": "null"} in one:
                nullable = True
                schema = [s for s in one if s != {"type": "null"}][0]
                pointer = None
                continue
            types = schema.get("type")
            if isinstance(types, list):
                rest = [t for t in types if t != "null"]
                if "null" in types:
                    nullable = True
                if len(rest) != 1:
                    fail("%s: a field may have one type besides null, not %s" % (file, types))
                schema = dict(schema, type=rest[0])
            return file, pointer, schema, nullable

    def kind_of(self, schema):
        if "enum" in schema or "const" in schema:
            values = schema.get("enum", [schema.get("const")])
            if all(isinstance(v, str) for v in values):
                return "string"
            if all(isinstance(v, bool) for v in values):
                return "boolean"
            if all(isinstance(v, int) for v in values):
                return "integer"
            fail("enum of mixed types is not supported: %s" % values)
        t = schema.get("type")
        if t == "string":
            return "time" if schema.get("format") == "date-time" else "string"
        if t in ("integer", "number", "boolean", "array"):
            return t
        if t == "object":
            closed = "properties" in schema or schema.get("additionalProperties") is False
            return "object" if closed else "json"
        if t is None and not schema:
            return "json"
        fail("cannot map schema %s to a C type" % json.dumps(schema)[:200])

    def field(self, parent, file, name, schema, required):
        default = schema.get("default") if isinstance(schema, dict) else None
        rfile, pointer, sub, nullable = self.unwrap(file, schema)
        if default is None:
            default = sub.get("default")
        kind = self.kind_of(sub)
        f = Field(ident(name), kind, required, nullable, default=default)
        f.wire = name
        if kind == "object":
            f.shape = self.object_shape(parent, rfile, pointer, sub, name)
        elif kind == "array":
            items = sub.get("items", {})
            ifile, ipointer, isub, _ = self.unwrap(rfile, items)
            f.item = self.kind_of(isub)
            if f.item == "object":
                f.shape = self.object_shape(parent, ifile, ipointer, isub, name + "_item")
            elif f.item == "array":
                fail("%s: arrays of arrays are not supported (%s)" % (file, name))
        return f

    def object_shape(self, parent, file, pointer, schema, name):
        if pointer is not None:
            shape = self.shape_for_ref(file, pointer, schema)
            if shape:
                return shape
        cname = "%s_%s" % (parent.cname, ident(name))
        key = (file, "%s.%s" % (parent.cname, name))
        if key in self.shapes:
            return self.shapes[key]
        shape = Shape(cname, parent.group, parent.schema_name + " " + name)
        self.shapes[key] = shape
        self.fill(shape, file, schema)
        shape.done = True
        self.add(shape)
        return shape

    # --- output ------------------------------------------------------------------------------

    def resolved(self, shape):
        while shape.alias_of:
            shape = shape.alias_of
        return shape


def target_member(shape):
    """The member name of an embedded definition: its definition name."""
    return shape.schema_name.rsplit("/", 1)[-1]


def message_cname(rel):
    """dispatch/workorder.create.request.json -> dispatch_workorder_create_request;
    events/workorder.created.json -> event_workorder_created."""
    group = group_of(rel)
    stem = os.path.basename(rel)[: -len(".json")]
    if group == "events":
        return "event_" + ident(stem.replace(".", "_"))
    if stem.startswith(group + "."):
        stem = stem[len(group) + 1:]      # dispatch/dispatch.run -> dispatch_run
    return "%s_%s" % (group, ident(stem.replace(".", "_")))


def c_default(f):
    if f.default is None:
        return None
    if f.kind == "boolean":
        return ".def_int = %d" % (1 if f.default else 0)
    if f.kind == "integer":
        return ".def_int = %dLL" % f.default
    if f.kind == "number":
        return ".def_number = %r" % float(f.default)
    if f.kind == "string":
        return ".def_string = %s" % json.dumps(f.default)
    return None


def struct_text(gen, shape):
    if shape.alias_of:
        target = gen.resolved(shape)
        return "typedef %s_t %s_t;\n#define %s_shape %s_shape\n" % (
            target.cname, shape.cname, shape.cname, target.cname)
    lines = ["typedef struct {"]
    for f in shape.fields:
        if f.kind == "embed":
            lines.append("    %s_t %s;" % (gen.resolved(f.shape).cname, f.name))
        elif f.kind == "object":
            lines.append("    %s_t %s;" % (gen.resolved(f.shape).cname, f.name))
        elif f.kind == "array":
            item = ("%s_t " % gen.resolved(f.shape).cname) if f.item == "object" else CTYPE[f.item]
            lines.append("    struct {")
            lines.append("        size_t count;")
            lines.append("        %s*items;" % item)
            lines.append("    } %s;" % f.name)
        else:
            lines.append("    %s%s;" % (CTYPE[f.kind], f.name))
        if f.has_flag:
            lines.append("    bool has_%s;" % f.name)
    if not shape.fields:
        lines.append("    char unused;  //  an empty message")
    lines.append("} %s_t;" % shape.cname)
    lines.append("extern const shr_shape_t %s_shape;" % shape.cname)
    return "\n".join(lines) + "\n"


def table_text(gen, shape):
    if shape.alias_of:
        return ""
    t = "%s_t" % shape.cname
    rows = []
    for f in shape.fields:
        flags = []
        if f.required:
            flags.append("SHR_FIELD_REQUIRED")
        if f.nullable:
            flags.append("SHR_FIELD_NULLABLE")
        parts = ['.name = "%s"' % getattr(f, "wire", f.name), ".kind = %s" % KIND[f.kind],
                 ".offset = offsetof (%s, %s)" % (t, f.name),
                 ".has_offset = %s" % ("offsetof (%s, has_%s)" % (t, f.name) if f.has_flag else "-1"),
                 ".flags = %s" % (" | ".join(flags) if flags else "0")]
        if f.shape is not None:
            parts.append(".shape = &%s_shape" % gen.resolved(f.shape).cname)
        if f.kind == "array":
            parts.append(".item = %s" % KIND[f.item])
            size = "sizeof (%s_t)" % gen.resolved(f.shape).cname if f.item == "object" else \
                "sizeof (%s)" % CTYPE[f.item].strip()
            parts.append(".item_size = %s" % size)
        d = c_default(f)
        if d and not f.required:
            parts.append(d)
            parts.append(".has_default = true")
        rows.append("    {%s}," % ", ".join(parts))
    name = shape.cname
    text = "static const shr_field_t s_%s_fields[] = {\n%s\n};\n" % (name, "\n".join(rows)) \
        if rows else ""
    text += 'const shr_shape_t %s_shape = {"%s", sizeof (%s), %s, %d};\n' % (
        name, shape.schema_name, t, "s_%s_fields" % name if rows else "NULL", len(rows))
    return text


def main():
    if len(sys.argv) != 4:
        fail("usage: shapegen.py ROOT NAME OUTDIR")
    root, name, outdir = sys.argv[1:]
    loader = Loader(root)
    gen = Generator(loader)
    ops = {}       # group -> [(op, request Shape, reply Shape, read_only)]
    events = []    # (type, Shape, source)
    for rel in sorted(loader.docs):
        group = group_of(rel)
        if group in ("envelope", "sys"):
            continue          # libshared's own, encoded by hand
        doc = loader.docs[rel]
        base = os.path.basename(rel)
        if group == "events":
            shape = gen.shape_for_ref(rel, "", doc)
            if shape is None:
                fail("%s: an event's data must be an object" % rel)
            source = doc.get("x-source")
            if not source:
                fail("%s: says no \"x-source\" (the service that publishes it)" % rel)
            events.append((base[: -len(".json")], shape, source))
        elif base.endswith(".request.json"):
            op = base[: -len(".request.json")]
            reply_rel = rel[: -len(".request.json")] + ".reply.json"
            if reply_rel not in loader.docs:
                fail("%s has no %s" % (rel, reply_rel))
            request = gen.shape_for_ref(rel, "", doc)
            reply = gen.shape_for_ref(reply_rel, "", loader.docs[reply_rel])
            if request is None or reply is None:
                fail("%s: requests and replies must be objects" % op)
            read_only = bool(doc.get("x-op", {}).get("read_only"))
            roles = doc.get("x-op", {}).get("roles")
            if not roles or not all(isinstance(r, str) and r for r in roles):
                fail('%s: says no roles: who may call %s goes in "x-op": {"roles": [...]}'
                     % (rel, op))
            ops.setdefault(group, []).append((op, request, reply, (read_only, roles)))
        elif base.endswith(".reply.json"):
            continue
        else:
            for dname, dschema in sorted(doc.get("definitions", {}).items()):
                gen.shape_for_ref(rel, "/definitions/" + dname, dschema)

    os.makedirs(outdir, exist_ok=True)
    banner = "/*  Generated by tools/shapegen.py from the %s schemas: do not edit. */\n" % name

    def write(path, text):
        path = os.path.join(outdir, path)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            with open(path, "w") as f:
                f.write(text)

    all_groups = {group_of(rel) for rel in loader.docs} - {"envelope", "sys"}
    for group in sorted(all_groups):
        shapes = gen.groups.get(group, [])
        used = {gen.resolved(f.shape).group for s in shapes for f in s.fields
                if f.shape is not None} | {gen.resolved(s).group for s in shapes}
        used |= {gen.resolved(m).group for _, q, r, _ in ops.get(group, []) for m in (q, r)}
        if group == "events":
            used |= {gen.resolved(e[1]).group for e in events}
        deps = sorted(used - {group})
        guard = "%s_%s_SHAPES_H_INCLUDED" % (name.upper(), group.upper())
        h = [banner, "#ifndef %s\n#define %s\n" % (guard, guard), '#include "shr_call.h"']
        h += ['#include "%s_shapes.h"' % d for d in deps]
        h.append("")
        for shape in shapes:
            h.append(struct_text(gen, shape))
        if group in ops:
            h.append("//  The ops of %s: each handler gets the decoded request and fills the reply." % group)
            for op, request, reply, _ in ops[group]:
                h.append("int %s (shr_call_t *call, const %s_t *request, %s_t *reply);" % (
                    ident(op.replace(".", "_")), request.cname, reply.cname))
            h.append("extern const shr_op_def_t %s_ops[];  //  ends with {NULL}\n" % group)
        if group == "events":
            for type_, shape, source in events:
                c = message_cname("events/%s.json" % type_)
                h.append("extern const shr_event_def_t %s;" % c)
                h.append("static inline int64_t %s_emit (shr_call_t *call, const char *key, "
                         "const %s_t *data)\n{\n    return shr_call_emit (call, &%s, key, data);\n}"
                         % (c, shape.cname, c))
                h.append("typedef int (%s_fn) (shr_call_t *call, const shr_event_t *event, "
                         "const %s_t *data);" % (c, shape.cname))
            for source in sorted({e[2] for e in events}):
                h.append("extern const shr_event_def_t *const %s_events[];  //  ends with NULL"
                         % ident(source))
        h.append("\n#endif")
        write("%s_shapes.h" % group, "\n".join(h) + "\n")
        c = [banner, '#include "%s_shapes.h"\n#include <stddef.h>\n' % group]
        for shape in shapes:
            text = table_text(gen, shape)
            if text:
                c.append(text)
        if group == "events":
            for type_, shape, source in events:
                c.append('const shr_event_def_t %s = {"%s", "%s", &%s_shape};' % (
                    message_cname("events/%s.json" % type_), type_, source,
                    gen.resolved(shape).cname))
            for source in sorted({e[2] for e in events}):
                members = ["&%s" % message_cname("events/%s.json" % t) for t, _, s in events
                           if s == source]
                c.append("const shr_event_def_t *const %s_events[] = {%s, NULL};" % (
                    ident(source), ", ".join(members)))
        write("%s_shapes.c" % group, "\n".join(c) + "\n")
    for group, group_ops in sorted(ops.items()):
        rows, role_lists = [], []
        for op, request, reply, (read_only, roles) in group_ops:
            name = ident(op.replace(".", "_"))
            role_lists.append("static const char *const s_%s_roles[] = {%s, NULL};" % (
                name, ", ".join(json.dumps(r) for r in roles)))
            rows.append('    {"%s", "%s/%s.request.json", "%s/%s.reply.json", &%s_shape, &%s_shape,'
                        ' (shr_op_fn *) %s, %s, s_%s_roles},' % (
                            op, group, op, group, op, gen.resolved(request).cname,
                            gen.resolved(reply).cname, name,
                            "SHR_OP_READ" if read_only else "0", name))
        text = banner + '#include "%s_shapes.h"\n\n%s\n\nconst shr_op_def_t %s_ops[] = {\n%s\n    {NULL}};\n' % (
            group, "\n".join(role_lists), group, "\n".join(rows))
        write("%s_ops.c" % group, text)


if __name__ == "__main__":
    main()
