import { describe, expect, it } from "vitest";
import { components } from "../../components";
import { firewallScripts } from "../../components/firewall/component";
import { mesosScripts } from "../../components/mesos/component";
import { swarmScripts } from "../../components/swarm/component";
import { uploaderScripts } from "../../components/uploader/component";
import { zookeeperScripts } from "../../components/zookeeper/component";
import { stepCommandLine, stepsIn } from "../../framework/remote/stepCommand";
import { rootCommandLine } from "../../framework/remote/sudo";
import { policySettings, waiversFromCli } from "../../framework/policy/config";
import { PolicyResource, stackView } from "../../framework/policy/rule";
import { policyRulesOf } from "../../framework/policy/rules";

const rules = policyRulesOf(components);
const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4d5pQ8u5r8o7m1G0a1Yf3mU7wH3gH0r6o1p2q3r4s5";
const connection = (host: string, more: Record<string, unknown> = {}) => ({ host, port: 22, user: "deploy", privateKey: "-----BEGIN KEY-----\nk3y-material-0123\n-----END KEY-----", hostKey, ...more });
const step = (name: string, host: string, script: string, settings: Record<string, string> = {}, more: Record<string, unknown> = {}): PolicyResource => ({
    type: "command:remote:Command",
    name,
    props: { connection: connection(host), create: rootCommandLine({}, [stepCommandLine(settings, "0123456789abcdef", host, script)]), ...more },
});
const firewalled = (host: string) => step(`host-setup-${host}`, host, firewallScripts.firewall.name, { RULES: `tcp 2181 cluster ${host}` });
const network = (options?: Record<string, string>): PolicyResource => ({ type: "docker:index/network:Network", name: "overlay-network", props: { name: "mesos-overlay", driver: "overlay", ...options ? { options } : {} } });
const masterFlags = "quorum=1\nauthenticate_agents=true\nauthenticate_http_frameworks=true\nauthenticate_http_readwrite=true";

/** A small cluster that keeps every rule: one host with a firewall, ZooKeeper, a master, the swarm, the uploader, an encrypted overlay. */
const kept = (): PolicyResource[] => [
    firewalled("10.0.0.1"),
    step("zookeeper-h1-server", "10.0.0.1", zookeeperScripts.configure.name, { SERVER_ID: "1" }),
    step("mesos-h1-master", "10.0.0.1", mesosScripts.daemon.name, { SERVICE: "mesos-master", FLAGS: masterFlags }),
    step("swarm-init", "10.0.0.1", swarmScripts.init.name),
    step("uploader-server", "10.0.0.1", uploaderScripts.server.name, { UPLOAD_USER: "twister2", UPLOAD_COMMAND: "abc-uploader-command" }),
    network({ encrypted: "" }),
    { type: "pulumi:providers:docker", name: "overlay-docker", props: { host: "ssh://deploy@10.0.0.1:22", sshOpts: JSON.stringify(["-o", "StrictHostKeyChecking=yes"]) } },
    { type: "random:index/randomPassword:RandomPassword", name: "mesos-framework-secret", props: { result: "generated-secret-0123456789" } },
    { type: "pulumi:pulumi:Stack", name: "twister2-cluster-dev", props: { mesosFramework: { principal: "twister2", secret: "generated-secret-0123456789" } } },
];
const broken = (resources: PolicyResource[]) => Object.fromEntries(rules.map((rule) => [rule.name, rule.violations(stackView(resources))]).filter(([, v]) => v.length > 0));

describe("a step's command, written and read back", () => {
    it("gives each script's host, name and settings, quoting and the sudo-password form included", () => {
        const line = rootCommandLine({ sudoPasswordFile: "/pw" }, [
            stepCommandLine({ RULES: "tcp 22 it's 10.0.0.0/8", EMPTY: "" }, "0123456789abcdef", "10.0.0.1", "firewall.sh"),
            stepCommandLine({}, "fedcba9876543210", "10.0.0.1", "packages-install.sh"),
        ]);
        expect(stepsIn(line)).toEqual([
            { address: "10.0.0.1", script: "firewall.sh", settings: { EMPTY: "", RULES: "tcp 22 it's 10.0.0.0/8" } },
            { address: "10.0.0.1", script: "packages-install.sh", settings: {} },
        ]);
        expect(stepsIn(undefined)).toEqual([]);
    });
});

