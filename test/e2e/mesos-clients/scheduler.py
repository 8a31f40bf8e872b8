"""A framework on pymesos's scheduler driver (Mesos's v1 scheduler API): it subscribes with the principal
given and the secret read from standard input and runs DOCKER tasks (`sleep`) in the image given, named
t2-conformance-<n>: one, on the first offer that fits; or, given COUNT, a long job that keeps COUNT tasks
running, launching one again on any offer that fits when one ends (a task killed on a drained agent runs
again wherever Mesos offers: the drained agent offers nothing). It prints each event on a line of its
own, and on SIGTERM tears the framework down. Usage: python scheduler.py MASTER PRINCIPAL IMAGE [COUNT] <<< SECRET"""

import signal
import sys
import threading

from pymesos import MesosSchedulerDriver, Scheduler

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE"}


def say(*words):
    print(*words, flush=True)


class Tasks(Scheduler):
    def __init__(self, image, count, relaunch):
        self.image = image
        self.count = count
        self.relaunch = relaunch
        self.live = set()  # launched and not ended
        self.launches = 0
        self.lock = threading.Lock()

    def registered(self, driver, framework_id, master_info):
        say("subscribed", framework_id["value"])

    def wanted(self):
        return len(self.live) < self.count and (self.relaunch or self.launches < self.count)

    def resourceOffers(self, driver, offers):
        for offer in offers:
            scalars = {r["name"]: r["scalar"]["value"] for r in offer["resources"] if r.get("type") == "SCALAR"}
            with self.lock:
                if not self.wanted() or scalars.get("cpus", 0) < 0.1 or scalars.get("mem", 0) < 32:
                    driver.declineOffer(offer["id"], {"refuse_seconds": 1} if self.relaunch else None)
                    continue
                self.launches += 1
                task_id = f"t2-conformance-{self.launches}"
                self.live.add(task_id)
            task = {
                "task_id": {"value": task_id},
                "agent_id": offer["agent_id"],
                "name": "t2-conformance-sleep",
                "resources": [
                    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                    {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}},
                ],
                "command": {"shell": True, "value": "sleep 600"},
                "container": {"type": "DOCKER", "docker": {"image": self.image, "network": "HOST"}},
            }
            driver.launchTasks(offer["id"], [task])
            say("launched", task_id, "on", offer["agent_id"]["value"])

    def statusUpdate(self, driver, update):
        task_id, state = update["task_id"]["value"], update["state"]
        say("update", task_id, state)
        if state in TERMINAL:
            with self.lock:
                self.live.discard(task_id)
            if self.relaunch:
                driver.reviveOffers()

    def error(self, driver, message):
        say("error", message)


def main():
    master, principal, image = sys.argv[1:4]
    count = sys.argv[4] if len(sys.argv) > 4 else None
    secret = sys.stdin.readline().rstrip("\n")
    framework = {"user": "root", "name": "t2-conformance", "hostname": "t2-conformance", "principal": principal}
    tasks = Tasks(image, int(count or 1), relaunch=count is not None)
    driver = MesosSchedulerDriver(tasks, framework, master, principal=principal, secret=secret)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    driver.start()
    stopped.wait()
    driver.stop()  # not a failover: the framework is torn down
    driver.join()
    say("torn down")


if __name__ == "__main__":
    main()
