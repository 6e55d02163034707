"""How the project installs: from lock files in step with pyproject.toml, and
`make test-sqlite` without apt-get or sudo.

The Makefile installs requirements.lock (requirements-dev.lock for the tests), hash-checked;
`make lock` writes both from pyproject.toml's ranges. A dependency added to pyproject.toml
without `make lock` fails here, naming it.
"""

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"


def declared() -> tuple[list[Requirement], list[Requirement]]:
    """pyproject.toml's runtime dependencies and its `dev` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(line) for line in project["dependencies"]]
    dev = [Requirement(line) for line in project["optional-dependencies"]["dev"]]
    return runtime, dev


def pins(lock: Path) -> dict[str, list[Version]]:
    """Each package's pinned releases in a lock (several when markers split a package by
    Python version), and a failure for any pin without a hash."""
    pinned: dict[str, list[Version]] = {}
    lines = lock.read_text().splitlines()
    for number, line in enumerate(lines):
        if not line or line[0] in "# -":
            continue
        requirement = line.rstrip(" \\").split(";")[0].strip()
        name, _, version = requirement.partition("==")
        assert version, f"{lock.name}:{number + 1} is not pinned with ==: {line}"
        following = lines[number + 1] if number + 1 < len(lines) else ""
        assert "--hash=sha256:" in following, f"{lock.name}: {name} has no hash"
        pinned.setdefault(canonicalize_name(name), []).append(Version(version))
    return pinned


def out_of_step(requirements: list[Requirement], lock: Path) -> list[str]:
    """What pyproject.toml asks for that the lock doesn't pin, or pins outside the range."""
    pinned = pins(lock)
    problems = []
    for requirement in requirements:
        versions = pinned.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement} has no pinned line in {lock.name}")
            continue
        for version in versions:
            if not requirement.specifier.contains(version, prereleases=True):
                pin = f"{requirement.name}=={version}"
                problems.append(f"{lock.name} pins {pin}: not {requirement}")
    return problems


def test_every_dependency_is_pinned_in_the_locks_within_its_range():
    runtime, dev = declared()
    problems = out_of_step(runtime, RUNTIME_LOCK) + out_of_step(runtime + dev, DEV_LOCK)
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_the_locks_agree_on_every_package_they_share():
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)
    assert set(runtime) <= set(dev)
    assert {name: dev[name] for name in runtime} == runtime


def test_a_dependency_missing_from_the_lock_is_named(tmp_path):
    """The check above catches a dependency added to pyproject.toml without `make lock`."""
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "flask==3.1.3 \\\n    --hash=sha256:00\n    # via marketplace (pyproject.toml)\n"
    )
    problems = out_of_step([Requirement("Flask>=3.1,<4"), Requirement("huey>=3.5")], lock)
    assert problems == ["huey>=3.5 has no pinned line in requirements.lock"]
    problems = out_of_step([Requirement("Flask>=4")], lock)
    assert problems == ["requirements.lock pins Flask==3.1.3: not Flask>=4"]


def dry_run(target: str) -> str:
    """The commands `make TARGET` would run with every prerequisite out of date (-n -B)."""
    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    completed = subprocess.run(
        ["make", "-C", str(ROOT), "-n", "-B", target],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_make_test_sqlite_never_calls_apt_or_sudo():
    commands = dry_run("test-sqlite")
    assert "pytest" in commands
    assert "requirements-dev.lock" in commands
    for word in ("apt-install", "apt-get", "sudo"):
        assert word not in commands, commands


def test_make_test_installs_the_system_packages_the_suite_needs():
    """CI's `make test` still brings chromium and redis-server to a fresh machine."""
    commands = dry_run("test")
    assert "scripts/apt-install.sh chromium" in commands
    assert "scripts/apt-install.sh redis-server" in commands
