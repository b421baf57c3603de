import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServicePin } from "../../lib/model";
import { kubernetesName, shortHash } from "../naming";

/**
 * The migrations Job's name is derived from the pin and the command: a new pin gives a new
 * Job (Job specs are immutable, and a finished Job never runs again), the same pin keeps
 * the same Job, so re-running `pulumi up` does not re-run a migration that already ran.
 */
export function migrationsJobName(pin: ServicePin): string {
    const hash = shortHash([pin.image, pin.tag ?? "", pin.digest ?? "", pin.migrations?.command ?? []]);
    return kubernetesName(pin.name, `migrate-${hash}`);
}

/**
 * A Job in the service's own image running the configured command once. It does not
 * retry (`backoffLimit: 0`): a half-applied migration needs a person, not a loop. The
 * Deployments that run this pin depend on the Job, and Pulumi waits for a Job to complete
 * before it updates its dependents, so new pods roll out only after the migration succeeded.
 */
export function migrationsJobSpec(args: {
    readonly pin: ServicePin;
    readonly image: pulumi.Input<string>;
    readonly labels: Readonly<Record<string, string>>;
    readonly env: readonly k8s.types.input.core.v1.EnvVar[];
}): k8s.types.input.batch.v1.JobSpec {
    return {
        backoffLimit: 0,
        template: {
            metadata: { labels: { ...args.labels } },
            spec: {
                restartPolicy: "Never",
                containers: [
                    {
                        name: "migrate",
                        image: args.image,
                        command: [...(args.pin.migrations?.command ?? [])],
                        env: [...args.env],
                    },
                ],
            },
        },
    };
}
