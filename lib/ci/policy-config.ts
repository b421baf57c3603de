import { encodeContainers } from "../contract";
import { badInput } from "../errors";
import { type AdHocFreeze, type FreezeFacts, freezeFromOutput, type FreezeWindow } from "../freeze";
import type { Gates } from "../model";
import { earlierPinsOf } from "../history/deployed";
import { artifactOfEntry } from "../pin";
import { type EarlierPinsJson, earlierPinsToJson } from "../rules/hold-pins";
import { historyUpdates } from "./hold-gate";

/**
 * The policy pack's config for one preview or update: `policies/config.<stack>.json` plus
 * what only the deployed stack knows. The pack's `hold` policy judges the change against
 * what runs now — is the deployed stack on hold, which reference does each service run, which
 * version each package — and against what ran before (the pins a rollback may return to), and
 * reads that from its config (policies/hold.ts), because a policy sees the new program only.
 * CI takes the first from `pulumi stack output --json` (the program's `hold`, `holdReason` and
 * `pins` outputs), the second from `pulumi stack history --json`, and this merges them in.
 */

type Json = Record<string, unknown>;

/** The deployed facts the hold policy reads, from `pulumi stack output --json`. */
export interface DeployedFacts {
    readonly onHold: boolean;
    readonly holdReason?: string;
    /** Per service, the image reference running now. */
    readonly deployed: Readonly<Record<string, string>>;
    /**
     * Per service that runs init containers or sidecars, what they run (lib/contract's
     * `pinstack.dev/containers` encoding); absent when no deployed service has any. They are
     * part of the pin: a sidecar changed under an unchanged main image is a change.
     */
    readonly containers?: Readonly<Record<string, string>>;
    /** Per package, the version deployed now. */
    readonly packages: Readonly<Record<string, string>>;
    /** The deployed config's freeze windows and ad-hoc freeze (the program's `freeze` output); absent when it exported none. */
    readonly freeze?: { readonly windows: readonly FreezeWindow[]; readonly active?: AdHocFreeze };
}

/** Reads the program's outputs; undefined when the stack has none yet (never deployed). Throws bad input for anything that is not that command's output. */
export function deployedFacts(outputsText: string, file: string): DeployedFacts | undefined {
    let outputs: unknown;
    try {
        outputs = JSON.parse(outputsText.trim() === "" ? "{}" : outputsText);
    } catch (err) {
        throw badInput(`${file}: malformed JSON (${err instanceof Error ? err.message : String(err)})`, { fix: "pass the output of `pulumi stack output --json`" });
    }
    if (!isObject(outputs)) throw badInput(`${file}: expected an object (the output of \`pulumi stack output --json\`)`);
    if (Object.keys(outputs).length === 0) return undefined;
    const deployed: Record<string, string> = {};
    const containers: Record<string, string> = {};
    const services = isObject(outputs.pins) && isObject(outputs.pins.services) ? outputs.pins.services : {};
    for (const [name, service] of Object.entries(services)) {
        if (!isObject(service) || typeof service.reference !== "string" || service.reference === "") continue;
        deployed[name] = service.reference;
        const encoded = encodeContainers(artifactOfEntry(service));
        if (encoded) containers[name] = encoded;
    }
    const packages: Record<string, string> = {};
    const packageOutputs = isObject(outputs.pins) && isObject(outputs.pins.packages) ? outputs.pins.packages : {};
    for (const [name, pkg] of Object.entries(packageOutputs)) {
        if (isObject(pkg) && typeof pkg.version === "string" && pkg.version !== "") packages[name] = pkg.version;
    }
    const reason = typeof outputs.holdReason === "string" && outputs.holdReason !== "" ? outputs.holdReason : undefined;
    // A `hold` Pulumi shows as "[secret]" (or anything but a boolean) cannot prove the stack is
    // free: on hold, as the policy treats an unknown `hold`. A program that exports no `hold`
    // says nothing; the change's own pinstack:hold still counts in the policy.
    const onHold = outputs.hold === undefined ? false : outputs.hold !== false;
    const freeze = freezeFromOutput(outputs.freeze);
    if (!freeze.ok) throw badInput(`${file}: the \`freeze\` output ${freeze.why}`, { fix: "pass the output of `pulumi stack output --json` for the stack" });
    return { onHold, ...(reason ? { holdReason: reason } : {}), deployed, ...(Object.keys(containers).length > 0 ? { containers } : {}), packages, ...(freeze.freeze ? { freeze: freeze.freeze } : {}) };
}

/**
 * The pins the stack's successful updates ran, in the pack config's form (`hold.earlier`),
 * from `pulumi stack history --json`. Throws bad input for anything that is not that output.
 */
export function earlierPinsFromHistory(historyText: string, file: string): EarlierPinsJson {
    return earlierPinsToJson(earlierPinsOf(historyUpdates(historyText, file)));
}

/** `config` (the parsed policies/config.<stack>.json) with the hold policy's deployed facts, and the earlier pins when known, merged in. */
export function withDeployedFacts(config: Json, facts: DeployedFacts | undefined, earlier?: EarlierPinsJson): Json {
    if (!facts && !earlier) return config;
    const hold = isObject(config.hold) ? config.hold : {};
    return {
        ...config,
        hold: {
            ...hold,
            ...(facts
                ? {
                      onHold: facts.onHold,
                      ...(facts.holdReason ? { holdReason: facts.holdReason } : {}),
                      deployed: facts.deployed,
                      ...(facts.containers ? { deployedContainers: facts.containers } : {}),
                      deployedPackages: facts.packages,
                  }
                : {}),
            ...(earlier ? { earlier } : {}),
        },
    };
}

/** `config` with the stack's freeze (lib/freeze's FreezeFacts) as the hold policy's `freeze` setting; unchanged when not frozen. */
export function withFreeze(config: Json, freeze: FreezeFacts | undefined): Json {
    if (!freeze) return config;
    const hold = isObject(config.hold) ? config.hold : {};
    return { ...config, hold: { ...hold, freeze } };
}

/**
 * The runbook gates' results (`ci ... -o`, merged) in the pack's config, so the pack refuses
 * the update itself, not only the workflow. Strict for each gate a result was given for (every
 * image then needs its branch-tag result, as at `check --gates`); a gate CI did not run keeps
 * the stack's own pack settings.
 */
export function withGateResults(config: Json, gates: Gates): Json {
    const section = (name: string) => (isObject(config[name]) ? (config[name] as Json) : {});
    return {
        ...config,
        ...(gates.acceptanceComplete !== undefined ? { "acceptance-checklist": { ...section("acceptance-checklist"), acceptanceComplete: gates.acceptanceComplete, strictGates: true } } : {}),
        ...(gates.productionBranchTags ? { "production-branch-tag": { ...section("production-branch-tag"), productionBranchTags: gates.productionBranchTags, strictGates: true } } : {}),
    };
}

/** Parses a policy pack config file's text. Throws bad input naming the file. */
export function parsePolicyConfig(text: string, file: string): Json {
    let config: unknown;
    try {
        config = JSON.parse(text);
    } catch (err) {
        throw badInput(`${file}: malformed JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!isObject(config)) throw badInput(`${file}: a policy pack config must be a JSON object (policy name -> settings)`);
    return config;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
