import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { DeclaredContainer, decodeContainers } from "../lib/contract";
import { Artifact, pinOfReference } from "../lib/pin";
import { parseReference } from "../lib/reference";
import { type EarlierPins, earlierPinsFromJson, type EarlierPinsJson, holdMessage, type ImageSubject, packageHoldChange, serviceHoldChange } from "../lib/rules";
import { holdRule } from "../lib/rules/hold";
import { type FreezeFacts, frozenMessage } from "../lib/freeze";
import { isUnknown } from "./support/known";
import { describeResource, requirementsOf } from "./support/packages";
import { readWorkloadPin, WorkloadPin } from "./support/pins";
import { withContext } from "./support/policy";
import { applies, configSchema } from "./support/settings";
import { output, servingWorkloads, stackView } from "./support/stack";
import { describeWorkload } from "./support/workloads";

export interface HoldConfig {
    /** Set by CI from the deployed stack (its `hold` output): the stack is on hold whatever the change under review says. */
    readonly onHold?: boolean;
    readonly holdReason?: string;
    /** Set by CI from the deployed stack's `pins` output: per service, the reference running now. Unchanged pins pass. */
    readonly deployed?: Readonly<Record<string, string>>;
    /**
     * Set by CI with `deployed` when a deployed service runs init containers or sidecars: per
     * such service, what they run (the `pinstack.dev/containers` encoding). A service missing
     * here runs none; without it at all, no deployed service does.
     */
    readonly deployedContainers?: Readonly<Record<string, string>>;
    /** Set by CI with `deployed`: per package, the version deployed now. */
    readonly deployedPackages?: Readonly<Record<string, string>>;
    /** Set by CI from `pulumi stack history --json`: the pins the stack's successful updates ran, which a stack on hold may return to. */
    readonly earlier?: EarlierPinsJson;
    /**
     * Set by CI (`pinstack ci policy-config`) when the stack is frozen at the time of the preview
     * or update: a freeze holds the stack as a hold does, except for the pins it names as
     * promoted with --break-glass through it (lib/freeze's FreezeFacts).
     */
    readonly freeze?: FreezeFacts;
}

const emptyRef = { input: "", domain: "", name: "", path: "", tag: "", digest: "" };

/**
 * lib rule `hold`, decided by lib/rules/hold-pins as `pinstack ci hold-gate` decides it. The
 * stack is on hold when the pack's config says so (CI reads it from the deployed stack, so
 * clearing `pinstack:hold` in the change under review does not lift it) or the program's
 * `hold` output is true (or unknown). While on hold the stack must run what it runs now
 * (`deployed`, `deployedContainers`, `deployedPackages`, from CI) — no service or package
 * removed or added, no pin moved — except that a pin may return to one its successful updates
 * ran (`earlier`, from CI). A sealed `rollback: true` is no evidence: anyone can recompute a
 * seal. Without the facts from CI the pack cannot tell, and refuses.
 */
