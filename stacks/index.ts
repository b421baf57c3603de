import { playground } from "./playground";
import { production } from "./production";
import { staging } from "./staging";

/**
 * The presets a stack's `pinstack:environment` names: plain data. Each entry point (the CLI,
 * the program, the policy pack) hands them to lib with usePresets; lib never imports them.
 */
export const presets = { playground, staging, production };
