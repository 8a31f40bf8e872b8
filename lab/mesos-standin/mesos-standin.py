#!/usr/bin/python3
"""Mesos stand-in for the twister2-cluster lab: NOT Apache Mesos.

Installed as /usr/sbin/mesos-master and /usr/sbin/mesos-agent (the name it is started under picks
the role). It behaves like Mesos 1.11 where the project's program, its tests and real clients (pymesos,
avmesos-cli) look: flags (command line and MESOS_* environment), leader election through ZooKeeper (json.info_ znodes),
libprocess's HTTP routing (a path naming no process goes to the delegate, master or slave(1); the longest
matching route answers; 404 where Mesos has no endpoint, 501 where the stand-in lacks one), the endpoints
/master/{health,redirect,state,flags,frameworks,tasks,slaves,state-summary}, /metrics/snapshot, /version,
the agent's /slave(1)/{state,health,flags} and /files/read, agent registration with optional
authentication, and the docker containerizer start-up check. It runs DOCKER tasks that frameworks launch
through the v1 scheduler API (POST /api/v1/scheduler) the way Mesos's Docker containerizer does, and
answers the v1 operator API's read calls (POST /api/v1: GET_HEALTH, GET_VERSION, GET_FLAGS, GET_METRICS,
GET_STATE, GET_TASKS, GET_FRAMEWORKS, GET_EXECUTORS; the master's GET_AGENTS and GET_MASTER, the agent's
GET_CONTAINERS and GET_AGENT) behind the read-write realm's Basic authentication, and the master's
maintenance and drain calls (schedule, machine DOWN/UP, DEACTIVATE/REACTIVATE/DRAIN_AGENT, MARK_AGENT_GONE;
also /master/maintenance/{schedule,status}, /master/machine/{down,up}), kept in the leader's memory; other
calls answer 501 (stand-in). Of the ACLs it enforces register_agents.
Agents talk to masters over a private HTTP protocol (/standin/agent/*), each side taking a message only
from the address it expects the sender at, as Mesos checks a message's libprocess pid.
"""

import base64
import http.client
import json
import logging
import os
import queue
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
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


def basic_principal(header, credentials):
    """The principal of an HTTP Basic `Authorization` header that `credentials` hold, else None."""
    if not header.startswith("Basic "):
        return None
    try:
        principal, _, secret = base64.b64decode(header[len("Basic "):]).decode().partition(":")
    except ValueError:
        return None
    return principal if (principal, secret) in [tuple(c) for c in credentials or []] else None


def readwrite_realm(flags, realm, credentials_flag):
    """Mesos's read-write HTTP realm (mesos-master-readwrite, mesos-agent-readwrite) with the basic
    authenticator: (required, credentials) from --authenticate_http_readwrite and the credentials
    flag (the master's --credentials, which its agents and frameworks share; the agent's --http_credentials)."""
    required = flag_bool(flags, "authenticate_http_readwrite")
    if not flags.get(credentials_flag):
        if required:
            fatal(f"No credentials provided for the default 'basic' HTTP authenticator for realm '{realm}'")
        return required, None
    try:
        credentials = parse_credentials(read_path_value(flags[credentials_flag]))
    except (OSError, ValueError, KeyError) as e:
        fatal(f"{e} (see --{credentials_flag} flag)")
    if not credentials:
        fatal(f"Credentials file must contain at least one credential (see --{credentials_flag} flag)")
    return required, credentials


# The call types of Mesos 1.11's v1 operator API (master.proto / agent.proto): a type outside these fails to
# parse (400), one the stand-in does not answer is 501.
OPERATOR_CALL_TYPES = {
    "master": {"GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_LOGGING_LEVEL", "SET_LOGGING_LEVEL",
               "LIST_FILES", "READ_FILE", "GET_STATE", "GET_AGENTS", "GET_FRAMEWORKS", "GET_EXECUTORS",
               "GET_OPERATIONS", "GET_TASKS", "GET_ROLES", "GET_WEIGHTS", "UPDATE_WEIGHTS", "GET_MASTER", "SUBSCRIBE",
               "RESERVE_RESOURCES", "UNRESERVE_RESOURCES", "CREATE_VOLUMES", "DESTROY_VOLUMES", "GROW_VOLUME",
               "SHRINK_VOLUME", "GET_MAINTENANCE_STATUS", "GET_MAINTENANCE_SCHEDULE", "UPDATE_MAINTENANCE_SCHEDULE",
               "START_MAINTENANCE", "STOP_MAINTENANCE", "DRAIN_AGENT", "DEACTIVATE_AGENT", "REACTIVATE_AGENT",
               "GET_QUOTA", "UPDATE_QUOTA", "SET_QUOTA", "REMOVE_QUOTA", "TEARDOWN", "MARK_AGENT_GONE"},
    "agent": {"GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS", "GET_LOGGING_LEVEL", "SET_LOGGING_LEVEL",
              "LIST_FILES", "READ_FILE", "GET_STATE", "GET_CONTAINERS", "GET_FRAMEWORKS", "GET_EXECUTORS",
              "GET_OPERATIONS", "GET_TASKS", "GET_AGENT", "GET_RESOURCE_PROVIDERS", "LAUNCH_NESTED_CONTAINER",
              "WAIT_NESTED_CONTAINER", "KILL_NESTED_CONTAINER", "REMOVE_NESTED_CONTAINER",
              "LAUNCH_NESTED_CONTAINER_SESSION", "ATTACH_CONTAINER_INPUT", "ATTACH_CONTAINER_OUTPUT",
              "LAUNCH_CONTAINER", "WAIT_CONTAINER", "KILL_CONTAINER", "REMOVE_CONTAINER",
              "ADD_RESOURCE_PROVIDER_CONFIG", "UPDATE_RESOURCE_PROVIDER_CONFIG", "REMOVE_RESOURCE_PROVIDER_CONFIG",
              "MARK_RESOURCE_PROVIDER_GONE", "PRUNE_IMAGES"},
}


def operator_api(realm, flags, credentials_flag, role, calls, not_leading=None):
    """POST /api/v1, Mesos's v1 operator API (JSON), in the read-write realm: 401 without the credentials
    it requires. `calls` maps a call's type to a function(call) returning its answer's body (after "type"),
    or a (status, body) pair for an error. On a master, `not_leading(request)` answers for a master that
    does not lead (Mesos redirects every call to the leader, or 503 without one)."""
    required, credentials = readwrite_realm(flags, realm, credentials_flag)

    def route(request):
        principal = basic_principal(request.headers.get("Authorization", ""), credentials)
        if required and principal is None:
            return 401, None, {"WWW-Authenticate": f'Basic realm="{realm}"'}
        if not_leading is not None:
            answer = not_leading(request)
            if answer is not None:
                return answer
        call = request.body if isinstance(request.body, dict) else {}
        kind = call.get("type")
        which = "master" if role == "master" else "agent"
        if kind is None:
            return 400, {"error": f"Failed to validate {which}::Call: Expecting 'type' to be present"}
        if kind not in OPERATOR_CALL_TYPES[role]:
            return 400, {"error": f"Failed to convert JSON into Call protobuf: Failed to find enum for '{kind}'"}
        if kind not in calls:
            return 501, {"error": f"operator call {kind} is not implemented by the mesos stand-in", "standin": True}
        answer = calls[kind](call)
        if isinstance(answer, tuple):
            return answer
        return 200, {"type": kind, **answer}
    return route


# Build information of /version and GET_VERSION (the stand-in's own; Mesos's git fields it has not).
BUILD_TIME = 1577836800.0
BUILD_DATE = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(BUILD_TIME))


def version_json():
    return {"version": VERSION, "build_date": BUILD_DATE, "build_time": BUILD_TIME, "build_user": "mesos-standin"}


def metrics_list(snapshot):
    return {"metrics": [{"name": k, "value": v} for k, v in sorted(snapshot.items())]}


def operator_calls(effective_flags, metrics):
    """The operator API's calls that masters and agents answer alike."""
    return {
        "GET_HEALTH": lambda _call: {"get_health": {"healthy": True}},
        "GET_VERSION": lambda _call: {"get_version": {"version_info": version_json()}},
        "GET_FLAGS": lambda _call: {"get_flags": {"flags": [{"name": k, "value": v}
                                                            for k, v in sorted(effective_flags().items())]}},
        # GET_METRICS's optional timeout bounds the snapshot's collection; the stand-in's is immediate.
        "GET_METRICS": lambda _call: {"get_metrics": metrics_list(metrics())},
    }


def system_metrics():
    """libprocess's system/* gauges."""
    values = {"system/cpus_total": float(os.cpu_count() or 1)}
    try:
        load = os.getloadavg()
        values.update({"system/load_1min": load[0], "system/load_5min": load[1], "system/load_15min": load[2]})
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f if line.split()[1:]}
        values["system/mem_total_bytes"] = float(info.get("MemTotal", 0))
        values["system/mem_free_bytes"] = float(info.get("MemFree", 0))
    except (OSError, ValueError, IndexError):
        pass
    return values


def resource_metrics(prefix, total, used):
    """<prefix>/{cpus,mem,disk,gpus}_{total,used,percent} and their (always 0) revocable counterparts."""
    values = {}
    for name in SCALARS:
        t, u = total.get(name, 0.0), used.get(name, 0.0)
        values.update({f"{prefix}/{name}_total": t, f"{prefix}/{name}_used": u,
                       f"{prefix}/{name}_percent": u / t if t else 0.0,
                       f"{prefix}/{name}_revocable_total": 0.0, f"{prefix}/{name}_revocable_used": 0.0,
                       f"{prefix}/{name}_revocable_percent": 0.0})
    return values


def v1_resources(values, ports=None, allocated=False):
    """{name: value} (and a ports range string) -> v1 Resource objects as the operator API shows them."""
    resources = []
    for name in SCALARS + tuple(k for k in values if k not in SCALARS):
        value = values.get(name)
        if isinstance(value, (int, float)) and value > 0:
            resources.append({"name": name, "type": "SCALAR", "scalar": {"value": round(float(value), 6)},
                              "role": "*"})
    if ports:
        ranges = [{"begin": int(a), "end": int(b)} for a, b in
                  (part.split("-") for part in ports.strip("[]").split(",") if "-" in part)]
        resources.append({"name": "ports", "type": "RANGES", "ranges": {"range": ranges}, "role": "*"})
    if allocated:
        for r in resources:
            r["allocation_info"] = {"role": "*"}
    return resources


def v1_attributes(attributes):
    out = []
    for k, v in attributes.items():
        if isinstance(v, (int, float)):
            out.append({"name": k, "type": "SCALAR", "scalar": {"value": float(v)}})
        else:
            out.append({"name": k, "type": "TEXT", "text": {"value": str(v)}})
    return out


def time_info(seconds):
    return {"nanoseconds": int(seconds * 1e9)}


def parse_acls(value):
    """--acls: JSON ACLs, inline or in a file (a path or file:// URL)."""
    text = value if value.lstrip().startswith("{") else read_path_value(value)
    try:
        return json.loads(text)
    except ValueError as e:
        fatal(f"Failed to parse ACLs: {e} (see --acls flag)")


def acl_permits(acls, action, object_key, principal):
    """Mesos's local authorizer for one action: the first rule whose principals match decides (its object
    NONE refuses, anything else permits); with none matching, `permissive` (default true) decides."""
    for rule in (acls or {}).get(action, []):
        subject = rule.get("principals") or {}
        matches = (principal in subject["values"]) if "values" in subject else \
            subject.get("type") == "ANY" or (subject.get("type") == "NONE" and not principal)
        if matches:
            return (rule.get(object_key) or {}).get("type") != "NONE"
    return (acls or {}).get("permissive", True)


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
    """A started client, the path, and the ACL Mesos's ZooKeeper group creates znodes with: readable by
    anyone and all the creator's with credentials in the URL (EVERYONE_READ_CREATOR_ALL), else open."""
    from kazoo.client import KazooClient  # imported late so that flag errors need no kazoo
    from kazoo.security import CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE

    hosts, path, auth = parse_zk(url)
    client = KazooClient(hosts=hosts, timeout=10.0,
                         auth_data=[("digest", auth)] if auth else None,
                         default_acl=READ_ACL_UNSAFE + CREATOR_ALL_ACL if auth else OPEN_ACL_UNSAFE,
                         connection_retry={"max_tries": -1, "max_delay": 5})
    while not stopping.is_set():
        try:
            client.start(timeout=15)
            break
        except Exception as e:  # kazoo raises its own timeout type
            log.warning("still waiting for ZooKeeper at %s: %s", hosts, e)
    return client, path


# How often a master and an agent read the contenders again besides the watch's calls: a read that failed
# (the connection lost while ZooKeeper's servers restart) is made again, as Mesos's group retries its reads.
CONTENDERS_READ_SECS = 5.0


def contenders(client, path, children):
    """The masters' MasterInfo in election order (lowest sequence number first); None when a read failed
    for another reason than the znode being gone (the caller keeps what it knew and reads again later: a
    list missing a master that is there would elect another leader)."""
    from kazoo.exceptions import NoNodeError

    infos = []
    for child in sorted((c for c in children if c.startswith("json.info_")), key=lambda c: c[-10:]):
        try:
            data, _ = client.get(f"{path}/{child}")
        except NoNodeError:  # gone meanwhile
            continue
        except Exception as e:  # kazoo's connection and session errors
            log.debug("reading %s/%s failed: %s; reading the contenders again later", path, child, e)
            return None
        try:
            infos.append((child, json.loads(data.decode())))
        except ValueError:  # not a MasterInfo
            continue
    return infos


def keep_reading_contenders(client, path, on_children):
    """Makes the watch's call again every CONTENDERS_READ_SECS, in a thread of its own (a read waits while
    the connection is lost): kazoo's watch calls only when the names change."""
    def read_again():
        while not stopping.wait(CONTENDERS_READ_SECS):
            try:
                on_children(client, path, client.get_children(path))
            except Exception as e:  # no connection now: the next time
                log.debug("reading the contenders of %s failed: %s", path, e)
    threading.Thread(target=read_again, name="contenders", daemon=True).start()


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

class Request:
    """What a route sees of a request: the JSON body (POST), the headers, the query parameters, and the
    path as libprocess hands it to the process (after delegation: `/slaves` -> `/master/slaves`)."""

    def __init__(self, body, headers, query, path="", raw_query="", peer="", body_error=None):
        self.body, self.headers, self.query = body, headers, query
        self.path, self.raw_query, self.peer = path, raw_query, peer
        self.body_error = body_error  # why a POST body is not JSON (routes that take_any_body only)

    def url(self):
        """The path and query, as Mesos's redirect to the leader appends them."""
        return self.path + (f"?{self.raw_query}" if self.raw_query else "")


def takes_any_body(route):
    """Marks a route that judges its body itself (a body that is not JSON reaches it as None, with
    request.body_error), as Mesos's scheduler endpoint checks the Content-Type before parsing."""
    def wrapped(request):
        return route(request)
    wrapped.takes_any_body = True
    return wrapped


class Stream:
    """A route's answer that stays open: RecordIO records (Mesos's "<length>\\n<json>") from `events`,
    sent as HTTP chunks until None arrives or the client goes away (then `on_close` runs). The client's
    going away is seen at once (EOF on the connection), as libprocess sees a closed socket."""

    def __init__(self, headers, events, on_close):
        self.headers, self.events, self.on_close = headers, events, on_close


# The endpoints Mesos 1.11 routes in each libprocess process of the two daemons (names only), so that a
# path the stand-in does not implement answers 501 where Mesos has an endpoint and 404 where it has none.
LIBPROCESS_ENDPOINTS = {
    "metrics": {"snapshot"}, "version": {""}, "files": {"browse", "read", "download", "debug"},
    "logging": {"toggle"}, "profiler": {"start", "stop"}, "system": {"stats.json"}, "help": {""},
    "__processes__": {""}, "memory-profiler": {"start", "stop", "download/raw", "download/text",
                                               "download/graph", "statistics", "state"},
}
DAEMON_ENDPOINTS = {
    "master": {"", "api/v1", "api/v1/scheduler", "create-volumes", "destroy-volumes", "frameworks", "flags", "health",
               "redirect", "reserve", "roles", "teardown", "slaves", "state", "state-summary", "tasks",
               "maintenance/schedule", "maintenance/status", "machine/down", "machine/up", "unreserve", "weights",
               "quota"},
    "slave(1)": {"api/v1", "api/v1/executor", "api/v1/resource_provider", "state", "flags", "health",
                 "monitor/statistics", "containers", "containerizer/debug"},
}


