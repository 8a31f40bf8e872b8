#!/usr/bin/python3
"""Mesos stand-in for the twister2-cluster lab: NOT Apache Mesos.

Installed as /usr/sbin/mesos-master and /usr/sbin/mesos-agent (the name it is started under picks
the role). It behaves like Mesos 1.11 where the project's program and tests look: flags (command
line and MESOS_* environment), leader election through ZooKeeper (json.info_ znodes), the HTTP
endpoints /master/health, /master/redirect, /master/state, /metrics/snapshot and the agent's /state,
agent registration with optional authentication, and the docker containerizer start-up check.
It runs no tasks. Agents talk to masters over a private HTTP protocol (/standin/agent/*).
"""

import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "1.11.0"
SHARE_DIR = os.environ.get("MESOS_STANDIN_SHARE", "/usr/share/mesos-standin")
HEARTBEAT_SECS = 5
INACTIVE_AFTER_SECS = 20
# Mesos marks an agent unreachable after agent_ping_timeout (15 s) * max_agent_ping_timeouts (5).
UNREACHABLE_AFTER_SECS = 75

BOOLEAN_FLAGS = {
    "master": {
        "authenticate_agents", "authenticate_frameworks", "authenticate_http_frameworks",
        "authenticate_http_readonly", "authenticate_http_readwrite", "filter_gpu_resources",
        "hostname_lookup", "log_auto_initialize", "memory_profiling", "publish_per_framework_metrics",
        "registry_strict", "require_agent_domain", "root_submissions", "version",
    },
    "agent": {
        "authenticate_http_executors", "authenticate_http_readonly", "authenticate_http_readwrite",
        "cgroups_cpu_enable_pids_and_tids_count", "cgroups_enable_cfs", "cgroups_limit_swap",
        "check_agent_port_range_only", "disallow_sharing_agent_ipc_namespace",
        "disallow_sharing_agent_pid_namespace", "docker_ignore_runtime", "docker_kill_orphans",
        "docker_volume_chown", "egress_unique_flow_per_container", "enforce_container_disk_quota",
        "enforce_container_ports", "gc_non_executor_container_sandboxes", "host_path_volume_force_creation",
        "hostname_lookup", "http_command_executor", "memory_profiling", "network_cni_root_dir_persist",
        "network_enable_snmp_statistics", "network_enable_socket_statistics_details",
        "network_enable_socket_statistics_summary", "recover", "revocable_cpu_low_priority", "strict",
        "switch_user", "systemd_enable_support", "version", "xfs_kill_containers",
    },
    "common": {"quiet", "initialize_driver_logging", "help"},
}

# Defaults shown in the "flags" of /state (a selection of Mesos 1.11's).
DEFAULTS = {
    "master": {
        "port": "5050", "registry": "replicated_log", "hostname_lookup": "true",
        "authenticate_agents": "false", "authenticate_frameworks": "false", "zk_session_timeout": "10secs",
        "agent_ping_timeout": "15secs", "max_agent_ping_timeouts": "5", "allocation_interval": "1secs",
        "logging_level": "INFO", "log_auto_initialize": "true", "root_submissions": "true",
        "authenticators": "crammd5", "registry_strict": "false", "quiet": "false", "version": "false",
        "help": "false",
    },
    "agent": {
        "port": "5051", "containerizers": "mesos", "executor_registration_timeout": "1mins",
        "docker": "docker", "docker_socket": "/var/run/docker.sock", "isolation": "posix/cpu,posix/mem",
        "hostname_lookup": "true", "authenticatee": "crammd5", "strict": "true", "recover": "reconnect",
        "switch_user": "true", "logging_level": "INFO", "quiet": "false", "version": "false", "help": "false",
        "runtime_dir": "/var/run/mesos", "launcher": "posix", "zk_session_timeout": "10secs",
    },
}

log = logging.getLogger("mesos stand-in")
stopping = threading.Event()


class FlagError(Exception):
    pass


def fatal(message):
    log.error("%s", message)
    sys.exit(1)


# --- flags ------------------------------------------------------------------------------------------

