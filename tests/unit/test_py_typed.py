"""The core package ships its type information (PEP 561): the marker file sits next to the code."""

from importlib.resources import files


def test_core_package_ships_the_py_typed_marker() -> None:
    marker = files("twelvelabs_rag") / "py.typed"
    assert marker.is_file(), "src/twelvelabs_rag/py.typed is missing: type checkers would ignore the annotations"
