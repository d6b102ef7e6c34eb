"""Generate `powertools.json`: how Powertools for AWS Lambda (Python) data classes map
attributes to the keys of the event dict, read from Powertools' own source.

    pip download --no-deps aws-lambda-powertools==VERSION -d /tmp/pt
    unzip -q /tmp/pt/aws_lambda_powertools-VERSION-*.whl -d /tmp/pt/pkg
    python3 generate.py /tmp/pt/pkg VERSION > powertools.json

Only the standard library is used: Powertools is parsed (`ast`), never imported. A data
class is a subclass of `DictWrapper`; each public property and method becomes a member. A
property's key path comes from what it returns: `self["Key"]`, `self.get("Key")`,
`self["A"]["B"]`, `Wrapper(self["Key"])`, `[Wrapper(x) for x in self["Records"]]`, a
generator over `self["Records"]`, or another property (`self.body`). Members whose value is
computed some other way keep no key (completion and hover still show them).
The classes written are those reachable from the Powertools classes that the catalog's
events name in their `annotations`.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "events"
PREFIX = "aws_lambda_powertools.utilities.data_classes."


def first_line(doc: str | None) -> str:
    if not doc:
        return ""
    lines = [line.strip() for line in doc.strip().splitlines()]
    paragraph = []
    for line in lines:
        if not line:
            break
        paragraph.append(line)
    return " ".join(paragraph)


def is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


class Extractor:
    """The key path (and wrapped class) a property's body returns."""

    def __init__(self, classes: set[str]):
        self.classes = classes
        # Calls that hand the value on unchanged (a wrapper, a case-insensitive dict, the
        # first element of an iterator): the member is that key. Any other call computes.
        self.transparent = classes | {"CaseInsensitiveDict", "next"}

    def computed(self, node: ast.AST) -> bool:
        """Whether the value is computed from the key (`int(self["size"])`, a JSON parse)
        rather than the key's value itself (or that value wrapped)."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                function = sub.func
                if isinstance(function, ast.Attribute) and function.attr == "get":
                    continue
                if isinstance(function, ast.Name) and function.id in self.transparent:
                    continue
                return True
        return False

    def key_of(self, node: ast.AST, names: dict[str, list]) -> list | None:
        """The key path of a value expression, as a list of keys and `0` (an index)."""
        if isinstance(node, ast.Subscript):
            if is_self(node.value) or self.is_data(node.value):
                base = []
            else:
                base = self.key_of(node.value, names)
            if base is None:
                return None
            index = node.slice
            if isinstance(index, ast.Constant) and isinstance(index.value, str):
                return base + [index.value]
            if isinstance(index, ast.Constant) and isinstance(index.value, int):
                return base + [0]
            return None
        if isinstance(node, ast.Call):
            function = node.func
            # self.get("k"), x.get("k", default)
            if isinstance(function, ast.Attribute) and function.attr == "get" and node.args:
                key = node.args[0]
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    return None
                if is_self(function.value) or self.is_data(function.value):
                    return [key.value]
                base = self.key_of(function.value, names)
                return None if base is None else base + [key.value]
            # self["records"].values(), .items(): every value of a map
            if isinstance(function, ast.Attribute) and function.attr in ("values", "items") and not node.args:
                base = self.key_of(function.value, names)
                return None if base is None else base + ["*"]
            # next(self.records): the first element
            if isinstance(function, ast.Name) and function.id == "next" and node.args:
                base = self.key_of(node.args[0], names)
                return None if base is None else base + [0]
            # int(self["size"]), unquote_plus(...), Wrapper(self["x"]), CaseInsensitiveDict(...)
            if node.args:
                return self.key_of(node.args[0], names)
            return None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # `self.get("k") or {}`: the key. `self.get("alt") or self["k"]`: the key that
            # must be there (the other is a fallback).
            for value in reversed(node.values):
                if isinstance(value, ast.Subscript):
                    found = self.key_of(value, names)
                    if found is not None:
                        return found
            return self.key_of(node.values[0], names)
        if isinstance(node, ast.IfExp):
            for branch in (node.body, node.orelse):
                found = self.key_of(branch, names)
                if found is not None:
                    return found
            return None
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.Attribute) and is_self(node.value):
            return ["@" + node.attr]  # another member; resolved afterwards
        return None

    def is_data(self, node: ast.AST) -> bool:
        """`self._data` or `self.raw_event`: the dict itself."""
        return isinstance(node, ast.Attribute) and is_self(node.value) and node.attr in ("_data", "raw_event")

    def wrapped(self, node: ast.AST) -> str | None:
        """The data class a returned expression builds, if any."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in self.classes:
                return sub.func.id
        return None

    def member(self, function: ast.FunctionDef) -> dict:
        names: dict[str, list] = {}
        key = None
        wraps = None
        many = None
        computed = False
        for statement in ast.walk(function):
            target = value = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            if isinstance(target, ast.Name):
                found = self.key_of(value, names)
                if found is not None:
                    names[target.id] = found
        # A generator: the items of the innermost loop that yields (loops bind their
        # variable to an element of what they iterate).
        for statement in ast.walk(function):
            if isinstance(statement, ast.For) and any(isinstance(s, ast.Yield) for s in ast.walk(statement)):
                iterated = statement.iter
                over_values = (
                    isinstance(iterated, ast.Call)
                    and isinstance(iterated.func, ast.Attribute)
                    and iterated.func.attr in ("values", "items")
                )
                # The container whose elements the loop visits (a map's values: `*`).
                container = self.key_of(iterated.func.value if over_values else iterated, names)
                if container is None:
                    continue
                if isinstance(statement.target, ast.Name):
                    names[statement.target.id] = container + ["*" if over_values else 0]
                key, many = container, "iterator"
                for sub in ast.walk(statement):
                    if isinstance(sub, ast.Yield) and sub.value is not None:
                        wraps = self.wrapped(sub.value)
        if key is not None:
            return {"key": key, "class": wraps, "many": many}
        for statement in ast.walk(function):
            if isinstance(statement, ast.Return) and statement.value is not None:
                value = statement.value
                if isinstance(value, (ast.ListComp, ast.GeneratorExp, ast.DictComp)):
                    generator = value.generators[0]
                    found = self.key_of(generator.iter, names)
                    if found is not None:
                        if isinstance(value, ast.DictComp):
                            # {k: Wrapper(v) for k, v in self["m"].items()}: a map of them
                            key, many = found[:-1] if found[-1:] == ["*"] else found, "map"
                            wraps = self.wrapped(value.value)
                        else:
                            key, many = found, "list"
                            wraps = self.wrapped(value.elt)
                        break
                found = self.key_of(value, names)
                if found is not None:
                    key = found
                    wraps = self.wrapped(value)
                    computed = self.computed(value)
                    break
        result = {"key": key, "class": wraps, "many": many}
        if key is not None and computed:
            result["computed"] = True
        return result


