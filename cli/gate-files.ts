import * as fs from "fs";
import { mergeGateResults, parseGateResult, unruledFailures } from "../lib/ci/gate-result";
import { badInput, refused } from "../lib/errors";
import type { Gates } from "../lib/model";

/**
 * `--gates <file>` for check and promote: the results `pinstack ci release-branch|branch-tag|
 * acceptance-checklist` wrote, merged over the `--gate key=value` pairs. Fail closed: where
 * both say something about the checklist, false wins; a failed release-branch result (which
 * no rule reads) refuses outright.
 */
export function gatesWithResultFiles(files: readonly string[], given: Gates): Gates {
    if (files.length === 0) return given;
    const results = files.map((file) => {
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (err) {
            throw badInput(`--gates ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { fix: "pass the file a `pinstack ci` gate command wrote with --output" });
        }
        return { file, result: parseGateResult(text, file) };
    });
    const failed = unruledFailures(results.map((r) => r.result));
    if (failed.length > 0) {
        const file = results.find((r) => r.result === failed[0])?.file ?? "";
        throw refused(`${file}: the ${failed[0].gate} gate failed: ${failed[0].message}`, { fix: "fix what the gate reports and rerun its `pinstack ci` command" });
    }
    const fromFiles = mergeGateResults(results.map((r) => r.result));
    const acceptance = [given.acceptanceComplete, fromFiles.acceptanceComplete].filter((v): v is boolean => v !== undefined);
    const tags = { ...(given.productionBranchTags ?? {}), ...(fromFiles.productionBranchTags ?? {}) };
    return {
        ...given,
        ...(acceptance.length > 0 ? { acceptanceComplete: acceptance.every((v) => v) } : {}),
        ...(Object.keys(tags).length > 0 ? { productionBranchTags: tags } : {}),
    };
}
