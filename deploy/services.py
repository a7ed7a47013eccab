"""What runs on the test hosts, one function per kind of server: the command line that
starts it and the files it needs. ``deploy/topology.py`` places them on hosts.

PostgreSQL refuses to run as root: its commands run as the ``postgres`` user through
``setpriv``, which switches user and then *execs* (``runuser`` forks and waits), so the
pid a caller holds is PostgreSQL's own.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5432
REDIS_PORT = 6379  # the single Redis
CLUSTER_PORTS = (7001, 7002)  # each host's cluster master, then its replica of another host
ROOST_PORT = 8000
WORKER_PORT = 9464
AS_POSTGRES = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]

# Settings of every PostgreSQL here. fsync off: a test machine's crash loses the whole
# topology anyway, and syncing costs the small machine seconds. wal_keep_size: a replica
# that was down a while catches up from the primary's WAL without a replication slot.
PG_SETTINGS = """
shared_buffers = 32MB
max_connections = 200
fsync = off
wal_keep_size = 256MB
hot_standby = on
"""


def postgres_owned(folder: Path) -> Path:
    """``folder`` made (empty), private and owned by ``postgres``."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    subprocess.run(["chown", "postgres:postgres", str(folder)], check=True)
    return folder


def init_primary(data: Path, *, subnet: str) -> None:
    """A new database cluster that trusts the hosts' subnet (a test network), for clients
    and for replication."""
    postgres_owned(data)
    subprocess.run(
        [*AS_POSTGRES, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True,
        capture_output=True,
        cwd="/",  # a folder the postgres user may enter
    )
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(PG_SETTINGS)
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {subnet}.0/24 trust\n")
        hba.write(f"host replication all {subnet}.0/24 trust\n")


def base_backup_argv(data: Path, *, primary: str) -> list[str]:
    """A streaming replica of ``primary`` in ``data`` (``-R`` writes standby.signal and
    the connection to the primary); run it on the replica's host."""
    return [*AS_POSTGRES, str(PG_BIN / "pg_basebackup"), "-h", primary, "-p", str(PG_PORT)] + [
        "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
    ]  # fmt: skip


def postgres_argv(data: Path, *, address: str, sockets: Path) -> list[str]:
    """PostgreSQL on ``address``; its Unix socket in a folder of its own, not the
    machine's /var/run/postgresql (the machine's own server uses that)."""
    return [*AS_POSTGRES, str(PG_BIN / "postgres"), "-D", str(data)] + [
        "-c", f"listen_addresses={address}",
        "-c", f"port={PG_PORT}",
        "-c", f"unix_socket_directories={sockets}",
    ]  # fmt: skip


def pg_ctl(data: Path, *args: str) -> None:
    subprocess.run(
        [*AS_POSTGRES, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "60", *args],
        check=True,
        capture_output=True,
        cwd="/",
    )


def redis_argv(folder: Path, *, address: str, port: int, cluster: bool) -> list[str]:
    """A Redis that keeps nothing on disk (Roost's Redis is a cache and a queue whose
    jobs the outbox sweep re-drives). A cluster node keeps only its nodes.conf, so a
    restarted node rejoins. ``cluster-require-full-coverage no``: while a dead master's
    replica takes over, only that master's slots fail, not the whole cluster."""
    folder.mkdir(parents=True, exist_ok=True)
    argv = ["redis-server", "--bind", address, "--port", str(port), "--dir", str(folder)]
    argv += ["--protected-mode", "no", "--save", "", "--appendonly", "no"]
    argv += ["--zset-max-listpack-entries", "1024"]  # README: 800-entry timelines stay compact
    if cluster:
        argv += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        argv += ["--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no"]
    return argv


def redis_cli(address: str, port: int, *args: str) -> str:
    done = subprocess.run(
        ["redis-cli", "-h", address, "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"redis-cli {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


def roost_argv(*args: str) -> list[str]:
    """``roost`` from the Python that runs this (the project's .venv)."""
    return [sys.executable, "-m", "roost.cli", *args]


def serve_argv(address: str) -> list[str]:
    return roost_argv("serve", "--no-migrate", "--host", address, "--port", str(ROOST_PORT))


def worker_argv(address: str) -> list[str]:
    return roost_argv("worker", "--metrics-port", str(WORKER_PORT), "--metrics-host", address)


def haproxy_config(*, port: int, servers: dict[str, str], stats: Path) -> str:
    """One frontend on this machine's loopback, balancing over every host's ``roost
    serve``. A server is taken out after two failed readiness checks half a second
    apart and back after two good ones. A request whose connection is refused goes to
    another server (``redispatch``); one already sent is never re-sent, since a POST
    may have committed: clients retry with an Idempotency-Key."""
    lines = [
        "global",
        f"    stats socket {stats} mode 600 level admin",
        "defaults",
        "    mode http",
        "    timeout connect 1s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout tunnel 1h",  # streams
        "    timeout check 3s",  # /health/ready allows each check 2 s
        "    retries 3",
        "    option redispatch 1",
        "    option forwardfor",
        "frontend roost",
        f"    bind 127.0.0.1:{port}",
        "    default_backend roost",
        "backend roost",
        "    balance roundrobin",
        "    option httpchk GET /health/ready",
        "    http-check expect status 200",
        "    default-server inter 500ms fall 2 rise 2",
    ]
    lines += [f"    server {name} {address} check" for name, address in servers.items()]
    return "\n".join(lines) + "\n"


def haproxy_states(stats: Path) -> dict[str, str]:
    """Each server's state (UP, DOWN, ...) from haproxy's stats socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(stats))
        sock.sendall(b"show stat\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    proxy, server, status = (header.index(c) for c in ("pxname", "svname", "status"))
    rows = [line.split(",") for line in lines[1:]]
    return {
        row[server]: row[status]
        for row in rows
        if len(row) > status and row[proxy] == "roost" and row[server].startswith("h")
    }