class Handler(BaseHTTPRequestHandler):
    server_version = "mesos-standin/" + VERSION
    protocol_version = "HTTP/1.1"  # chunked streams (the scheduler API) need 1.1
    routes = {}  # (method, path) -> function(Request) -> (status, body[, headers]) or Stream
    delegate = None  # the process that gets paths naming no process: "master" or "slave(1)"

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        log.debug("http %s", format % args)

    def resolve(self, method, path):
        """libprocess's routing: (route or None, path as the process sees it, error answer or None).
        An exact (method, path) of the stand-in's table wins (its aliases and private protocol); else the
        first segment names the process, or the request goes to the delegate (`/state` is
        `/master/state`); within the process the longest route that prefixes the rest answers, a trailing
        `/` not counting (`/master/tasks/` and `/master/tasks/x` are `/master/tasks`)."""
        if "/.." in path:
            return None, path, (404, None)  # libprocess ignores relative paths
        if (method, path) in self.routes:
            return self.routes[(method, path)], path, None
        tokens = [t for t in path.split("/") if t]
        processes = {**LIBPROCESS_ENDPOINTS, self.delegate: DAEMON_ENDPOINTS[self.delegate]}
        if not tokens or tokens[0] not in processes:
            tokens = [self.delegate] + tokens
            path = f"/{self.delegate}{path if path != '/' else ''}"
        process, rest = tokens[0], tokens[1:]
        while True:
            name = "/".join(rest)
            key = f"/{process}/{name}" if name else f"/{process}"
            if (method, key) in self.routes:
                return self.routes[(method, key)], path, None
            if method == "POST" and ("GET", key) in self.routes:
                return self.routes[("GET", key)], path, None  # Mesos's read endpoints ignore the method
            if ("POST", key) in self.routes:
                return None, path, (405, {"error": f"Expecting 'POST', received '{method}'"}, {"Allow": "POST"})
            if name in processes[process]:
                return None, path, (501, {"error": f"{method} {key} is not implemented by the mesos stand-in",
                                          "standin": True})
            if not rest:
                break
            rest = rest[:-1]
            if not rest:
                break  # as libprocess: `/master/x` does not fall back to `/master`
        return None, path, (404, None)

    def handle_one(self, method):
        raw_path, _, query = self.path.partition("?")
        route, path, error = self.resolve(method, urllib.parse.unquote(raw_path))
        body = body_error = None
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            content_type = self.headers.get("Content-Type", "application/json").split(";")[0].strip()
            if route is not None and content_type == "application/x-protobuf":
                self.reply(501, {"error": "the mesos stand-in speaks JSON only (Content-Type: application/json)",
                                 "standin": True})
                return
            if route is not None:
                try:
                    body = json.loads(raw or b"{}")
                except ValueError as e:
                    if not getattr(route, "takes_any_body", False):
                        self.reply(400, {"error": "body is not JSON"})
                        return
                    body_error = str(e)
        if route is None:
            self.reply(*error)
            return
        params = dict(urllib.parse.parse_qsl(query))
        answer = route(Request(body, self.headers, params, path, query, self.client_address[0], body_error))
        if isinstance(answer, Stream):
            self.stream(answer)
        else:
            self.reply(*answer)

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

    def stream(self, answer):
        self.send_response(200)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        try:
            while True:
                try:
                    event = answer.events.get(timeout=0.2)
                except queue.Empty:
                    if self.peer_closed():
                        log.debug("http stream: the client at %s closed the connection", self.client_address[0])
                        break
                    continue
                if event is None:
                    self.wfile.write(b"0\r\n\r\n")
                    break
                data = json.dumps(event).encode()
                record = str(len(data)).encode() + b"\n" + data
                self.wfile.write(f"{len(record):x}\r\n".encode() + record + b"\r\n")
                self.wfile.flush()
        except OSError:
            pass
        finally:
            answer.on_close()

    def peer_closed(self):
        """Whether the client closed its end: the socket reads EOF (or fails). A stream's client sends
        nothing more, so bytes waiting to be read do not count as closing."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def do_GET(self):
        self.handle_one("GET")

    def do_HEAD(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")


def serve_http(bind_ip, port, routes, delegate):
    handler = type("RoleHandler", (Handler,), {"routes": routes, "delegate": delegate})
    try:
        server = ThreadingHTTPServer((bind_ip, port), handler)
    except OSError as e:
        fatal(f"Failed to initialize: Failed to bind on {bind_ip}:{port}: {e.strerror}")
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    return server


# --- resources, tasks and frameworks (shared by master and agent) ---------------------------------

TERMINAL_STATES = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED",
                   "TASK_GONE", "TASK_GONE_BY_OPERATOR"}
SCALARS = ("cpus", "mem", "disk", "gpus")
# Mesos's defaults: Filters.refuse_seconds, the scheduler heartbeat, the status update retry interval.
REFUSE_SECONDS_DEFAULT = 5.0
SCHEDULER_HEARTBEAT_SECS = 15.0
STATUS_RETRY_SECS = 10.0
# The allocator offers nothing smaller (Mesos's MIN_CPUS and MIN_MEM).
MIN_CPUS, MIN_MEM = 0.01, 32.0
# The master/<name> counters of Mesos's master metrics; the stand-in counts the events it has (agent
# registrations and removals, scheduler calls, status updates and acknowledgements), the others stay 0.
MASTER_COUNTERS = (
    "dropped_messages", "http_cache_hits", "messages_register_framework", "messages_reregister_framework",
    "messages_unregister_framework", "messages_deactivate_framework", "messages_kill_task",
    "messages_status_update_acknowledgement", "messages_resource_request", "messages_launch_tasks",
    "messages_decline_offers", "messages_revive_offers", "messages_suppress_offers", "messages_reconcile_operations",
    "messages_reconcile_tasks", "messages_framework_to_executor", "messages_operation_status_update_acknowledgement",
    "messages_executor_to_framework", "messages_register_slave", "messages_reregister_slave",
    "messages_unregister_slave", "messages_status_update", "messages_operation_status_update",
    "messages_exited_executor", "messages_update_slave", "messages_authenticate",
    "valid_framework_to_executor_messages", "invalid_framework_to_executor_messages",
    "valid_executor_to_framework_messages", "invalid_executor_to_framework_messages", "valid_status_updates",
    "invalid_status_updates", "valid_status_update_acknowledgements", "invalid_status_update_acknowledgements",
    "valid_operation_status_updates", "invalid_operation_status_updates",
    "valid_operation_status_update_acknowledgements", "invalid_operation_status_update_acknowledgements",
    "recovery_slave_removals", "slave_registrations", "slave_reregistrations", "slave_removals",
    "slave_removals/reason_unhealthy", "slave_removals/reason_unregistered", "slave_removals/reason_registered",
    "slave_shutdowns_scheduled", "slave_shutdowns_completed", "slave_shutdowns_canceled",
    "slave_unreachable_scheduled", "slave_unreachable_completed", "slave_unreachable_canceled",
)
# /master/tasks's default limit (Mesos's TASK_LIMIT).
TASK_LIMIT = 100


def scalars_of(resources):
    """A Resource list (JSON) -> {name: value} of its scalars."""
    total = {}
    for r in resources or []:
        if r.get("type", "SCALAR") == "SCALAR" and "scalar" in r:
            total[r["name"]] = total.get(r["name"], 0.0) + float(r["scalar"].get("value", 0))
    return total


def scalars_json(values):
    return {name: round(values.get(name, 0.0), 6) for name in SCALARS}


def resource_list(values, ports=None):
    """{name: value} -> a Resource list as offers carry it."""
    resources = [{"name": name, "type": "SCALAR", "scalar": {"value": round(value, 6)}, "role": "*",
                  "allocation_info": {"role": "*"}}
                 for name, value in values.items() if value > 0]
    if ports:
        ranges = [{"begin": int(a), "end": int(b)} for a, b in
                  (part.split("-") for part in ports.strip("[]").split(",") if "-" in part)]
        resources.append({"name": "ports", "type": "RANGES", "ranges": {"range": ranges}, "role": "*",
                          "allocation_info": {"role": "*"}})
    return resources


def value_of(message, field):
    """`{"task_id": {"value": "x"}}` -> "x"."""
    return ((message or {}).get(field) or {}).get("value")


def new_status(task_id, agent_id, state, source, message=None, reason=None, container_status=None,
               acknowledged=True):
    """A TaskStatus; with a uuid (bytes, base64 in JSON) when the framework must acknowledge it."""
    status = {"task_id": {"value": task_id}, "state": state, "source": source, "timestamp": time.time()}
    if agent_id:
        status["agent_id"] = {"value": agent_id}
        status["executor_id"] = {"value": task_id}
    if message:
        status["message"] = message
    if reason:
        status["reason"] = reason
    if container_status:
        status["container_status"] = container_status
    if not acknowledged:
        status["uuid"] = base64.b64encode(uuid.uuid4().bytes).decode()
    return status


class Task:
    def __init__(self, info, framework_id, agent_id):
        self.info = info
        self.id = value_of(info, "task_id")
        self.framework_id, self.agent_id = framework_id, agent_id
        self.resources = scalars_of(info.get("resources"))
        self.state = "TASK_STAGING"
        self.statuses = []
        self.pending = []  # updates sent to the framework and not yet acknowledged, oldest first
        self.last_sent = 0.0
        self.holds_resources = True

    def json(self):
        task = {"id": self.id, "name": self.info.get("name", ""), "framework_id": self.framework_id,
                "executor_id": "", "slave_id": self.agent_id, "agent_id": self.agent_id, "state": self.state,
                "resources": scalars_json(self.resources), "role": "*",
                "statuses": [{k: v for k, v in st.items() if k in ("state", "timestamp", "container_status")}
                             for st in self.statuses]}
        if "container" in self.info:
            task["container"] = self.info["container"]
        return task

    def first_timestamp(self):
        return self.statuses[0]["timestamp"] if self.statuses else None

    def v1_json(self):
        """The task as the v1 operator API shows it (mesos.v1.Task)."""
        task = {"name": self.info.get("name", ""), "task_id": {"value": self.id},
                "framework_id": {"value": self.framework_id}, "agent_id": {"value": self.agent_id},
                "state": self.state, "resources": v1_resources(self.resources, allocated=True),
                "statuses": [{k: v for k, v in st.items() if k != "uuid"} for st in self.statuses]}
        if self.statuses:
            task["status_update_state"] = self.statuses[-1]["state"]
        for field in ("container", "labels", "discovery", "health_check", "kill_policy"):
            if field in self.info:
                task[field] = self.info[field]
        return task


class Framework:
    def __init__(self, framework_id, info):
        self.id = framework_id
        self.info = info
        self.events = None  # the subscriber's stream (queue.Queue), None while disconnected
        self.stream_id = None
        self.registered_time = time.time()
        self.unregistered_time = None
        self.disconnected_at = None
        self.suppressed = False
        self.filters = {}  # agent id -> time until which nothing of it is offered
        self.offers = {}  # offer id -> offer JSON
        self.tasks = {}  # task id -> Task (also terminal ones until their update is acknowledged)
        self.completed_tasks = []
        self.next_heartbeat = 0.0

    def send(self, event):
        if self.events is not None:
            self.events.put(event)

    def used_and_offered(self):
        """The scalars its live tasks hold, and those of its outstanding offers."""
        used, offered = {}, {}
        for task in self.tasks.values():
            if task.holds_resources:
                for k, v in task.resources.items():
                    used[k] = used.get(k, 0.0) + v
        for offer in self.offers.values():
            for k, v in scalars_of(offer["resources"]).items():
                offered[k] = offered.get(k, 0.0) + v
        return used, offered

    def json(self, agents_of_offers=None):
        used, offered = self.used_and_offered()
        return {
            "id": self.id, "name": self.info.get("name", ""), "user": self.info.get("user", ""),
            "hostname": self.info.get("hostname", ""), "webui_url": self.info.get("webui_url", ""),
            "principal": self.info.get("principal", ""), "role": self.info.get("role", "*"),
            "roles": self.info.get("roles", [self.info.get("role", "*")]),
            "failover_timeout": float(self.info.get("failover_timeout", 0)),
            "checkpoint": bool(self.info.get("checkpoint", False)), "capabilities": self.info.get("capabilities", []),
            # As Mesos: a framework is active while connected (a suppressed one too).
            "active": self.events is not None, "connected": self.events is not None, "recovered": False,
            "registered_time": self.registered_time, "unregistered_time": self.unregistered_time or 0,
            "resources": scalars_json({k: used.get(k, 0) + offered.get(k, 0) for k in SCALARS}),
            "used_resources": scalars_json(used), "offered_resources": scalars_json(offered),
            "tasks": [t.json() for t in self.tasks.values() if t.state not in TERMINAL_STATES],
            "completed_tasks": [t.json() for t in self.completed_tasks]
            + [t.json() for t in self.tasks.values() if t.state in TERMINAL_STATES],
            "unreachable_tasks": [], "offers": list(self.offers.values()), "executors": [],
        }

    def v1_json(self):
        """The framework as the v1 operator API's GET_FRAMEWORKS shows it."""
        used, offered = self.used_and_offered()
        framework = {"framework_info": self.info, "active": self.events is not None,
                     "connected": self.events is not None, "recovered": False,
                     "registered_time": time_info(self.registered_time)}
        if self.unregistered_time is not None:
            framework["unregistered_time"] = time_info(self.unregistered_time)
        if self.offers:
            framework["offers"] = list(self.offers.values())
        if used:
            framework["allocated_resources"] = v1_resources(used, allocated=True)
        if offered:
            framework["offered_resources"] = v1_resources(offered, allocated=True)
        return framework


# The v1 scheduler Call's types (scheduler.proto); another fails the conversion from JSON.
SCHEDULER_CALL_TYPES = {"UNKNOWN", "SUBSCRIBE", "TEARDOWN", "ACCEPT", "DECLINE", "ACCEPT_INVERSE_OFFERS",
                        "DECLINE_INVERSE_OFFERS", "REVIVE", "KILL", "SHUTDOWN", "ACKNOWLEDGE",
                        "ACKNOWLEDGE_OPERATION_STATUS", "RECONCILE", "RECONCILE_OPERATIONS", "MESSAGE", "REQUEST",
                        "SUPPRESS", "UPDATE_FRAMEWORK"}
# The proto2 `required` fields that protobuf's IsInitialized checks when Mesos converts a call's JSON, for the
# messages the stand-in reads: message -> [(field, required, message of the field or None, repeated)], in
# field-number order.
SCHEDULER_MESSAGES = {
    "Call": [("framework_id", False, "ID", False), ("subscribe", False, "Subscribe", False),
             ("accept", False, "Accept", False), ("decline", False, "Decline", False), ("kill", False, "Kill", False),
             ("shutdown", False, "Shutdown", False), ("acknowledge", False, "Acknowledge", False),
             ("reconcile", False, "Reconcile", False), ("message", False, "Message", False),
             ("reconcile_operations", False, "ReconcileOperations", False)],
    "ID": [("value", True, None, False)],
    "Subscribe": [("framework_info", True, "FrameworkInfo", False)],
    "FrameworkInfo": [("user", True, None, False), ("name", True, None, False), ("id", False, "ID", False)],
    "Accept": [("offer_ids", False, "ID", True), ("operations", False, "Operation", True)],
    "Operation": [("launch", False, "Launch", False)],
    "Launch": [("task_infos", False, "TaskInfo", True)],
    "TaskInfo": [("name", True, None, False), ("task_id", True, "ID", False), ("agent_id", True, "ID", False),
                 ("resources", False, "Resource", True), ("container", False, "ContainerInfo", False)],
    "Resource": [("name", True, None, False), ("type", True, None, False)],
    "ContainerInfo": [("type", True, None, False), ("docker", False, "DockerInfo", False)],
    "DockerInfo": [("image", True, None, False)],
    "Decline": [("offer_ids", False, "ID", True)],
    "Kill": [("task_id", True, "ID", False), ("agent_id", False, "ID", False)],
    "Shutdown": [("executor_id", True, "ID", False), ("agent_id", True, "ID", False)],
    "Acknowledge": [("agent_id", True, "ID", False), ("task_id", True, "ID", False), ("uuid", True, None, False)],
    "Reconcile": [("tasks", False, "ReconcileTask", True)],
    "ReconcileTask": [("task_id", True, "ID", False), ("agent_id", False, "ID", False)],
    "Message": [("agent_id", True, "ID", False), ("executor_id", True, "ID", False), ("data", True, None, False)],
    "ReconcileOperations": [("operations", False, "ReconcileOperation", True)],
    "ReconcileOperation": [("operation_id", True, "ID", False), ("agent_id", False, "ID", False)],
}
# validation::scheduler::call::validate: the calls that need their message.
SCHEDULER_CALL_MESSAGES = {"ACCEPT": "accept", "DECLINE": "decline", "ACCEPT_INVERSE_OFFERS": "accept_inverse_offers",
                           "DECLINE_INVERSE_OFFERS": "decline_inverse_offers", "KILL": "kill", "SHUTDOWN": "shutdown",
                           "ACKNOWLEDGE": "acknowledge", "ACKNOWLEDGE_OPERATION_STATUS": "acknowledge_operation_status",
                           "RECONCILE": "reconcile", "RECONCILE_OPERATIONS": "reconcile_operations",
                           "MESSAGE": "message", "REQUEST": "request", "UPDATE_FRAMEWORK": "update_framework"}


def missing_fields(message, kind, prefix=""):
    """Protobuf's InitializationErrorString: the paths of unset required fields (JSON null is unset), the
    message's own first, then its sub-messages'."""
    missing = [prefix + name for name, required, _, _ in SCHEDULER_MESSAGES[kind]
               if required and message.get(name) is None]
    for name, _, child, repeated in SCHEDULER_MESSAGES[kind]:
        value = message.get(name)
        if child is None or value is None:
            continue
        items = list(enumerate(value)) if repeated and isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, dict):
                path = f"{prefix}{name}" + (f"[{index}]" if index is not None else "") + "."
                missing += missing_fields(item, child, path)
    return missing


