/**
 * What a real cluster must show (issue: deploy to real Kubernetes). The upstream provider
 * against the local cluster of scripts/cluster (kube-apiserver, controller-manager,
 * scheduler, etcd; kwok nodes make pods Ready and Jobs complete, and `fail-image` makes the
 * pods of a chosen image crash or fail), the real Pulumi CLI, a file backend and git:
 *
 *   1. a rollout is awaited, and history records the update as succeeded
 *   2. read-only window: the flag reaches the live ConfigMap the pods mount, and clears
 *   3. blue-green: both colours run; a switch changes only the Service selector and its
 *      endpoints move to the other colour's pods
 *   4. migrations: the Job completes before the Deployment changes; a failing Job stops the
 *      update and the Deployment keeps the old image
 *   5. a failed rollout fails `pulumi up` within the stack's rollout timeout with the
 *      provider's message; promotion from the stack is refused naming the failed update;
 *      rollback + up bring the previous pods back; hold refuses the broken pin again
 *   6. drift: `kubectl set image` shows in `pulumi preview --refresh` and `pinstack status --live`
 */
import { strict as assert } from "assert";
import * as YAML from "yaml";
import { ensureBuilt } from "../cli/helpers";
import { testCluster, TestCluster } from "./support/cluster";
import { PulumiProject, Run } from "./support/pulumi-project";

const NS = "e2e-cluster-staging";
const image = (service: string, tag: string) => `ghcr.io/pinstack-example/${service}:${tag}`;

function staging(kubeconfig: string): string {
    return `# Staging on the local cluster.
config:
  pinstack:environment: staging
  pinstack:namespace: ${NS}
  pinstack:cloud: false
  pinstack:kubeconfig: ${kubeconfig}
  pinstack:preset:
    resolveDigests: false
    rolloutTimeoutSeconds: 20   # a broken rollout fails the update in 20 s, not the provider's 10 min
  pinstack:services:
    api:
      image: ghcr.io/pinstack-example/api
      tag: 2023.05.1
      scheme: calver
      port: 8000
    backend:
      image: ghcr.io/pinstack-example/backend
      tag: 2023.05.1
      scheme: calver
      port: 8000
      strategy: read-only
      readOnly: true
      migrations:
        command: [python, manage.py, migrate, --noinput]
    web:
      image: ghcr.io/pinstack-example/web
      tag: 2023.05.4
      scheme: calver
      port: 8080
      strategy: blue-green
      activeColor: blue
      previous:
        tag: 2023.04.3
`;
}

function production(kubeconfig: string): string {
    return `config:
  pinstack:environment: production
  pinstack:namespace: e2e-cluster-production
  pinstack:cloud: false
  pinstack:kubeconfig: ${kubeconfig}
  pinstack:preset:
    resolveDigests: false
    soakMinutes: 0
    registries: [ ghcr.io/pinstack-example ]
  pinstack:services: {}
  pinstack:packages: {}
`;
}

