#!/usr/bin/env python3
"""Compares the options of django-ca's management commands with swift-ca's commands of the same name.

For each command in django-ca's `django_ca/management/commands/`, reads `manage.py <command> --help` and
`swift-ca <command> --help`, and prints the options only django-ca has (what a django-ca user would miss) and
those only swift-ca has. Differences that are decided are listed in docs/decisions.md; this report shows
what is left, so that it can be re-run against a newer django-ca.

    benchmarks/django-ca-peer/setup.sh                      # django-ca from PyPI into venv/
    swift build --product swift-ca
    benchmarks/django-ca-peer/compare-options.py [--swift-ca PATH] [--strict]

--strict exits 1 when django-ca has an option swift-ca lacks.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Django's own options of every management command, which are not django-ca's and have no meaning here.
DJANGO_OPTIONS = {
    "--help", "-h", "--version", "--verbosity", "-v", "--settings", "--pythonpath", "--traceback", "--no-color",
    "--force-color", "--skip-checks",
}
OPTION = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def options(help_text: str) -> set[str]:
    """The option names a help text lists in its option descriptions (lines that start with a dash)."""
    found = set()
    for line in help_text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("-"):
            continue
        # The names come before the description: cut at the first run of two spaces.
        names = re.split(r"\s{2,}", stripped)[0]
        found.update(OPTION.findall(names))
    return found


def django_help(command: str, state: Path) -> str:
    environment = dict(os.environ, PEER_STATE_DIR=str(state), DJANGO_SETTINGS_MODULE="peer.settings")
    result = subprocess.run(
        [str(HERE / "venv" / "bin" / "python"), "manage.py", command, "--help"],
        cwd=HERE / "project", env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"manage.py {command} --help failed: {result.stderr[-500:]}")
    return result.stdout


def swift_help(binary: str, command: str, directory: str) -> str | None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CA_")}
    environment["CA_DIR"] = directory
    result = subprocess.run([binary, command, "--help"], env=environment, capture_output=True, text=True, check=False)
    return result.stdout if result.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swift-ca", default=str(ROOT / ".build" / "debug" / "swift-ca"))
    parser.add_argument("--strict", action="store_true")
    arguments = parser.parse_args()
    commands_directory = next((HERE / "venv" / "lib").glob("python3*/site-packages/django_ca/management/commands"))
    commands = sorted(path.stem for path in commands_directory.glob("*.py") if not path.stem.startswith("_"))
    missing_total = 0
    with tempfile.TemporaryDirectory() as state, tempfile.TemporaryDirectory() as swift_directory:
        state_path = Path(state)
        (state_path / "ca").mkdir()
        environment = dict(os.environ, PEER_STATE_DIR=state, DJANGO_SETTINGS_MODULE="peer.settings")
        # Some commands read the CAs while building their parser, so the database must exist.
        subprocess.run([str(HERE / "venv" / "bin" / "python"), "manage.py", "migrate", "-v", "0"],
                       cwd=HERE / "project", env=environment, check=True)
        for command in commands:
            theirs = options(django_help(command, state_path)) - DJANGO_OPTIONS
            swift = swift_help(arguments.swift_ca, command, swift_directory)
            if swift is None:
                print(f"{command}: no such swift-ca command")
                missing_total += len(theirs)
                continue
            ours = options(swift) - {"--help", "-h"}
            missing = sorted(theirs - ours)
            extra = sorted(ours - theirs)
            missing_total += len(missing)
            print(f"{command}: {len(theirs)} django-ca options, {len(missing)} missing in swift-ca")
            if missing:
                print("  only django-ca: " + " ".join(missing))
            if extra:
                print("  only swift-ca:  " + " ".join(extra))
    print(f"total: {missing_total} django-ca options swift-ca lacks across {len(commands)} commands")
    return 1 if arguments.strict and missing_total else 0


if __name__ == "__main__":
    sys.exit(main())
