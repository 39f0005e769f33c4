"""What a plain (non-editable) install gets: every data file in a package folder is package data.

An editable install reads the source tree, so a file left out of ``package-data`` only fails
for users of a built wheel (it happened: the prompt templates of both styles were left out).
"""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _package_folders():
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapped = setup["package-dir"]
    folders = {}
    for package in setup["packages"]:
        parent = max((name for name in mapped if package == name or package.startswith(name + ".")), key=len)
        folders[package] = ROOT / mapped[parent] / Path(*package[len(parent):].strip(".").split(".") if package != parent
                                                      else ())
    return folders, setup["package-data"]


def _matches(relative: Path, pattern: str) -> bool:
    parts, wanted = relative.parts, Path(pattern).parts
    return len(parts) == len(wanted) and all(fnmatch.fnmatch(p, w) for p, w in zip(parts, wanted))


def test_every_data_file_in_a_package_folder_is_package_data():
    folders, data = _package_folders()
    owners = sorted(folders.items(), key=lambda item: len(item[1].parts), reverse=True)
    missing = []
    for folder in {folder for folder in folders.values()}:
        for path in folder.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            package, owner = next((name, where) for name, where in owners if where in path.parents)
            if owner != folder:
                continue  # counted for its own package
            relative = path.relative_to(owner)
            if not any(_matches(relative, pattern) for pattern in data.get(package, []) + data.get("*", [])):
                missing.append(f"{package}: {relative}")
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
