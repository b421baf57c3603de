import { schemes } from "../schemes";
import type { PackagePin } from "../model";
import type { Finding, Rule, RuleContext } from "./types";

/**
 * Why a package version is not one exact version, or undefined when it is. Ranges
 * (`>=10.8`, `~=10.8`, `^10.8`, `*`, `10.8.x`, `10.8.*`, `!=`, `<`, comma lists) let a
 * different build ship without review; `==10.8.5` is exact but written bare in pins.
 */
export function packagePinProblem(version: string): string | undefined {
    const v = version.trim();
    if (v === "") return "is empty";
    if (/^==\s*[^=]/.test(v) && !/[<>!~^*,|]/.test(v.slice(2))) return `is written with '==': write ${v.slice(2).trim()}`;
    if (/[<>!~^=]/.test(v)) return `is a range ('${version}')`;
    if (v.includes("*")) return `is a wildcard ('${version}')`;
    if (/[,|]/.test(v) || /\s-\s/.test(v)) return `is a range list ('${version}')`;
    if (/(^|\.)[xX](\.|$)/.test(v)) return `is a wildcard ('${version}')`;
    if (/\s/.test(version)) return `contains whitespace ('${version}')`;
    const parsed = schemes.pep440.parse(v);
    if (!parsed.ok) return `is not a version: ${parsed.error}`;
    return undefined;
}

/** Rule `exact-package-pins`: package versions are exact, never ranges. */
export const exactPackagePins: Rule = {
    id: "exact-package-pins",
    description: "Package pins name one exact version (10.8.5), never a range (>=, ~=, ^, *, 1.2.x).",
    package(pkg: PackagePin, context: RuleContext): Finding[] {
        const problem = packagePinProblem(pkg.version);
        if (!problem) return [];
        return [
            {
                subject: pkg.name,
                location: pkg.fieldLocations?.version ?? pkg.location,
                message: `package ${pkg.name} ${problem}; ${context.stack} pins one exact version so what was tested is what ships: write the version you tested, e.g. 10.8.5`,
            },
        ];
    },
};
