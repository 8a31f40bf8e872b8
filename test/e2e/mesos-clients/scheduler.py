"""A framework on pymesos's scheduler driver (Mesos's v1 scheduler API): it subscribes with the
principal given and the secret read from standard input, launches one DOCKER task (`sleep`) in the
image given on the first offer that fits, prints each event on a line of its own, and on SIGTERM tears
the framework down. Usage: python scheduler.py MASTER PRINCIPAL IMAGE <<< SECRET"""

import signal
import sys
import threading

from pymesos import MesosSchedulerDriver, Scheduler

TASK_ID = "t2-conformance-1"


def say(*words):
    print(*words, flush=True)


class OneTask(Scheduler):
    def __init__(self, image):
        self.image = image
        self.launched = False

    def registered(self, driver, framework_id, master_info):
        say("subscribed", framework_id["value"])

    def resourceOffers(self, driver, offers):
        for offer in offers:
            scalars = {r["name"]: r["scalar"]["value"] for r in offer["resources"] if r.get("type") == "SCALAR"}
            if self.launched or scalars.get("cpus", 0) < 0.1 or scalars.get("mem", 0) < 32:
                driver.declineOffer(offer["id"])
                continue
            self.launched = True
            task = {
                "task_id": {"value": TASK_ID},
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
            say("launched", TASK_ID, "on", offer["agent_id"]["value"])

    def statusUpdate(self, driver, update):
        say("update", update["task_id"]["value"], update["state"])

    def error(self, driver, message):
        say("error", message)


def main():
    master, principal, image = sys.argv[1:4]
    secret = sys.stdin.readline().rstrip("\n")
    framework = {"user": "root", "name": "t2-conformance", "hostname": "t2-conformance", "principal": principal}
    driver = MesosSchedulerDriver(OneTask(image), framework, master, principal=principal, secret=secret)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    driver.start()
    stopped.wait()
    driver.stop()  # not a failover: the framework is torn down
    driver.join()
    say("torn down")


if __name__ == "__main__":
    main()
