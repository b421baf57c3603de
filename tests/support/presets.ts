/**
 * Tests call lib directly, so they are an entry point too: like the CLI, the program and the
 * pack, they hand lib the project's presets (stacks/) before anything reads a stack.
 */
import { usePresets } from "../../lib/presets";
import { presets } from "../../stacks";

usePresets(presets);
