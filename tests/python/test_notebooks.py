"""Notebooks (issue 6): every notebook in ``notebooks/`` runs from top to bottom without an error,
in a kernel on this interpreter, and is stored clean (no outputs, no execution counts).

Each notebook is executed with nbclient in a fresh ``python3`` kernel whose working directory is a
temporary folder (so a notebook cannot depend on the repository's layout or leave files in it).
The notebooks hold their own ``assert`` cells, so a notebook that runs but computes something
wrong fails here too. A hidden first cell reports the kernel's interpreter: the ``python3``
kernelspec (argv ``python -m ipykernel_launcher``) must resolve to this test's ``sys.executable``,
or the notebooks would test another installation of miroir.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("matplotlib")  # the notebooks draw charts (the charts extra)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {
    "01_quickstart.ipynb",
    "02_your_own_data.ipynb",
    "03_reproduce_published_figures.ipynb",
    "04_coding_verbatims.ipynb",
    "05_drivers_and_planning.ipynb",
    "06_waves_and_segments.ipynb",
    "07_distributed.ipynb",
}
PROBE_TAG = "miroir-test-interpreter"
PROBE = (
    "import json as _json, sys as _sys\n"
    "print(_json.dumps({'executable': _sys.executable, 'prefix': _sys.prefix}))"
)


def read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def test_the_notebooks_are_there() -> None:
    assert EXPECTED <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_clean(path: Path) -> None:
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert any(c.cell_type == "markdown" for c in nb.cells)
    dirty = [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} are stored with outputs or execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_error(path: Path, tmp_path: Path) -> None:
    nb = read(path)
    probe = nbformat.v4.new_code_cell(PROBE, metadata={"tags": [PROBE_TAG]})
    probe["id"] = PROBE_TAG
    nb.cells.insert(0, probe)

    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first cell that fails

    # the kernel ran on this interpreter (hence this installation of miroir)
    stdout = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    kernel = json.loads(stdout)
    assert kernel == {"executable": sys.executable, "prefix": sys.prefix}

    errors, stderr = [], []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                stderr.append(f"cell {i}: {out.text}")
    assert not errors, "\n".join(errors)
    # the notebooks are written to run without warnings; one showing up is a change to look at
    assert not stderr, "\n".join(stderr)

    # every code cell ran, and the charts came out as images
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    images = sum(
        1 for c in code for o in c.outputs
        if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})
    )
    assert images >= {"01_quickstart.ipynb": 4, "03_reproduce_published_figures.ipynb": 2}.get(
        path.name, 0
    ), f"{path.name}: {images} charts displayed"
    # the kernel's working directory was the temporary folder: nothing written to the repository
    assert not list((ROOT / "notebooks").glob("*.html"))
