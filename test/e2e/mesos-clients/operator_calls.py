"""pymesos's operator drivers (Mesos's v1 operator API) against a master and agents: each call on a line
of its own, `DAEMON CALL ok SUMMARY` or `DAEMON CALL failed ERROR`. pymesos sends no credentials; given a
principal (not `-`), with the secret on standard input, every request carries them as Basic
authentication, as the cluster's read-write realm asks.
Usage: python operator_calls.py PRINCIPAL|- MASTER AGENT... [<<< SECRET]"""

import base64
import json
import sys

from pymesos import MesosOperatorAgentDriver, MesosOperatorMasterDriver


def with_credentials(driver, principal, secret):
    """The driver's requests with an Authorization header (its _send takes the headers)."""
    token = base64.b64encode(f"{principal}:{secret}".encode()).decode()
    send = driver._send
    driver._send = lambda body, path="/api/v1/operator", method="POST", headers=None: send(
        body, path, method, {**(headers or {}), "Authorization": f"Basic {token}"})
    return driver


def summary(call, answer):
    """What a test reads of each answer: the call's own field, trimmed to what identifies it."""
    body = answer.get(call.lower(), {})
    if call == "GET_AGENTS":
        return sorted(a["agent_info"]["hostname"] + (" active" if a.get("active") else " inactive") for a in body.get("agents", []))
    if call == "GET_FRAMEWORKS":
        return sorted(f["framework_info"]["name"] for f in body.get("frameworks", []))
    if call == "GET_TASKS":
        return sorted(f"{t['task_id']['value']} {t['state']}" for t in body.get("tasks", []))
    if call == "GET_STATE":
        state = body.get("get_state", body)
        return {"agents": len(state.get("get_agents", {}).get("agents", [])),
                "frameworks": len(state.get("get_frameworks", {}).get("frameworks", [])),
                "tasks": len(state.get("get_tasks", {}).get("tasks", []))}
    if call == "GET_FLAGS":
        return {f["name"]: f.get("value") for f in body.get("flags", []) if f["name"] in ("authenticate_http_readwrite", "containerizers", "quorum")}
    if call == "GET_METRICS":
        return {m["name"]: m.get("value") for m in body.get("metrics", []) if m["name"] in ("master/elected", "slave/registered")}
    if call == "GET_MASTER":
        return body.get("master_info", {}).get("hostname")
    if call == "GET_CONTAINERS":
        return len(body.get("containers", []))
    if call == "GET_VERSION":
        return body.get("version_info", {}).get("version")
    return body


def run(daemon, call, ask):
    try:
        print(daemon, call, "ok", json.dumps(summary(call, ask())), flush=True)
    except Exception as error:  # noqa: BLE001 (each call's failure is a result)
        print(daemon, call, "failed", str(error).splitlines()[0][:300], flush=True)


def main():
    principal, master_address, *agent_addresses = sys.argv[1:]
    master = MesosOperatorMasterDriver(master_address)
    agents = [(address, MesosOperatorAgentDriver(address)) for address in agent_addresses]
    if principal != "-":
        secret = sys.stdin.readline().rstrip("\n")
        for driver in [master, *(driver for _, driver in agents)]:
            with_credentials(driver, principal, secret)
    for call, ask in [("GET_HEALTH", master.getHealth), ("GET_VERSION", master.getVersion), ("GET_FLAGS", master.getFlags),
                      ("GET_METRICS", lambda: master.getMetrics(5_000_000_000)), ("GET_MASTER", master.getMaster),
                      ("GET_AGENTS", master.getAgents), ("GET_FRAMEWORKS", master.getFrameworks),
                      ("GET_TASKS", master.getTasks), ("GET_STATE", master.getState)]:
        run("master", call, ask)
    for address, agent in agents:
        for call, ask in [("GET_HEALTH", agent.getHealth), ("GET_VERSION", agent.getVersion), ("GET_FLAGS", agent.getFlags),
                          ("GET_METRICS", lambda: agent.getMetrics(5_000_000_000)), ("GET_STATE", agent.getState),
                          ("GET_CONTAINERS", agent.getContainers)]:
            run(address, call, ask)


if __name__ == "__main__":
    main()