def scheduler_call_problem(call):
    """Why Mesos answers a scheduler Call 400 (converting its JSON, then validating it), or None."""
    kind = call.get("type")
    if kind is not None and kind not in SCHEDULER_CALL_TYPES:
        return f"Failed to convert JSON into Call protobuf: Failed to find enum for '{kind}'"
    missing = missing_fields(call, "Call")
    if missing:
        return "Failed to convert JSON into Call protobuf: Missing required fields: " + ", ".join(missing)
    invalid = "Failed to validate scheduler::Call: "
    if kind is None:
        return invalid + "Expecting 'type' to be present"
    if kind == "SUBSCRIBE":
        if call.get("subscribe") is None:
            return invalid + "Expecting 'subscribe' to be present"
        if value_of(call["subscribe"]["framework_info"], "id") != value_of(call, "framework_id"):
            return invalid + "'framework_id' differs from 'subscribe.framework_info.id'"
        return None
    if call.get("framework_id") is None:
        return invalid + "Expecting 'framework_id' to be present"
    needed = SCHEDULER_CALL_MESSAGES.get(kind)
    if needed and call.get(needed) is None:
        return invalid + f"Expecting '{needed}' to be present"
    if kind == "ACKNOWLEDGE":
        try:
            valid = len(base64.b64decode(call["acknowledge"]["uuid"], validate=True)) == 16
        except (ValueError, TypeError):
            valid = False
        if not valid:
            return invalid + "Not a valid UUID"
    return None


class SchedulerApi:
    """The master's side of the v1 scheduler HTTP API (POST /api/v1/scheduler, JSON): SUBSCRIBE (a
    RecordIO stream of events), ACCEPT (LAUNCH), DECLINE, ACKNOWLEDGE, KILL, RECONCILE, REVIVE, SUPPRESS,
    TEARDOWN. Mixed into Master: uses its lock, leader state, agents and HTTP helpers."""

    def init_scheduler(self):
        self.frameworks = {}
        self.completed_frameworks = []
        self.framework_counter = 0
        self.offer_counter = 0
        self.counters = {}  # master/<counter> metrics the stand-in counts (messages, registrations...)
        self.http_framework_auth = flag_bool(self.flags, "authenticate_http_frameworks")
        if self.http_framework_auth and self.credentials is None:
            fatal("HTTP framework authentication requires a credentials file (--credentials) (mesos stand-in)")

    # --- the endpoint --------------------------------------------------------------------------------

    def scheduler_call(self, request):
        """Checks a call as Mesos's master/http.cpp does, in its order: the leader, the credentials, the
        Content-Type (400 without one, 415 for another), the JSON and its conversion to a Call (required
        fields, the type's enum), validation::scheduler::call::validate, then the framework and stream."""
        with self.lock:
            if self.leader is None:
                return 503, {"error": "No leading master", "standin": True}
            if not self.leading():
                return 307, None, self.leader_location(request.url())
        if self.http_framework_auth and not self.authenticated(request.headers.get("Authorization", "")):
            return 401, {"error": "Unauthorized"}, {"WWW-Authenticate": 'Basic realm="mesos"'}
        content_type = request.headers.get("Content-Type")
        if content_type is None:
            return 400, {"error": "Expecting 'Content-Type' to be present"}
        if content_type.split(";")[0].strip() != "application/json":
            return 415, {"error": "Expecting 'Content-Type' of application/json or application/x-protobuf"}
        if request.body_error is not None:
            return 400, {"error": f"Failed to parse body into JSON: {request.body_error}"}
        call = request.body if isinstance(request.body, dict) else {}
        problem = scheduler_call_problem(call)
        if problem:
            return 400, {"error": problem}
        kind = call["type"]
        if kind == "SUBSCRIBE":
            if request.headers.get("Mesos-Stream-Id") is not None:
                return 400, {"error": "Subscribe calls should not include the 'Mesos-Stream-Id' header"}
            return self.subscribe(call)
        handlers = {"TEARDOWN": self.teardown_call, "ACCEPT": self.accept, "DECLINE": self.decline,
                    "ACKNOWLEDGE": self.acknowledge, "KILL": self.kill, "RECONCILE": self.reconcile,
                    "REVIVE": self.revive, "SUPPRESS": self.suppress, "REQUEST": self.request,
                    "SHUTDOWN": self.shutdown_executor, "MESSAGE": self.message,
                    "RECONCILE_OPERATIONS": self.reconcile_operations,
                    "ACCEPT_INVERSE_OFFERS": self.inverse_offers, "DECLINE_INVERSE_OFFERS": self.inverse_offers}
        framework_id = value_of(call, "framework_id")
        with self.lock:
            framework = self.frameworks.get(framework_id)
            if framework is None:
                return 400, {"error": "Framework cannot be found"}
            if framework.events is None:
                return 403, {"error": "Framework is not subscribed"}
            stream_id = request.headers.get("Mesos-Stream-Id")
            if stream_id is None:
                return 400, {"error": "All non-subscribe calls should include the 'Mesos-Stream-Id' header"}
            if stream_id != framework.stream_id:
                return 400, {"error": f"The stream ID '{stream_id}' included in this request didn't match the "
                                      f"stream ID currently associated with framework ID {framework_id}"}
            if kind not in handlers:
                return 501, {"error": f"scheduler call {kind} is not implemented by the mesos stand-in", "standin": True}
            if kind in self.CALL_COUNTERS:
                self.count(self.CALL_COUNTERS[kind])
            later = handlers[kind](framework, call.get(kind.lower()) or {})
        for work in later or []:
            threading.Thread(target=work, daemon=True).start()
        return 202, None

    # Scheduler calls and the master/messages_* counter Mesos increments for each.
    CALL_COUNTERS = {"TEARDOWN": "messages_unregister_framework", "DECLINE": "messages_decline_offers",
                     "KILL": "messages_kill_task", "RECONCILE": "messages_reconcile_tasks",
                     "REVIVE": "messages_revive_offers", "SUPPRESS": "messages_suppress_offers",
                     "ACKNOWLEDGE": "messages_status_update_acknowledgement", "REQUEST": "messages_resource_request",
                     "MESSAGE": "messages_framework_to_executor",
                     "RECONCILE_OPERATIONS": "messages_reconcile_operations"}

    def count(self, name, by=1):
        self.counters[name] = self.counters.get(name, 0) + by

    def authenticated(self, header):
        return basic_principal(header, self.credentials) is not None

    def subscribe(self, call):
        info = dict(call["subscribe"]["framework_info"])  # user and name are there (scheduler_call_problem)
        events = queue.Queue()
        stream_id = str(uuid.uuid4())
        with self.lock:
            framework_id = value_of(info, "id")
            framework = self.frameworks.get(framework_id) if framework_id else None
            if framework_id and framework is None:
                events.put({"type": "ERROR", "error": {"message": "Framework has been removed"}})
                events.put(None)
                return Stream({"Mesos-Stream-Id": stream_id}, events, lambda: None)
            self.count("messages_reregister_framework" if framework else "messages_register_framework")
            if framework is None:
                framework_id = f"{self.info['id']}-{self.framework_counter:04d}"
                self.framework_counter += 1
                framework = self.frameworks[framework_id] = Framework(framework_id, {**info, "id": {"value": framework_id}})
                log.info("Added framework %s (%s) for user %s", framework_id, info["name"], info["user"])
            else:
                framework.send(None)  # the old subscription's stream ends
                self.recover_offers(framework)
                log.info("Framework %s (%s) re-subscribed", framework_id, info["name"])
            framework.events, framework.stream_id, framework.disconnected_at = events, stream_id, None
            events.put({"type": "SUBSCRIBED", "subscribed": {
                "framework_id": {"value": framework_id}, "heartbeat_interval_seconds": SCHEDULER_HEARTBEAT_SECS,
                "master_info": self.info}})
            framework.next_heartbeat = time.time() + SCHEDULER_HEARTBEAT_SECS
            for task in framework.tasks.values():
                task.last_sent = 0.0  # unacknowledged updates go out again
        return Stream({"Mesos-Stream-Id": stream_id}, events, lambda: self.disconnected(framework_id, events))

    def disconnected(self, framework_id, events):
        with self.lock:
            framework = self.frameworks.get(framework_id)
            if framework is None or framework.events is not events:
                return
            framework.events, framework.disconnected_at = None, time.time()
            self.recover_offers(framework)
            log.info("Framework %s disconnected; failover timeout %ss", framework_id,
                     framework.info.get("failover_timeout", 0))

    # --- calls (under the lock; they return work to do after it: agent requests) -----------------

    def teardown_call(self, framework, _call):
        log.info("Processing TEARDOWN call for framework %s", framework.id)
        return self.remove_framework(framework)

    def accept(self, framework, call):
        offer_ids = [o.get("value") for o in call.get("offer_ids", [])]
        offers = [framework.offers.pop(i, None) for i in offer_ids]
        tasks = [info for op in call.get("operations", []) if op.get("type") == "LAUNCH"
                 for info in (op.get("launch") or {}).get("task_infos", [])]
        for op in call.get("operations", []):
            if op.get("type") != "LAUNCH":
                log.warning("Operation %s is not implemented by the mesos stand-in; ignored", op.get("type"))
        invalid = next((i for i, o in zip(offer_ids, offers) if o is None), None)
        agent_ids = {value_of(o, "agent_id") for o in offers if o is not None}
        if invalid or len(agent_ids) != 1:
            why = (f"Task launched with invalid offers: Offer {invalid} is no longer valid" if invalid
                   else "Task launched with invalid offers: Aggregated offers must belong to one single agent")
            for info in tasks:
                framework.send(self.update_event(new_status(value_of(info, "task_id"), None, "TASK_LOST",
                                                            "SOURCE_MASTER", why, "REASON_INVALID_OFFERS")))
            return []
        agent_id = agent_ids.pop()
        available = {}
        for offer in offers:
            for k, v in scalars_of(offer["resources"]).items():
                available[k] = available.get(k, 0.0) + v
        work = []
        for info in tasks:
            problem = self.task_problem(framework, info, agent_id, available)
            task_id = value_of(info, "task_id") or ""
            if problem:
                log.warning("Refusing task %s of framework %s: %s", task_id, framework.id, problem)
                framework.send(self.update_event(new_status(task_id, agent_id, "TASK_ERROR", "SOURCE_MASTER",
                                                            problem, "REASON_TASK_INVALID")))
                continue
            task = framework.tasks[task_id] = Task(info, framework.id, agent_id)
            for k, v in task.resources.items():
                available[k] = available.get(k, 0.0) - v
            agent = self.agents[agent_id]
            log.info("Launching task %s of framework %s on agent %s (%s)", task_id, framework.id, agent_id,
                     agent["hostname"])
            work.append(lambda a=agent, f=framework, t=task: self.launch_on_agent(a, f, t))
        refuse = float((call.get("filters") or {}).get("refuse_seconds", REFUSE_SECONDS_DEFAULT))
        framework.filters[agent_id] = time.time() + refuse
        return work

    def task_problem(self, framework, info, agent_id, available):
        task_id = value_of(info, "task_id")
        if not task_id:
            return "Task has no ID"
        if task_id in framework.tasks and framework.tasks[task_id].state not in TERMINAL_STATES:
            return f"Task has duplicate ID: {task_id}"
        if value_of(info, "agent_id") not in (None, agent_id):
            return f"Task uses agent ID {value_of(info, 'agent_id')} but the offer is of agent {agent_id}"
        if ("command" in info) == ("executor" in info):
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"
        if "executor" in info:
            return "custom executors are not implemented by the mesos stand-in (use CommandInfo)"
        container = info.get("container")
        if container and container.get("type") == "DOCKER" and not (container.get("docker") or {}).get("image"):
            return "ContainerInfo of type DOCKER needs docker.image"
        needed = scalars_of(info.get("resources"))
        if not needed.get("cpus") and not needed.get("mem"):
            return "Task uses no cpus or mem"
        if any(v > available.get(k, 0.0) + 1e-9 for k, v in needed.items()):
            have = "; ".join(f"{k}:{available.get(k, 0.0):g}" for k in needed)
            want = "; ".join(f"{k}:{v:g}" for k, v in needed.items())
            return f"Task uses more resources {want} than available {have}"
        return None

    def decline(self, framework, call):
        for offer_id in (o.get("value") for o in call.get("offer_ids", [])):
            offer = framework.offers.pop(offer_id, None)
            if offer is not None:
                refuse = float((call.get("filters") or {}).get("refuse_seconds", REFUSE_SECONDS_DEFAULT))
                framework.filters[value_of(offer, "agent_id")] = time.time() + refuse
        return []

    def acknowledge(self, framework, call):
        task = framework.tasks.get(value_of(call, "task_id"))
        if task is None or not task.pending or task.pending[0].get("uuid") != call.get("uuid"):
            self.count("invalid_status_update_acknowledgements")
            log.warning("Ignoring acknowledgement %s for task %s of framework %s: no such pending update",
                        call.get("uuid"), value_of(call, "task_id"), framework.id)
            return []
        task.pending.pop(0)
        self.count("valid_status_update_acknowledgements")
        if task.pending:
            self.send_pending(framework, task)
        elif task.state in TERMINAL_STATES:
            framework.completed_tasks.append(framework.tasks.pop(task.id))
            self.check_drained(task.agent_id)
        return []

    def kill(self, framework, call):
        task = framework.tasks.get(value_of(call, "task_id"))
        if task is None:
            framework.send(self.update_event(new_status(value_of(call, "task_id"), value_of(call, "agent_id"),
                                                        "TASK_LOST", "SOURCE_MASTER", "Attempted to kill an unknown task",
                                                        "REASON_RECONCILIATION")))
            return []
        if task.state in TERMINAL_STATES:
            return []
        agent = self.agents.get(task.agent_id)
        return [lambda: self.to_agent(agent, "/standin/agent/kill", {"framework_id": framework.id, "task_id": task.id})]

    def reconcile(self, framework, call):
        asked = [value_of(t, "task_id") for t in call.get("tasks", [])] or list(framework.tasks)
        for task_id in asked:
            task = framework.tasks.get(task_id)
            status = (new_status(task_id, task.agent_id, task.state, "SOURCE_MASTER", reason="REASON_RECONCILIATION")
                      if task else new_status(task_id, None, "TASK_LOST", "SOURCE_MASTER", "Reconciliation: task is unknown",
                                              "REASON_RECONCILIATION"))
            framework.send(self.update_event(status))
        return []

    def revive(self, framework, _call):
        framework.filters.clear()
        framework.suppressed = False
        return []

    def suppress(self, framework, _call):
        framework.suppressed = True
        return []

    def request(self, framework, _call):
        # Mesos's hierarchical allocator ignores resource requests; so does the stand-in's.
        log.info("Processing REQUEST call for framework %s (ignored, as Mesos's allocator does)", framework.id)
        return []

    def shutdown_executor(self, framework, call):
        """SHUTDOWN: the agent shuts the executor down. A command task's executor has the task's id, so its
        task is killed."""
        executor_id, agent_id = value_of(call, "executor_id"), value_of(call, "agent_id")
        agent = self.agents.get(agent_id)
        if agent is None:
            log.warning("Unable to shutdown executor '%s' of framework %s of unknown agent %s", executor_id,
                        framework.id, agent_id)
            return []
        log.info("Processing SHUTDOWN call for executor '%s' of framework %s on agent %s", executor_id,
                 framework.id, agent_id)
        return [lambda: self.to_agent(agent, "/standin/agent/kill", {"framework_id": framework.id,
                                                                    "task_id": executor_id})]

    def message(self, framework, call):
        """MESSAGE: Mesos forwards the data to the executor. The stand-in's tasks run under command executors,
        which ignore framework messages, so it is counted and not delivered."""
        agent = self.agents.get(value_of(call, "agent_id"))
        if agent is None or not agent.get("connected"):
            log.warning("Cannot send framework message for framework %s to agent %s: agent is not registered or "
                        "disconnected", framework.id, value_of(call, "agent_id"))
            self.count("invalid_framework_to_executor_messages")
        else:
            log.info("Processing MESSAGE call from framework %s to executor '%s' on agent %s (a command executor "
                     "ignores it)", framework.id, value_of(call, "executor_id"), agent["id"])
            self.count("valid_framework_to_executor_messages")
        return []

    def reconcile_operations(self, framework, call):
        """The stand-in has no offer operations but LAUNCH, which Mesos does not track as operations:
        implicit reconciliation sends nothing, explicit answers each operation as unknown."""
        for operation in call.get("operations", []):
            agent_id = value_of(operation, "agent_id")
            status = {"operation_id": operation["operation_id"],
                      "state": "OPERATION_GONE_BY_OPERATOR" if agent_id in self.gone_agents else "OPERATION_UNKNOWN",
                      "message": "Reconciliation: Operation is unknown"}
            if agent_id:
                status["agent_id"] = {"value": agent_id}
            framework.send({"type": "UPDATE_OPERATION_STATUS", "update_operation_status": {"status": status}})
        return []

    def inverse_offers(self, framework, call):
        # The stand-in sends no inverse offers, so every id is unknown (Mesos logs and ignores those).
        for inverse_offer_id in call.get("inverse_offer_ids", []):
            log.warning("Ignoring inverse offer %s of framework %s: no longer valid", inverse_offer_id.get("value"),
                        framework.id)
        return []

    # --- bookkeeping (under the lock) ---------------------------------------------------------------

    @staticmethod
    def update_event(status):
        return {"type": "UPDATE", "update": {"status": status}}

    def send_pending(self, framework, task):
        framework.send(self.update_event(task.pending[0]))
        task.last_sent = time.time()

    def recover_offers(self, framework):
        for offer_id in list(framework.offers):
            del framework.offers[offer_id]

    def remove_framework(self, framework):
        """Teardown (or failover timeout): its tasks are killed on the agents and end as TASK_KILLED."""
        work = []
        for task in framework.tasks.values():
            if task.state not in TERMINAL_STATES:
                task.state = "TASK_KILLED"
                task.statuses.append(new_status(task.id, task.agent_id, "TASK_KILLED", "SOURCE_MASTER",
                                                "Framework removed", "REASON_FRAMEWORK_REMOVED"))
            task.holds_resources = False
        for agent_id in {t.agent_id for t in framework.tasks.values()}:
            agent = self.agents.get(agent_id)
            work.append(lambda a=agent: self.to_agent(a, "/standin/agent/shutdown-framework",
                                                      {"framework_id": framework.id}))
        framework.completed_tasks.extend(framework.tasks.values())
        framework.tasks.clear()
        framework.offers.clear()
        framework.unregistered_time = time.time()
        framework.send(None)
        framework.events = None
        del self.frameworks[framework.id]
        self.completed_frameworks = (self.completed_frameworks + [framework])[-50:]
        log.info("Removed framework %s (%s)", framework.id, framework.info.get("name"))
        return work

    def on_agent_removed(self, agent_id, why):
        """Its tasks are lost (these frameworks are not partition-aware) and its offers rescinded."""
        self.rescind_agent_offers(agent_id)
        for framework in self.frameworks.values():
            for task in list(framework.tasks.values()):
                if task.agent_id == agent_id and task.state not in TERMINAL_STATES:
                    self.record_status(framework, task, new_status(task.id, agent_id, "TASK_LOST", "SOURCE_MASTER",
                                                                   f"Agent {agent_id} removed: {why}",
                                                                   "REASON_SLAVE_REMOVED", acknowledged=False))

    def record_status(self, framework, task, status):
        task.state = status["state"]
        task.statuses.append({k: v for k, v in status.items() if k != "uuid"})
        if task.state in TERMINAL_STATES:
            task.holds_resources = False
        task.pending.append(status)
        if len(task.pending) == 1:
            self.send_pending(framework, task)

    def registered_at(self, peer):
        """Whether an agent registered from `peer` (the address in its pid): Mesos's master drops a message
        about an agent that does not come from that agent's own pid. Call with the lock held."""
        return any(pid_ip(agent.get("pid")) == peer for agent in self.agents.values())

    def agent_status(self, request):
        """An agent reports a task's status change (its status update manager, stand-in protocol)."""
        body = request.body
        with self.lock:
            if not self.registered_at(request.peer):
                log.warning("Ignoring status update from %s: no agent registered from there", request.peer)
                return 403, {"error": "not a registered agent", "standin": True}
            framework = self.frameworks.get(body.get("framework_id"))
            status = body.get("status") or {}
            task = framework.tasks.get(value_of(status, "task_id")) if framework else None
            self.count("messages_status_update")
            self.count("valid_status_updates" if task else "invalid_status_updates")
            if task is None:
                return 200, {"known": False}  # the framework or task is gone: nothing to forward
            log.info("Status update %s for task %s of framework %s%s", status.get("state"), task.id, framework.id,
                     f": {status['message']}" if status.get("message") else "")
            self.record_status(framework, task, status)
        return 200, {"known": True}

    def to_agent(self, agent, path, body):
        if agent is None:
            return
        try:
            http_json(f"http://{agent['pid'].split('@')[-1]}{path}", body, timeout=10)
        except (OSError, http.client.HTTPException) as e:
            log.warning("Could not reach agent %s (%s) for %s: %s", agent["id"], agent["hostname"], path, e)

    def launch_on_agent(self, agent, framework, task):
        body = {"framework_id": framework.id, "framework": framework.info, "task": task.info}
        try:
            status, _ = http_json(f"http://{agent['pid'].split('@')[-1]}/standin/agent/launch", body, timeout=10)
            error = None if status == 200 else f"the agent answered {status}"
        except OSError as e:
            error = str(e)
        if error:
            with self.lock:
                if task.state not in TERMINAL_STATES and framework.id in self.frameworks:
                    self.record_status(framework, task, new_status(
                        task.id, task.agent_id, "TASK_LOST", "SOURCE_MASTER",
                        f"Could not send the task to agent {agent['hostname']}: {error}", "REASON_AGENT_DISCONNECTED",
                        acknowledged=False))

    def scheduler_tick(self):
        """Every allocation interval: offers, heartbeats, update retries, failover timeouts."""
        now = time.time()
        work = []
        with self.lock:
            if not self.leading():
                return
            for framework in list(self.frameworks.values()):
                if framework.events is None:
                    timeout = float(framework.info.get("failover_timeout", 0))
                    if framework.disconnected_at is not None and now - framework.disconnected_at >= timeout:
                        log.info("Framework %s failover timeout (%ss) elapsed", framework.id, timeout)
                        work += self.remove_framework(framework)
                    continue
                if now >= framework.next_heartbeat:
                    framework.send({"type": "HEARTBEAT"})
                    framework.next_heartbeat = now + SCHEDULER_HEARTBEAT_SECS
                for task in framework.tasks.values():
                    if task.pending and now - task.last_sent >= STATUS_RETRY_SECS:
                        self.send_pending(framework, task)
            for agent_id in list(self.draining):
                self.check_drained(agent_id)
            self.allocate(now)
        for item in work:
            threading.Thread(target=item, daemon=True).start()

    def allocate(self, now):
        for agent_id, agent in self.agents.items():
            if not agent["active"]:
                continue
            free = {k: v for k, v in agent["resources"].items() if isinstance(v, float)}
            for k, v in self.agent_usage(agent_id).items():
                free[k] = free.get(k, 0.0) - v
            if free.get("cpus", 0) < MIN_CPUS and free.get("mem", 0) < MIN_MEM:
                continue
            for framework in self.frameworks.values():
                if framework.events is None or framework.suppressed or framework.filters.get(agent_id, 0) > now:
                    continue
                self.offer_counter += 1
                offer_id = f"{self.info['id']}-O{self.offer_counter}"
                offer = {"id": {"value": offer_id}, "framework_id": {"value": framework.id},
                         "agent_id": {"value": agent_id}, "hostname": agent["hostname"],
                         "url": {"scheme": "http", "address": {"hostname": agent["hostname"],
                                                               "ip": pid_ip(agent["pid"]),
                                                               "port": agent["port"]}, "path": "/slave(1)"},
                         "resources": resource_list({k: v for k, v in free.items() if v > 0},
                                                    agent["resources"].get("ports")),
                         "attributes": [{"name": k, "type": "TEXT", "text": {"value": str(v)}}
                                        for k, v in agent["attributes"].items()],
                         "allocation_info": {"role": "*"}}
                unavailability = self.unavailability_of(agent)
                if unavailability is not None:  # the agent's machine is in a maintenance window
                    offer["unavailability"] = unavailability
                framework.offers[offer_id] = offer
                framework.send({"type": "OFFERS", "offers": {"offers": [offer]}})
                break  # the agent's free resources go to one framework at a time

    def agent_usage(self, agent_id, offered=True):
        """Scalars of an agent held by tasks (and, with offered, outstanding offers)."""
        usage = {}
        for framework in self.frameworks.values():
            for task in framework.tasks.values():
                if task.agent_id == agent_id and task.holds_resources:
                    for k, v in task.resources.items():
                        usage[k] = usage.get(k, 0.0) + v
            if offered:
                for offer in framework.offers.values():
                    if value_of(offer, "agent_id") == agent_id:
                        for k, v in scalars_of(offer["resources"]).items():
                            usage[k] = usage.get(k, 0.0) + v
        return usage

    # --- operator endpoints ---------------------------------------------------------------------------

    def not_leading(self, request):
        """Mesos's answer of a master that does not lead (under the lock): 307 to the leader with the
        request's path and query, 503 without a leader; None when this master leads."""
        if self.leader is None:
            return 503, {"error": "No leading master", "standin": True}
        if not self.leading():
            return 307, None, self.leader_location(request.url())
        return None

    def leader_only(self, request, build):
        with self.lock:
            return self.not_leading(request) or (200, build())

    def frameworks_endpoint(self, request):
        """/master/frameworks; the query's `framework_id` picks one framework, as in Mesos."""
        wanted = request.query.get("framework_id")
        return self.leader_only(request, lambda: {
            "frameworks": [f.json() for f in self.frameworks.values() if wanted in (None, f.id)],
            "completed_frameworks": [f.json() for f in self.completed_frameworks if wanted in (None, f.id)],
            "unregistered_frameworks": []})

    def all_tasks(self):
        for framework in list(self.frameworks.values()) + self.completed_frameworks:
            yield from framework.tasks.values()
            yield from framework.completed_tasks

    def tasks_endpoint(self, request):
        """/master/tasks with Mesos's query parameters: framework_id, task_id, order (asc, else descending by
        each task's first status time; tasks without statuses sort first ascending, last descending),
        offset and limit (default 100; Mesos reads -1 as unlimited)."""
        def as_int(name, default):
            try:
                return int(request.query.get(name, ""))
            except ValueError:
                return default
        limit, offset = as_int("limit", TASK_LIMIT), max(0, as_int("offset", 0))
        framework_id, task_id = request.query.get("framework_id"), request.query.get("task_id")

        def build():
            tasks = [t for t in self.all_tasks() if framework_id in (None, t.framework_id)
                     and task_id in (None, t.id)]
            tasks.sort(key=lambda t: (t.first_timestamp() is not None, t.first_timestamp() or 0.0),
                       reverse=request.query.get("order") != "asc")
            end = len(tasks) if limit < 0 else offset + limit
            return {"tasks": [t.json() for t in tasks[offset:end]]}
        return self.leader_only(request, build)

    def slaves_endpoint(self, request):
        return self.leader_only(request, lambda: {
            "slaves": [self.agent_json(a) for a in self.agents.values()], "recovered_slaves": []})

    def state_summary_endpoint(self, request):
        def counts(tasks):
            states = ("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_FINISHED",
                      "TASK_KILLED", "TASK_FAILED", "TASK_LOST", "TASK_ERROR", "TASK_UNREACHABLE")
            return {s: sum(1 for t in tasks if t.state == s) for s in states}

        def summary():
            tasks = list(self.all_tasks())
            slaves = []
            for agent in self.agents.values():
                on_agent = [t for t in tasks if t.agent_id == agent["id"]]
                slaves.append({**self.agent_json(agent), **counts(on_agent),
                               "framework_ids": sorted({t.framework_id for t in on_agent})})
            frameworks = []
            for framework in self.frameworks.values():
                mine = [t for t in tasks if t.framework_id == framework.id]
                fw = framework.json()
                frameworks.append({k: fw[k] for k in ("id", "name", "hostname", "webui_url", "active", "connected",
                                                      "recovered", "used_resources", "offered_resources",
                                                      "capabilities", "role")}
                                  | counts(mine) | {"slave_ids": sorted({t.agent_id for t in mine})})
            return {"hostname": self.hostname, "cluster": self.flags.get("cluster", ""), "slaves": slaves,
                    "frameworks": frameworks, "standin": True}
        return self.leader_only(request, summary)


