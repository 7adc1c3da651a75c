"""Every `actor` and `user` parameter of the code mypy checks carries its type (services take
`actor: User | None`, selectors `user: User`, checks that the anonymous visitor can reach
`User | AnonymousUser`), so mypy checks what is done with the person acting."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# allauth calls these with its own signature.
OVERRIDES = {
    ("smartcoop/core/accounts.py", "save_user"),
    ("smartcoop/core/accounts.py", "post_login"),
}


def test_every_actor_and_user_parameter_is_typed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    untyped = []
    for package in config["files"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                if (name, node.name) in OVERRIDES:
                    continue
                untyped += [
                    f"{name}:{node.lineno} {node.name}({argument.arg})"
                    for argument in arguments
                    if argument.arg in ("actor", "user") and argument.annotation is None
                ]
    assert len(config["files"]) >= 8  # the core and every app
    assert untyped == []