def flag_names(role):
    names = set()
    for part in (role, "common"):
        with open(os.path.join(SHARE_DIR, f"{part}-flags.txt")) as f:
            names.update(line.strip() for line in f if line.strip() and not line.startswith("#"))
    return names


def parse_flags(role, argv, environ):
    """Stout's rules: --name=value, --name, --no-name; MESOS_<NAME>; the command line wins."""
    known = flag_names(role)
    booleans = (BOOLEAN_FLAGS[role] | BOOLEAN_FLAGS["common"]) & known
    given = {}  # name as written (may start with "no-") -> value or None
    for arg in argv:
        if not arg.startswith("--"):
            continue  # Mesos ignores positional arguments too
        name, sep, value = arg[2:].partition("=")
        if name in given:
            raise FlagError(f"Duplicate flag '{name}' on command line")
        given[name] = value if sep else None
    for key, value in environ.items():
        if key.startswith("MESOS_"):
            name = key[len("MESOS_"):].lower()
            if name in known and name not in given and "no-" + name not in given:
                given[name] = value

    flags = {}
    for name, value in given.items():
        negated = name.startswith("no-")
        flag = name[3:] if negated else name
        if flag not in known:
            raise FlagError(f"Failed to load unknown flag '{flag}'" + (f" via '{name}'" if negated else ""))
        if flag not in booleans:
            if negated:
                raise FlagError(f"Failed to load non-boolean flag '{flag}' via '{name}'")
            if value is None:
                raise FlagError(f"Failed to load non-boolean flag '{flag}': Missing value")
        elif value is None or value == "":
            value = "false" if negated else "true"
        elif negated:
            raise FlagError(f"Failed to load boolean flag '{flag}' via '{name}' with value '{value}'")
        elif value not in ("true", "false", "1", "0"):
            raise FlagError(f"Failed to load flag '{flag}': Failed to parse '{value}' as a boolean")
        if flag in booleans:
            value = "true" if value in ("true", "1") else "false"
        flags[flag] = value
    return flags


def flag_bool(flags, name):
    return flags.get(name) == "true"


def flag_int(flags, name, default):
    value = flags.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise FlagError(f"Failed to load flag '{name}': Failed to parse '{value}' as an integer") from None


def read_path_value(value):
    """A flag value naming a file: 'file:///path' or '/path'."""
    path = value[len("file://"):] if value.startswith("file://") else value
    with open(path) as f:
        return f.read()


def parse_credentials(text):
    """JSON {"credentials":[{"principal","secret"}]} / {"principal","secret"}, or 'principal secret' lines."""
    text = text.strip()
    if text.startswith("{"):
        data = json.loads(text)
        entries = data.get("credentials", [data] if "principal" in data else [])
        return [(str(c["principal"]), str(c.get("secret", ""))) for c in entries]
    creds = []
    for line in text.splitlines():
        parts = line.split()
        if parts:
            creds.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return creds


def parse_zk(url):
    """zk://[user:pass@]host:port,host:port/path -> (hosts, path, auth)."""
    if url.startswith("file://"):
        url = read_path_value(url).strip()
    if not url.startswith("zk://"):
        raise FlagError(f"Failed to parse '{url}': Expecting 'zk://' at the beginning of the URL")
    rest = url[len("zk://"):]
    auth = None
    if "@" in rest.split("/", 1)[0]:
        auth, rest = rest.split("@", 1)
    hosts, slash, path = rest.partition("/")
    if not hosts or not slash or not path.strip("/"):
        raise FlagError(f"Failed to parse '{url}': expecting zk://host:port[,host:port...]/path")
    return hosts, "/" + path.strip("/"), auth


def resolve_ip(flags):
    if flags.get("ip"):
        return flags["ip"]
    try:
        return socket.gethostbyname(flags.get("hostname") or socket.gethostname())
    except OSError:
        return "127.0.0.1"


def ip_as_uint32(ip):
    # MasterInfo.ip holds the address in network byte order, read as a (little-endian) host uint32.
    return struct.unpack("<I", socket.inet_aton(ip))[0]


# --- ZooKeeper ----------------------------------------------------------------------------------------