# --- master: maintenance and draining ---------------------------------------------------------------

def pid_ip(pid):
    """The IP of a libprocess pid (`slave(1)@10.0.0.4:5051`)."""
    return (pid or "").split("@")[-1].rsplit(":", 1)[0]


def machine_key(machine_id):
    """A MachineID as Mesos compares them: hostname (lowercased) and ip, each present or not."""
    hostname = machine_id.get("hostname")
    return (hostname.lower() if hostname is not None else None, machine_id.get("ip"))


def machine_text(machine_id):
    """stringify(JSON::protobuf(id)), as Mesos's error messages show a machine."""
    return json.dumps({k: machine_id[k] for k in ("hostname", "ip") if k in machine_id}, separators=(",", ":"))


def machine_name(machine_id):
    """A MachineID as Mesos logs it: `hostname (ip)`, `hostname` or `(ip)`."""
    if "hostname" in machine_id and "ip" in machine_id:
        return f"{machine_id['hostname']} ({machine_id['ip']})"
    return machine_id.get("hostname") or f"({machine_id.get('ip', '')})"


def machine_problem(machine_id):
    """maintenance::validation::machine."""
    if not isinstance(machine_id, dict) or (not machine_id.get("hostname") and not machine_id.get("ip")):
        return "Both 'hostname' and 'ip' for a machine are empty"
    if machine_id.get("ip"):
        try:
            socket.inet_pton(socket.AF_INET, machine_id["ip"])
        except (OSError, TypeError):
            return f"Failed to parse IPv4: {machine_id['ip']}"
    return None


def machines_problem(machine_ids):
    """maintenance::validation::machines: at least one, each valid, none twice."""
    if not isinstance(machine_ids, list) or not machine_ids:
        return "List of machines is empty"
    seen = set()
    for machine_id in machine_ids:
        problem = machine_problem(machine_id)
        if problem:
            return problem
        if machine_key(machine_id) in seen:
            return f"Machine '{machine_text(machine_id)}' appears more than once in the schedule"
        seen.add(machine_key(machine_id))
    return None


def schedule_missing(schedule, prefix=""):
    """The unset required fields of a maintenance Schedule (Window.unavailability, Unavailability.start, the
    TimeInfo/DurationInfo nanoseconds), as protobuf names them."""
    missing = []
    for i, window in enumerate(schedule.get("windows") or []):
        path = f"{prefix}windows[{i}]."
        unavailability = window.get("unavailability") if isinstance(window, dict) else None
        if unavailability is None:
            missing.append(path + "unavailability")
            continue
        if unavailability.get("start") is None:
            missing.append(path + "unavailability.start")
        elif unavailability["start"].get("nanoseconds") is None:
            missing.append(path + "unavailability.start.nanoseconds")
        if unavailability.get("duration") is not None and unavailability["duration"].get("nanoseconds") is None:
            missing.append(path + "unavailability.duration.nanoseconds")
    return missing


def duration_seconds(value):
    """A google.protobuf.Duration as JSON: {"seconds", "nanos"} (stout's form) or "1.5s" (proto3's)."""
    if isinstance(value, str) and value.endswith("s"):
        return float(value[:-1])
    if isinstance(value, dict):
        return int(value.get("seconds", 0)) + int(value.get("nanos", 0)) / 1e9
    raise ValueError(f"not a Duration: {value!r}")


def readwrite_guard(realm, flags, credentials_flag):
    """A decorator of routes in Mesos's read-write realm: 401 without the credentials it requires."""
    required, credentials = readwrite_realm(flags, realm, credentials_flag)

    def guard(route):
        def guarded(request):
            if required and basic_principal(request.headers.get("Authorization", ""), credentials) is None:
                return 401, None, {"WWW-Authenticate": f'Basic realm="{realm}"'}
            return route(request)
        return guarded
    return guard


