"""Which imports of a framework package reach into private code it does not own (for its tests).

A framework package (``langchain_twelvelabs``, ``llama_index.readers.twelvelabs``, ...) may import its
own private modules, and only public modules and names of everything else: shared code lives in
the core (``twelvelabs_rag``) under public names, never in another distribution's ``_private``
module. :func:`private_imports` parses every module of the package with :mod:`ast` (nothing is
imported) and lists each import that breaks the rule:

- a module path with a private part (``twelvelabs_rag._bulk``, ``llama_index.embeddings.twelvelabs._common``)
  outside the package itself;
- a private name taken from outside (``from twelvelabs_rag.moments import _clip``).

Relative imports are resolved first, so ``from ...embeddings.twelvelabs import _common`` counts.

```python
from pathlib import Path
import tempfile
from twelvelabs_rag.testing.import_rules import private_imports
root = Path(tempfile.mkdtemp()) / "pkg"
root.mkdir()
(root / "__init__.py").write_text("from ._own import x\\nfrom twelvelabs_rag._bulk import run_bounded\\n")
assert private_imports(root, "pkg") == ["pkg/__init__.py:2 imports twelvelabs_rag._bulk"]
```
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["private_imports"]


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
               for part in dotted.split("."))


def _module_name(path: Path, root: Path, package: str) -> tuple[str, bool]:
    """The dotted name of the module at ``path`` and whether it is a package ``__init__``."""
    rel = path.relative_to(root).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([package, *parts]), path.name == "__init__.py"


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def private_imports(root: Path, package: str) -> list[str]:
    """``"<file>:<line> imports <what>"`` for every import under ``root`` (the directory of ``package``)
    that reaches a private module or name outside ``package``; empty when the package keeps the rule."""

    def own(dotted: str) -> bool:
        return dotted == package or dotted.startswith(package + ".")

    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        module, is_package = _module_name(path, root, package)
        where = f"{package.replace('.', '/')}/{path.relative_to(root).as_posix()}:"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                bad = [a.name for a in node.names if _private(a.name) and not own(a.name)]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(node, module, is_package)
                if own(source):
                    continue
                if _private(source):
                    bad = [source]
                else:
                    bad = [f"{source}.{a.name}" for a in node.names if _private(a.name)]
            else:
                continue
            found += [f"{where}{node.lineno} imports {name}" for name in bad]
    return found