export const hold: StackValidationPolicy = {
    name: "hold",
    description:
        "While a stack is on hold (set by `pinstack rollback`), it may only run what it runs now, or pins its own successful updates ran before: no service or package removed or added, no pin moved elsewhere. " +
        "Finish the incident, then clear pinstack:hold in a reviewed change before promoting again.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        onHold: { type: "boolean", default: false, description: "The deployed stack is on hold (CI: `pulumi stack output hold`)." },
        holdReason: { type: "string", description: "Why, for messages." },
        deployed: {
            type: "object",
            additionalProperties: { type: "string", minLength: 1 },
            description: "Per service, the image reference deployed now (CI: `pulumi stack output pins`, services.<name>.reference).",
        },
        deployedContainers: {
            type: "object",
            additionalProperties: { type: "string", minLength: 1 },
            description: "Per deployed service with init containers or sidecars, what they run (pinstack.dev/containers JSON; CI: `pinstack ci policy-config`).",
        },
        deployedPackages: {
            type: "object",
            additionalProperties: { type: "string", minLength: 1 },
            description: "Per package, the version deployed now (CI: `pulumi stack output pins`, packages.<name>.version).",
        },
        freeze: {
            type: "object",
            required: ["name", "breakGlass"],
            properties: {
                name: { type: "string", minLength: 1 },
                until: { type: "string" },
                by: { type: "string" },
                reason: { type: "string" },
                breakGlass: { type: "array", items: { type: "string", minLength: 1 } },
            },
            description: "The stack is frozen now: the freeze and the pins promoted with --break-glass through it (CI: `pinstack ci policy-config`).",
        },
        earlier: {
            type: "object",
            required: ["services", "packages"],
            properties: {
                services: { type: "object", additionalProperties: { type: "array", items: { type: "object", required: ["image"], properties: { image: { type: "string", minLength: 1 } } } } },
                packages: { type: "object", additionalProperties: { type: "array", items: { type: "string", minLength: 1 } } },
            },
            description: "The pins the stack's successful updates ran: {services: {<name>: [pin]}, packages: {<name>: [version]}} (CI: `pinstack ci policy-config --history`).",
        },
    }),
    validateStack: (args, report) => {
        withContext<HoldConfig>(args, report, (context, config) => {
            if (!applies(context, "hold")) return;
            const view = stackView(args.resources);
            const programHold = output(view, "hold");
            const onHold = config.onHold === true || programHold === true || isUnknown(programHold);
            if (!onHold && !config.freeze) return;
            const programReason = output(view, "holdReason");
            const holdReason = config.holdReason ?? (typeof programReason === "string" && programReason !== "" ? programReason : undefined);
            // On hold, the hold's message; frozen only, the freeze's, and its break-glass pins pass.
            const frozenOnly = !onHold && config.freeze !== undefined;
            const onHoldMessage = frozenOnly ? frozenMessage(context.stack, config.freeze!) : holdMessage({ stack: context.stack, holdReason });
            const brokeGlass = new Set(frozenOnly ? config.freeze!.breakGlass : []);
            const earlier = earlierPins(config, (problem) => report(`${problem}: ${onHoldMessage}`));

            for (const { urn, workload } of servingWorkloads(view)) {
                if (brokeGlass.has(workload.service)) continue;
                const reading = readWorkloadPin(workload);
                const why = reading.ok ? notAReturn(reading.pin, workload.service, config, earlier) : `it ${reading.problem}`;
                if (!why) continue;
                const subject: ImageSubject = { ref: reading.ok ? reading.pin.ref : emptyRef, service: workload.service };
                if (frozenOnly) {
                    report(`${describeWorkload(workload)}: service ${workload.service} cannot be deployed now: ${onHoldMessage} (${why})`, urn);
                    continue;
                }
                for (const finding of holdRule.imageOnHold(subject, context.stack, { hold: true, holdReason })) {
                    report(`${describeWorkload(workload)}: ${finding.message} (${why})`, urn);
                }
            }
            // A service whose workloads are all gone (a Deployment deleted during the incident).
            const present = new Set(view.workloads.map(({ workload }) => workload.service));
            for (const name of Object.keys(config.deployed ?? {}).filter((n) => !present.has(n) && !brokeGlass.has(n))) {
                const deployed = deployedArtifact(config, name);
                const why = deployed.ok ? serviceHoldChange(name, undefined, deployed.artifact, earlier, COMPARE)?.why : `removed, and ${deployed.problem}`;
                if (why) report(`service ${name} ${why}: ${onHoldMessage}`);
            }
            checkPackages(args.resources, config, earlier, onHoldMessage, report, brokeGlass);
        });
    },
};

const COMPARE = { deployedDigests: "where-pinned", historySource: "the pack config's hold.earlier, from `pinstack ci policy-config --history`" } as const;

/** The earlier pins CI passed; undefined when none or unusable (then no pin may move). */
function earlierPins(config: HoldConfig, problem: (text: string) => void): EarlierPins | undefined {
    if (config.earlier === undefined) return undefined;
    const decoded = earlierPinsFromJson(config.earlier);
    if (decoded.ok) return decoded.earlier;
    problem(`the earlier pins given (hold.earlier) ${decoded.why}, so no pin can be shown to have run before`);
    return undefined;
}