class MaintenanceApi:
    """Mesos's maintenance primitives (docs/maintenance.md) and agent draining, on the leading master: the
    schedule (machines go DRAINING), START_MAINTENANCE (DOWN: their agents are removed and shut down, and
    may not register again), STOP_MAINTENANCE (UP), DEACTIVATE_AGENT / REACTIVATE_AGENT, DRAIN_AGENT. In
    memory (Mesos keeps them in its registry): a new leader starts without them. No inverse offers. Mixed
    into Master: uses its lock, agents and frameworks. Methods run under the lock."""

    def init_maintenance(self):
        self.schedule = []  # the maintenance windows ({"machine_ids", "unavailability"})
        self.machines = {}  # machine_key -> {"id": MachineID, "mode": DRAINING|DOWN, "unavailability"}
        self.deactivated = set()  # agent ids (DEACTIVATE_AGENT, DRAIN_AGENT)
        self.draining = {}  # agent id -> DrainInfo {"state": DRAINING|DRAINED, "config": DrainConfig}
        self.drain_started = {}  # agent id -> when its draining started
        self.gone_agents = {}  # agent id -> when it was marked gone

    def clear_maintenance(self):
        self.init_maintenance()

    @staticmethod
    def later(work):
        threading.Thread(target=work, daemon=True).start()

    def agent_machine(self, agent):
        """The key of an agent's machine: its hostname and the IP of its pid, as Mesos makes its MachineID."""
        return ((agent.get("hostname") or "").lower(), pid_ip(agent.get("pid")))

    # --- the schedule ---------------------------------------------------------------------------------

    def schedule_json(self):
        return {"windows": self.schedule} if self.schedule else {}

    def status_json(self):
        draining = [{"id": m["id"]} for m in self.machines.values() if m["mode"] == "DRAINING"]
        down = [m["id"] for m in self.machines.values() if m["mode"] == "DOWN"]
        return {k: v for k, v in (("draining_machines", draining), ("down_machines", down)) if v}

    def update_schedule(self, schedule):
        """maintenance::validation::schedule, then Mesos's update: machines new to the schedule are DRAINING,
        those left out are UP again (a DOWN one may not be left out)."""
        windows = schedule.get("windows") or []
        unavailabilities, ids = {}, {}
        for window in windows:
            machine_ids = window.get("machine_ids") or []
            if not machine_ids:
                return 400, {"error": "List of machines in the maintenance window is empty"}
            try:
                negative = int((window["unavailability"].get("duration") or {}).get("nanoseconds", 0)) < 0
            except (TypeError, ValueError):
                return 400, {"error": "Unavailability 'duration' is not an integer"}
            if negative:
                return 400, {"error": "Unavailability 'duration' is negative"}
            for machine_id in machine_ids:
                problem = machine_problem(machine_id)
                if problem:
                    return 400, {"error": problem}
                key = machine_key(machine_id)
                if key in unavailabilities:
                    return 400, {"error": f"Machine '{machine_text(machine_id)}' appears more than once in the schedule"}
                unavailabilities[key], ids[key] = window["unavailability"], machine_id
        for key, machine in self.machines.items():
            if machine["mode"] == "DOWN" and key not in unavailabilities:
                return 400, {"error": f"Machine '{machine_text(machine['id'])}' is deactivated and cannot be removed "
                                      "from the schedule"}
        for key in list(self.machines):
            if key in unavailabilities:
                self.machines[key]["unavailability"] = unavailabilities[key]
            else:
                del self.machines[key]  # back UP (Mesos does not list UP machines)
        for key, machine_id in ids.items():
            if key not in self.machines:
                self.machines[key] = {"id": machine_id, "mode": "DRAINING", "unavailability": unavailabilities[key]}
        self.schedule = [{"machine_ids": w["machine_ids"], "unavailability": w["unavailability"]} for w in windows]
        log.info("Updated the maintenance schedule: %d window(s), %d machine(s) DRAINING, %d DOWN", len(windows),
                 sum(1 for m in self.machines.values() if m["mode"] == "DRAINING"),
                 sum(1 for m in self.machines.values() if m["mode"] == "DOWN"))
        return 200, None

    def machines_refused(self, machine_ids, mode, change):
        """Why machines cannot be brought down or up (each must be in the schedule and in `mode`), or None."""
        problem = machines_problem(machine_ids)
        if problem:
            return 400, {"error": problem}
        for machine_id in machine_ids:
            machine = self.machines.get(machine_key(machine_id))
            if machine is None:
                return 400, {"error": f"Machine '{machine_text(machine_id)}' is not part of a maintenance schedule"}
            if machine["mode"] != mode:
                return 400, {"error": f"Machine '{machine_text(machine_id)}' is not in {mode} mode and cannot be {change}"}
        return None

    def start_maintenance(self, machine_ids):
        """Machines go DOWN: each agent on them is told to shut down and removed at once (its tasks are lost)."""
        refused = self.machines_refused(machine_ids, "DRAINING", "brought down")
        if refused:
            return refused
        keys = {machine_key(m) for m in machine_ids}
        for agent in [a for a in self.agents.values() if self.agent_machine(a) in keys]:
            self.shut_agent_down(agent, "Operator initiated 'Machine DOWN'")
        for key in keys:
            self.machines[key]["mode"] = "DOWN"
            log.info("Machine %s is DOWN", machine_name(self.machines[key]["id"]))
        return 200, None

    def stop_maintenance(self, machine_ids):
        """DOWN machines come back UP and leave the schedule (an emptied window goes)."""
        refused = self.machines_refused(machine_ids, "DOWN", "brought up")
        if refused:
            return refused
        keys = {machine_key(m) for m in machine_ids}
        for key in keys:
            log.info("Machine %s is UP", machine_name(self.machines.pop(key)["id"]))
        windows = []
        for window in self.schedule:
            left = [m for m in window["machine_ids"] if machine_key(m) not in keys]
            if left:
                windows.append({**window, "machine_ids": left})
        self.schedule = windows
        return 200, None

    def shut_agent_down(self, agent, message):
        """Mesos's ShutdownMessage and removeSlave: the agent's offers are rescinded, its tasks lost."""
        log.info("Removing agent %s (%s): %s", agent["id"], agent["hostname"], message)
        self.later(lambda: self.to_agent(agent, "/standin/agent/shutdown", {"message": message}))
        del self.agents[agent["id"]]
        self.deactivated.discard(agent["id"])
        self.draining.pop(agent["id"], None)
        self.count("slave_removals")
        self.on_agent_removed(agent["id"], message)

    # --- agents ---------------------------------------------------------------------------------------

    def rescind_agent_offers(self, agent_id):
        for framework in self.frameworks.values():
            for offer_id, offer in list(framework.offers.items()):
                if value_of(offer, "agent_id") == agent_id:
                    del framework.offers[offer_id]
                    framework.send({"type": "RESCIND", "rescind": {"offer_id": {"value": offer_id}}})

    def deactivate(self, agent):
        log.info("Deactivating agent %s (%s)", agent["id"], agent["hostname"])
        agent["active"] = False
        self.rescind_agent_offers(agent["id"])

    def deactivate_agent(self, agent_id):
        agent = self.agents.get(agent_id)
        if agent is None:
            return 400, {"error": "Unknown agent"}
        self.deactivated.add(agent_id)
        self.deactivate(agent)
        return 200, None

    def reactivate_agent(self, agent_id):
        agent = self.agents.get(agent_id)
        if agent is None:
            return 400, {"error": "Unknown agent"}
        if agent_id not in self.deactivated:
            return 400, {"error": "Agent is not deactivated"}
        if self.draining.get(agent_id, {}).get("state") == "DRAINING":
            return 400, {"error": "Agent is still in the DRAINING state"}
        self.draining.pop(agent_id, None)
        self.drain_started.pop(agent_id, None)
        self.deactivated.discard(agent_id)
        if agent.get("connected"):
            log.info("Reactivating agent %s (%s)", agent_id, agent["hostname"])
            agent["active"] = True
        return 200, None

    def drain_agent(self, call):
        agent_id = value_of(call, "agent_id")
        agent = self.agents.get(agent_id)
        if agent is None:
            return 400, {"error": "Unknown agent"}
        for window in self.schedule:
            for machine_id in window["machine_ids"]:
                if machine_key(machine_id) == self.agent_machine(agent):
                    return 400, {"error": f"Agent {agent_id} is part of a maintenance schedule under Machine "
                                          f"{machine_name(machine_id)}"}
        config = {"mark_gone": bool(call.get("mark_gone", False))}
        if call.get("max_grace_period") is not None:
            try:
                grace = duration_seconds(call["max_grace_period"])
            except (TypeError, ValueError) as e:
                return 400, {"error": f"Failed to convert JSON into Call protobuf: {e}"}
            config["max_grace_period"] = {"nanoseconds": int(grace * 1e9)}
        self.draining[agent_id] = {"state": "DRAINING", "config": config}
        self.deactivated.add(agent_id)
        self.drain_started[agent_id] = time.time()
        tasks = sorted(t.id for f in self.frameworks.values() for t in f.tasks.values() if t.agent_id == agent_id)
        log.info("Transitioning agent %s to the DRAINING state; agent has tasks %s", agent_id, tasks)
        self.deactivate(agent)
        self.later(lambda: self.to_agent(agent, "/standin/agent/drain", {"config": config}))
        self.check_drained(agent_id)
        return 200, None

    def check_drained(self, agent_id):
        """A DRAINING agent without tasks (a task counts until its terminal update is acknowledged, as in
        Mesos) is DRAINED, or marked gone when its drain said so."""
        info = self.draining.get(agent_id)
        if info is None or info["state"] != "DRAINING" or agent_id not in self.agents:
            return
        if any(t.agent_id == agent_id for f in self.frameworks.values() for t in f.tasks.values()):
            return
        if info["config"].get("mark_gone"):
            log.info("Marking agent %s in the DRAINED state as gone", agent_id)
            self.gone_agents[agent_id] = time.time()
            self.shut_agent_down(self.agents[agent_id], "Agent has been marked gone")
        else:
            log.info("Transitioning agent %s to the DRAINED state", agent_id)
            info["state"] = "DRAINED"

    def mark_agent_gone(self, agent_id):
        """MARK_AGENT_GONE: the agent is shut down and may never register again; its tasks are lost."""
        log.info("Marking agent '%s' as gone", agent_id)
        if agent_id in self.gone_agents:
            return 200, None
        agent = self.agents.get(agent_id)
        if agent is None:
            return 404, {"error": f"Agent '{agent_id}' not found"}
        self.gone_agents[agent_id] = time.time()
        self.shut_agent_down(agent, "Agent has been marked gone")
        return 200, None

    def registration_refusal(self, agent_id, pid, hostname):
        """Why Mesos sends a registering agent a ShutdownMessage (its machine is DOWN, or it was marked
        gone), or None."""
        machine = self.machines.get(self.agent_machine({"hostname": hostname, "pid": pid}))
        if machine is not None and machine["mode"] == "DOWN":
            log.warning("Refusing registration of agent at %s because the machine '%s' that it is running on is "
                        "`DOWN`", pid, machine_name(machine["id"]))
            return "Machine is `DOWN`"
        if agent_id in self.gone_agents:
            log.warning("Refusing re-registration of agent at %s because it is already marked gone", pid)
            return "Agent has been marked gone"
        return None

    def agent_maintenance_json(self, agent, v1=False):
        """What /master/state (and GET_AGENTS with v1) add about an agent's deactivation and draining."""
        answer = {"deactivated": agent["id"] in self.deactivated}
        if agent["id"] in self.draining:
            answer["drain_info"] = self.draining[agent["id"]]
            started = self.drain_started.get(agent["id"])
            if started is not None:
                if v1:
                    answer["estimated_drain_start_time"] = time_info(started)
                else:
                    answer["estimated_drain_start_time_seconds"] = started
        return answer

    def unavailability_of(self, agent):
        machine = self.machines.get(self.agent_machine(agent))
        return machine["unavailability"] if machine else None

    # --- the operator API's calls and the endpoints -----------------------------------------------------

    def locked(self, build):
        """`build`, run with the master's lock held."""
        def call(body):
            with self.lock:
                return build(body)
        return call

    def maintenance_calls(self):

        def needs(name, then):
            """validation::master::call: the call's message must be there; then its required fields."""
            def check(body):
                message = body.get(name)
                if not isinstance(message, dict):
                    return 400, {"error": f"Failed to validate master::Call: Expecting '{name}' to be present"}
                return then(message)
            return check

        def missing(fields):
            return 400, {"error": "Failed to convert JSON into Call protobuf: Missing required fields: "
                                  + ", ".join(fields)}

        def update(message):
            if not isinstance(message.get("schedule"), dict):
                return missing(["update_maintenance_schedule.schedule"])
            fields = schedule_missing(message["schedule"], "update_maintenance_schedule.schedule.")
            return missing(fields) if fields else self.update_schedule(message["schedule"])

        def agent_call(name, action):
            def act(message):
                if value_of(message, "agent_id") is None:
                    return missing([f"{name}.agent_id"])
                return action(message)
            return needs(name, act)

        return {
            "GET_MAINTENANCE_SCHEDULE": self.locked(lambda _call: {"get_maintenance_schedule": {
                "schedule": self.schedule_json()}}),
            "GET_MAINTENANCE_STATUS": self.locked(lambda _call: {"get_maintenance_status": {
                "status": self.status_json()}}),
            "UPDATE_MAINTENANCE_SCHEDULE": self.locked(needs("update_maintenance_schedule", update)),
            "START_MAINTENANCE": self.locked(needs("start_maintenance",
                                              lambda m: self.start_maintenance(m.get("machines") or []))),
            "STOP_MAINTENANCE": self.locked(needs("stop_maintenance",
                                             lambda m: self.stop_maintenance(m.get("machines") or []))),
            "DRAIN_AGENT": self.locked(agent_call("drain_agent", self.drain_agent)),
            "DEACTIVATE_AGENT": self.locked(agent_call("deactivate_agent",
                                                  lambda m: self.deactivate_agent(value_of(m, "agent_id")))),
            "REACTIVATE_AGENT": self.locked(agent_call("reactivate_agent",
                                                  lambda m: self.reactivate_agent(value_of(m, "agent_id")))),
            "MARK_AGENT_GONE": self.locked(agent_call("mark_agent_gone",
                                                 lambda m: self.mark_agent_gone(value_of(m, "agent_id")))),
        }

    def maintenance_routes(self):
        """/master/maintenance/schedule (GET, POST), /master/maintenance/status (read-only realm),
        /master/machine/down and /master/machine/up (POST a JSON array of MachineIDs)."""
        guard = readwrite_guard("mesos-master-readwrite", self.flags, "credentials")

        def schedule(request):
            with self.lock:
                answer = self.not_leading(request)
                if answer is not None:
                    return answer
                if request.body is None:  # GET
                    return 200, self.schedule_json()
                if not isinstance(request.body, dict):
                    return 400, {"error": "Expecting a JSON object"}
                fields = schedule_missing(request.body)
                if fields:
                    return 400, {"error": "Missing required fields: " + ", ".join(fields)}
                return self.update_schedule(request.body)

        def machines(action):
            def route(request):
                with self.lock:
                    answer = self.not_leading(request)
                    if answer is not None:
                        return answer
                    if not isinstance(request.body, list):
                        return 400, {"error": "Expecting a JSON array of machines"}
                    return action(request.body)
            return route

        def status(request):
            with self.lock:
                return self.not_leading(request) or (200, self.status_json())

        return {
            ("GET", "/master/maintenance/schedule"): guard(schedule),
            ("POST", "/master/maintenance/schedule"): guard(schedule),
            ("GET", "/master/maintenance/status"): status,
            ("POST", "/master/machine/down"): guard(machines(self.start_maintenance)),
            ("POST", "/master/machine/up"): guard(machines(self.stop_maintenance)),
        }


# --- master -----------------------------------------------------------------------------------------

