import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

/**
 * The shape of the tree (issue #19): one home for what a pin is, and imports that go one way.
 * Read from the sources, so a second copy of a pin question shows up here before it drifts.
 */
const root = path.resolve(__dirname, "../..");
const SOURCE_DIRS = ["lib", "cli", "program", "components", "policies", "stacks"];

function sources(dir: string): string[] {
    const out: string[] = [];
    const walk = (at: string) => {
        for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
            const full = path.join(at, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".ts")) out.push(full);
        }
    };
    walk(path.join(root, dir));
    return out;
}

const all = [...SOURCE_DIRS.flatMap(sources), path.join(root, "index.ts")];
const rel = (file: string) => path.relative(root, file);
const text = new Map(all.map((file) => [file, fs.readFileSync(file, "utf8")]));

/** Files (relative) whose text matches `pattern`. */
function matching(pattern: RegExp): string[] {
    return all.filter((file) => pattern.test(text.get(file)!)).map(rel);
}

/** Relative imports of `file`, resolved to paths from the root. */
function imports(file: string): string[] {
    const found = [...text.get(file)!.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
    return found.map((spec) => rel(path.resolve(path.dirname(file), spec)));
}

describe("the tree's structure", () => {
    it("has one pin-equality function, lib/pin's samePin", () => {
        assert.deepEqual(matching(/function\s+samePin\b/), ["lib/pin/equality.ts"]);
        assert.deepEqual(matching(/\b(sameServicePin|isSamePin|runsPin|runsPinned)\b/), [], "the old equality functions are gone");
    });

    it("has one pin diff and one direction, in lib/pin", () => {
        assert.deepEqual(matching(/function\s+diffPin\b/), ["lib/pin/diff.ts"]);
        assert.deepEqual(matching(/function\s+direction\b/), ["lib/pin/direction.ts"]);
        assert.deepEqual(matching(/function\s+containerChanges\b/), ["lib/pin/diff.ts"]);
    });

    it("nothing under policies/ imports components/ (the contract is lib/contract)", () => {
        const offenders = sources("policies").filter((file) => imports(file).some((target) => target.startsWith("components/") || target === "components"));
        assert.deepEqual(offenders.map(rel), []);
    });

    it("nothing under lib/ imports stacks/, and stacks/ is data only", () => {
        const offenders = sources("lib").filter((file) => imports(file).some((target) => target.startsWith("stacks/") || target === "stacks"));
        assert.deepEqual(offenders.map(rel), []);
        assert.deepEqual(sources("stacks").filter((file) => /\bfunction\b|=>/.test(text.get(file)!)).map(rel), [], "no logic in stacks/");
    });

    it("nothing under lib/ imports @pulumi/*", () => {
        assert.deepEqual(sources("lib").filter((file) => /from\s+"@pulumi\//.test(text.get(file)!)).map(rel), []);
    });
});
