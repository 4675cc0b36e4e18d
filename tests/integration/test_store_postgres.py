"""The same store code against a real PostgreSQL server, started for this test in a throwaway cluster.

Needs the Debian ``postgresql`` package (initdb, pg_ctl). PostgreSQL refuses to
run as root, so under root the cluster runs as the ``postgres`` system user.
"""

import concurrent.futures
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from agent.store import SCHEMA_VERSION, Store, StoreError
from tests.fakes.rounds import exercise_store, full_round, meta

pytestmark = pytest.mark.integration


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise AssertionError("PostgreSQL server binaries not found: install the Debian package 'postgresql'")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """initdb + pg_ctl in a temporary directory, bound to 127.0.0.1 on a free port."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="interviewer-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise AssertionError("root, and no 'postgres' user to run the server as") from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.root.chmod(0o700)
        self.port = 0

    def _run(self, *args: str, timeout: float = 60) -> None:
        proc = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"{args[0]} failed ({proc.returncode}): {proc.stderr}\n{log}")

    def start(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        last: AssertionError | None = None
        for _ in range(3):  # the free port can be taken between probing it and the server binding it
            self.port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
                       "-c fsync=off")
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                          "-w", "-t", "30", "start")
                return
            except AssertionError as exc:
                last = exc
        raise AssertionError(f"PostgreSQL did not start: {last}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "-t", "30", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    try:
        c.start()
        yield c
    finally:
        c.stop()


def _create_database(cluster: Cluster, name: str) -> str:
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return cluster.url(name)


def test_store_behaviour_on_postgresql(cluster):
    with Store(_create_database(cluster, "behaviour")) as store:
        assert store.url.get_backend_name() == "postgresql"
        exercise_store(store)


def test_schema_version_mismatch_on_postgresql(cluster):
    url = _create_database(cluster, "mismatch")
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE meta SET schema_version = {SCHEMA_VERSION + 1}"))
    engine.dispose()
    with pytest.raises(StoreError, match=f"has schema version {SCHEMA_VERSION + 1}; this interviewer reads up to "
                                         f"{SCHEMA_VERSION}"):
        Store(url)


def test_a_version_1_database_upgrades_in_place_on_postgresql(cluster):
    url = _create_database(cluster, "upgrade")
    with Store(url) as store:
        store.start_round(meta("oldpg0001"))
        for turn in full_round("oldpg0001"):
            store.add_turn(turn)
    engine = create_engine(url)
    with engine.begin() as conn:  # back to what version 1 looked like
        conn.execute(text("DROP INDEX rounds_owner"))
        conn.execute(text("ALTER TABLE rounds DROP COLUMN owner"))
        conn.execute(text("ALTER TABLE rounds DROP COLUMN writer"))
        conn.execute(text("UPDATE meta SET schema_version = 1"))
    with Store(url, owner="local:someone") as store:
        assert [s.round_id for s in store.list_rounds()] == ["oldpg0001"]
        assert len(store.get_round("oldpg0001")[2]) == len(list(full_round("oldpg0001")))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT schema_version FROM meta")).scalar() == SCHEMA_VERSION
        assert conn.execute(text("SELECT owner FROM rounds")).scalar() is None
    engine.dispose()


def test_workers_opening_a_new_database_at_once(cluster):
    url = _create_database(cluster, "race")
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        stores = list(pool.map(lambda _: Store(url), range(4)))
    for store in stores:
        assert store.list_rounds() == []
        store.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT schema_version FROM meta")).scalars().all() == [SCHEMA_VERSION]
    engine.dispose()