def zk_client(url):
    from kazoo.client import KazooClient  # imported late so that flag errors need no kazoo

    hosts, path, auth = parse_zk(url)
    client = KazooClient(hosts=hosts, timeout=10.0,
                         auth_data=[("digest", auth)] if auth else None,
                         connection_retry={"max_tries": -1, "max_delay": 5})
    while not stopping.is_set():
        try:
            client.start(timeout=15)
            break
        except Exception as e:  # kazoo raises its own timeout type
            log.warning("still waiting for ZooKeeper at %s: %s", hosts, e)
    return client, path


def contenders(client, path, children):
    """The masters' MasterInfo in election order (lowest sequence number first)."""
    infos = []
    for child in sorted((c for c in children if c.startswith("json.info_")), key=lambda c: c[-10:]):
        try:
            data, _ = client.get(f"{path}/{child}")
            infos.append((child, json.loads(data.decode())))
        except Exception:  # gone meanwhile, or not JSON
            continue
    return infos


def http_json(url, body=None, timeout=5):
    """GET (or POST body) a JSON endpoint; returns (status, parsed body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None


# --- HTTP -------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = "mesos-standin/" + VERSION
    routes = {}  # (method, path) -> function(handler, body) -> (status, body, headers)

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        log.debug("http %s", format % args)

    def handle_one(self, method):
        path = self.path.split("?", 1)[0]
        route = self.routes.get((method, path))
        if route is None:
            self.reply(404, {"error": f"no such endpoint {path}", "standin": True})
            return
        body = None
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self.reply(400, {"error": "body is not JSON"})
                return
        self.reply(*route(body))

    def reply(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body, indent=None).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        self.handle_one("GET")

    def do_HEAD(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")


def serve_http(bind_ip, port, routes):
    handler = type("RoleHandler", (Handler,), {"routes": routes})
    try:
        server = ThreadingHTTPServer((bind_ip, port), handler)
    except OSError as e:
        fatal(f"Failed to initialize: Failed to bind on {bind_ip}:{port}: {e.strerror}")
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    return server


# --- master -----------------------------------------------------------------------------------------

class Master:
    def __init__(self, flags):
        self.flags = flags
        self.lock = threading.Lock()
        self.port = flag_int(flags, "port", 5050)
        self.ip = resolve_ip(flags)
        self.hostname = flags.get("hostname") or socket.gethostname()
        self.quorum = flag_int(flags, "quorum", 1)
        self.start_time = time.time()
        self.info = {
            "id": str(uuid.uuid4()), "pid": f"master@{self.ip}:{self.port}", "port": self.port,
            "hostname": self.hostname, "ip": ip_as_uint32(self.ip),
            "address": {"hostname": self.hostname, "ip": self.ip, "port": self.port}, "version": VERSION,
        }
        self.credentials = None
        if flags.get("credentials"):
            try:
                self.credentials = parse_credentials(read_path_value(flags["credentials"]))
            except (OSError, ValueError, KeyError) as e:
                fatal(f"Failed to load credentials from '{flags['credentials']}': {e}")
        if flag_bool(flags, "authenticate_agents") and self.credentials is None:
            fatal("Agent authentication requires a credentials file (--credentials) (mesos stand-in)")
        self.leader = self.info if "zk" not in flags else None  # without --zk a master leads alone
        self.elected_time = time.time() if self.leader else None
        self.agents = {}  # id -> agent record
        self.my_node = None

    # Called by kazoo whenever the contenders change.
    def on_children(self, client, path, children):
        infos = contenders(client, path, children)
        leader = infos[0][1] if infos and len(infos) >= self.quorum else None
        with self.lock:
            was_leading = self.leading()
            old = self.leader
            self.leader = leader
            if self.leading() and not was_leading:
                self.agents.clear()
                self.elected_time = time.time()
                log.info("Elected as the leading master! (mesos stand-in master %s)", self.info["pid"])
            elif was_leading and not self.leading():
                self.agents.clear()
                log.warning("No longer the leading master (mesos stand-in)")
        if (old or {}).get("id") != (leader or {}).get("id"):
            if leader:
                log.info("The newly elected leader is %s with id %s", leader["pid"], leader["id"])
            else:
                log.info("No elected leader: %d of %d masters (quorum) registered in ZooKeeper",
                         len(infos), self.quorum)

    def leading(self):
        return self.leader is not None and self.leader.get("id") == self.info["id"]

    def run(self):
        routes = {
            ("GET", "/master/health"): lambda _: (200, None),
            ("GET", "/health"): lambda _: (200, None),
            ("GET", "/master/redirect"): self.redirect,
            ("GET", "/redirect"): self.redirect,
            ("GET", "/metrics/snapshot"): self.metrics,
            ("GET", "/version"): lambda _: (200, {"version": VERSION, "standin": True}),
            ("POST", "/standin/agent/register"): self.register_agent,
            ("POST", "/standin/agent/unregister"): self.unregister_agent,
        }
        for path in ("/master/state", "/master/state.json", "/state", "/state.json"):
            routes[("GET", path)] = self.state
        bind_ip = self.flags.get("ip", "0.0.0.0")
        serve_http(bind_ip, self.port, routes)
        log.info("Mesos stand-in master %s (version %s) listening on %s:%d", self.info["pid"], VERSION,
                 bind_ip, self.port)

        client = None
        if "zk" in self.flags:
            client, path = zk_client(self.flags["zk"])
            if stopping.is_set():
                return 0

            def on_state(state):
                if state == "LOST" and not stopping.is_set():
                    log.error("Lost the ZooKeeper session; committing suicide! (mesos stand-in)")
                    os._exit(1)  # systemd restarts us (Restart=on-failure), as with Mesos
            client.add_listener(on_state)
            self.my_node = client.create(f"{path}/json.info_", json.dumps(self.info).encode(),
                                         ephemeral=True, sequence=True, makepath=True)
            log.info("Contending for leadership as %s in ZooKeeper", self.my_node)
            client.ChildrenWatch(path, lambda children: self.on_children(client, path, children))
        while not stopping.wait(1):
            self.expire_agents()
        log.info("Mesos stand-in master terminating")
        if client is not None:
            client.stop()  # the ephemeral znode goes with the session
            client.close()
        return 0

    def expire_agents(self):
        now = time.time()
        with self.lock:
            for agent_id, agent in list(self.agents.items()):
                age = now - agent["last_seen"]
                if age > UNREACHABLE_AFTER_SECS:
                    log.warning("Agent %s (%s) unreachable; removing it", agent_id, agent["hostname"])
                    del self.agents[agent_id]
                elif age > INACTIVE_AFTER_SECS and agent["active"]:
                    log.warning("Agent %s (%s) missed its heartbeats; deactivating", agent_id, agent["hostname"])
                    agent["active"] = False

    def leader_location(self, path=""):
        return {"Location": f"//{self.leader['hostname']}:{self.leader['port']}{path}"}

    def redirect(self, _body):
        with self.lock:
            if self.leader is None:
                return 503, {"error": "No leading master", "standin": True}
            return 307, None, self.leader_location()

    def state(self, _body):
        with self.lock:
            if self.leader is None:
                return 503, {"error": "No leading master", "standin": True}
            if not self.leading():
                return 307, None, self.leader_location("/master/state")
            slaves = [self.agent_json(a) for a in self.agents.values()]
            active = sum(1 for a in slaves if a["active"])
            state = {
                "version": VERSION, "standin": True, "id": self.info["id"], "pid": self.info["pid"],
                "hostname": self.hostname, "start_time": self.start_time, "elected_time": self.elected_time,
                "leader": self.leader["pid"], "leader_info": self.leader,
                "activated_slaves": active, "deactivated_slaves": len(slaves) - active,
                "unreachable_slaves": 0, "slaves": slaves, "frameworks": [], "completed_frameworks": [],
                "unregistered_frameworks": [], "orphan_tasks": [],
                "flags": {**DEFAULTS["master"], **self.flags},
            }
            if "cluster" in self.flags:
                state["cluster"] = self.flags["cluster"]
            return 200, state

    @staticmethod
    def agent_json(agent):
        keys = ("id", "pid", "hostname", "port", "resources", "attributes", "active", "version",
                "registered_time")
        agent_json = {k: agent[k] for k in keys}
        agent_json.update(used_resources={"cpus": 0, "mem": 0, "disk": 0, "gpus": 0},
                          offered_resources={"cpus": 0, "mem": 0, "disk": 0, "gpus": 0},
                          unreserved_resources=agent["resources"], reserved_resources={}, capabilities=[])
        return agent_json

    def metrics(self, _body):
        with self.lock:
            active = sum(1 for a in self.agents.values() if a["active"])
            return 200, {
                "master/elected": 1.0 if self.leading() else 0.0,
                "master/uptime_secs": time.time() - self.start_time,
                "master/slaves_active": float(active),
                "master/slaves_inactive": float(len(self.agents) - active),
                "master/slaves_connected": float(active),
                "master/slaves_disconnected": float(len(self.agents) - active),
                "master/frameworks_active": 0.0,
                "master/tasks_running": 0.0,
            }

    def register_agent(self, body):
        agent_id = str(body.get("id", ""))
        with self.lock:
            if not self.leading():
                return 503, {"error": "not the leading master", "leader": (self.leader or {}).get("pid")}
            principal, secret = body.get("principal"), body.get("secret")
            if flag_bool(self.flags, "authenticate_agents") or (principal and self.credentials is not None):
                if (principal, secret) not in [tuple(c) for c in self.credentials or []]:
                    log.warning("Authentication of agent %s (%s) with principal '%s' refused",
                                agent_id, body.get("hostname"), principal)
                    return 403, {"error": "refused authentication", "master": self.info["pid"]}
            now = time.time()
            agent = self.agents.get(agent_id)
            if agent is None:
                log.info("Registered agent %s at %s (%s)", agent_id, body.get("pid"), body.get("hostname"))
                agent = self.agents[agent_id] = {"registered_time": now}
            elif not agent["active"]:
                log.info("Re-registered agent %s at %s (%s)", agent_id, body.get("pid"), body.get("hostname"))
            agent.update(id=agent_id, pid=body.get("pid"), hostname=body.get("hostname"), port=body.get("port"),
                         resources=body.get("resources", {}), attributes=body.get("attributes", {}),
                         version=VERSION, active=True, last_seen=now)
            return 200, {"registered": True, "master": self.info}

    def unregister_agent(self, body):
        with self.lock:
            agent = self.agents.pop(str(body.get("id", "")), None)
        if agent:
            log.info("Agent %s (%s) shut down; removed", agent["id"], agent["hostname"])
        return 200, {"removed": agent is not None}


def master_main(flags):
    if "work_dir" not in flags:
        fatal("--work_dir needed for replicated log based registry")
    if "zk" in flags:
        parse_zk(flags["zk"])
        if "quorum" not in flags:
            fatal("Need to specify --quorum for replicated log based registry when using ZooKeeper")
        if flag_int(flags, "quorum", 1) < 1:
            fatal("--quorum must be positive")
    os.makedirs(flags["work_dir"], exist_ok=True)
    return Master(flags).run()


# --- agent ------------------------------------------------------------------------------------------

def parse_attributes(text):
    attributes = {}
    for item in filter(None, (s.strip() for s in text.split(";"))):
        key, _, value = item.partition(":")
        try:
            attributes[key] = float(value) if "." in value else int(value)
        except ValueError:
            attributes[key] = value
    return attributes


def default_resources(work_dir):
    with open("/proc/meminfo") as f:
        mem_mb = next(int(line.split()[1]) // 1024 for line in f if line.startswith("MemTotal:"))
    disk = os.statvfs(work_dir)
    disk_mb = disk.f_bavail * disk.f_frsize // (1024 * 1024)
    # As Mesos: leave 1 GB (or half) of memory and 5 GB (or half) of disk to the system.
    return {
        "cpus": float(os.cpu_count() or 1),
        "mem": float(mem_mb - min(1024, mem_mb // 2)),
        "disk": float(disk_mb - min(5120, disk_mb // 2)),
        "ports": "[31000-32000]",
    }


def parse_resources(text, work_dir):
    resources = default_resources(work_dir)
    text = text.strip()
    if text.startswith("["):  # the JSON form: [{"name","type","scalar":{"value"}} ...]
        for r in json.loads(text):
            if "scalar" in r:
                resources[r["name"]] = float(r["scalar"]["value"])
            elif "ranges" in r:
                ranges = ",".join(f"{x['begin']}-{x['end']}" for x in r["ranges"]["range"])
                resources[r["name"]] = f"[{ranges}]"
        return resources
    for item in filter(None, (s.strip() for s in text.split(";"))):
        name, _, value = item.partition(":")
        name = name.split("(")[0]  # drop a role: cpus(role):2
        try:
            resources[name] = float(value)
        except ValueError:
            resources[name] = value
    return resources


def agent_id_from(work_dir):
    """The agent's id, kept in <work_dir>/meta/slaves/latest (a symlink, as Mesos keeps it)."""
    slaves = os.path.join(work_dir, "meta", "slaves")
    latest = os.path.join(slaves, "latest")
    if os.path.islink(latest):
        return os.path.basename(os.readlink(latest))
    agent_id = f"{uuid.uuid4()}-S0"
    os.makedirs(os.path.join(slaves, agent_id), exist_ok=True)
    os.symlink(agent_id, latest)
    return agent_id