describe("deploying to the local cluster (upstream provider, real API server, kwok nodes)", function () {
    this.timeout(1_800_000);
    let cluster: TestCluster;
    let project: PulumiProject;

    before(() => {
        ensureBuilt();
        cluster = testCluster();
        project = new PulumiProject({ "Pulumi.staging.yaml": staging(cluster.kubeconfig), "Pulumi.production.yaml": production(cluster.kubeconfig) });
        project.initStacks(["staging", "production"]);
    });
    after(() => project?.remove());

    const config = () => YAML.parse(project.read("Pulumi.staging.yaml")).config;
    /** Edits the staging file with the yaml Document API (comments kept) and commits it. */
    const edit = (message: string, change: (doc: YAML.Document) => void) => {
        const doc = YAML.parseDocument(project.read("Pulumi.staging.yaml"));
        change(doc);
        project.write("Pulumi.staging.yaml", doc.toString());
        project.commit(message);
    };
    const setIn = (path: (string | number)[], value: unknown) => (doc: YAML.Document) => doc.setIn(["config", ...path], value);
    const deployment = (name: string) => cluster.get(["deployment", name, "-n", NS]);
    const available = (d: any) => d.status?.conditions?.some((c: any) => c.type === "Available" && c.status === "True");
    const podsOf = (selector: string) => cluster.get(["pods", "-n", NS, "-l", selector]).items as any[];
    const endpointPods = (service: string) =>
        (cluster.get(["endpointslices", "-n", NS, "-l", `kubernetes.io/service-name=${service}`]).items as any[])
            .flatMap((slice) => slice.endpoints ?? [])
            .filter((e) => e.conditions?.ready)
            .map((e) => e.targetRef.name as string)
            .sort();
    const history = () => JSON.parse(project.pulumi(["stack", "history", "--stack", "staging", "--json"]).stdout) as { result: string; message: string }[];
    /** The Pulumi updates `pinstack history staging --json` lists (numbered, oldest first). */
    const auditUpdates = () => {
        const steps = project.pinstack(["history", "staging", "--json"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
        const seen = new Map<number, { version: number; result: string; message: string }>();
        for (const step of steps) for (const u of step.updates ?? []) seen.set(u.version, u);
        return [...seen.values()].sort((a, b) => a.version - b.version);
    };
    const ok = (run: Run, what: string) => assert.equal(run.code, 0, `${what} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
    /** Polls until `check` holds (controllers and kwok act asynchronously to the API). */
    const eventually = async (what: string, check: () => boolean, seconds = 30) => {
        const deadline = Date.now() + seconds * 1000;
        while (!check()) {
            if (Date.now() > deadline) assert.fail(`${what}: not within ${seconds}s`);
            await new Promise((r) => setTimeout(r, 250));
        }
    };

    it("1. a rollout is awaited: up returns once every Deployment is available, and history records it as succeeded", () => {
        project.up("staging", "staging: first deploy");
        // Read right after `up` returned, with no waiting of our own: the provider waited.
        for (const name of ["api", "backend", "web-blue", "web-green"]) {
            const d = deployment(name);
            assert.ok(available(d), `${name} is available when up returns: ${JSON.stringify(d.status)}`);
            assert.equal(d.status.readyReplicas, 2, `${name}: the staging preset's 2 replicas are ready`);
        }
        assert.equal(deployment("api").spec.template.spec.containers[0].image, image("api", "2023.05.1"));
        const [latest] = history();
        assert.equal(latest.result, "succeeded");
        const audit = auditUpdates();
        assert.deepEqual(audit.map((u) => [u.result, u.message]), [["succeeded", "staging: first deploy"]], "pinstack history records the update as succeeded");
    });

    it("2. read-only window: the flag reaches the live ConfigMap the pods mount, and clearing it rolls the pods", async () => {
        const flag = () => cluster.get(["configmap", "backend-config", "-n", NS]).data.READ_ONLY;
        assert.equal(flag(), "true");
        const pods = podsOf("app.kubernetes.io/name=backend").filter((p) => !p.metadata.name.includes("-migrate-"));
        assert.ok(pods.length >= 2);
        for (const pod of pods) {
            assert.ok(pod.spec.volumes.some((v: any) => v.configMap?.name === "backend-config"), `${pod.metadata.name} mounts backend-config`);
        }
        const before = pods.map((p) => p.metadata.name).sort();
        edit("backend: close the read-only window", setIn(["pinstack:services", "backend", "readOnly"], false));
        project.up("staging", "staging: read-only window closed");
        assert.equal(flag(), "false");
        await eventually("the backend pods are replaced (their config hash changed)", () => {
            const now = podsOf("app.kubernetes.io/name=backend").filter((p) => !p.metadata.name.includes("-migrate-") && !p.metadata.deletionTimestamp);
            return now.length === 2 && now.every((p) => !before.includes(p.metadata.name));
        });
    });

    it("3. blue-green: both colours run; a switch changes only the Service selector and the endpoints move", async () => {
        assert.equal(deployment("web-blue").spec.template.spec.containers[0].image, image("web", "2023.05.4"));
        assert.equal(deployment("web-green").spec.template.spec.containers[0].image, image("web", "2023.04.3"));
        const blue = podsOf("pinstack.dev/color=blue").map((p) => p.metadata.name).sort();
        const green = podsOf("pinstack.dev/color=green").map((p) => p.metadata.name).sort();
        await eventually("the Service's endpoints are the blue pods", () => JSON.stringify(endpointPods("web")) === JSON.stringify(blue));

        // Switch back to 2023.04.3: tag and previous exchanged, green active.
        edit("web: switch to green", (doc) => {
            setIn(["pinstack:services", "web", "tag"], "2023.04.3")(doc);
            setIn(["pinstack:services", "web", "previous", "tag"], "2023.05.4")(doc);
            setIn(["pinstack:services", "web", "activeColor"], "green")(doc);
        });
        const preview = project.pulumi(["preview", "--stack", "staging", "--diff"]);
        assert.match(preview.stdout, /~ kubernetes:core\/v1:Service: \(update\)\n\s+\[id=e2e-cluster-staging\/web\]/);
        assert.match(preview.stdout, /~ pinstack\.dev\/color: "blue" => "green"/);
        assert.match(preview.stdout, /Resources:\n\s+~ 1 to update\n/, `only the Service changes:\n${preview.stdout}`);
        assert.doesNotMatch(preview.stdout, /Deployment: \(update\)/);
        project.up("staging", "staging: web switched to green");
        assert.deepEqual(cluster.get(["service", "web", "-n", NS]).spec.selector, { "app.kubernetes.io/name": "web", "pinstack.dev/color": "green" });
        await eventually("the Service's endpoints are the green pods", () => JSON.stringify(endpointPods("web")) === JSON.stringify(green));
        assert.deepEqual(podsOf("pinstack.dev/color=blue").map((p) => p.metadata.name).sort(), blue, "the blue pods were not touched");
        assert.deepEqual(podsOf("pinstack.dev/color=green").map((p) => p.metadata.name).sort(), green, "the green pods were not touched");
    });

    it("4. migrations: the Job completes before the Deployment changes; a failing Job stops the update and the old image keeps running", () => {
        edit("backend 2023.06.1", setIn(["pinstack:services", "backend", "tag"], "2023.06.1"));
        project.up("staging", "staging: backend 2023.06.1");
        const jobs = (cluster.get(["jobs", "-n", NS]).items as any[]).filter((j) => j.spec.template.spec.containers[0].image === image("backend", "2023.06.1"));
        assert.equal(jobs.length, 1, "one migrations Job for the new pin");
        const completed = Date.parse(jobs[0].status.completionTime);
        const replicaSets = (cluster.get(["replicasets", "-n", NS, "-l", "app.kubernetes.io/name=backend"]).items as any[])
            .filter((rs) => rs.spec.template.spec.containers[0].image === image("backend", "2023.06.1"));
        assert.equal(replicaSets.length, 1);
        assert.ok(Date.parse(replicaSets[0].metadata.creationTimestamp) >= completed,
            `the new ReplicaSet (${replicaSets[0].metadata.creationTimestamp}) is created after the Job completed (${jobs[0].status.completionTime})`);

        cluster.failImage(image("backend", "2023.06.2"));
        try {
            edit("backend 2023.06.2 (its migration fails)", setIn(["pinstack:services", "backend", "tag"], "2023.06.2"));
            const run = project.pulumi(["up", "--stack", "staging", "--yes", "--skip-preview", "--message", "staging: backend 2023.06.2"], true);
            assert.notEqual(run.code, 0, "the update fails");
            assert.match(`${run.stdout}${run.stderr}`, /kubernetes:batch\/v1:Job[\s\S]*backend-migrate-[0-9a-f]{8}/);
            assert.match(`${run.stdout}${run.stderr}`, /BackoffLimitExceeded|failed|Failed/);
            const d = deployment("backend");
            assert.equal(d.spec.template.spec.containers[0].image, image("backend", "2023.06.1"), "the Deployment was not changed");
            assert.ok(available(d), "and is still available");
        } finally {
            cluster.healImage(image("backend", "2023.06.2"));
        }
        edit("backend: back to 2023.06.1", setIn(["pinstack:services", "backend", "tag"], "2023.06.1"));
        project.up("staging", "staging: backend back to 2023.06.1");
    });

    it("5. a failed rollout: up fails within the rollout timeout, promotion is refused, rollback + up restore the pods, hold keeps the pin out", async () => {
        const broken = image("api", "2023.06.9");
        cluster.failImage(broken);
        edit("api 2023.06.9 (its pods never become ready)", setIn(["pinstack:services", "api", "tag"], "2023.06.9"));
        const started = Date.now();
        const run = project.pulumi(["up", "--stack", "staging", "--yes", "--skip-preview", "--message", "staging: api 2023.06.9"], true);
        const seconds = (Date.now() - started) / 1000;
        const out = `${run.stdout}${run.stderr}`;
        assert.notEqual(run.code, 0, `the update fails:\n${out}`);
        assert.ok(seconds < 120, `bounded by the stack's 20 s rollout timeout, not the provider's 10 minutes (took ${seconds.toFixed(0)} s)`);
        assert.match(out, /kubernetes:apps\/v1:Deployment[\s\S]*api/);
        assert.match(out, /[Tt]imed? ?out|timeout|not ready|unready/, `the provider's message:\n${out}`);
        assert.equal(history()[0].result, "failed");
        const failed = auditUpdates().find((u) => u.message === "staging: api 2023.06.9")!;
        assert.equal(failed?.result, "failed", JSON.stringify(auditUpdates()));

        const promote = project.pinstack(["promote", "staging", "production", "--service", "api", "--reason", "ship api"]);
        assert.equal(promote.code, 1, `promotion from a stack whose last update failed is refused:\n${promote.stdout}${promote.stderr}`);
        assert.match(promote.stderr, new RegExp(`service api 2023\\.06\\.9 was never successfully deployed on staging: update ${failed.version} \\([^)]+\\) ran it and failed`));

        const rollback = project.pinstack(["rollback", "staging", "--reason", "api 2023.06.9 never became ready"]);
        ok(rollback, "rollback");
        assert.equal(config()["pinstack:services"].api.tag, "2023.05.1");
        assert.equal(config()["pinstack:hold"], true);
        project.commit("Roll back staging: api 2023.06.9 never became ready");
        project.up("staging", "staging: rollback");
        const d = deployment("api");
        assert.ok(available(d), "the Deployment is available again");
        assert.equal(d.spec.template.spec.containers[0].image, image("api", "2023.05.1"));
        await eventually("only pods of the previous image are left", () => {
            const pods = podsOf("app.kubernetes.io/name=api").filter((p) => !p.metadata.deletionTimestamp);
            return pods.length === 2 && pods.every((p) => p.spec.containers[0].image === image("api", "2023.05.1") && p.status.containerStatuses?.[0]?.ready);
        });
        assert.equal(history()[0].result, "succeeded");

        // Automation writing the broken pin again is refused while the stack is on hold: the
        // deploy workflow's gate, fed the stack's update history, as .github/workflows runs it.
        edit("api 2023.06.9 again", setIn(["pinstack:services", "api", "tag"], "2023.06.9"));
        project.write("history.json", project.pulumi(["stack", "history", "--stack", "staging", "--json"]).stdout);
        const gate = project.pinstack(["ci", "hold-gate", "--stack", "staging", "--history", "history.json"]);
        assert.equal(gate.code, 1, `the hold gate refuses:\n${gate.stdout}${gate.stderr}`);
        // Its only update failed, so the history shows no successful update that ran it.
        assert.match(gate.stdout, /^refused: service api moved from the deployed \S+:2023\.05\.1(@sha256:[0-9a-f]{12})? to \S+:2023\.06\.9(@sha256:[0-9a-f]{12})?, and the stack's update history has no successful update that ran it: staging is on hold \(rollback to update \d+: api 2023\.06\.9 never became ready\): only rollbacks pass/);
        assert.equal(deployment("api").spec.template.spec.containers[0].image, image("api", "2023.05.1"));
        edit("api back to the rolled-back pin", setIn(["pinstack:services", "api", "tag"], "2023.05.1"));
        cluster.healImage(broken);
    });

    it("6. drift: an image changed by hand shows in preview --refresh and in pinstack status --live", () => {
        // Minutes after start-up the simulated nodes still renew their leases, so the node
        // lifecycle controller has not marked their pods NotReady (it does after 50 s without).
        for (const name of ["api", "backend", "web-blue", "web-green"]) assert.ok(available(deployment(name)), `${name} is still available`);
        const clean = project.pinstack(["status", "--live"]);
        assert.equal(clean.code, 0, `no drift before the hand edit:\n${clean.stdout}${clean.stderr}`);
        cluster.kubectl(["set", "image", "-n", NS, "deployment/api", `api=${image("api", "hotfix-by-hand")}`]);

        const preview = project.pulumi(["preview", "--stack", "staging", "--refresh", "--diff"]);
        assert.match(preview.stdout, /~ kubernetes:apps\/v1:Deployment: \(update\)\n\s+\[id=e2e-cluster-staging\/api\]/);
        assert.match(preview.stdout, /image\s*: "ghcr\.io\/pinstack-example\/api:hotfix-by-hand" => "ghcr\.io\/pinstack-example\/api:2023\.05\.1"/);

        const status = project.pinstack(["status", "--live"]);
        assert.equal(status.code, 1, `drift exits 1:\n${status.stdout}${status.stderr}`);
        assert.match(status.stdout, /staging\s+api\s+api\s+api\s+ghcr\.io\/pinstack-example\/api:2023\.05\.1\s+ghcr\.io\/pinstack-example\/api:hotfix-by-hand\s+drift/);
        const json = project.pinstack(["status", "--live", "--json"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
        const row = json.find((r) => r.kind === "live" && r.stack === "staging" && r.deployment === "api");
        assert.deepEqual(
            { pinned: row.pinned, live: row.live, state: row.state },
            { pinned: image("api", "2023.05.1"), live: image("api", "hotfix-by-hand"), state: "drift" },
        );
        // `pulumi up --refresh` puts the pinned image back (state alone still says 2023.05.1).
        ok(project.pulumi(["up", "--stack", "staging", "--yes", "--skip-preview", "--refresh", "--message", "staging: undo the hand edit"]), "up --refresh");
        assert.equal(deployment("api").spec.template.spec.containers[0].image, image("api", "2023.05.1"));
        assert.equal(project.pinstack(["status", "--live"]).code, 0);
    });
});
