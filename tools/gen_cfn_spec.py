#!/usr/bin/env python3
"""Writes src/cfnspec_table.c: every CloudFormation resource type with the
shape of its Properties (names, the JSON types each value may take, which are
required, the shapes of nested objects) and its Fn::GetAtt attribute names.

The source is the published CloudFormation resource provider schemas, as the
installed cfn-lint ships them, read through cfn-lint's own API: its schema
manager (us-east-1, cfn-lint's patches applied), its resolver for `$ref`s and
its list of the attributes Fn::GetAtt accepts. Nothing is typed in by hand.
Rerun after upgrading cfn-lint:

    python3 tools/gen_cfn_spec.py > src/cfnspec_table.c

The output is deterministic. Identical shapes are written once: the shapes
form a graph (a definition may contain itself, as WAFv2's statements do),
which is minimized like an automaton, so recursive definitions cost nothing
and no nesting depth has to be cut.
"""
import re
import sys

from cfnlint.version import __version__ as CFN_LINT_VERSION
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

REGION = "us-east-1"

# Bits of src/cfnspec.h's CFN_T_*.
JSON_TYPES = {"string": 1, "integer": 2, "number": 4, "boolean": 8, "array": 16, "object": 32}
T_ARRAY, T_OBJECT = 16, 32

# cfn-lint also knows "Module" (a template module, not a resource type).
TYPE_NAME = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$")


class Shape:
    """An object's properties: {name: Prop}, whether other names are allowed."""

    def __init__(self):
        self.props = {}
        self.open = False


class Prop:
    def __init__(self, types, item_types, shape, required):
        self.types = types
        self.item_types = item_types
        self.shape = shape  # a Shape or None
        self.required = required
        self.read_only = False  # set by CloudFormation, not by the template


