import * as pulumi from "@pulumi/pulumi";

// The SDK's own "every RPC so far has finished" (what `pulumi` waits on before the program
// exits). Internal to @pulumi/pulumi, which is pinned to an exact version in package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

/** One resource registration as the engine received it. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    /** URNs the SDK told the engine this resource depends on (dependsOn and inputs). */
    readonly dependencies: readonly string[];
    readonly parent: string;
    readonly provider: string;
}

export interface Harness {
    readonly registrations: Registration[];
    readonly calls: pulumi.runtime.MockCallArgs[];
    /** Registrations of one type token, e.g. `kubernetes:apps/v1:Deployment`. */
    ofType(type: string): Registration[];
    /** The one registration of a type whose Kubernetes metadata.name (or logical name) is `name`. */
    named(type: string, name: string): Registration;
    /** Waits until every registration the program started has reached the mock engine. */
    settle(): Promise<void>;
}

/** Digest the mocked registry returns for `repo:tag`: stable, so tests can compute it. */
export function registryDigest(reference: string): string {
    const hex = Buffer.from(reference).toString("hex").padEnd(64, "0").slice(0, 64);
    return `sha256:${hex}`;
}

/** Mocked CodeArtifact endpoint for a repository. */
export function codeartifactEndpoint(domain: string, repository: string): string {
    return `https://${domain}-123456789012.d.codeartifact.eu-west-2.amazonaws.com/pypi/${repository}/`;
}

/**
 * Sets up `pulumi.runtime.setMocks` with mocks that record every registration together with
 * the dependencies the SDK sent (the mock's `newResource` does not see them, so the monitor's
 * `registerResource` is wrapped). Resources echo their inputs as state plus what a provider
 * would fill in; in preview mode unknown outputs never resolve, so every output a program
 * reads is given a value here.
 */
export async function mockEngine(options: { stack?: string; preview?: boolean } = {}): Promise<Harness> {
    const registrations: Registration[] = [];
    const calls: pulumi.runtime.MockCallArgs[] = [];
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            const state: Record<string, any> = { ...args.inputs };
            switch (args.type) {
                case "aws:ecr/repository:Repository":
                    state.repositoryUrl = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/${args.inputs.name}`;
                    state.arn = `arn:aws:ecr:eu-west-2:123456789012:repository/${args.inputs.name}`;
                    break;
                case "aws:codeartifact/domain:Domain":
                    state.owner = "123456789012";
                    state.arn = `arn:aws:codeartifact:eu-west-2:123456789012:domain/${args.inputs.domain}`;
                    break;
            }
            return { id: `${args.name}-id`, state };
        },
        call(args) {
            calls.push(args);
            switch (args.token) {
                case "docker:index/getRegistryImage:getRegistryImage":
                    return { id: args.inputs.name, name: args.inputs.name, sha256Digest: registryDigest(args.inputs.name) };
                case "aws:codeartifact/getRepositoryEndpoint:getRepositoryEndpoint":
                    return {
                        id: args.inputs.repository,
                        ...args.inputs,
                        repositoryEndpoint: codeartifactEndpoint(args.inputs.domain, args.inputs.repository),
                    };
                default:
                    throw new Error(`unexpected call ${args.token}`);
            }
        },
    };
    await pulumi.runtime.setMocks(mocks, "pinstack", options.stack ?? "test", options.preview ?? false);

    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, response: any) => void) => {
        return register(req, (err: any, response: any) => {
            if (!err) {
                registrations.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: response.getUrn(),
                    custom: req.getCustom(),
                    inputs: pulumi.runtime.deserializeProperties(req.getObject()),
                    dependencies: req.getDependenciesList(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                });
            }
            callback(err, response);
        });
    };

    const harness: Harness = {
        registrations,
        calls,
        ofType: (type) => registrations.filter((r) => r.type === type),
        named(type, name) {
            const found = registrations.filter((r) => r.type === type && (r.inputs.metadata?.name ?? r.name) === name);
            if (found.length !== 1) {
                const names = registrations.filter((r) => r.type === type).map((r) => r.inputs.metadata?.name ?? r.name);
                throw new Error(`expected one ${type} named ${name}, found ${found.length} among [${names.join(", ")}]`);
            }
            return found[0];
        },
        async settle() {
            await waitForRPCs();
        },
    };
    return harness;
}

/** The value of an output (as awsx tests do), rejecting if it is unknown in preview. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => {
        resolve(value);
        return value;
    }));
}