def annotation_text(node: ast.AST | None) -> str:
    return "" if node is None else ast.unparse(node)


def signature(function: ast.FunctionDef) -> str:
    arguments = function.args
    parts = []
    positional = arguments.posonlyargs + arguments.args
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    for argument, default in zip(positional, defaults):
        if argument.arg == "self":
            continue
        text = argument.arg
        if argument.annotation is not None:
            text += ": " + ast.unparse(argument.annotation)
        if default is not None:
            text += " = " + ast.unparse(default)
        parts.append(text)
    returns = f" -> {ast.unparse(function.returns)}" if function.returns is not None else ""
    return f"({', '.join(parts)}){returns}"


def declared_class(annotation: str, wrappers: set[str]) -> tuple[str | None, str | None]:
    """The data class an annotation names (`X | None`, `Optional[X]`, `Iterator[X]`,
    `list[X]`), and whether it is a sequence of them."""
    text = annotation.replace(" ", "")
    for suffix in ("|None",):
        text = text.removesuffix(suffix)
    text = text.removeprefix("None|")
    many = None
    for prefix, kind in (("Optional[", None), ("Iterator[", "iterator"), ("Generator[", "iterator"), ("list[", "list"), ("List[", "list")):
        if text.startswith(prefix) and text.endswith("]"):
            text = text[len(prefix):-1].split(",")[0]
            many = kind
            break
    return (text, many) if text in wrappers else (None, None)


def decorator_names(function: ast.FunctionDef) -> set[str]:
    names = set()
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Name):
            names.add(decorator.id)
        elif isinstance(decorator, ast.Attribute):
            names.add(decorator.attr)
    return names