class TypeReader:
    """Reads one resource type's schema into Shapes, following $refs."""

    def __init__(self, schema):
        self.schema = schema
        self.by_ref = {}  # "#/definitions/X" -> Shape, also while it is being read

    def resolve(self, node):
        """The schema node itself, $refs followed, and the ref it came from."""
        ref = None
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            node = self.target(ref)
        return node, ref

    def target(self, ref):
        """What a $ref names: a pointer into this schema is walked directly
        (cfn-lint's resolver searches every subschema first, which takes
        minutes over all types); anything else is cfn-lint's to resolve."""
        if ref.startswith("#/"):
            node = self.schema.schema
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            return node
        return self.schema.resolver.resolve(ref)[1]

    def branches(self, node):
        return [b for key in ("oneOf", "anyOf") for b in node.get(key, [])]

    def types(self, node):
        """The CFN_T_* mask of a schema node; 0 when it allows anything."""
        node, _ = self.resolve(node)
        if not isinstance(node, dict):
            return 0
        declared = node.get("type")
        if declared is not None:
            names = declared if isinstance(declared, list) else [declared]
            mask = 0
            for name in names:
                mask |= JSON_TYPES.get(name, 0)
            return mask
        branches = self.branches(node)
        if branches:
            mask = 0
            for branch in branches:
                bits = self.types(branch)
                if not bits:
                    return 0  # one branch allows anything: so does the union
                mask |= bits
            return mask
        if "properties" in node or "patternProperties" in node:
            return T_OBJECT
        if "items" in node:
            return T_ARRAY
        return 0

    def item_schema(self, node):
        """An array's items: the node's own, else those of its first branch
        that has some (DynamoDB's KeySchema is a list or a JSON object)."""
        node, _ = self.resolve(node)
        if not isinstance(node, dict):
            return None
        items = node.get("items")
        if isinstance(items, dict):
            return items
        for branch in self.branches(node):
            items = self.item_schema(branch)
            if items is not None:
                return items
        return None

    def object_nodes(self, node):
        """The node and its oneOf/anyOf branches, each resolved: the places
        properties of one object may be listed."""
        node, _ = self.resolve(node)
        found = [node] if isinstance(node, dict) else []
        for branch in self.branches(node) if isinstance(node, dict) else []:
            found += self.object_nodes(branch)
        return found

    def shape(self, node):
        """The Shape of an object schema node, or None when nothing about its
        names can be checked (no properties, nothing required)."""
        node_resolved, ref = self.resolve(node)
        if ref is not None and ref in self.by_ref:
            return self.by_ref[ref]
        parts = self.object_nodes(node)
        if not any(p.get("properties") or p.get("required") for p in parts):
            return None
        shape = Shape()
        if ref is not None:
            self.by_ref[ref] = shape  # before the properties: a definition may contain itself
        self.fill(shape, node_resolved, parts)
        return shape

    def fill(self, shape, own, parts):
        """Properties from the node and its branches (the first listing of a
        name wins); only the node's own `required` (a branch's is one
        alternative of several)."""
        shape.open = self.is_open(own, parts[1:])
        required = set(own.get("required", []) or [])
        for part in parts:
            for name, sub in sorted((part.get("properties") or {}).items()):
                if name not in shape.props:
                    shape.props[name] = self.prop(sub, name in required)
        for name in sorted(required - set(shape.props)):
            shape.props[name] = Prop(0, 0, None, True)

    @staticmethod
    def is_open(own, branches):
        """Whether names the shape does not list are allowed: the value must
        match the node and one of its branches, so it is closed when the node
        is, or when every branch is."""
        def closed(part):
            return part.get("additionalProperties", True) is False and not part.get("patternProperties")
        if closed(own):
            return False
        return not branches or not all(closed(b) for b in branches)

    def prop(self, node, required):
        """A property; its shape is its items' when they are objects (then an
        object value of the property is not checked), else its own."""
        types = self.types(node)
        item_types, shape = 0, None
        if types & T_ARRAY:
            items = self.item_schema(node)
            if items is not None:
                item_types = self.types(items)
                if item_types & T_OBJECT:
                    shape = self.shape(items)
        if types & T_OBJECT and not item_types & T_OBJECT:
            shape = self.shape(node)
        return Prop(types, item_types, shape, required)


def attribute_names(schema):
    """cfn-lint's GetAtt names as the table's patterns. cfn-lint matches them
    as regular expressions, but only three forms occur: a dotted name, whose
    '*' segments stand for a list index ("Subscribers.*.Status", from a
    read-only property's JSON pointer), "Outputs\\..*" (a nested stack's
    outputs: "Outputs.*") and ".*" (a custom resource: anything, "*")."""
    names = set()
    for pattern in schema.get_atts.keys():
        name = "*" if pattern == ".*" else pattern.replace("\\..*", ".*")
        if re.search(r"[^A-Za-z0-9_.*]", name):
            sys.exit(f"gen_cfn_spec: {schema.type_name}: GetAtt pattern {pattern!r} is not a name")
        names.add(name)
    return sorted(names)


def mark_read_only(shape, top):
    """The type's read-only properties (cfn-lint's E3040 refuses them in a
    template), at the top level only: nested shapes are shared between the
    places that use one definition."""
    for pointer in top.get("readOnlyProperties", []) or []:
        parts = pointer.split("/")[2:]
        if pointer.startswith("/properties/") and len(parts) == 1 and parts[0] in shape.props:
            shape.props[parts[0]].read_only = True


def read_types():
    """[(type name, top Shape, [attribute names])], sorted by name."""
    types = []
    for rtype in sorted(PROVIDER_SCHEMA_MANAGER.get_resource_types(REGION)):
        if not TYPE_NAME.match(rtype):
            continue
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, rtype)
        reader = TypeReader(schema)
        top = schema.schema
        shape = Shape()
        reader.fill(shape, top, [top])
        mark_read_only(shape, top)
        types.append((rtype, shape, attribute_names(schema)))
    return types