def check_docker(flags):
    docker = flags.get("docker", "docker")
    socket_path = flags.get("docker_socket", "/var/run/docker.sock")
    command = [docker, "-H", f"unix://{socket_path}", "version"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=20)
        error = None if result.returncode == 0 else (result.stderr.strip() or f"exit status {result.returncode}")
    except FileNotFoundError:
        error = f"Failed to execute '{' '.join(command)}': {docker} not found"
    except subprocess.TimeoutExpired:
        error = f"'{' '.join(command)}' did not finish within 20 secs"
    if error:
        fatal("Failed to create a containerizer: Could not create DockerContainerizer: "
              f"Failed to create docker: Failed to get docker version: {error}")


class Agent:
    def __init__(self, flags):
        self.flags = flags
        self.work_dir = flags["work_dir"]
        self.port = flag_int(flags, "port", 5051)
        self.ip = resolve_ip(flags)
        self.hostname = flags.get("hostname") or socket.gethostname()
        self.pid = f"slave(1)@{self.ip}:{self.port}"
        self.principal = self.secret = None
        if flags.get("credential"):
            try:
                creds = parse_credentials(read_path_value(flags["credential"]))
            except (OSError, ValueError, KeyError) as e:
                fatal(f"Failed to load credential from '{flags['credential']}': {e}")
            if not creds:
                fatal(f"Empty credential file '{flags['credential']}'")
            self.principal, self.secret = creds[0]
        os.makedirs(self.work_dir, exist_ok=True)
        self.id = agent_id_from(self.work_dir)
        self.resources = parse_resources(flags.get("resources", ""), self.work_dir)
        self.attributes = parse_attributes(flags.get("attributes", ""))
        self.start_time = time.time()
        self.candidate = None  # the master to register with: {"pid","hostname","url"}
        self.registered_with = None  # MasterInfo of the master that accepted us
        self.changed = threading.Event()
        self.lock = threading.Lock()

    def state(self, _body):
        with self.lock:
            master = self.registered_with
        return 200, {
            "version": VERSION, "standin": True, "id": self.id, "pid": self.pid, "hostname": self.hostname,
            "start_time": self.start_time, "master_hostname": master["hostname"] if master else None,
            "resources": self.resources, "attributes": self.attributes,
            "flags": {**DEFAULTS["agent"], **self.flags},
            "frameworks": [], "completed_frameworks": [], "capabilities": [],
        }

    def on_children(self, client, path, children):
        infos = contenders(client, path, children)
        candidate = None
        if infos:
            info = infos[0][1]
            address = info.get("address", {})
            candidate = {"pid": info["pid"], "url": f"http://{address.get('ip', '')}:{info['port']}"}
        with self.lock:
            self.candidate = candidate
        self.changed.set()

    def register(self):
        with self.lock:
            candidate = self.candidate
        if candidate is None:
            return False
        body = {"id": self.id, "pid": self.pid, "hostname": self.hostname, "port": self.port,
                "resources": self.resources, "attributes": self.attributes,
                "principal": self.principal, "secret": self.secret}
        try:
            status, reply = http_json(candidate["url"] + "/standin/agent/register", body)
        except (OSError, ValueError) as e:
            log.debug("registering with %s failed: %s", candidate["pid"], e)
            return False
        if status == 403:
            log.error("Master %s refused authentication", candidate["pid"])
            sys.stderr.flush()
            os._exit(1)  # as Mesos: EXIT(EXIT_FAILURE)
        if status != 200:
            return False
        master = reply["master"]
        with self.lock:
            if (self.registered_with or {}).get("id") != master["id"]:
                log.info("Registered with master %s; given agent ID %s (mesos stand-in)", master["pid"], self.id)
            self.registered_with = master
        return True

    def run(self):
        if "docker" in self.flags.get("containerizers", "mesos").split(","):
            check_docker(self.flags)
        routes = {("GET", "/health"): lambda _: (200, None)}
        for path in ("/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json"):
            routes[("GET", path)] = self.state
        bind_ip = self.flags.get("ip", "0.0.0.0")
        serve_http(bind_ip, self.port, routes)
        log.info("Mesos stand-in agent %s (version %s, id %s) listening on %s:%d", self.pid, VERSION,
                 self.id, bind_ip, self.port)

        client = None
        master = self.flags["master"]
        if master.startswith("file://"):
            master = read_path_value(master).strip()
        if master.startswith("zk://"):
            client, path = zk_client(master)
            if stopping.is_set():
                return 0
            client.ensure_path(path)
            client.ChildrenWatch(path, lambda children: self.on_children(client, path, children))
        else:
            host = master.split("@")[-1]
            self.candidate = {"pid": f"master@{host}", "url": f"http://{host}"}

        next_heartbeat = 0.0
        while not stopping.is_set():
            if self.changed.is_set() or time.time() >= next_heartbeat:
                self.changed.clear()
                ok = self.register()
                if not ok:
                    with self.lock:
                        self.registered_with = None
                next_heartbeat = time.time() + (HEARTBEAT_SECS if ok else 1)
            self.changed.wait(0.5)
        log.info("Mesos stand-in agent terminating")
        with self.lock:
            master_info = self.registered_with
        if master_info:
            address = master_info["address"]
            try:
                http_json(f"http://{address['ip']}:{address['port']}/standin/agent/unregister",
                          {"id": self.id}, timeout=2)
            except OSError:
                pass
        if client is not None:
            client.stop()
            client.close()
        return 0


