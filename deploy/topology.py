"""Three "hosts" on one machine, each a Linux network namespace with an address of its
own on one bridge, running Roost as it would run on three machines:

- every host: ``roost serve`` (port 8000) and ``roost worker`` (probes on 9464);
- PostgreSQL: the primary on host 1, a streaming replica (``pg_basebackup -R``) on host 3;
  Roost's database URL names both with ``target_session_attrs=read-write``, so it finds
  whichever is the primary after a promotion;
- Redis: one server on host 1, or with ``cluster`` a Redis Cluster of six nodes, each
  host holding one master (7001) and the replica (7002) of the next host's master, so
  losing a host loses one master and one replica, and the lost master's replica lives on;
- haproxy on this machine's loopback in front of the three ``roost serve``, checking
  ``/health/ready``.

A slot number keeps several topologies apart (deploy/layout.py; tests use their own).
``down`` finds all of it from the slot alone, so it cleans up after a failed ``up`` too.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx

from deploy import netns, redis_cluster, services
from deploy.layout import Layout
from deploy.services import CLUSTER_PORTS, PG_PORT, REDIS_PORT, ROOST_PORT, WORKER_PORT

HOSTS = (1, 2, 3)
PRIMARY_HOST = 1
REPLICA_HOST = 3
REDIS_HOST = 1  # the single Redis
SECRET = "roost-hosts-secret-not-for-production"
START_SECONDS = 90.0


class Topology:
    def __init__(
        self,
        layout: Layout | None = None,
        *,
        cluster: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.layout = layout or Layout()
        self.cluster = cluster
        self.env = env or {}  # more ROOST_* settings for every Roost process
        self.children: list[subprocess.Popen[bytes]] = []

    @classmethod
    def existing(cls, slot: int) -> Topology:
        """The topology ``up`` left in ``slot`` (its mode and settings)."""
        layout = Layout(slot)
        saved = json.loads((layout.folder / "topology.json").read_text())
        return cls(layout, cluster=saved["cluster"], env=saved["env"])

    # Addresses

    @property
    def base_url(self) -> str:
        """The balancer: the service's one address."""
        return f"http://127.0.0.1:{self.layout.port}"

    def host_url(self, host: int) -> str:
        return f"http://{self.layout.address(host)}:{ROOST_PORT}"

    @property
    def database_url(self) -> str:
        """Both PostgreSQL servers; asyncpg connects to the one that takes writes."""
        hosts = "&".join(
            f"host={self.layout.address(h)}:{PG_PORT}" for h in (PRIMARY_HOST, REPLICA_HOST)
        )
        return f"postgresql+asyncpg://postgres@/roost?{hosts}&target_session_attrs=read-write"

    @property
    def replica_urls(self) -> list[str]:
        return [
            f"postgresql+asyncpg://postgres@{self.layout.address(REPLICA_HOST)}:{PG_PORT}/roost"
        ]

    @property
    def redis_url(self) -> str:
        port = CLUSTER_PORTS[0] if self.cluster else REDIS_PORT
        return f"redis://{self.layout.address(REDIS_HOST)}:{port}/0"

    def redis_nodes(self, host: int) -> list[int]:
        """The ports of the Redis servers on ``host``."""
        if self.cluster:
            return list(CLUSTER_PORTS)
        return [REDIS_PORT] if host == REDIS_HOST else []

    def roost_env(self) -> dict[str, str]:
        """The environment of every Roost process. ROOST_REDIS_CLUSTER and
        ROOST_DATABASE_REPLICA_URLS are read by Roost versions that have them; Roost's
        settings ignore variables they do not know."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROOST_")}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update(
            ROOST_DATABASE_URL=self.database_url,
            ROOST_DATABASE_REPLICA_URLS=",".join(self.replica_urls),
            ROOST_REDIS_URL=self.redis_url,
            ROOST_REDIS_CLUSTER="true" if self.cluster else "false",
            ROOST_DOMAIN=f"localhost:{self.layout.port}",
            ROOST_SECRET_KEY=SECRET,
            # One folder for every host's media, as a shared volume would be (README).
            ROOST_DATA_DIR=str(self.layout.folder / "shared"),
            # uvicorn takes X-Forwarded-For from the balancer, which reaches the hosts
            # from the bridge's address.
            FORWARDED_ALLOW_IPS=self.layout.bridge_address,
        )
        env.update(self.env)
        return env

    # Bringing it up

    def up(self) -> None:
        """Build everything from nothing (whatever the slot held is torn down first)
        and wait until the balancer sends to all three hosts."""
        self.down()
        layout = self.layout
        layout.folder.mkdir(parents=True)
        layout.folder.chmod(0o755)  # PostgreSQL (its own user) reaches its folders
        state = {"cluster": self.cluster, "env": self.env}
        (layout.folder / "topology.json").write_text(json.dumps(state))
        (layout.folder / "shared").mkdir()
        netns.add_bridge(layout.bridge, f"{layout.bridge_address}/24")
        for host in HOSTS:
            layout.host_folder(host).mkdir()
            netns.add_host(
                layout.namespace(host),
                bridge=layout.bridge,
                link=layout.namespace(host),
                address=f"{layout.address(host)}/24",
            )
        for host in HOSTS:
            for port in self.redis_nodes(host):
                self._start_redis(host, port)
        self._start_postgres()
        for host in HOSTS:
            for port in self.redis_nodes(host):
                self._wait(f"Redis on h{host}:{port}", partial(self._pong, host, port))
        if self.cluster:
            self._form_cluster()
        subprocess.run(
            services.roost_argv("migrate"), env=self.roost_env(), check=True, capture_output=True
        )
        for host in HOSTS:
            self._start_roost(host)
        self._start_balancer()
        for host in HOSTS:
            self._wait_roost(host)
        self.wait_balanced(HOSTS)

    def _start_postgres(self) -> None:
        layout = self.layout
        primary, replica = layout.pg_data(PRIMARY_HOST), layout.pg_data(REPLICA_HOST)
        services.init_primary(primary, subnet=layout.subnet)
        self.start_postgres(PRIMARY_HOST)
        address = layout.address(PRIMARY_HOST)
        subprocess.run(
            ["psql", "-h", address, "-U", "postgres", "-c", "CREATE DATABASE roost"],
            check=True,
            capture_output=True,
        )
        services.postgres_owned(replica)
        self._run_on(REPLICA_HOST, services.base_backup_argv(replica, primary=address))
        self.start_postgres(REPLICA_HOST)
        self.wait_replica_streaming()

    def start_postgres(self, host: int) -> None:
        """Start the PostgreSQL whose data ``host`` holds (a primary or a replica, as
        its data says) and wait until it accepts connections."""
        sockets = services.postgres_owned(self.layout.host_folder(host) / "pg-socket")
        argv = services.postgres_argv(
            self.layout.pg_data(host), address=self.layout.address(host), sockets=sockets
        )
        self._spawn(host, "postgres", argv)
        self._wait(f"PostgreSQL on h{host}", lambda: self._pg_ready(host))

    def _start_redis(self, host: int, port: int) -> None:
        folder = self.layout.host_folder(host) / f"redis-{port}"
        argv = services.redis_argv(
            folder, address=self.layout.address(host), port=port, cluster=self.cluster
        )
        self._spawn(host, f"redis-{port}", argv)

    def cluster_addresses(self) -> list[redis_cluster.Address]:
        return [(self.layout.address(h), port) for h in HOSTS for port in CLUSTER_PORTS]

    def _form_cluster(self) -> None:
        """Three masters, one per host, then each host's second node made the replica of
        the next host's master (h1 replicates h2's, h2 h3's, h3 h1's)."""
        master, replica = CLUSTER_PORTS
        address = self.layout.address
        redis_cluster.create(
            [(address(h), master) for h in HOSTS],
            {(address(h), replica): (address(h % len(HOSTS) + 1), master) for h in HOSTS},
        )
        self.wait_cluster_whole()

    def wait_cluster_whole(self, timeout: float = START_SECONDS) -> None:
        """Until all six nodes are in, with a master on each host's first port and its
        linked replica on the next host (after a failover: the old master, back as a
        replica, takes its place back, as an operator would, so one host never holds
        two masters and a lost host never takes two of the three)."""
        nodes = self.cluster_addresses()
        masters = [(self.layout.address(h), CLUSTER_PORTS[0]) for h in HOSTS]
        self._wait("the Redis Cluster", lambda: redis_cluster.whole(nodes, len(HOSTS)), timeout)
        redis_cluster.take_back(masters)
        self._wait(
            "the Redis Cluster's masters back in place",
            lambda: redis_cluster.masters_are(nodes, masters),
            timeout,
        )

    def wait_cluster_serving(self, timeout: float = START_SECONDS) -> None:
        """Until live masters serve every slot (a dead master's replica took over)."""
        nodes = self.cluster_addresses()
        self._wait("live masters for every slot", lambda: redis_cluster.serving(nodes), timeout)

    def redis_master_of(self, key: str) -> tuple[int, int]:
        """The (host, port) of the cluster master that holds ``key``."""
        address, port = redis_cluster.master_of(self.cluster_addresses(), key)
        return self.layout.host_of(address), port

    def start_redis(self, host: int, port: int) -> None:
        """Start one Redis server of ``host`` again; on a cluster, wait until the
        cluster is whole again (the node rejoined, as a replica if it was replaced)."""
        self._start_redis(host, port)
        self._wait(f"Redis on h{host}:{port}", lambda: self._pong(host, port))
        if self.cluster:
            self.wait_cluster_whole()

    def _start_roost(self, host: int) -> None:
        address = self.layout.address(host)
        self._spawn(host, "serve", services.serve_argv(address), self.roost_env())
        self._spawn(host, "worker", services.worker_argv(address), self.roost_env())

    def _wait_roost(self, host: int) -> None:
        address = self.layout.address(host)
        self._wait(f"roost serve on h{host}", lambda: self._ready(self.host_url(host)))
        worker = f"http://{address}:{WORKER_PORT}"
        self._wait(f"roost worker on h{host}", lambda: self._ready(worker))

    def _start_balancer(self) -> None:
        folder = self.layout.folder
        config = folder / "haproxy.cfg"
        servers = {f"h{h}": f"{self.layout.address(h)}:{ROOST_PORT}" for h in HOSTS}
        config.write_text(
            services.haproxy_config(
                port=self.layout.port, servers=servers, stats=folder / "haproxy.sock"
            )
        )
        popen = self._spawn(None, "haproxy", ["haproxy", "-f", str(config), "-db"])
        (folder / "haproxy.pid").write_text(str(popen.pid))

    def start_host(self, host: int) -> None:
        """Start again whatever ``host`` runs (after ``kill_host``): its PostgreSQL, its
        Redis nodes (a cluster node rejoins from its nodes.conf, as a replica if its
        master was replaced), ``roost serve`` and ``roost worker``."""
        if (self.layout.pg_data(host) / "PG_VERSION").exists():
            self.start_postgres(host)
        for port in self.redis_nodes(host):
            self._start_redis(host, port)
        for port in self.redis_nodes(host):
            self._wait(f"Redis on h{host}:{port}", partial(self._pong, host, port))
        if self.cluster:
            self.wait_cluster_whole()
        self._start_roost(host)
        self._wait_roost(host)

    # Faults

    def kill_host(self, host: int) -> list[int]:
        """SIGKILL every process on ``host`` at once, as when a machine dies; its
        network stays, so connections to it are refused rather than left hanging."""
        killed = netns.kill_namespace(self.layout.namespace(host), grace=0)
        self._reap()
        return killed

    def kill_process(self, host: int, needle: str) -> list[int]:
        """SIGKILL the processes on ``host`` whose command line contains ``needle``."""
        found = [
            pid
            for pid in netns.pids(self.layout.namespace(host))
            if needle in netns.command_line(pid)
        ]
        netns.signal_all(found, signal.SIGKILL)
        netns.wait_gone(found, 10)
        self._reap()
        return found

    def cut_redis(self) -> None:
        """Every Redis unreachable as in a network fault (``netns.drop_tcp`` on its
        port): Roost waits for its timeouts. A cluster's bus ports stay open."""
        for host in HOSTS:
            if self.redis_nodes(host):
                netns.drop_tcp(self.layout.namespace(host), self.redis_nodes(host))

    def mend_redis(self) -> None:
        for host in HOSTS:
            netns.stop_dropping(self.layout.namespace(host))

    def stop_postgres(self, host: int) -> None:
        """A clean, fast shutdown: sessions are ended, and the WAL written so far is
        sent to the replicas before the server exits."""
        services.pg_ctl(self.layout.pg_data(host), "stop", "-m", "fast")
        self._reap()

    def promote_postgres(self, host: int) -> None:
        services.pg_ctl(self.layout.pg_data(host), "promote")

    # Looking at it

    def balancer_states(self) -> dict[str, str]:
        """Each host's state as haproxy sees it (UP, DOWN, ...)."""
        return services.haproxy_states(self.layout.folder / "haproxy.sock")

    def wait_balanced(self, hosts: tuple[int, ...], timeout: float = START_SECONDS) -> None:
        """Until the balancer has exactly ``hosts`` UP."""
        want = {f"h{h}" for h in hosts}
        self._wait(
            f"the balancer to send to {sorted(want)}",
            lambda: {s for s, st in self.balancer_states().items() if st == "UP"} == want,
            timeout,
        )

    def wait_host_balanced(self, host: int, timeout: float = START_SECONDS) -> None:
        """Until the balancer sends to ``host`` (whatever the others' state)."""

        def up() -> bool:
            return self.balancer_states().get(f"h{host}") == "UP"

        self._wait(f"the balancer to send to h{host}", up, timeout)

    def pg_query(self, host: int, sql: str) -> str:
        done = subprocess.run(
            ["psql", "-h", self.layout.address(host), "-U", "postgres", "-d", "roost", "-Atc", sql],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout.strip()

    def wait_replica_streaming(self, timeout: float = START_SECONDS) -> None:
        """Until the replica streams from the primary and has replayed all it wrote."""

        def caught_up() -> bool:
            lsn = self.pg_query(PRIMARY_HOST, "SELECT pg_current_wal_lsn()")
            replayed = self.pg_query(
                PRIMARY_HOST,
                "SELECT count(*) FROM pg_stat_replication"
                f" WHERE state = 'streaming' AND replay_lsn >= '{lsn}'",
            )
            return replayed == "1"

        self._wait("the PostgreSQL replica to catch up", caught_up, timeout)

    def status(self) -> str:
        layout = self.layout
        redis = "Redis Cluster" if self.cluster else "one Redis"
        lines = [f"{layout.name}: {redis}, the balancer at {self.base_url}"]
        with contextlib.suppress(OSError):
            lines.append(f"  balancer: {self.balancer_states()}")
        for host in HOSTS:
            namespace = layout.namespace(host)
            lines.append(f"  h{host} {layout.address(host)} ({namespace}):")
            with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
                recovering = self.pg_query(host, "SELECT pg_is_in_recovery()")
                lines.append(f"    postgres: {'replica' if recovering == 't' else 'primary'}")
            for port in self.redis_nodes(host):
                with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
                    role = services.redis_cli(layout.address(host), port, "ROLE").split()[0]
                    lines.append(f"    redis :{port}: {role}")
            lines.append(f"    roost serve ready: {self._ready(self.host_url(host))}")
            for pid in netns.pids(namespace):
                lines.append(f"    {pid:>7} {netns.command_line(pid)[:100]}")
        return "\n".join(lines)

    # Tearing it down

    def down(self) -> None:
        """Stop every process of the slot, remove its namespaces, bridge and files.
        Safe to run on anything: a half-built or already removed topology. PostgreSQL
        stops first (immediate: the data is thrown away), then the rest gets SIGTERM,
        and SIGKILL after 10 s."""
        layout = self.layout
        spaces = [n for n in netns.namespaces() if n.startswith(f"{layout.name}-")]
        running = [pid for space in spaces for pid in netns.pids(space)]
        for host in HOSTS:  # only a postmaster that runs on our hosts (no reused pid)
            if _postmaster(layout.pg_data(host)) in running:
                with contextlib.suppress(subprocess.CalledProcessError):
                    services.pg_ctl(layout.pg_data(host), "stop", "-m", "immediate")
        running = [pid for space in spaces for pid in netns.pids(space)]
        balancer = self._balancer_pid()
        if balancer is not None:
            running.append(balancer)
        netns.signal_all(running, signal.SIGTERM)
        netns.signal_all(netns.wait_gone(running, 10), signal.SIGKILL)
        netns.wait_gone(running, 10)
        # A process killed a moment ago may still be ending (a loaded machine has taken
        # longer than the waits above): collect each child, so none is left running.
        for popen in self.children:
            try:
                popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
        self.children = []
        for host in HOSTS:  # a PostgreSQL killed outright leaves its shared memory
            segment = _postmaster(layout.pg_data(host), line=6, field=1)
            if segment is not None:
                netns.remove_segment(segment)
        for space in spaces:
            netns.delete_namespace(space, link=space)
        netns.delete_bridge(layout.bridge)
        shutil.rmtree(layout.folder, ignore_errors=True)

    def _balancer_pid(self) -> int | None:
        """The haproxy ``up`` started, if it still runs (checked by its command line,
        so a reused pid is never signalled)."""
        with contextlib.suppress(OSError, ValueError):
            pid = int((self.layout.folder / "haproxy.pid").read_text())
            if str(self.layout.folder / "haproxy.cfg") in netns.command_line(pid):
                return pid
        return None

    # Plumbing

    def _spawn(
        self, host: int | None, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` on ``host`` (None: this machine), its output in a log file."""
        folder = self.layout.folder if host is None else self.layout.host_folder(host)
        if host is not None:
            argv = ["ip", "netns", "exec", self.layout.namespace(host), *argv]
        with (folder / f"{name}.log").open("ab") as log:
            popen = subprocess.Popen(
                argv,
                env=env,
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.children.append(popen)
        return popen

    def _run_on(self, host: int, argv: list[str]) -> None:
        namespace = self.layout.namespace(host)
        subprocess.run(
            ["ip", "netns", "exec", namespace, *argv], check=True, capture_output=True, cwd="/"
        )

    def _reap(self) -> None:
        """Collect the exit status of children that ended (no zombies left)."""
        for popen in self.children:
            popen.poll()
        self.children = [p for p in self.children if p.returncode is None]

    def _wait(self, what: str, check: Callable[[], bool], timeout: float = START_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if check():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"waited {timeout:.0f} s for {what}; logs in {self.layout.folder}")

    def _pong(self, host: int, port: int) -> bool:
        return services.redis_cli(self.layout.address(host), port, "PING").strip() == "PONG"

    def _pg_ready(self, host: int) -> bool:
        argv = [str(services.PG_BIN / "pg_isready"), "-h", self.layout.address(host), "-q"]
        return subprocess.run(argv, capture_output=True).returncode == 0

    @staticmethod
    def _ready(url: str) -> bool:
        try:
            return httpx.get(f"{url}/health/ready", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def logs(self, lines: int = 20) -> str:
        """The last lines of every log, to show when something failed."""
        out = []
        for log in sorted(self.layout.folder.glob("**/*.log")):
            with contextlib.suppress(OSError):
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {log.relative_to(self.layout.folder)}\n" + "\n".join(tail))
        return "\n".join(out)


def _postmaster(data: Path, line: int = 0, field: int = 0) -> int | None:
    """A number from postmaster.pid (the server's pid; line 7 holds its shared memory
    key and id), or None without one."""
    try:
        return int((data / "postmaster.pid").read_text().splitlines()[line].split()[field])
    except (OSError, IndexError, ValueError):
        return None