/** Why the pin may not run while on hold, or undefined when it may. */
function notAReturn(pin: WorkloadPin, service: string, config: HoldConfig, earlier: EarlierPins | undefined): string | undefined {
    if (!config.deployed) {
        // Without the deployed pins an unchanged pin cannot be told from a new one.
        return `the pack was not given the deployed pins (hold.deployed) to tell ${pin.text} from a new pin; CI passes them with \`pinstack ci policy-config\``;
    }
    const deployed = config.deployed[service] !== undefined ? deployedArtifact(config, service) : undefined;
    if (deployed && !deployed.ok) return deployed.problem;
    return serviceHoldChange(service, artifactOf(pin), deployed?.artifact, earlier, COMPARE)?.why;
}

/** The artifact a workload runs: its pin and the init containers and sidecars it declares. */
function artifactOf(pin: WorkloadPin): Artifact {
    return { ...pinOfReference(pin.ref), initContainers: pin.subject.initContainers, sidecars: pin.subject.sidecars };
}

type DeployedReading = { readonly ok: true; readonly artifact: Artifact } | { readonly ok: false; readonly problem: string };

/**
 * What CI says the service runs now: `deployed` (the reference the pods pull: a tag-only pin
 * with its resolved digest) and `deployedContainers`. A reference or containers CI could not
 * describe is a problem: the pack fails closed.
 */
function deployedArtifact(config: HoldConfig, service: string): DeployedReading {
    const text = config.deployed?.[service] ?? "";
    const parsed = parseReference(text);
    if (!parsed.ok) return { ok: false, problem: `the deployed reference given (hold.deployed.${service}) ${JSON.stringify(text)} is not an image reference` };
    const containers = config.deployedContainers?.[service];
    const decoded = containers === undefined ? { ok: true as const, containers: [] } : decodeContainers(containers);
    if (!decoded.ok) return { ok: false, problem: `the deployed containers given (hold.deployedContainers.${service}) ${decoded.why}` };
    return { ok: true, artifact: { ...pinOfReference(parsed.ref), ...containerLists(decoded.containers) } };
}

function containerLists(containers: readonly DeclaredContainer[]): Pick<Artifact, "initContainers" | "sidecars"> {
    const of = (list: DeclaredContainer["list"]) => containers.filter((c) => c.list === list).map((c) => ({ name: c.name, ...pinOfReference(c.ref) }));
    return { initContainers: of("initContainers"), sidecars: of("sidecars") };
}

/**
 * The package pins as they reach the cluster (PackageRequirements' ConfigMaps, as the
 * exact-package-pins policy reads them) against `deployedPackages`: moved, added or removed
 * packages are refused unless a version returns to one the stack ran.
 */
function checkPackages(resources: readonly PolicyResource[], config: HoldConfig, earlier: EarlierPins | undefined, onHoldMessage: string, report: ReportViolation, brokeGlass: ReadonlySet<string>): void {
    const seen = new Set<string>();
    const found: { name: string; version: string; urn: string }[] = [];
    for (const resource of resources) {
        const requirements = requirementsOf(resource.type, resource.props);
        if (!requirements) continue;
        for (const where of requirements.unknown) {
            report(`${describeResource(resource)}: ${where} cannot be known during preview, so whether its package pins changed cannot be checked: ${onHoldMessage}`, resource.urn);
        }
        for (const file of requirements.files) for (const pin of file.pins) found.push({ name: pin.name, version: pin.version, urn: resource.urn });
    }
    const deployed = config.deployedPackages;
    if (!deployed) {
        report(`the pack was not given the deployed package versions (hold.deployedPackages; CI passes them with \`pinstack ci policy-config\`), so no package change can be told apart: ${onHoldMessage}`);
        return;
    }
    for (const { name, version, urn } of found) {
        seen.add(name);
        if (brokeGlass.has(name)) continue;
        const change = packageHoldChange(name, version, deployed[name], earlier, COMPARE);
        if (change) report(`package ${name} ${change.why}: ${onHoldMessage}`, urn);
    }
    for (const [name, version] of Object.entries(deployed)) {
        if (seen.has(name) || brokeGlass.has(name)) continue;
        const change = packageHoldChange(name, undefined, version, earlier, COMPARE);
        if (change) report(`package ${name} ${change.why}: ${onHoldMessage}`);
    }
}