def all_shapes(types):
    """Every Shape reachable from the types, in a deterministic order."""
    seen, order = set(), []
    stack = [shape for _, shape, _ in reversed(types)]
    while stack:
        shape = stack.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        order.append(shape)
        for name in sorted(shape.props, reverse=True):
            child = shape.props[name].shape
            if child is not None and id(child) not in seen:
                stack.append(child)
    return order


def minimize(shapes):
    """Classes of equal shapes: Moore's partition refinement, started from
    what a shape says itself and refined by the classes of its children
    until nothing splits."""
    def signature(shape, cls):
        return (shape.open,) + tuple(
            (name, p.types, p.item_types, p.required, p.read_only,
             None if p.shape is None else cls[id(p.shape)])
            for name, p in sorted(shape.props.items()))

    cls = {id(s): 0 for s in shapes}
    count = 1
    while True:
        numbering = {}
        new = {}
        for shape in shapes:
            new[id(shape)] = numbering.setdefault(signature(shape, cls), len(numbering))
        if len(numbering) == count:
            return new
        cls, count = new, len(numbering)


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(out, types):
    shapes = all_shapes(types)
    cls = minimize(shapes)
    # One representative per class, numbered in order of first appearance.
    index, reps = {}, []
    for shape in shapes:
        if cls[id(shape)] not in index:
            index[cls[id(shape)]] = len(reps)
            reps.append(shape)

    def shape_ref(shape):
        return "0" if shape is None else f"S({index[cls[id(shape)]]})"

    out.write(f"/* Generated by tools/gen_cfn_spec.py from cfn-lint {CFN_LINT_VERSION}'s resource schemas ({REGION}).\n"
              " * Do not edit: rerun the generator after upgrading cfn-lint. Identical shapes\n"
              " * are written once; recursive definitions refer back, so nothing is cut. */\n")
    out.write('#include "cfnspec.h"\n\n')
    out.write("/* Every shape's properties are a run of PROPS; a property's nested shape is\n"
              " * an element of SHAPES (declared first: shapes may contain each other). */\n")
    out.write(f"static const CfnShape SHAPES[{len(reps)}];\n#define S(i) (SHAPES + (i))\n\n")
    out.write("static const CfnProp PROPS[] = {\n")
    starts, at = [], 0
    for shape in reps:
        starts.append(at)
        for name, p in sorted(shape.props.items()):
            out.write(f"    {{{c_string(name)}, {p.types}, {p.item_types}, {shape_ref(p.shape)}, "
                      f"{int(p.required)}, {int(p.read_only)}}},\n")
            at += 1
    out.write("};\n\n")
    out.write(f"static const CfnShape SHAPES[{len(reps)}] = {{\n")
    for shape, start in zip(reps, starts):
        props = f"PROPS + {start}" if shape.props else "0"
        out.write(f"    {{{props}, {len(shape.props)}, {int(shape.open)}}},\n")
    out.write("};\n\n")
    write_attributes_and_types(out, types, shape_ref)


def write_attributes_and_types(out, types, shape_ref):
    """Each distinct attribute list once, NULL-terminated, in ATTRS; then the types."""
    lists, at = {}, 0
    out.write("static const char *const ATTRS[] = {\n")
    for _, _, names in types:
        key = tuple(names)
        if key in lists:
            continue
        lists[key] = at
        out.write("    " + "".join(f"{c_string(n)}, " for n in names) + "0,\n")
        at += len(names) + 1
    out.write("};\n\n")
    out.write("const CfnType CFN_TYPES[] = {\n")
    for name, shape, names in types:
        out.write(f"    {{{c_string(name)}, {shape_ref(shape)}, ATTRS + {lists[tuple(names)]}}},\n")
    out.write("};\n\nconst size_t CFN_TYPES_COUNT = sizeof CFN_TYPES / sizeof *CFN_TYPES;\n")


def main():
    write(sys.stdout, read_types())


if __name__ == "__main__":
    main()