class Master(SchedulerApi, MaintenanceApi):
    def __init__(self, flags):
        self.flags = flags
        self.lock = threading.Lock()
        self.reading = threading.Lock()
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
        # Of the ACLs, the stand-in enforces register_agents; the others it accepts and ignores.
        self.acls = parse_acls(flags["acls"]) if flags.get("acls") else None
        self.init_scheduler()
        self.init_maintenance()
        self.leader = self.info if "zk" not in flags else None  # without --zk a master leads alone
        self.elected_time = time.time() if self.leader else None
        self.agents = {}  # id -> agent record
        self.my_node = None

    # Called by kazoo whenever the contenders change, and every CONTENDERS_READ_SECS from run().
    def on_children(self, client, path, children):
        with self.reading:  # one read at a time: an older read must not win over a newer one
            infos = contenders(client, path, children)
            if infos is not None:
                self.elect(infos)

    def elect(self, infos):
        leader = infos[0][1] if infos and len(infos) >= self.quorum else None
        with self.lock:
            was_leading = self.leading()
            old = self.leader
            self.leader = leader
            if was_leading != self.leading():
                for framework in self.frameworks.values():
                    framework.send(None)  # frameworks subscribe again with the new leader
                self.frameworks.clear()
            if self.leading() != was_leading:
                self.clear_maintenance()  # in memory only: a new leader starts without it
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
        # Routes by the path libprocess gives the master's processes: `/state`, `/slaves`, `/api/v1`... reach
        # them through the delegate (see Handler.resolve).
        routes = {
            ("GET", "/master/health"): lambda _request: (200, None),
            ("GET", "/master/redirect"): self.redirect,
            ("GET", "/master/flags"): lambda _request: (200, {"flags": self.effective_flags()}),
            ("GET", "/metrics/snapshot"): lambda _request: (200, self.metrics()),
            ("GET", "/version"): lambda _request: (200, {**version_json(), "standin": True}),
            ("POST", "/standin/agent/register"): self.register_agent,
            ("POST", "/standin/agent/unregister"): self.unregister_agent,
            ("POST", "/standin/agent/status"): self.agent_status,
            ("POST", "/master/api/v1/scheduler"): takes_any_body(self.scheduler_call),
            ("POST", "/master/api/v1"): operator_api("mesos-master-readwrite", self.flags, "credentials", "master",
                                                     self.operator_calls(), self.not_leading_locked),
            ("GET", "/master/frameworks"): self.frameworks_endpoint,
            ("GET", "/master/tasks"): self.tasks_endpoint,
            ("GET", "/master/slaves"): self.slaves_endpoint,
            ("GET", "/master/state-summary"): self.state_summary_endpoint,
            ("GET", "/master/state"): self.state,
        }
        routes.update(self.maintenance_routes())
        # Not in Mesos 1.11 (it dropped the .json endpoints); kept for the stand-in's older callers.
        for path in ("/master/state.json", "/state.json"):
            routes[("GET", path)] = self.state
        bind_ip = self.flags.get("ip", "0.0.0.0")
        serve_http(bind_ip, self.port, routes, "master")
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
            keep_reading_contenders(client, path, self.on_children)
        while not stopping.wait(1):
            self.expire_agents()
            self.scheduler_tick()
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
                    self.count("slave_unreachable_scheduled")
                    self.count("slave_unreachable_completed")
                    self.on_agent_removed(agent_id, "agent unreachable")
                elif age > INACTIVE_AFTER_SECS and agent["connected"]:
                    log.warning("Agent %s (%s) missed its heartbeats; deactivating", agent_id, agent["hostname"])
                    agent["active"] = agent["connected"] = False

    def leader_location(self, path=""):
        return {"Location": f"//{self.leader['hostname']}:{self.leader['port']}{path}"}

    def not_leading_locked(self, request):
        with self.lock:
            return self.not_leading(request)

    def redirect(self, request):
        with self.lock:
            if self.leader is None:
                return 503, {"error": "No leading master", "standin": True}
            if request.path not in ("/master/redirect", "/redirect"):
                return 404, None  # /master/redirect/...: Mesos prevents a redirection loop
            return 307, None, self.leader_location()

    def effective_flags(self):
        """The flags as /flags and GET_FLAGS show them: every flag set, over the defaults (names and values;
        files such as --credentials are shown by their path, as Mesos does)."""
        return {**DEFAULTS["master"], **self.flags}

    def state(self, request):
        with self.lock:
            answer = self.not_leading(request)
            if answer is not None:
                return answer
            slaves = [self.agent_json(a) for a in self.agents.values()]
            active = sum(1 for a in slaves if a["active"])
            state = {
                "version": VERSION, "standin": True, "id": self.info["id"], "pid": self.info["pid"],
                "hostname": self.hostname, "start_time": self.start_time, "elected_time": self.elected_time,
                "leader": self.leader["pid"], "leader_info": self.leader,
                "activated_slaves": active, "deactivated_slaves": len(slaves) - active,
                "unreachable_slaves": 0, "slaves": slaves,
                "frameworks": [f.json() for f in self.frameworks.values()],
                "completed_frameworks": [f.json() for f in self.completed_frameworks],
                "unregistered_frameworks": [], "orphan_tasks": [],
                "flags": self.effective_flags(),
            }
            if "cluster" in self.flags:
                state["cluster"] = self.flags["cluster"]
            return 200, state

    def agent_json(self, agent):
        keys = ("id", "pid", "hostname", "port", "resources", "attributes", "active", "version",
                "registered_time")
        agent_json = {k: agent[k] for k in keys}
        if "reregistered_time" in agent:
            agent_json["reregistered_time"] = agent["reregistered_time"]
        used = self.agent_usage(agent["id"], offered=False)
        with_offers = self.agent_usage(agent["id"])
        agent_json.update(self.agent_maintenance_json(agent))
        agent_json.update(used_resources=scalars_json(used),
                          offered_resources=scalars_json({k: with_offers.get(k, 0) - used.get(k, 0) for k in SCALARS}),
                          unreserved_resources=agent["resources"], reserved_resources={}, capabilities=[])
        return agent_json

    def metrics(self):
        """/metrics/snapshot: the master's gauges computed from what it knows, its counters as it counts
        them, and 0 for what it cannot know (see the README)."""
        with self.lock:
            agents = list(self.agents.values())
            active = sum(1 for a in agents if a["active"])
            agents_connected = sum(1 for a in agents if a["connected"])
            frameworks = list(self.frameworks.values())
            connected = sum(1 for f in frameworks if f.events is not None)
            framework_active = connected  # Mesos deactivates a framework that disconnects
            tasks = list(self.all_tasks())
            total, used = {}, {}
            for agent in agents:
                for k, v in agent["resources"].items():
                    if k in SCALARS and isinstance(v, float):
                        total[k] = total.get(k, 0.0) + v
                for k, v in self.agent_usage(agent["id"], offered=False).items():
                    used[k] = used.get(k, 0.0) + v
            values = {
                "master/elected": 1.0 if self.leading() else 0.0,
                "master/uptime_secs": time.time() - self.start_time,
                "master/slaves_active": float(active), "master/slaves_inactive": float(len(agents) - active),
                "master/slaves_connected": float(agents_connected),
                "master/slaves_disconnected": float(len(agents) - agents_connected),
                "master/slaves_unreachable": 0.0,
                "master/frameworks_active": float(framework_active),
                "master/frameworks_inactive": float(len(frameworks) - framework_active),
                "master/frameworks_connected": float(connected),
                "master/frameworks_disconnected": float(len(frameworks) - connected),
                "master/outstanding_offers": float(sum(len(f.offers) for f in frameworks)),
                "master/operator_event_stream_subscribers": 0.0,
                "master/event_queue_messages": 0.0, "master/event_queue_dispatches": 0.0,
                "master/event_queue_http_requests": 0.0,
                **resource_metrics("master", total, used), **system_metrics(),
            }
            for state in ("STAGING", "STARTING", "RUNNING", "UNREACHABLE", "KILLING", "FINISHED", "FAILED", "KILLED",
                          "LOST", "ERROR", "DROPPED", "GONE", "GONE_BY_OPERATOR"):
                values[f"master/tasks_{state.lower()}"] = float(sum(1 for t in tasks if t.state == f"TASK_{state}"))
            for name in MASTER_COUNTERS:
                values[f"master/{name}"] = float(self.counters.get(name, 0))
            return values

    def operator_calls(self):
        """The master's v1 operator calls (POST /api/v1), answered by the leader."""
        return {
            **operator_calls(self.effective_flags, self.metrics),
            **self.maintenance_calls(),
            "GET_MASTER": self.locked(lambda _call: {"get_master": {
                "master_info": self.info, "start_time": self.start_time, "elected_time": self.elected_time}}),
            "GET_AGENTS": self.locked(lambda _call: {"get_agents": self.v1_agents()}),
            "GET_FRAMEWORKS": self.locked(lambda _call: {"get_frameworks": self.v1_frameworks()}),
            "GET_EXECUTORS": self.locked(lambda _call: {"get_executors": {}}),
            "GET_TASKS": self.locked(lambda _call: {"get_tasks": self.v1_tasks()}),
            "GET_STATE": self.locked(lambda _call: {"get_state": {
                "get_tasks": self.v1_tasks(), "get_executors": {}, "get_frameworks": self.v1_frameworks(),
                "get_agents": self.v1_agents()}}),
        }

    def v1_agents(self):
        agents = []
        for agent in self.agents.values():
            resources = {k: v for k, v in agent["resources"].items() if isinstance(v, float)}
            total = v1_resources(resources, agent["resources"].get("ports"))
            used = self.agent_usage(agent["id"], offered=False)
            with_offers = self.agent_usage(agent["id"])
            offered = {k: with_offers.get(k, 0.0) - used.get(k, 0.0) for k in with_offers}
            entry = {"agent_info": {"hostname": agent["hostname"], "port": agent["port"], "resources": total,
                                    "attributes": v1_attributes(agent["attributes"]), "id": {"value": agent["id"]}},
                     "active": agent["active"], "version": agent["version"],
                     "pid": agent["pid"], "registered_time": time_info(agent["registered_time"]),
                     "total_resources": total, **self.agent_maintenance_json(agent, v1=True)}
            if not entry["agent_info"]["attributes"]:
                del entry["agent_info"]["attributes"]
            if used:
                entry["allocated_resources"] = v1_resources(used, allocated=True)
            if any(v > 0 for v in offered.values()):
                entry["offered_resources"] = v1_resources(offered, allocated=True)
            agents.append(entry)
        return {"agents": agents} if agents else {}

    def v1_frameworks(self):
        answer = {}
        if self.frameworks:
            answer["frameworks"] = [f.v1_json() for f in self.frameworks.values()]
        if self.completed_frameworks:
            answer["completed_frameworks"] = [f.v1_json() for f in self.completed_frameworks]
        return answer

    def v1_tasks(self):
        """GET_TASKS: the active frameworks' live tasks, and the completed ones (of completed frameworks too)."""
        live, done = [], []
        for task in self.all_tasks():
            (done if task.state in TERMINAL_STATES else live).append(task.v1_json())
        return {k: v for k, v in (("tasks", live), ("completed_tasks", done)) if v}

    def register_agent(self, request):
        body = request.body
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
            if not acl_permits(self.acls, "register_agents", "agents", principal):
                log.warning("Refusing registration of agent at %s (%s) because it is not authorized to register "
                            "(principal '%s')", body.get("pid"), body.get("hostname"), principal)
                return 403, {"error": "Not authorized to register", "master": self.info["pid"]}
            refusal = self.registration_refusal(agent_id, body.get("pid"), body.get("hostname"))
            if refusal:
                return 403, {"error": refusal, "shutdown": refusal, "master": self.info["pid"]}
            now = time.time()
            agent = self.agents.get(agent_id)
            if agent is None:
                log.info("Registered agent %s at %s (%s)", agent_id, body.get("pid"), body.get("hostname"))
                agent = self.agents[agent_id] = {"registered_time": now}
                self.count("messages_register_slave")
                self.count("slave_registrations")
            elif not agent["connected"]:
                log.info("Re-registered agent %s at %s (%s)", agent_id, body.get("pid"), body.get("hostname"))
                agent["reregistered_time"] = now
                self.count("messages_reregister_slave")
                self.count("slave_reregistrations")
            agent.update(id=agent_id, pid=body.get("pid"), hostname=body.get("hostname"), port=body.get("port"),
                         resources=body.get("resources", {}), attributes=body.get("attributes", {}),
                         version=VERSION, connected=True, active=agent_id not in self.deactivated, last_seen=now)
            reply = {"registered": True, "master": self.info}
            if agent_id in self.draining:  # Mesos sends a draining agent its DrainConfig again
                reply["drain_config"] = self.draining[agent_id]["config"]
            return 200, reply

    def unregister_agent(self, request):
        with self.lock:
            agent = self.agents.get(str(request.body.get("id", "")))
            if agent and pid_ip(agent.get("pid")) != request.peer:
                log.warning("Ignoring unregistration of agent %s from %s, which is not its pid %s", agent["id"],
                            request.peer, agent.get("pid"))
                return 403, {"error": "not the agent's own pid", "standin": True}
            agent = self.agents.pop(str(request.body.get("id", "")), None)
            if agent:
                self.deactivated.discard(agent["id"])
                self.draining.pop(agent["id"], None)
                self.count("messages_unregister_slave")
                self.count("slave_removals")
                self.count("slave_removals/reason_unregistered")
                self.on_agent_removed(agent["id"], "agent shut down")
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
    disk_mb = disk.f_blocks * disk.f_frsize // (1024 * 1024)  # the file system's size (fs::size), not what is free
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


def range_pairs(text):
    """'[31000-32000,2-3]' -> [(2, 3), (31000, 32000)], overlapping and adjacent ranges merged."""
    pairs = sorted((int(a), int(b)) for a, b in
                   (part.strip().split("-") for part in text.strip("[] ").split(",") if "-" in part))
    merged = []
    for a, b in pairs:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def agent_resources_json(resources):
    """The agent's {name: value} resources -> Resource messages as a SlaveInfo holds them."""
    out = []
    for name, value in resources.items():
        if isinstance(value, float):
            if value > 0:
                out.append({"name": name, "type": "SCALAR", "scalar": {"value": round(value, 3)}})
        elif value.strip().startswith("["):
            out.append({"name": name, "type": "RANGES", "ranges": {"range": [
                {"begin": a, "end": b} for a, b in range_pairs(value)]}})
        elif value.strip().startswith("{"):
            out.append({"name": name, "type": "SET", "set": {"item": sorted(
                filter(None, (i.strip() for i in value.strip("{} ").split(","))))}})
    return out


def agent_info_json(agent_id, hostname, port, resources, attributes, domain):
    """The agent's SlaveInfo, its fields in the message's field number order (as Mesos prints it)."""
    info = {"hostname": hostname, "resources": agent_resources_json(resources),
            "attributes": v1_attributes(attributes), "id": {"value": agent_id}, "checkpoint": True, "port": port}
    if domain is not None:
        info["domain"] = domain
    return {k: v for k, v in info.items() if v != []}


def text_format(message, indent=""):
    """A JSON protobuf message in protobuf's text format (DebugString), as Mesos's log shows messages."""
    lines = []
    for key, value in message.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                lines.append(f"{indent}{key} {{")
                lines.extend(text_format(item, indent + "  "))
                lines.append(f"{indent}}}")
            elif isinstance(item, bool):
                lines.append(f"{indent}{key}: {'true' if item else 'false'}")
            elif isinstance(item, float):
                lines.append(f"{indent}{key}: {int(item) if item.is_integer() else repr(item)}")
            elif isinstance(item, int) or key in ("type", "protocol"):  # numbers and enums go unquoted
                lines.append(f"{indent}{key}: {item}")
            else:
                lines.append(f"{indent}{key}: {json.dumps(str(item))}")
    return lines


def resource_values(info):
    """A SlaveInfo's resources by name: ('SCALAR', value to 3 decimals), ('RANGES', merged pairs) or ('SET',
    items); repeated names add up, as Mesos's Resources do."""
    values = {}
    for r in info.get("resources", []):
        kind, name = r.get("type"), r.get("name")
        if kind == "SCALAR":
            old = values.get(name, ("SCALAR", 0.0))[1]
            values[name] = ("SCALAR", round(old + float(r["scalar"]["value"]), 3))
        elif kind == "RANGES":
            old = values.get(name, ("RANGES", []))[1]
            pairs = old + [(x["begin"], x["end"]) for x in r["ranges"].get("range", [])]
            values[name] = ("RANGES", range_pairs(",".join(f"{a}-{b}" for a, b in pairs)))
        elif kind == "SET":
            values[name] = ("SET", sorted(set(values.get(name, ("SET", []))[1]) | set(r["set"].get("item", []))))
    return values


def attribute_values(info):
    values = {}
    for a in info.get("attributes", []):
        kind = a.get("type")
        value = a.get("scalar", {}).get("value") if kind == "SCALAR" else a.get("text", {}).get("value")
        values.setdefault(a.get("name"), []).append((kind, round(float(value), 3) if kind == "SCALAR" else value))
    return {name: sorted(v, key=str) for name, v in values.items()}


def show_resource(name, value):
    kind, v = value
    if kind == "SCALAR":
        return f"{name}:{int(v) if float(v).is_integer() else v}"
    if kind == "RANGES":
        return f"{name}:[{', '.join(f'{a}-{b}' for a, b in v)}]"
    return f"{name}:{{{', '.join(v)}}}"


def within(kind, smaller, larger):
    """Mesos's Value <= for scalars, ranges and sets."""
    if kind == "SCALAR":
        return smaller <= larger
    if kind == "RANGES":
        return all(any(c <= a and b <= d for c, d in larger) for a, b in smaller)
    return set(smaller) <= set(larger)


def agent_info_problem(policy, previous, current):
    """Mesos's compatibility::equal / additive of the checkpointed SlaveInfo and the one of the flags:
    None when compatible, else Mesos's error."""
    if policy == "equal":
        same = (previous.get("hostname") == current.get("hostname") and previous.get("port") == current.get("port")
                and resource_values(previous) == resource_values(current)
                and attribute_values(previous) == attribute_values(current)
                and previous.get("id") == current.get("id") and previous.get("domain") == current.get("domain")
                and previous.get("checkpoint") == current.get("checkpoint"))
        if same:
            return None
        rule = "\n------------------------------------------------------------"
        return "\n".join(["Incompatible agent info detected. ", rule,
                          "Old agent info:\n" + "\n".join(text_format(previous)) + "\n", rule,
                          "New agent info:\n" + "\n".join(text_format(current)) + "\n", rule])
    not_permitted = "Configuration change not permitted under `additive` policy: "
    if previous.get("hostname") != current.get("hostname"):
        return f"{not_permitted}Hostname changed from {previous.get('hostname')} to {current.get('hostname')}"
    if previous.get("port") != current.get("port"):
        return f"{not_permitted}Port changed from {previous.get('port')} to {current.get('port')}"
    if "domain" in previous and previous.get("domain") != current.get("domain"):
        return (f"{not_permitted}Domain changed from {' '.join(text_format(previous['domain']))} to "
                f"{' '.join(text_format(current.get('domain') or {}))}")
    not_permitted = "Configuration change not permitted under 'additive' policy"
    now = resource_values(current)
    for name, value in resource_values(previous).items():
        match = now.get(name)
        if match is None or match[0] != value[0]:
            return f"{not_permitted}. Resource not found: {show_resource(name, value)}"
        if not within(value[0], value[1], match[1]):
            before, after = (show_resource(name, v).split(":", 1)[1] for v in (value, match))
            if value[0] == "SCALAR":
                return f"{not_permitted}: Value of scalar resource '{name}' decreased from {before} to {after}"
            kind = "range" if value[0] == "RANGES" else "set"
            return (f"{not_permitted}: Previous value of {kind} resource '{name}' ({before}) not included in "
                    f"current {after}")
    now = attribute_values(current)
    for name, values in attribute_values(previous).items():
        kind, value = values[0]
        if name not in now:
            shown = value if kind == "TEXT" else (int(value) if float(value).is_integer() else value)
            return f"{not_permitted}: Couldn't find attribute {name}:{shown}"
        match_kind, match = now[name][0]
        if match_kind != kind:
            return f"{not_permitted}: Type of attribute '{name}' changed from {kind} to {match_kind}"
        if value != match:
            return (f"{not_permitted}: Value of {'scalar' if kind == 'SCALAR' else 'text'} attribute '{name}' "
                    f"changed from {value} to {match}")
    return None


def boot_id():
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return None


