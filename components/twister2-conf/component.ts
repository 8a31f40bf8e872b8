// Twister2's conf/mesos for the cluster: no settings, roles or packages of its own; it is written on
// this machine from the other components' outputs (twister2Conf.ts).
import { defineComponent } from "../../framework/component";

export const twister2Conf = defineComponent<"twister2Conf", undefined>({ id: "twister2Conf" });
