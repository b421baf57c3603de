import type * as k8s from "@pulumi/kubernetes";
import * as fs from "fs";
import * as path from "path";
import { fileOnlyLocator, readStackFile } from "../lib/config";
import { badInput, errorText } from "../lib/errors";
import type { StackConfig } from "../lib/model";
import { stop } from "./input";

/**
 * The Kubernetes provider's arguments for a stack, one of three modes:
 * - `pinstack:renderDir`: manifests are written to that directory and no cluster is reached
 *   (the embedded default of playground);
 * - `pinstack:kubeconfig`: the cluster of that kubeconfig file (and `pinstack:kubeContext`),
 *   e.g. the local cluster scripts/cluster starts;
 * - neither: the ambient kubeconfig, as kubectl finds it ($KUBECONFIG, ~/.kube/config).
 *
 * The kubeconfig is passed as the path written in the stack file, relative to the project
 * directory (where the engine starts the provider), not resolved: the provider's inputs are
 * state, and an absolute path would make every clone of the repository a different provider.
 * A path that names no file stops the program here, with the file, line and key, instead of
 * the provider's "no configuration has been provided" after the preview started.
 */
export function kubernetesProviderArgs(stack: StackConfig, projectDir = "."): k8s.ProviderArgs {
    if (stack.renderDir) return { renderYamlToDirectory: stack.renderDir };
    if (stack.kubeconfig === undefined) return stack.kubeContext ? { context: stack.kubeContext } : {};
    const file = path.resolve(projectDir, stack.kubeconfig);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        const location = fs.existsSync(stack.file) ? readStackFile(stack.file).locate(["pinstack:kubeconfig"]) : fileOnlyLocator(stack.file)("pinstack:kubeconfig");
        throw stop(errorText(badInput(`${stack.kubeconfig} is not a file`, {
            location,
            fix: "start the local cluster (scripts/cluster up), or point pinstack:kubeconfig at your cluster's kubeconfig",
        })));
    }
    return { kubeconfig: stack.kubeconfig, ...(stack.kubeContext ? { context: stack.kubeContext } : {}) };
}
