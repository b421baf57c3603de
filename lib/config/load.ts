import * as fs from "fs";
import * as path from "path";
import { badInput } from "../errors";
import type { StackConfig } from "../model";
import { readStackFile } from "./file";
import { parseStackConfig } from "./parse";

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/** Stack names in `dir`, from its `Pulumi.<stack>.yaml` files, sorted by name. Throws (exit 2) when `dir` cannot be read. */
export function listStacks(dir: string): string[] {
    let entries: string[];
    try {
        entries = fs.readdirSync(dir);
    } catch (err) {
        throw badInput(`cannot read the project directory ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
            fix: "pass the directory holding Pulumi.<stack>.yaml with -C <dir>",
        });
    }
    return entries
        .map((name) => STACK_FILE.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** Path of a stack's file in `dir` (`.yaml`, or `.yml` when only that exists). */
export function stackFilePath(dir: string, stack: string): string {
    const yaml = path.join(dir, `Pulumi.${stack}.yaml`);
    const yml = path.join(dir, `Pulumi.${stack}.yml`);
    return !fs.existsSync(yaml) && fs.existsSync(yml) ? yml : yaml;
}

/** Reads and validates one stack. Throws a bad-input PinstackError (exit 2) for an unknown stack or any fault in its file. */
export function loadStack(dir: string, stack: string): StackConfig {
    const known = listStacks(dir);
    if (!known.includes(stack)) {
        throw badInput(`unknown stack '${stack}'`, {
            why: known.length ? `${dir} has stack files for: ${known.join(", ")}` : `${dir} has no Pulumi.<stack>.yaml files`,
            fix: known.length ? `use one of ${known.join(", ")}, or create Pulumi.${stack}.yaml` : "run pinstack in the project directory, or pass -C <dir>",
        });
    }
    // Messages name the file relative to where the command runs, as editors and CI annotations expect.
    const absolute = path.resolve(stackFilePath(dir, stack));
    const file = readStackFile(path.relative(process.cwd(), absolute) || absolute);
    return parseStackConfig(stack, file.file, file.raw, file.locate, { secretKeys: file.secretKeys });
}

/** Every stack in `dir`, in promotion order (the preset order, then the rest by name). */
export function loadAllStacks(dir: string): StackConfig[] {
    const stacks = listStacks(dir);
    if (stacks.length === 0) {
        throw badInput(`no stack files in ${dir}`, { fix: "run pinstack in the project directory (it holds Pulumi.<stack>.yaml), or pass -C <dir>" });
    }
    return orderStacks(stacks.map((stack) => loadStack(dir, stack)));
}

/** Sorts stacks playground -> staging -> production, others after them by name. */
export function orderStacks<T extends { stack: string; environment?: string }>(stacks: readonly T[]): T[] {
    const rank = (s: T) => {
        const order = ["playground", "staging", "production"];
        const i = order.indexOf(s.environment ?? s.stack);
        return i < 0 ? order.length : i;
    };
    return [...stacks].sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
}