describe("the policy pack's rules", () => {
    it("are each named once, and a cluster that keeps them breaks none", () => {
        expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
        expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining([
            "host-keys-pinned", "no-root-login", "no-secret-in-the-open", "encrypted-overlay", "odd-swarm-managers",
            "odd-zookeeper-ensemble", "mesos-http-authentication", "odd-mesos-masters", "host-firewall", "restricted-upload-account",
        ]));
        expect(broken(kept())).toEqual({});
    });

    it("name each thing that breaks them, without the secret", () => {
        const resources = kept();
        resources[0] = step("host-setup-10.0.0.1", "10.0.0.1", firewallScripts.firewall.name, { RULES: "" });
        resources[1].props.connection = connection("10.0.0.1", { hostKey: undefined, user: "root" });
        resources[2] = step("mesos-h1-master", "10.0.0.1", mesosScripts.daemon.name, { SERVICE: "mesos-master", FLAGS: "quorum=1\nauthenticate_agents=true" });
        resources[4] = step("uploader-server", "10.0.0.1", uploaderScripts.server.name, { UPLOAD_USER: "deploy", UPLOAD_COMMAND: "" });
        resources[5] = network();
        resources[6] = { type: "pulumi:providers:docker", name: "overlay-docker", props: { host: "ssh://root@10.0.0.1:22", sshOpts: ["-o", "StrictHostKeyChecking=no"] } };
        resources.push(step("swarm-join-h2", "10.0.0.2", swarmScripts.join.name, { ROLE: "manager" }, { environment: { TOKEN: "generated-secret-0123456789" } }));
        resources.push(firewalled("10.0.0.2"));
        resources.push(step("zookeeper-h2-server", "10.0.0.2", zookeeperScripts.configure.name, { SERVER_ID: "2" }));

        const found = broken(resources);
        expect(found).toEqual({
            "host-keys-pinned": ["zookeeper-h1-server connects to 10.0.0.1 without a pinned host key",
                "the Docker provider overlay-docker reaches ssh://root@10.0.0.1:22 without StrictHostKeyChecking=yes"],
            "no-root-login": ["zookeeper-h1-server logs in to 10.0.0.1 as root", "the Docker provider overlay-docker logs in as root (ssh://root@10.0.0.1:22)"],
            "no-secret-in-the-open": ["the generated secret mesos-framework-secret is in swarm-join-h2's environment"],
            "encrypted-overlay": ["the overlay network mesos-overlay is not encrypted"],
            "odd-swarm-managers": ["2 swarm managers, which survive no more failures than 1 would"],
            "odd-zookeeper-ensemble": [expect.stringMatching(/^2 ZooKeeper servers/)],
            "mesos-http-authentication": ["mesos-master on 10.0.0.1 runs without --authenticate_http_frameworks=true",
                "mesos-master on 10.0.0.1 runs without --authenticate_http_readwrite=true"],
            "host-firewall": ["no host firewall on 10.0.0.1"],
            "restricted-upload-account": ["the upload account on 10.0.0.1 is deploy", "the upload account's keys on 10.0.0.1 are not held to the upload command"],
        });
        expect(JSON.stringify(found)).not.toContain("generated-secret-0123456789");
        // A login key in a stack output: never; a generated secret (mesosFramework, a secret output) is not judged there.
        const leaked = broken([...kept(), { type: "pulumi:pulumi:Stack", name: "s", props: { leak: { key: connection("").privateKey } } }]);
        expect(leaked["no-secret-in-the-open"]).toEqual(["the login key for 10.0.0.1 is in the stack output leak"]);
    });

    it("find a sudo password in a command line, not in the standard input it travels on", () => {
        const withPassword = (create: string): PolicyResource => ({
            type: "command:remote:Command",
            name: "host-setup-h1",
            props: { connection: connection("10.0.0.1"), stdin: "sudo-words-42\nrest", create },
        });
        const kept = rootCommandLine({ sudoPasswordFile: "/pw" }, [stepCommandLine({}, "0123456789abcdef", "10.0.0.1", "x.sh")]);
        expect(broken([withPassword(kept), firewalled("10.0.0.1")])).toEqual({});
        expect(broken([withPassword(`${kept} && echo sudo-words-42`), firewalled("10.0.0.1")])["no-secret-in-the-open"])
            .toEqual(["the sudo password of 10.0.0.1 is in host-setup-h1's create"]);
    });
});

describe("twister2-cluster:policy", () => {
    it("waives only the pack's rules, each with a reason, and the pack reads it from the CLI's PULUMI_CONFIG", () => {
        const schema = policySettings(rules);
        expect(schema.safeParse({ waive: { "encrypted-overlay": "no IPsec in the lab" } }).success).toBe(true);
        const wrong = schema.safeParse({ waive: { "no-such-rule": "x", "host-firewall": "" } });
        expect(wrong.success).toBe(false);
        expect(JSON.stringify(wrong.error?.issues)).toContain("'no-such-rule' is no rule of the policy pack");

        const config = JSON.stringify({ "twister2-cluster:policy": JSON.stringify({ waive: { "encrypted-overlay": "lab" } }), "twister2-cluster:x": "[secret]" });
        expect(waiversFromCli(rules, "twister2-cluster", config)).toEqual({ "encrypted-overlay": "lab" });
        expect(waiversFromCli(rules, "twister2-cluster", undefined)).toEqual({});
        // A waiver the program would refuse waives nothing.
        expect(waiversFromCli(rules, "twister2-cluster", JSON.stringify({ "twister2-cluster:policy": "{\"waive\":{\"nope\":\"x\"}}" }))).toEqual({});
    });
});