def main(package: Path, version: str) -> None:
    root = package / "aws_lambda_powertools" / "utilities" / "data_classes"
    modules = {}
    for path in sorted(root.rglob("*.py")):
        modules[path] = ast.parse(path.read_text(), filename=str(path))
    definitions: dict[str, ast.ClassDef] = {}
    for tree in modules.values():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                definitions.setdefault(node.name, node)

    def bases(node: ast.ClassDef) -> list[str]:
        return [ast.unparse(b).split("[")[0].split(".")[-1] for b in node.bases]

    def is_wrapper(name: str, seen=()) -> bool:
        if name == "DictWrapper":
            return True
        node = definitions.get(name)
        return node is not None and name not in seen and any(is_wrapper(b, seen + (name,)) for b in bases(node))

    wrappers = {name for name in definitions if is_wrapper(name)}
    extractor = Extractor(wrappers)
    classes = {}
    for name in sorted(wrappers):
        node = definitions[name]
        members = []
        for item in node.body:
            if not isinstance(item, ast.FunctionDef) or item.name.startswith("_"):
                continue
            decorators = decorator_names(item)
            if "overload" in decorators or "setter" in decorators:
                continue
            is_property = bool({"property", "cached_property"} & decorators)
            member = {
                "name": item.name,
                "kind": "property" if is_property else "method",
                "type": annotation_text(item.returns),
                "doc": first_line(ast.get_docstring(item)),
            }
            if is_property:
                member.update({k: v for k, v in extractor.member(item).items() if v is not None})
                # The annotation names the class when the body does not build it in sight
                # (`S3EventRecord` from `next(self.records)`).
                declared, many = declared_class(member["type"], wrappers)
                if declared and "class" not in member:
                    member["class"] = declared
                if many and "many" not in member:
                    member["many"] = many
            else:
                member["signature"] = signature(item)
            members.append(member)
        classes[name] = {
            "bases": [b for b in bases(node) if b in wrappers],
            "doc": first_line(ast.get_docstring(node)),
            "members": members,
        }

    # A property that returns another (`self.body`) takes that one's key.
    def member_of(class_name: str, member_name: str, seen=()):
        if class_name in seen or class_name not in classes:
            return None
        for member in classes[class_name]["members"]:
            if member["name"] == member_name:
                return member
        for base in classes[class_name]["bases"]:
            found = member_of(base, member_name, seen + (class_name,))
            if found:
                return found
        return None

    for _ in range(4):
        for class_name, data in classes.items():
            for member in data["members"]:
                key = member.get("key")
                if key and isinstance(key[0], str) and key[0].startswith("@"):
                    other = member_of(class_name, key[0][1:])
                    if other is not None and other is not member and other.get("key") and not str(other["key"][0]).startswith("@"):
                        member["key"] = other["key"] + key[1:]
                        if other.get("computed") or member.get("computed") or len(key) == 1 and member["type"] != other["type"]:
                            member["computed"] = True
                        member.setdefault("class", other.get("class"))
                        if member.get("class") is None:
                            member.pop("class")
    for data in classes.values():
        for member in data["members"]:
            key = member.get("key")
            if key and isinstance(key[0], str) and key[0].startswith("@"):
                del member["key"]  # computed from something the generator cannot follow

    # Keep what the catalog's events reach.
    roots = set()
    for path in sorted(CATALOG.glob("*.json")):
        for annotation in json.loads(path.read_text()).get("annotations", []):
            if annotation.startswith(PREFIX):
                roots.add(annotation[len(PREFIX):])
    keep = set()
    pending = [r for r in roots if r in classes]
    missing = sorted(r for r in roots if r not in classes)
    if missing:
        sys.exit(f"not data classes in this Powertools: {missing}")
    while pending:
        name = pending.pop()
        if name in keep:
            continue
        keep.add(name)
        pending.extend(classes[name]["bases"])
        pending.extend(m["class"] for m in classes[name]["members"] if m.get("class"))
    output = {
        "source": f"aws-lambda-powertools {version}, aws_lambda_powertools/utilities/data_classes (generated by powertools/generate.py)",
        "classes": {name: classes[name] for name in sorted(keep)},
    }
    json.dump(output, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