def recover_agent(flags, info):
    """Mesos's agent recovery of its id: `<work_dir>/meta/slaves/latest` links to `<id>`, whose `slave.info`
    holds the SlaveInfo checkpointed before (JSON here; Mesos writes the protobuf). A SlaveInfo compatible
    with this start's under --reconfiguration_policy keeps the id; an incompatible one after a reboot (the
    checkpointed `meta/boot_id` differs) falls back to a new agent; otherwise recovery fails and the agent
    exits 1, until the operator removes the `latest` link. `info` is this start's SlaveInfo without `id`;
    returns the id."""
    meta = os.path.join(flags["work_dir"], "meta")
    slaves = os.path.join(meta, "slaves")
    latest = os.path.join(slaves, "latest")
    agent_id = os.path.basename(os.readlink(latest)) if os.path.islink(latest) else None
    if agent_id is not None:
        path = os.path.join(slaves, agent_id, "slave.info")
        previous = None
        try:
            with open(path) as f:
                text = f.read()
            previous = json.loads(text) if text.strip() else None
        except FileNotFoundError:
            # Mesos then registers as a new agent; the stand-in keeps the id (its packages before this
            # checkpoint existed wrote no slave.info).
            log.warning("Failed to find agent info file '%s'", path)
        except (OSError, ValueError) as e:
            message = f"Failed to read agent info from '{path}': {e}"
            if flags.get("strict", "true") == "true":
                recovery_failed(message, latest)
            log.warning("%s", message)
        if previous is not None:
            current = with_id(info, agent_id)
            problem = agent_info_problem(flags.get("reconfiguration_policy", "equal"), previous, current)
            rebooted = False
            try:
                with open(os.path.join(meta, "boot_id")) as f:
                    rebooted = f.read().strip() != boot_id()
            except OSError:
                pass
            if problem is not None and rebooted:
                log.warning("Falling back to recover as a new agent due to error: %s", problem)
                os.unlink(latest)
                agent_id = None
            elif problem is not None:
                recovery_failed(problem, latest)
    if agent_id is None:
        agent_id = f"{uuid.uuid4()}-S0"
        os.makedirs(os.path.join(slaves, agent_id), exist_ok=True)
        os.symlink(agent_id, latest)
    # Mesos checkpoints the SlaveInfo once registered and the boot id once recovered; the stand-in, whose id
    # is its own, does both now.
    checkpoint(os.path.join(slaves, agent_id, "slave.info"), json.dumps(with_id(info, agent_id)))
    current_boot = boot_id()
    if current_boot:
        checkpoint(os.path.join(meta, "boot_id"), current_boot)
    return agent_id


def with_id(info, agent_id):
    """A SlaveInfo with the id, its fields in field number order."""
    info = dict(info, id={"value": agent_id})
    return {k: info[k] for k in ("hostname", "resources", "attributes", "id", "checkpoint", "port", "domain")
            if k in info}


def checkpoint(path, text):
    """As Mesos's state::checkpoint: write a temporary file, then rename it over the path."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def recovery_failed(error, latest):
    """Slave::__recover when recovery failed: EXIT(EXIT_FAILURE) with Mesos's advice to the operator."""
    log.error("EXIT with status 1: Failed to perform recovery: %s\n"
              "If recovery failed due to a change in configuration and you want to\n"
              "keep the current agent id, you might want to change the\n"
              "`--reconfiguration_policy` flag to a more permissive value.\n"
              "\n"
              "To restart this agent with a new agent id instead, do as follows:\n"
              "rm -f %s\n"
              "This ensures that the agent does not recover old live executors.\n"
              "\n"
              "If you use the Docker containerizer and think that the Docker\n"
              "daemon state is broken, you can try to clear it. But be careful:\n"
              "these commands will erase all containers and images from this host,\n"
              "not just those started by Mesos!\n"
              "docker kill $(docker ps -q)\n"
              "docker rm $(docker ps -a -q)\n"
              "docker rmi $(docker images -q)\n"
              "\n"
              "Finally, restart the agent.", error, latest)
    sys.stderr.flush()
    sys.exit(1)


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


# --- agent: tasks in Docker containers ----------------------------------------------------------------

DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "secs": 1, "mins": 60, "hrs": 3600, "days": 86400,
                  "weeks": 604800}


