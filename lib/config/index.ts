/**
 * Reading and validating stack config (`Pulumi.<stack>.yaml`). Writing lives in
 * lib/config/write.ts. No Pulumi imports: the program passes plain values in.
 */
export { NumberSource, parseStackFileText, readStackFile, StackFile } from "./file";
export { ConfigPath, dottedKey, qualifyKey } from "./keys";
export { listStacks, loadAllStacks, loadStack, orderStacks, stackFilePath } from "./load";
export { fileOnlyLocator, Locator } from "./locate";
export { DEFAULT_PORT, parseStackConfig, ParseOptions } from "./parse";
export { stackConfigSchema } from "./schema";
export { misplacedSecrets, secretEnvNames, underSecret, unexplainedSecretKeys } from "./secrets";
export { ConfigProblem } from "./validate";
export { floorRefusal, locatedFloorProblems, presetWithinFloor, readFloor } from "./floor";
