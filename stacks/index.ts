import { playground } from "./playground";
import { production } from "./production";
import { StackPreset } from "./preset";
import { staging } from "./staging";

export { StackPreset } from "./preset";

export const presets: Readonly<Record<string, StackPreset>> = { playground, staging, production };

/** The preset named by `pinstack:environment`; undefined when there is none of that name. */
export function presetFor(environment: string): StackPreset | undefined {
    return Object.prototype.hasOwnProperty.call(presets, environment) ? presets[environment] : undefined;
}