def parse_duration(text):
    """Stout's durations: 6hrs, 10secs, 1mins..."""
    for unit in sorted(DURATION_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            try:
                return float(text[:-len(unit)]) * DURATION_UNITS[unit]
            except ValueError:
                break
    raise FlagError(f"Failed to parse duration '{text}'")


class TaskRun:
    """One task on this agent: its container, sandbox and the statuses it went through."""

    def __init__(self, framework_id, framework, info, sandbox, container_id):
        self.framework_id, self.framework, self.info = framework_id, framework, info
        self.task_id = value_of(info, "task_id")
        self.sandbox, self.container_id = sandbox, container_id
        self.name = f"mesos-{container_id}"
        self.state = "TASK_STAGING"
        self.killed = False
        self.process = None
        self.statuses = []  # the TaskStatus messages sent, oldest first
        self.container_status = None  # that of its TASK_RUNNING update, once sent
        self.lock = threading.Lock()  # orders a kill against `docker run` starting
        self.inspected = threading.Event()  # set once the executor's inspect loop is over (RUNNING sent or not)

    def v1_json(self, agent_id):
        task = {"name": self.info.get("name", ""), "task_id": {"value": self.task_id},
                "framework_id": {"value": self.framework_id}, "executor_id": {"value": self.task_id},
                "agent_id": {"value": agent_id}, "state": self.state,
                "resources": v1_resources(scalars_of(self.info.get("resources")), allocated=True),
                "statuses": [{k: v for k, v in st.items() if k != "uuid"} for st in self.statuses]}
        if self.statuses:
            task["status_update_state"] = self.statuses[-1]["state"]
        if "container" in self.info:
            task["container"] = self.info["container"]
        return task

    def executor_info(self):
        """The ExecutorInfo the agent makes for a command task (the executor has the task's id)."""
        return {"executor_id": {"value": self.task_id}, "framework_id": {"value": self.framework_id},
                "name": f"Command Executor (Task: {self.task_id}) (Command: NO EXECUTABLE)",
                "source": self.task_id, "type": "COMMAND",
                "resources": v1_resources(scalars_of(self.info.get("resources")), allocated=True)}

    def json(self):
        return {"id": self.task_id, "name": self.info.get("name", ""), "framework_id": self.framework_id,
                "executor_id": "", "slave_id": "", "state": self.state,
                "resources": scalars_json(scalars_of(self.info.get("resources")))}

    def executor_json(self):
        return {"id": self.task_id, "name": f"Command Executor (Task: {self.task_id}) (Command: NO EXECUTABLE)",
                "source": self.task_id, "container": self.container_id, "directory": self.sandbox,
                "type": "COMMAND", "resources": scalars_json(scalars_of(self.info.get("resources"))),
                "tasks": [self.json()] if self.state not in TERMINAL_STATES else [],
                "completed_tasks": [self.json()] if self.state in TERMINAL_STATES else [], "queued_tasks": []}


class DockerContainerizer:
    """Runs DOCKER tasks as Mesos's Docker containerizer and docker executor do: the image pulled when
    missing, `docker run` attached with the container named mesos-<container id>, the sandbox at
    /mnt/mesos/sandbox (and volumes relative to it), the network, the parameters, cpu shares and memory
    limit; stdout/stderr in the sandbox; statuses as the Docker executor sends them (TASK_STARTING, TASK_RUNNING
    once the container has started, TASK_KILLING for a framework that can take it, then TASK_FINISHED,
    TASK_FAILED or TASK_KILLED) with what the agent adds to them, each sent to the master until it takes it."""

    def __init__(self, agent):
        self.agent = agent
        self.flags = agent.flags
        self.docker = [self.flags.get("docker", "docker"), "-H",
                       f"unix://{self.flags.get('docker_socket', '/var/run/docker.sock')}"]
        self.supports_docker = "docker" in self.flags.get("containerizers", "mesos").split(",")
        self.remove_delay = parse_duration(self.flags.get("docker_remove_delay", "6hrs"))
        self.runs = {}  # (framework id, task id) -> TaskRun
        self.launch_errors = 0
        self.outbox = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self.deliver_statuses, name="status-updates", daemon=True).start()

    def run_docker(self, *args, timeout=600):
        return subprocess.run(self.docker + list(args), capture_output=True, text=True, timeout=timeout)

    # --- requests from the master (stand-in protocol) ------------------------------------------------

    def launch(self, request):
        body = request.body
        framework_id, info = body["framework_id"], body["task"]
        task_id = value_of(info, "task_id")
        container_id = str(uuid.uuid4())
        sandbox = os.path.join(self.agent.work_dir, "slaves", self.agent.id, "frameworks", framework_id,
                               "executors", task_id, "runs", container_id)
        os.makedirs(sandbox, exist_ok=True)
        latest = os.path.join(os.path.dirname(sandbox), "latest")
        if os.path.islink(latest):
            os.unlink(latest)
        os.symlink(container_id, latest)
        run = TaskRun(framework_id, body.get("framework") or {}, info, sandbox, container_id)
        with self.lock:
            self.runs[(framework_id, task_id)] = run
        threading.Thread(target=self.run_task, args=(run,), name=f"task-{task_id}", daemon=True).start()
        return 200, {"container_id": container_id}

    def kill(self, request):
        with self.lock:
            run = self.runs.get((request.body.get("framework_id"), request.body.get("task_id")))
        if run is not None:
            threading.Thread(target=self.kill_run, args=(run,), daemon=True).start()
        return 200, {"known": run is not None}

    def shutdown_framework(self, request):
        with self.lock:
            runs = [r for (f, _), r in self.runs.items() if f == request.body.get("framework_id")]
        for run in runs:
            threading.Thread(target=self.kill_run, args=(run,), daemon=True).start()
        return 200, {"tasks": len(runs)}

    def kill_run(self, run, max_grace=None):
        """`docker stop` with the task's kill policy's grace period (default 3 s), at most `max_grace`
        seconds (a drain's max_grace_period). As the Docker executor, once `docker run` has begun the kill waits
        for its inspect (so TASK_RUNNING comes first) and sends TASK_KILLING, once, to a framework with the
        TASK_KILLING_STATE capability."""
        with run.lock:
            started = run.process is not None
            if not started:
                run.killed = True  # before the executor ran: run_task sends TASK_KILLED
        if not started:
            return
        run.inspected.wait(60)
        with run.lock:
            first, run.killed = not run.killed, True
        if run.state in TERMINAL_STATES:
            return
        capabilities = {c.get("type") for c in run.framework.get("capabilities", []) if isinstance(c, dict)}
        if first and "TASK_KILLING_STATE" in capabilities:
            self.update(run, "TASK_KILLING")
        grace = 3.0
        policy = (run.info.get("kill_policy") or {}).get("grace_period")
        if policy and policy.get("nanoseconds") is not None:
            grace = int(policy["nanoseconds"]) / 1e9
        if max_grace is not None:
            grace = min(grace, max_grace)
        log.info("Killing task %s of framework %s (container %s, grace period %gs)", run.task_id, run.framework_id,
                 run.name, grace)
        self.run_docker("stop", "-t", str(max(0, int(round(grace)))), run.name, timeout=60 + grace)

    def drain(self, config):
        """Mesos's agent draining: every task is killed, with its grace period capped by the drain's
        max_grace_period; KILLING/KILLED updates then say REASON_SLAVE_DRAINING."""
        max_grace = None
        if (config.get("max_grace_period") or {}).get("nanoseconds") is not None:
            max_grace = int(config["max_grace_period"]["nanoseconds"]) / 1e9
        with self.lock:
            runs = [r for r in self.runs.values() if r.state not in TERMINAL_STATES]
        log.info("Initiating drain with DrainConfig %s; agent has launched tasks %s", json.dumps(config),
                 sorted(r.task_id for r in runs))
        for run in runs:
            threading.Thread(target=self.kill_run, args=(run, max_grace), daemon=True).start()

    def kill_all(self):
        with self.lock:
            runs = list(self.runs.values())
        for run in runs:
            self.kill_run(run)

    # --- a task's life ------------------------------------------------------------------------------

    def update(self, run, state, message=None, reason=None, source="SOURCE_EXECUTOR", container_status=None,
               data=None):
        """Sends a status update to the master, as the agent forwards it. An update from the executor (source
        SOURCE_EXECUTOR) gets what Mesos's agent adds to every one (Slave::_statusUpdate): the containerizer's
        ContainerStatus, which for a Docker container is its `container_id` alone, merged into the executor's,
        and, when that holds no `network_infos`, one with the agent's own IP (a task in the host's network)."""
        drain = self.agent.drain_config
        if drain is not None and state in ("TASK_KILLING", "TASK_KILLED"):
            reason = "REASON_SLAVE_DRAINING"  # as Mesos's agent marks what a drain killed
            capabilities = {c.get("type") for c in run.framework.get("capabilities", []) if isinstance(c, dict)}
            if drain.get("mark_gone") and "PARTITION_AWARE" in capabilities:
                state = "TASK_GONE_BY_OPERATOR"
        if source == "SOURCE_EXECUTOR":
            container_status = {"container_id": {"value": run.container_id}, **(container_status or {})}
            if not container_status.get("network_infos"):
                container_status["network_infos"] = [{"ip_addresses": [{"ip_address": self.agent.ip}]}]
        run.state = state
        status = new_status(run.task_id, self.agent.id, state, source, message, reason, container_status,
                            acknowledged=False)
        if data is not None:
            status["data"] = base64.b64encode(data.encode()).decode()
        run.statuses.append(status)
        if state == "TASK_RUNNING":
            run.container_status = container_status
        if state == "TASK_FAILED" and reason == "REASON_CONTAINER_LAUNCH_FAILED":
            self.launch_errors += 1
        log.info("Task %s of framework %s is in %s%s", run.task_id, run.framework_id, state,
                 f": {message}" if message else "")
        self.outbox.put({"framework_id": run.framework_id, "status": status})

    def run_task(self, run):
        """The Docker containerizer pulls the image (a failure is the agent's TASK_FAILED, no executor ran), then
        the Docker executor sends TASK_STARTING, runs `docker run`, inspects the container until it has started
        and sends TASK_RUNNING (whatever the container did meanwhile, even exit), then the terminal update."""
        info = run.info
        container = info.get("container") or {}
        if container.get("type", "MESOS") != "DOCKER" or not self.supports_docker:
            self.update(run, "TASK_FAILED", "Failed to launch container: the mesos stand-in runs DOCKER containers "
                        "only, on agents with --containerizers=docker", "REASON_CONTAINER_LAUNCH_FAILED", "SOURCE_SLAVE")
            return
        docker = container.get("docker") or {}
        image = docker["image"]
        if docker.get("force_pull_image") or self.run_docker("image", "inspect", image, timeout=60).returncode != 0:
            pulled = self.run_docker("pull", image, timeout=1800)
            if pulled.returncode != 0:
                self.update(run, "TASK_FAILED", f"Failed to launch container: Failed to run "
                            f"'{' '.join(self.docker)} pull {image}': exited with status {pulled.returncode}; "
                            f"stderr='{pulled.stderr.strip()}'", "REASON_CONTAINER_LAUNCH_FAILED", "SOURCE_SLAVE")
                return
        args = self.run_arguments(run, container, docker)
        with run.lock:
            if run.killed:  # killed before the executor ran: the agent's update
                self.update(run, "TASK_KILLED", "Task killed before its container started",
                            "REASON_TASK_KILLED_DURING_LAUNCH", "SOURCE_SLAVE")
                run.inspected.set()
                return
            self.update(run, "TASK_STARTING")
            with open(os.path.join(run.sandbox, "stdout"), "wb") as out, \
                    open(os.path.join(run.sandbox, "stderr"), "wb") as err:
                run.process = subprocess.Popen(self.docker + args, stdout=out, stderr=err, cwd=run.sandbox)
        try:
            self.await_running(run, container, docker)
        finally:
            run.inspected.set()
        run.process.wait()
        self.finish(run)

    def await_running(self, run, container, docker):
        """The Docker executor's inspect loop: `docker inspect` every 0.5 s until the container has started
        (State.StartedAt set), then TASK_RUNNING with the inspect output as `data` and, when Docker gave the
        container an address on its network (HostConfig.NetworkMode), that address in `network_infos` (with the
        task's first NetworkInfo's name and labels). The executor gives up 5 s after `docker run` ended."""
        deadline = None
        while True:
            probe = self.run_docker("inspect", "--type=container", run.name, timeout=30)
            inspected = None
            if probe.returncode == 0:
                try:
                    inspected = (json.loads(probe.stdout) or [None])[0]
                except ValueError:
                    inspected = None
            state = (inspected or {}).get("State") or {}
            if state.get("StartedAt") and state["StartedAt"] != "0001-01-01T00:00:00Z":
                break
            if run.process.poll() is not None:
                deadline = deadline or time.time() + 5
                if time.time() >= deadline:
                    return  # as the executor's discarded inspect: no TASK_RUNNING
            time.sleep(0.5)
        if run.killed:
            return
        settings = inspected.get("NetworkSettings") or {}
        mode = (inspected.get("HostConfig") or {}).get("NetworkMode")
        network = (settings.get("Networks") or {}).get(mode) if mode else None
        ip = (network or {}).get("IPAddress") if network is not None else settings.get("IPAddress")
        ip6 = (network or {}).get("GlobalIPv6Address")
        container_status = {}
        if ip or ip6:
            given = (container.get("network_infos") or [None])[0]
            network_info = {k: v for k, v in (given or {}).items() if k != "ip_addresses"}
            network_info["ip_addresses"] = ([{"ip_address": ip}] if ip else []) + \
                ([{"protocol": "IPv6", "ip_address": ip6}] if ip6 else [])
            container_status["network_infos"] = [network_info]
        self.update(run, "TASK_RUNNING", container_status=container_status, data=probe.stdout)

    def finish(self, run):
        inspected = self.run_docker("inspect", "-f", "{{.State.ExitCode}} {{.State.StartedAt}}", run.name, timeout=30)
        started = inspected.returncode == 0 and not inspected.stdout.split()[1].startswith("0001-")
        if not started:
            with open(os.path.join(run.sandbox, "stderr"), errors="replace") as f:
                stderr = f.read().strip()[-2000:]
            self.update(run, "TASK_FAILED", f"Failed to launch container: Failed to run 'docker run' for "
                        f"{run.name}: exited with status {run.process.returncode}; stderr='{stderr}'",
                        "REASON_CONTAINER_LAUNCH_FAILED")
        else:
            code = int(inspected.stdout.split()[0])
            message = f"Container exited with status {code}"
            if run.killed:
                self.update(run, "TASK_KILLED", message)
            elif code == 0:
                self.update(run, "TASK_FINISHED", message)
            else:
                self.update(run, "TASK_FAILED", message, "REASON_COMMAND_EXECUTOR_FAILED")
        timer = threading.Timer(self.remove_delay, lambda: self.run_docker("rm", "-f", run.name, timeout=60))
        timer.daemon = True
        timer.start()

    @staticmethod
    def network_name(container, docker):
        mode = docker.get("network", "HOST")
        if mode == "USER":
            return ((container.get("network_infos") or [{}])[0]).get("name", "")
        return {"HOST": "host", "BRIDGE": "bridge", "NONE": "none"}.get(mode, "")

    def run_arguments(self, run, container, docker):
        info = run.info
        resources = scalars_of(info.get("resources"))
        args = ["run", "--name", run.name, "-e", "MESOS_SANDBOX=/mnt/mesos/sandbox",
                "-e", f"MESOS_CONTAINER_NAME={run.name}", "-v", f"{run.sandbox}:/mnt/mesos/sandbox"]
        if resources.get("cpus"):
            args += ["--cpu-shares", str(max(2, int(resources["cpus"] * 1024)))]
        if resources.get("mem"):
            args += ["--memory", f"{int(resources['mem'])}m"]
        command = info.get("command") or {}
        for variable in (command.get("environment") or {}).get("variables", []):
            args += ["-e", f"{variable['name']}={variable.get('value', '')}"]
        for volume in container.get("volumes", []):
            if "host_path" not in volume:
                continue
            host_path = volume["host_path"]
            if not os.path.isabs(host_path):
                host_path = os.path.normpath(os.path.join(run.sandbox, host_path))
            mode = "ro" if volume.get("mode") == "RO" else "rw"
            args += ["-v", f"{host_path}:{volume['container_path']}:{mode}"]
        network = self.network_name(container, docker)
        if network:
            args += ["--net", network]
        if docker.get("privileged"):
            args.append("--privileged")
        for parameter in docker.get("parameters", []):
            args.append(f"--{parameter['key']}={parameter['value']}")
        shell = command.get("shell", True)
        if shell and command.get("value"):
            args += ["--entrypoint", "/bin/sh", docker["image"], "-c", command["value"]]
        else:
            args.append(docker["image"])
            if command.get("value"):
                args.append(command["value"])
            args += command.get("arguments", [])
        return args

    # --- status updates to the master ---------------------------------------------------------------

    def deliver_statuses(self):
        """Sends each status to the leading master, in order, retrying until it takes it."""
        while True:
            update = self.outbox.get()
            while True:
                master = self.agent.current_master()
                if master is not None:
                    try:
                        status, _ = http_json(f"{master}/standin/agent/status", update, timeout=10)
                        if status == 200:
                            break
                    except OSError:
                        pass
                time.sleep(1)

    # --- what /state and /files/read show -------------------------------------------------------------

    def frameworks_json(self):
        with self.lock:
            runs = list(self.runs.values())
        frameworks, completed = {}, {}
        for run in runs:
            target = frameworks if run.state not in TERMINAL_STATES else completed
            fw = target.setdefault(run.framework_id, {
                "id": run.framework_id, "name": run.framework.get("name", ""), "user": run.framework.get("user", ""),
                "executors": [], "completed_executors": []})
            key = "executors" if run.state not in TERMINAL_STATES else "completed_executors"
            fw[key].append(run.executor_json())
        for framework_id in list(completed):
            if framework_id in frameworks:
                frameworks[framework_id]["completed_executors"] += completed.pop(framework_id)["completed_executors"]
        return list(frameworks.values()), list(completed.values())

    def read_file(self, request):
        """GET /files/read?path=&offset=&length=: a sandbox file (under --work_dir), as Mesos answers it."""
        path = os.path.realpath(request.query.get("path", ""))
        if not path.startswith(os.path.realpath(self.agent.work_dir) + os.sep) or not os.path.isfile(path):
            return 404, {"error": "File not found"}
        size = os.path.getsize(path)
        offset = int(request.query.get("offset", "-1"))
        if offset == -1:
            return 200, {"data": "", "offset": size}
        length = int(request.query.get("length", str(size)))
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(max(0, length))
        return 200, {"data": data.decode("utf-8", errors="replace"), "offset": offset}


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
        self.id = None  # recovered (or made) in run(), as Mesos's agent recovers it once its containerizer exists
        self.resources = parse_resources(flags.get("resources", ""), self.work_dir)
        self.attributes = parse_attributes(flags.get("attributes", ""))
        self.domain = None
        if flags.get("domain"):
            try:
                text = flags["domain"]
                self.domain = json.loads(read_path_value(text) if text.startswith(("file://", "/")) else text)
            except (OSError, ValueError) as e:
                raise FlagError(f"Failed to load flag 'domain': {e}") from None
        self.start_time = time.time()
        self.candidate = None  # the master to register with: {"pid","hostname","url"}
        self.registered_with = None  # MasterInfo of the master that accepted us
        self.changed = threading.Event()
        self.lock = threading.Lock()
        self.reading = threading.Lock()
        self.drain_config = None  # the DrainConfig of the master's DRAIN_AGENT, while draining
        self.shut_down_by_master = None  # the master's ShutdownMessage, once it sent one
        self.containerizer = DockerContainerizer(self)

    def current_master(self):
        """The URL of the master this agent is registered with, or None."""
        with self.lock:
            master = self.registered_with
        return f"http://{master['address']['ip']}:{master['address']['port']}" if master else None

    def state(self, _request):
        with self.lock:
            master = self.registered_with
        frameworks, completed = self.containerizer.frameworks_json()
        return 200, {
            "version": VERSION, "standin": True, "id": self.id, "pid": self.pid, "hostname": self.hostname,
            "start_time": self.start_time, "master_hostname": master["hostname"] if master else None,
            "resources": self.resources, "attributes": self.attributes,
            "flags": self.effective_flags(),
            "frameworks": frameworks, "completed_frameworks": completed, "capabilities": [],
        }

    def effective_flags(self):
        return {**DEFAULTS["agent"], **self.flags}

    def metrics(self):
        """/metrics/snapshot of the agent: registration, uptime, resources and its tasks and executors."""
        with self.lock:
            registered = self.registered_with is not None
        with self.containerizer.lock:
            runs = list(self.containerizer.runs.values())
        used = {}
        for run in runs:
            if run.state not in TERMINAL_STATES:
                for k, v in scalars_of(run.info.get("resources")).items():
                    used[k] = used.get(k, 0.0) + v
        total = {k: v for k, v in self.resources.items() if k in SCALARS and isinstance(v, float)}
        live = [r for r in runs if r.state not in TERMINAL_STATES]
        values = {
            "slave/registered": 1.0 if registered else 0.0, "slave/uptime_secs": time.time() - self.start_time,
            "slave/recovery_errors": 0.0, "slave/recovery_time_secs": 0.0,
            "slave/frameworks_active": float(len({r.framework_id for r in live})),
            "slave/executors_registering": 0.0, "slave/executors_running": float(len(live)),
            "slave/executors_terminating": 0.0, "slave/executors_terminated": float(len(runs) - len(live)),
            "slave/executors_preempted": 0.0, "slave/container_launch_errors": float(self.containerizer.launch_errors),
            "slave/valid_status_updates": float(sum(len(r.statuses) for r in runs)),
            "slave/invalid_status_updates": 0.0, "slave/valid_framework_messages": 0.0,
            "slave/invalid_framework_messages": 0.0,
            "containerizer/mesos/container_destroy_errors": 0.0,
            **resource_metrics("slave", total, used), **system_metrics(),
        }
        for state in ("STAGING", "STARTING", "RUNNING", "KILLING", "FINISHED", "FAILED", "KILLED", "LOST", "GONE"):
            values[f"slave/tasks_{state.lower()}"] = float(sum(1 for r in runs if r.state == f"TASK_{state}"))
        return values

    def operator_calls(self):
        """The agent's v1 operator calls (POST /api/v1)."""
        def runs():
            with self.containerizer.lock:
                return list(self.containerizer.runs.values())

        def get_tasks(_call=None):
            answer = {}
            for key, items in (("launched_tasks", [r for r in runs() if r.state not in TERMINAL_STATES]),
                               ("terminated_tasks", [r for r in runs() if r.state in TERMINAL_STATES])):
                if items:
                    answer[key] = [r.v1_json(self.id) for r in items]
            return answer

        def get_executors(_call=None):
            answer = {}
            for key, items in (("executors", [r for r in runs() if r.state not in TERMINAL_STATES]),
                               ("completed_executors", [r for r in runs() if r.state in TERMINAL_STATES])):
                if items:
                    answer[key] = [{"executor_info": r.executor_info()} for r in items]
            return answer

        def get_frameworks(_call=None):
            live, done = {}, {}
            for run in runs():
                target = live if run.state not in TERMINAL_STATES else done
                target[run.framework_id] = {"framework_info": {**run.framework, "id": {"value": run.framework_id}}}
            answer = {}
            if live:
                answer["frameworks"] = list(live.values())
            done = [f for k, f in done.items() if k not in live]
            if done:
                answer["completed_frameworks"] = done
            return answer

        def get_containers(_call):
            containers = []
            for run in runs():
                if run.state in TERMINAL_STATES or run.container_status is None:
                    continue  # as Mesos: the containers that run now
                resources = scalars_of(run.info.get("resources"))
                statistics = {"timestamp": time.time()}
                if resources.get("cpus"):
                    statistics["cpus_limit"] = resources["cpus"]
                if resources.get("mem"):
                    statistics["mem_limit_bytes"] = int(resources["mem"] * 1024 * 1024)
                containers.append({"framework_id": {"value": run.framework_id},
                                   "executor_id": {"value": run.task_id},
                                   "executor_name": run.executor_info()["name"],
                                   "container_id": {"value": run.container_id},
                                   # the Docker containerizer's ContainerStatus: the container id only
                                   "container_status": {"container_id": {"value": run.container_id}},
                                   "resource_statistics": statistics})
            return {"get_containers": {"containers": containers} if containers else {}}

        return {
            **operator_calls(self.effective_flags, self.metrics),
            "GET_STATE": lambda _call: {"get_state": {"get_tasks": get_tasks(), "get_executors": get_executors(),
                                                      "get_frameworks": get_frameworks()}},
            "GET_TASKS": lambda _call: {"get_tasks": get_tasks()},
            "GET_EXECUTORS": lambda _call: {"get_executors": get_executors()},
            "GET_FRAMEWORKS": lambda _call: {"get_frameworks": get_frameworks()},
            "GET_CONTAINERS": get_containers,
            "GET_AGENT": lambda _call: {"get_agent": {"agent_info": {
                "hostname": self.hostname, "port": self.port, "id": {"value": self.id},
                "resources": v1_resources({k: v for k, v in self.resources.items() if isinstance(v, float)},
                                          self.resources.get("ports")),
                **({"attributes": v1_attributes(self.attributes)} if self.attributes else {})}}},
        }

    def from_master(self, route):
        """The route, for requests from the master this agent registered with only: as Mesos's agent drops
        a message whose sender is not its master ("not the expected master")."""
        def guarded(request):
            with self.lock:
                master = self.registered_with or {}
            expected = master.get("address", {}).get("ip")
            if request.peer != expected:
                log.warning("Ignoring %s from %s because it is not the expected master: %s", request.path,
                            request.peer, master.get("pid", "none"))
                return 403, {"error": "not the expected master", "standin": True}
            return route(request)
        return guarded

    # Called by kazoo whenever the contenders change, and every CONTENDERS_READ_SECS from run() (registering
    # again at once only when that finds another master).
    def on_children(self, client, path, children, always=True):
        with self.reading:  # one read at a time: an older read must not win over a newer one
            infos = contenders(client, path, children)
            if infos is None:
                return
            candidate = None
            if infos:
                info = infos[0][1]
                address = info.get("address", {})
                candidate = {"pid": info["pid"], "url": f"http://{address.get('ip', '')}:{info['port']}"}
            with self.lock:
                moved = candidate != self.candidate
                self.candidate = candidate
        if always or moved:
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
        if status == 403 and (reply or {}).get("shutdown"):
            # A ShutdownMessage (the machine is DOWN, or the agent was marked gone): the agent terminates.
            self.shutdown_by(candidate["pid"], reply["shutdown"])
            return False
        if status == 403 and (reply or {}).get("error") == "Not authorized to register":
            # Mesos's master sends a ShutdownMessage; the agent terminates.
            log.info("Agent asked to shut down by %s because 'Not authorized to register'", candidate["pid"])
            sys.stderr.flush()
            os._exit(0)
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
            drain, self.drain_config = self.drain_config, reply.get("drain_config")
        if self.drain_config is not None and drain is None:
            self.containerizer.drain(self.drain_config)
        return True

    def shutdown_by(self, master_pid, message, delay=0.0):
        log.info("Agent asked to shut down by %s because '%s'", master_pid, message)
        self.shut_down_by_master = message
        threading.Timer(delay, stopping.set).start()  # (after answering the master's request)

    def shutdown_message(self, request):
        """The master's ShutdownMessage (stand-in protocol): the agent kills its tasks and terminates."""
        with self.lock:
            master = (self.registered_with or {}).get("pid", "")
        self.shutdown_by(master, request.body.get("message", ""), delay=0.2)
        return 200, {}

    def drain_message(self, request):
        """The master's DrainSlaveMessage (stand-in protocol)."""
        config = request.body.get("config") or {}
        with self.lock:
            self.drain_config = config
        self.containerizer.drain(config)
        return 200, {}

    def run(self):
        if "docker" in self.flags.get("containerizers", "mesos").split(","):
            check_docker(self.flags)
        policy = self.flags.get("reconfiguration_policy", "equal")
        if policy not in ("equal", "additive"):
            log.error("EXIT with status 1: Unknown option for 'reconfiguration_policy' flag %s. Please run the "
                      "agent with '--help' to see the valid options.", policy)
            return 1
        info = agent_info_json(None, self.hostname, self.port, self.resources, self.attributes, self.domain)
        del info["id"]
        log.info("Agent resources: %s", ";".join(show_resource(name, value) for name, value
                                                 in resource_values(info).items()))
        self.id = recover_agent(self.flags, info)
        # Routes by the path libprocess gives the agent's processes (`/state` is `/slave(1)/state`).
        routes = {
            ("GET", "/slave(1)/health"): lambda _request: (200, None),
            ("GET", "/slave(1)/state"): self.state,
            ("GET", "/slave(1)/flags"): lambda _request: (200, {"flags": self.effective_flags()}),
            ("GET", "/metrics/snapshot"): lambda _request: (200, self.metrics()),
            ("GET", "/version"): lambda _request: (200, {**version_json(), "standin": True}),
            ("GET", "/files/read"): self.containerizer.read_file,
            ("POST", "/slave(1)/api/v1"): operator_api("mesos-agent-readwrite", self.flags, "http_credentials",
                                                       "agent", self.operator_calls()),
            ("POST", "/standin/agent/launch"): self.from_master(self.containerizer.launch),
            ("POST", "/standin/agent/kill"): self.from_master(self.containerizer.kill),
            ("POST", "/standin/agent/shutdown-framework"): self.from_master(self.containerizer.shutdown_framework),
            ("POST", "/standin/agent/shutdown"): self.from_master(self.shutdown_message),
            ("POST", "/standin/agent/drain"): self.from_master(self.drain_message),
        }
        # Not in Mesos 1.11 (it dropped the .json endpoints); kept for the stand-in's older callers.
        for path in ("/state.json", "/slave(1)/state.json"):
            routes[("GET", path)] = self.state
        routes[("GET", "/files/read.json")] = self.containerizer.read_file
        bind_ip = self.flags.get("ip", "0.0.0.0")
        serve_http(bind_ip, self.port, routes, "slave(1)")
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
            # As Mesos's detector, the agent only reads: it waits for the masters to make the path.
            while not stopping.is_set() and client.exists(path) is None:
                stopping.wait(1)
            client.ChildrenWatch(path, lambda children: self.on_children(client, path, children))
            keep_reading_contenders(client, path, lambda c, p, children: self.on_children(c, p, children, always=False))
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
        # Unlike Mesos (which recovers them on restart), the stand-in leaves no container running.
        self.containerizer.kill_all()
        with self.lock:
            master_info = self.registered_with
        if master_info and not self.shut_down_by_master:  # an agent the master shut down does not unregister
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
