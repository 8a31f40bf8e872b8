"""A long job on pymesos's scheduler driver (Mesos's v1 scheduler API), for the rolls: it keeps COUNT DOCKER
tasks (`sleep`) running in the image given, launching one on any offer that fits while fewer run, so a task
killed on a drained agent is launched again wherever Mesos offers (the drained agent offers nothing). It
subscribes with the principal given and the secret read from standard input, prints each launch and
update on a line of its own ("launched <task> on <agent id> <hostname>", "update <task> <state> <agent id>")
and on SIGTERM tears the framework down. Usage: python keeper.py MASTER PRINCIPAL IMAGE COUNT <<< SECRET"""

import signal
import sys
import threading

from pymesos import MesosSchedulerDriver, Scheduler

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE"}


def say(*words):
    print(*words, flush=True)


class Keeper(Scheduler):
    def __init__(self, image, count):
        self.image = image
        self.count = count
        self.live = set()  # launched and not terminal
        self.launches = 0
        self.lock = threading.Lock()

    def registered(self, driver, framework_id, master_info):
        say("subscribed", framework_id["value"])

    def resourceOffers(self, driver, offers):
        for offer in offers:
            scalars = {r["name"]: r["scalar"]["value"] for r in offer["resources"] if r.get("type") == "SCALAR"}
            with self.lock:
                if len(self.live) >= self.count or scalars.get("cpus", 0) < 0.1 or scalars.get("mem", 0) < 32:
                    driver.declineOffer(offer["id"], {"refuse_seconds": 1})
                    continue
                self.launches += 1
                task_id = f"t2-keeper-{self.launches}"
                self.live.add(task_id)
            task = {
                "task_id": {"value": task_id},
                "agent_id": offer["agent_id"],
                "name": "t2-keeper-sleep",
                "resources": [
                    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                    {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}},
                ],
                "command": {"shell": True, "value": "sleep 3600"},
                "container": {"type": "DOCKER", "docker": {"image": self.image, "network": "HOST"}},
            }
            driver.launchTasks(offer["id"], [task])
            say("launched", task_id, "on", offer["agent_id"]["value"], offer["hostname"])

    def statusUpdate(self, driver, update):
        task_id, state = update["task_id"]["value"], update["state"]
        say("update", task_id, state, update.get("agent_id", {}).get("value", "-"))
        if state in TERMINAL:
            with self.lock:
                self.live.discard(task_id)
            driver.reviveOffers()

    def error(self, driver, message):
        say("error", message)


def main():
    master, principal, image, count = sys.argv[1:5]
    secret = sys.stdin.readline().rstrip("\n")
    framework = {"user": "root", "name": "t2-keeper", "hostname": "t2-keeper", "principal": principal}
    driver = MesosSchedulerDriver(Keeper(image, int(count)), framework, master, principal=principal, secret=secret)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    driver.start()
    stopped.wait()
    driver.stop()  # not a failover: the framework is torn down
    driver.join()
    say("torn down")


if __name__ == "__main__":
    main()
