import type { StackPreset } from "./types";

/**
 * The project's presets (stacks/, plain data), handed to lib once by each entry point — the
 * CLI, the program, the policy pack — so lib judges stacks by presets it never imports: lib
 * depends on stacks/ only through this one call, never by an import.
 */
let known: Readonly<Record<string, StackPreset>> | undefined;

export function usePresets(presets: Readonly<Record<string, StackPreset>>): void {
    known = presets;
}

function catalog(): Readonly<Record<string, StackPreset>> {
    if (!known) throw new Error("no presets: the entry point must call usePresets(presets) from stacks/ before reading a stack");
    return known;
}

/** The preset named by `pinstack:environment`; undefined when there is none of that name. */
export function presetFor(environment: string): StackPreset | undefined {
    const presets = catalog();
    return Object.prototype.hasOwnProperty.call(presets, environment) ? presets[environment] : undefined;
}

/** The names of the presets, in the order stacks/ lists them. */
export function presetNames(): string[] {
    return Object.keys(catalog());
}
