"""The size limits of issue 13 hold on the tree, so long units do not grow back: no module over
700 lines and no function over 120 lines outside tests.

Rust: a module's lines outside its ``#[cfg(test)] mod ... { }`` blocks; a function from ``fn``
to the closing brace at its indentation; embedded generated data (word lists, lexicons) lives in
``*_data.rs`` files, which do not count. Python: a module's lines; a function's lines without its
docstring (numpydoc examples are documentation, executed by the doctests)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE = 700
MAX_FUNCTION = 120
TEST_BLOCK = re.compile(r"\s*(pub(\(crate\))? )?mod \w+\s*\{")
RUST_FN = re.compile(r"^(\s*)(pub(\([^)]*\))? )?(const )?(async )?(unsafe )?fn (\w+)")


def rust_code_lines(text: str) -> list[str]:
    """The lines of a Rust file outside its test modules."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        # `#[cfg(test)]`, maybe other attributes, then `mod name {`
        j = i + 1
        while lines[i].strip() == "#[cfg(test)]" and j < len(lines) and lines[j].strip().startswith("#["):
            j += 1
        if lines[i].strip() == "#[cfg(test)]" and j < len(lines) and TEST_BLOCK.match(lines[j]):
            depth, i = 0, j
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                i += 1
                if depth <= 0:
                    break
            continue
        out.append(lines[i])
        i += 1
    return out


def rust_functions(lines: list[str]) -> list[tuple[str, int, int]]:
    """(name, first line, length) of each function with a body."""
    found = []
    for i, line in enumerate(lines):
        m = RUST_FN.match(line)
        if not m or line.rstrip().endswith(";"):
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == m.group(1) + "}"), None)
        if end is not None:
            found.append((m.group(7), i + 1, end - i + 1))
    return found


def python_functions(text: str) -> list[tuple[str, int, int]]:
    """(name, first line, length without the docstring) of each function."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            doc = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                   and isinstance(first.value.value, str))
            skipped = (first.end_lineno or first.lineno) - first.lineno + 1 if doc else 0
            found.append((node.name, node.lineno, (node.end_lineno or node.lineno) - node.lineno + 1 - skipped))
    return found


def oversized() -> list[str]:
    problems = []
    for path in sorted((ROOT / "src").rglob("*.rs")):
        if path.name.endswith("_data.rs"):
            continue
        lines = rust_code_lines(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT)
        if len(lines) > MAX_MODULE:
            problems.append(f"{rel}: {len(lines)} lines outside tests")
        problems += [f"{rel}:{line} fn {name}: {size} lines"
                     for name, line, size in rust_functions(lines) if size > MAX_FUNCTION]
    for path in sorted((ROOT / "python" / "miroir").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        n = len(text.split("\n"))
        if n > MAX_MODULE:
            problems.append(f"{rel}: {n} lines")
        problems += [f"{rel}:{line} def {name}: {size} lines"
                     for name, line, size in python_functions(text) if size > MAX_FUNCTION]
    return problems


def test_the_measure_sees_test_modules_and_long_functions() -> None:
    rust = ("fn a() {\n" + "    x();\n" * 130 + "}\n#[cfg(test)]\nmod tests {\n" + "    fn t() {}\n" * 800 + "}\n"
            + "#[cfg(test)]\n#[allow(clippy::all)]\nmod more {\n" + "    fn u() {}\n" * 800 + "}\n")
    lines = rust_code_lines(rust)
    assert len(lines) == 133
    assert rust_functions(lines) == [("a", 1, 132)]
    python = 'def f():\n    """doc\n' + "    more\n" * 200 + '    """\n' + "    x = 1\n" * 10
    assert python_functions(python) == [("f", 1, 11)]


def test_no_module_over_700_lines_and_no_function_over_120() -> None:
    problems = oversized()
    assert not problems, "\n".join(problems)
