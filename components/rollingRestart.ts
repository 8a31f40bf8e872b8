// A rolling restart whose order is known only at run time: the members that wait for a restart are
// restarted one at a time, followers first and the leader last, each back in service before the next.
// Like HostScript it is a dynamic provider, so the code Pulumi serializes must stay self-contained.
import * as pulumi from "@pulumi/pulumi";
import { HostScriptInputs, runOnHost, same } from "./hostScriptProvider";
import { connectionTo, Host, privateKeyOf, scriptCommand, ScriptSettings } from "./remote";

interface MemberInputs {
    name: string;
    connection: HostScriptInputs["connection"];
    /** Prints "<restart|current> <mode>" (the member's mode: leader, follower, ...). */
    probe: string;
    /** Restarts the member if it waits for it, and returns once it serves again. */
    restart: string;
}

interface RollingRestartInputs {
    members: MemberInputs[];
    /** Private keys by member name (secret). */
    privateKeys: Record<string, string>;
    /** What the members were configured with: a change rolls the restart again. */
    revision: unknown;
}

/** Restarts the members that wait for it; returns "<name> <mode before>" in the order it restarted them. */
async function roll(inputs: RollingRestartInputs): Promise<string[]> {
    const on = (member: MemberInputs): HostScriptInputs =>
        ({ connection: member.connection, privateKey: inputs.privateKeys[member.name], script: member.name });
    const probe = async (member: MemberInputs) => {
        const last = (await runOnHost(on(member), member.probe, `probing ${member.name}`)).trim().split("\n").pop() ?? "";
        const [state, mode] = last.trim().split(/\s+/);
        return { member, state, mode };
    };
    let due = (await Promise.all(inputs.members.map(probe))).filter((p) => p.state === "restart").map((p) => p.member);
    const restarted: string[] = [];
    while (due.length > 0) {
        // Modes can change as members restart (a new election), so look again before each restart.
        const modes = await Promise.all(due.map(probe));
        const next = modes.find((p) => p.mode !== "leader") ?? modes[0];
        await runOnHost(on(next.member), next.member.restart, `restarting ${next.member.name}`);
        restarted.push(`${next.member.name} ${next.mode}`);
        due = due.filter((m) => m !== next.member);
    }
    return restarted;
}

const rollingRestartProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: RollingRestartInputs) {
        const restarted = await roll(inputs);
        return { id: `rolling-restart:${Date.now().toString(36)}`, outs: { ...inputs, restarted } };
    },
    async diff(_id: string, olds: RollingRestartInputs, news: RollingRestartInputs) {
        return { changes: !same(olds.members, news.members) || !same(olds.revision, news.revision) || !same(olds.privateKeys, news.privateKeys) };
    },
    async update(_id: string, _olds: RollingRestartInputs, news: RollingRestartInputs) {
        return { outs: { ...news, restarted: await roll(news) } };
    },
};

export interface RollingRestartMember {
    host: Host;
    probeScript: string;
    restartScript: string;
    settings?: ScriptSettings;
}

export interface RollingRestartArgs {
    members: RollingRestartMember[];
    revision: pulumi.Input<unknown>;
}

/** Runs after the members' configuration steps; restarts the members they marked, leader last. */
export class RollingRestart extends pulumi.dynamic.Resource {
    /** "<name> <mode>" for each member restarted by the last run, in order. */
    declare public readonly restarted: pulumi.Output<string[]>;

    constructor(name: string, args: RollingRestartArgs, opts?: pulumi.CustomResourceOptions) {
        super(rollingRestartProvider, name, {
            members: args.members.map((m) => ({
                name: m.host.name,
                connection: connectionTo(m.host),
                probe: scriptCommand(m.probeScript, m.settings),
                restart: scriptCommand(m.restartScript, m.settings),
            })),
            privateKeys: pulumi.secret(pulumi.all(Object.fromEntries(args.members.map((m) => [m.host.name, privateKeyOf(m.host)])))),
            revision: args.revision,
            restarted: undefined,
        }, { ...opts, customTimeouts: { create: "30m", update: "30m", ...opts?.customTimeouts } }, "twister2", "RollingRestart");
    }
}
