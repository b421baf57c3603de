import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackFile } from "../../../bench/promote.bench";
import { digestRecords } from "../../../lib/ledger";
import type { StackConfig } from "../../../lib/model";
import { planHold, planPromotion } from "../../../lib/promote";
import { environment, fakeRegistry } from "./support/project";

/**
 * promote and hold stay linear in the size of the stack file. Measured as work, not time: the
 * number of YAML node checks (the `yaml` package's isScalar/isMap/isPair, counted both where
 * pinstack calls them and inside the package, where its key-uniqueness check runs) and the
 * number of reads of the stacks' pins when every pin's tag is looked up. Quadrupling the services must about quadruple
 * the work (a ratio under 6); a step that is quadratic in the services makes it 16.
 */

const identity = require(path.join(path.dirname(require.resolve("yaml")), "nodes", "identity.js")) as Record<string, unknown>;
const yamlIndex = require("yaml") as Record<string, unknown>;
const CHECKS = ["isScalar", "isMap", "isPair", "isSeq", "isNode", "isCollection"];

/** Runs `work` counting the yaml node checks it makes. */
async function countNodeChecks(work: () => unknown): Promise<number> {
    let calls = 0;
    const saved: [Record<string, unknown>, string, unknown][] = [];
    for (const module of [identity, yamlIndex]) {
        for (const name of CHECKS) {
            const original = module[name] as (...args: unknown[]) => unknown;
            if (typeof original !== "function") continue;
            saved.push([module, name, original]);
            module[name] = (...args: unknown[]) => {
                calls++;
                return original(...args);
            };
        }
    }
    try {
        await work();
    } finally {
        for (const [module, name, original] of saved) module[name] = original;
    }
    return calls;
}

function project(services: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-linear-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pinstack\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "Pulumi.playground.yaml"), stackFile("playground", services));
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), stackFile("staging", services));
    return dir;
}

const SMALL = 400;
const LARGE = 4 * SMALL;

describe("promote and hold are linear in the stack file (work counted)", function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    const promoteAll = (services: number) => {
        const dir = project(services);
        dirs.push(dir);
        return () => planPromotion({ from: "playground", to: "staging", reason: "every pin", allowUndeployed: true }, environment(dir, {}), fakeRegistry({}));
    };
    const hold = (services: number) => {
        const dir = project(services);
        dirs.push(dir);
        return () => planHold({ stack: "staging", clear: false, reason: "incident" }, environment(dir, {}));
    };

    it(`promoting every pin: ${LARGE} services take about 4x the node checks of ${SMALL}`, async () => {
        const small = await countNodeChecks(promoteAll(SMALL));
        const large = await countNodeChecks(promoteAll(LARGE));
        assert.ok(small > SMALL, `the count measures the edit (${small} checks)`);
        assert.ok(large / small < 6, `${small} checks for ${SMALL} services, ${large} for ${LARGE}: ratio ${(large / small).toFixed(1)}`);
    });

    it(`hold: ${LARGE} services take about 4x the node checks of ${SMALL}`, async () => {
        const small = await countNodeChecks(hold(SMALL));
        const large = await countNodeChecks(hold(LARGE));
        assert.ok(small > SMALL, `the count measures the edit (${small} checks)`);
        assert.ok(large / small < 6, `${small} checks for ${SMALL} services, ${large} for ${LARGE}: ratio ${(large / small).toFixed(1)}`);
    });

    /** An object whose property reads are counted (spreading it reads every property). */
    function counted<T extends object>(target: T, counter: { reads: number }): T {
        return new Proxy(target, {
            get(t, key, receiver) {
                counter.reads++;
                return Reflect.get(t, key, receiver);
            },
        });
    }

    it("digestRecords indexes every stack's pins once for any number of lookups", () => {
        const readsFor = (n: number) => {
            const counter = { reads: 0 };
            const services = Array.from({ length: n }, (_, i) => ({ name: `service-${i}`, image: `ghcr.io/example/service-${i}`, tag: "1.0.0", digest: `sha256:${"a".repeat(64)}` }));
            const stack = { stack: "staging", file: "Pulumi.staging.yaml", services: counted(services, counter) } as unknown as StackConfig;
            const lookup = digestRecords({ version: 1, tags: {} }, [stack]);
            for (let i = 0; i < n; i++) lookup(`ghcr.io/example/service-${i}`, "1.0.0");
            return counter.reads;
        };
        const small = readsFor(SMALL);
        const large = readsFor(LARGE);
        assert.ok(large / small < 6, `${small} reads for ${SMALL} services, ${large} for ${LARGE}`);
    });
});
