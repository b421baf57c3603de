import type { Command } from "commander";
import { register as bump } from "./bump";
import { register as changelog } from "./changelog";
import { register as check } from "./check";
import { register as ci } from "./ci";
import { register as diff } from "./diff";
import { register as history } from "./history";
import { register as hold } from "./hold";
import { register as notes } from "./notes";
import { register as promote } from "./promote";
import { register as rollback } from "./rollback";
import { register as status } from "./status";
import { register as verifyImage } from "./verify-image";

/**
 * Each command lives in its own module and registers itself on the program.
 * Keep this list in the order `pinstack --help` should show them.
 */
export type Register = (program: Command) => void;

export const commands: readonly Register[] = [
    status,
    diff,
    check,
    verifyImage,
    promote,
    rollback,
    hold,
    history,
    bump,
    changelog,
    notes,
    ci,
];
