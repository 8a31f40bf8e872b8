// The cluster's components, in the order the docs and the config list them. The framework loops over
// this list and names none of them: adding a component is its folder, one entry here, and its use in
// index.ts.
import type { ClusterFacts, FetchForChecks } from "../framework/check/live";
import { checkCluster as checkOf, probeScript as probeOf } from "../framework/check/live";
import type { CheckResult } from "../framework/check/contract";
import type { ClusterHost } from "../framework/config/hosts";
import { clusterDot as dotOf, DiagramOptions } from "../framework/diagram/dot";
import type { ClusterPlanOf } from "../framework/plan/plan";
import { plan as planOf } from "../framework/plan/plan";
import type { RawConfig, StackConfigOf } from "../framework/config/stackConfig";
import { loadStackConfig as loadOf, parseStackConfig as parseOf } from "../framework/config/stackConfig";
import { docker } from "./docker/component";
import { firewall } from "./firewall/component";
import { mesos } from "./mesos/component";
import { nfs } from "./nfs/component";
import { registry } from "./registry/component";
import { swarm } from "./swarm/component";
import { twister2Conf } from "./twister2-conf/component";
import { uploader } from "./uploader/component";
import { workerImage } from "./worker-image/component";
import { zookeeper } from "./zookeeper/component";

export const components = [docker, swarm, zookeeper, mesos, uploader, nfs, registry, workerImage, twister2Conf, firewall] as const;

/** This cluster's stack config: the hosts, and each component's config by its id. */
export type StackConfig = StackConfigOf<typeof components>;
/** Where each component runs, the ports and the packages of every host. */
export type ClusterPlan = ClusterPlanOf<typeof components>;

/** Reads and checks `twister2-cluster:*` of the current stack (framework/config/stackConfig.ts). */
export const loadStackConfig = (projectDir: string): StackConfig => loadOf(components, projectDir);
/** Checks a raw config and returns the typed one, or throws ConfigError listing every problem. */
export const parseStackConfig = (raw: RawConfig, projectDir: string, secretKeys?: ReadonlySet<string>): StackConfig =>
    parseOf(components, raw, projectDir, secretKeys);
/** The plan of the cluster `config` describes (framework/plan/plan.ts). */
export const plan = (config: StackConfig): ClusterPlan => planOf(components, config);
/** npm run check's probe of `host`: every component's fragment that concerns it (framework/check/live.ts). */
export const probeScript = (config: StackConfig, outputs: object, host: ClusterHost): string => probeOf(components, config, { ...outputs }, host);
/** npm run check: every component's checks of the live cluster, from what the hosts reported. */
export const checkCluster = (config: StackConfig, outputs: object, facts: ClusterFacts, fetch: FetchForChecks): Promise<CheckResult[]> =>
    checkOf(components, config, { ...outputs }, facts, fetch);
/** npm run diagram: the DOT picture of the cluster, with live values from the stack's outputs when it is deployed (framework/diagram/dot.ts). */
export const clusterDot = (config: StackConfig, outputs?: object, options?: DiagramOptions): string =>
    dotOf(components, config, outputs && { ...outputs }, options);
