import type { StackValidationPolicy } from "@pulumi/policy";
import { pinOfReference, samePin } from "../lib/pin";
import { parseReference } from "../lib/reference";
import { rules } from "../lib/rules";
import { pinUnderRule, readWorkloadPin, WorkloadPin } from "./support/pins";
import { withContext } from "./support/policy";
import { applies, configSchema, PackContext } from "./support/settings";
import { ruleContext, servingWorkloads, stackView } from "./support/stack";
import { describeWorkload } from "./support/workloads";

export interface ProvenanceConfig {
    /**
     * Set by CI from the source stack's deployed pins (`pulumi stack output pins -s staging`):
     * per service, the references that ran there. When given, a pin must be one of them.
     */
    readonly sourcePins?: Readonly<Record<string, readonly string[]>>;
    /** Let a pin promoted with `--allow-undeployed` pass the sourcePins check. */
    readonly acceptAllowUndeployed?: boolean;
}

/**
 * lib rule `provenance` on what the stack deploys. Every workload that serves traffic or runs
 * on its own (all but a blue-green pair's standby colour, see support/topology.ts) must carry
 * the provenance `pinstack promote` wrote, as ServiceRelease's annotations, naming the
 * preset's promoteFrom stack, with a seal that verifies (lib/provenance) against this service
 * and the pin its main container really runs. So a tag edited by hand, a provenance copied
 * from another service, and a workload whose container was changed under a good annotation
 * all fail. With `sourcePins` from CI, the pin must also have run on the source stack.
 */
export const provenance: StackValidationPolicy = {
    name: "provenance",
    description:
        "On stacks that take promoted pins only (production), every deployed pin carries the sealed provenance `pinstack promote` writes, naming the source stack (staging). " +
        "Do not type pins in: run `pinstack promote staging production --service <name> --reason \"...\"`.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        sourcePins: {
            type: "object",
            additionalProperties: { type: "array", items: { type: "string", minLength: 1 } },
            description: "Per service, the image references deployed on the source stack (from its `pins` output). When set, a pin must be one of them.",
        },
        acceptAllowUndeployed: { type: "boolean", default: false, description: "Let pins promoted with --allow-undeployed skip the sourcePins check." },
    }),
    validateStack: (args, report) => {
        withContext<ProvenanceConfig>(args, report, (context, config) => {
            const from = context.preset.promoteFrom;
            if (!applies(context, "provenance") || !from) return;
            const view = stackView(args.resources);
            for (const { urn, workload } of servingWorkloads(view)) {
                const where = describeWorkload(workload);
                const reading = readWorkloadPin(workload);
                if (!reading.ok) {
                    report(`${where} ${reading.problem}; ${context.stack} takes only pins promoted from ${from}: deploy it through ServiceRelease from a pin written by \`pinstack promote ${from} ${context.stack}\``, urn);
                    continue;
                }
                const findings = rules.provenance.service!(pinUnderRule(workload.service, reading.pin), ruleContext(context));
                for (const finding of findings) report(`${where}: ${finding.message}`, urn);
                if (findings.length === 0) {
                    const problem = sourceProblem(reading.pin, workload.service, config, context);
                    if (problem) report(`${where}: ${problem}`, urn);
                }
            }
        });
    },
};

function sourceProblem(pin: WorkloadPin, service: string, config: ProvenanceConfig, context: PackContext): string | undefined {
    if (!config.sourcePins) return undefined;
    if (pin.provenance?.allowUndeployed && config.acceptAllowUndeployed) return undefined;
    const from = context.preset.promoteFrom;
    const ran = config.sourcePins[service] ?? [];
    // What ran is named by its digest when it has one, else by a tag (a reference with neither names nothing).
    const matches = ran.some((text) => {
        const parsed = parseReference(text);
        if (!parsed.ok || (parsed.ref.tag === "" && parsed.ref.digest === "")) return false;
        return samePin(pinOfReference(parsed.ref), pinOfReference(pin.ref), { digests: "by-content" });
    });
    if (matches) return undefined;
    const seen = ran.length ? ran.join(", ") : "nothing";
    return `service ${service} pins ${pin.text}, which never ran on ${from} (${from} ran ${seen}); promote what ${from} runs: \`pinstack promote ${from} ${context.stack} --service ${service} --reason "..."\``;
}
