import type { StackValidationPolicy } from "@pulumi/policy";
import { DeclaredContainer, decodeContainers } from "../lib/contract";
import { Artifact, containerLines, diffPin, pinOfReference, samePin } from "../lib/pin";
import { parseReference } from "../lib/reference";
import type { ImageSubject } from "../lib/rules";
import { holdRule } from "../lib/rules/hold";
import { isUnknown } from "./support/known";
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
}

const emptyRef = { input: "", domain: "", name: "", path: "", tag: "", digest: "" };

/**
 * lib rule `hold`. The stack is on hold when the pack's config says so (CI reads it from the
 * deployed stack, so clearing `pinstack:hold` in the change under review does not lift it) or
 * the program's `hold` output is true (or unknown). While on hold, every serving workload must
 * run either the pin deployed now (`deployed`, from CI) or a rollback pin: one whose
 * provenance has `rollback: true` and a seal that verifies against this service and pin.
 * `pinstack rollback` re-seals only the pins it changes, so without `deployed` a rollback that
 * leaves some service as it was is refused: CI must pass the deployed pins while on hold.
 */
export const hold: StackValidationPolicy = {
    name: "hold",
    description:
        "While a stack is on hold (set by `pinstack rollback`), only rollbacks may change what it runs: every changed pin must carry the sealed rollback provenance `pinstack rollback` writes. " +
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
    }),
    validateStack: (args, report) => {
        withContext<HoldConfig>(args, report, (context, config) => {
            if (!applies(context, "hold")) return;
            const view = stackView(args.resources);
            const programHold = output(view, "hold");
            const onHold = config.onHold === true || programHold === true || isUnknown(programHold);
            if (!onHold) return;
            const programReason = output(view, "holdReason");
            const holdReason = config.holdReason ?? (typeof programReason === "string" && programReason !== "" ? programReason : undefined);
            for (const { urn, workload } of servingWorkloads(view)) {
                const reading = readWorkloadPin(workload);
                const why = reading.ok ? notARollback(reading.pin, workload.service, config) : `it ${reading.problem}`;
                if (!why) continue;
                const subject: ImageSubject = { ref: reading.ok ? reading.pin.ref : emptyRef, service: workload.service };
                for (const finding of holdRule.imageOnHold(subject, context.stack, { hold: true, holdReason })) {
                    report(`${describeWorkload(workload)}: ${finding.message} (${why})`, urn);
                }
            }
        });
    },
};

/** Why the pin may not run while on hold, or undefined when it may. */
function notARollback(pin: WorkloadPin, service: string, config: HoldConfig): string | undefined {
    const deployed = config.deployed?.[service];
    const containers = deployed !== undefined ? containersMoved(config, service, pin) : [];
    if (deployed !== undefined && isDeployedPin(deployed, pin) && containers.length === 0) return undefined;
    if (!pin.provenance?.rollback) {
        // pinstack rollback re-seals only the pins it changes; without the deployed pins the pack
        // cannot tell an unchanged pin from a new promotion, so only rollback pins pass (as lib/ci's hold gate).
        const moved = containers.length > 0 ? `; ${containers.join("; ")}` : "";
        return config.deployed
            ? `${pin.text} is not a rollback (no rollback provenance) and not the pin deployed now (${deployed ?? "none"}${moved})`
            : `${pin.text} is not a rollback (no rollback provenance), and the pack was not given the deployed pins (hold.deployed) to tell an unchanged pin from a new one`;
    }
    if (!pin.sealValid) return `the rollback provenance of ${pin.text} has a seal that does not match it (edited by hand, or copied from another pin)`;
    return undefined;
}

/**
 * How the workload's init containers and sidecars differ from the deployed ones (lib/pin's
 * diffPin, one line each); none when they are the same. Deployed ones CI could not describe
 * count as a difference: the pack fails closed.
 */
function containersMoved(config: HoldConfig, service: string, pin: WorkloadPin): string[] {
    const text = config.deployedContainers?.[service];
    const decoded = text === undefined ? { ok: true as const, containers: [] } : decodeContainers(text);
    if (!decoded.ok) return [`the deployed containers given (hold.deployedContainers.${service}) ${decoded.why}`];
    const deployed: Artifact = { image: "", ...containerLists(decoded.containers) };
    const running: Artifact = { image: "", initContainers: pin.subject.initContainers, sidecars: pin.subject.sidecars };
    return containerLines(diffPin(deployed, running, "any"));
}

function containerLists(containers: readonly DeclaredContainer[]): Pick<Artifact, "initContainers" | "sidecars"> {
    const of = (list: DeclaredContainer["list"]) => containers.filter((c) => c.list === list).map((c) => ({ name: c.name, ...pinOfReference(c.ref) }));
    return { initContainers: of("initContainers"), sidecars: of("sidecars") };
}

/** The deployed reference is this pin (lib/pin's samePin, where-pinned: the deployed one may carry the digest a tag resolved to). */
function isDeployedPin(deployed: string, pin: WorkloadPin): boolean {
    const parsed = parseReference(deployed);
    return parsed.ok && samePin(pinOfReference(pin.ref), pinOfReference(parsed.ref), { digests: "where-pinned" });
}