def agent_main(flags):
    if "master" not in flags:
        fatal("Missing required option --master")
    if "work_dir" not in flags:
        fatal("Flag 'work_dir' is required, but it was not provided")
    return Agent(flags).run()


def main():
    program = os.path.basename(sys.argv[0])
    role = "agent" if "agent" in program or "slave" in program else "master"
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format=f"%(levelname).1s mesos stand-in {role}: %(message)s")
    logging.getLogger("kazoo").setLevel(logging.WARNING)
    try:
        flags = parse_flags(role, sys.argv[1:], os.environ)
    except FlagError as e:
        print(f"Failed to load flags: {e}", file=sys.stderr)
        print(f"\nUsage: mesos-{role} [options] (mesos stand-in; accepted flags: "
              f"{SHARE_DIR}/{role}-flags.txt, {SHARE_DIR}/common-flags.txt)", file=sys.stderr)
        return 1
    if flag_bool(flags, "help"):
        print(f"Usage: mesos-{role} [options] (mesos stand-in for the twister2-cluster lab)")
        return 0
    if flag_bool(flags, "version"):
        print(f"mesos {VERSION} (stand-in)")
        return 0

    def on_term(signum, _frame):
        log.info("Received signal %s; shutting down", signal.Signals(signum).name)
        stopping.set()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        return master_main(flags) if role == "master" else agent_main(flags)
    except FlagError as e:
        fatal(f"Failed to load flags: {e}")


if __name__ == "__main__":
    sys.exit(main())
