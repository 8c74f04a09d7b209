"""The type stubs (kiln/__init__.pyi) declare every public name of the module, every enum value as the module has
it, and every method and property of each class, so editors complete and explain the whole API."""

import ast
import pathlib

import kiln

STUB = pathlib.Path(kiln.__file__).with_name("__init__.pyi")


def stub_tree():
    return ast.parse(STUB.read_text())


def declared(body):
    """Names assigned, annotated, defined or classed in a stub body."""
    names = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
    return names


def public(obj):
    return {name for name in dir(obj) if not name.startswith("_")}


def test_every_module_name_is_in_the_stub():
    names = declared(stub_tree().body)
    missing = sorted(public(kiln._kiln) - set(names))
    assert not missing, f"kiln/__init__.pyi lacks {missing}"


def test_enum_values_match_the_module():
    names = declared(stub_tree().body)
    for name, node in names.items():
        module_enum = getattr(kiln, name, None)
        if not isinstance(node, ast.ClassDef) or not hasattr(module_enum, "__members__"):
            continue
        stubbed = {n: ast.literal_eval(v.value) for n, v in declared(node.body).items() if isinstance(v, ast.Assign)}
        actual = {n: int(v) for n, v in module_enum.__members__.items()}
        assert stubbed == actual, name


def test_every_class_member_is_in_the_stub():
    names = declared(stub_tree().body)
    for name, node in names.items():
        cls = getattr(kiln, name, None)
        if not isinstance(node, ast.ClassDef) or not isinstance(cls, type) or hasattr(cls, "__members__"):
            continue
        members = set(declared(node.body))
        for base in node.bases:  # members declared on a stubbed base class count
            if isinstance(base, ast.Name) and isinstance(names.get(base.id), ast.ClassDef):
                members |= set(declared(names[base.id].body))
        inherited = set().union(*(public(base) for base in cls.__mro__[1:] if base.__module__ == "builtins"))
        missing = sorted(public(cls) - members - inherited)
        assert not missing, f"{name} lacks {missing} in kiln/__init__.pyi"
