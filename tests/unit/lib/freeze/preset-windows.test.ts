import { strict as assert } from "assert";
import { parseStackConfig } from "../../../../lib/config";
import { PinstackError } from "../../../../lib/errors";
import { stackFreeze } from "../../../../lib/freeze";
import { usePresets } from "../../../../lib/presets";
import { presets } from "../../../../stacks";

const FRIDAY = new Date("2026-12-11T17:00:00Z");
const WEEKEND = "Fri 16:00 - Mon 08:00 Europe/London";

describe("lib/freeze: windows a preset declares", () => {
    afterEach(() => usePresets(presets));
    const parse = (raw: Record<string, unknown>) => parseStackConfig("production", "Pulumi.production.yaml", { "pinstack:environment": "production", ...raw });

    it("every stack of the preset keeps them, before its own windows", () => {
        usePresets({ ...presets, production: { ...presets.production, freezeWindows: [WEEKEND] } });
        const config = parse({ "pinstack:freeze": { windows: ["2026-12-20 - 2027-01-04 Europe/London"] } });
        assert.deepEqual(config.freeze.windows.map((w) => w.text), [WEEKEND, "2026-12-20 - 2027-01-04 Europe/London"]);
        assert.equal(stackFreeze(parse({}), FRIDAY)?.name, WEEKEND, "a stack without pinstack:freeze is frozen by its preset");
    });

    it("the shipped presets declare none: a stack is frozen only by what it declares", () => {
        assert.equal(stackFreeze(parse({}), FRIDAY), undefined);
    });

    it("a preset window it cannot read is bad input naming the preset", () => {
        usePresets({ ...presets, production: { ...presets.production, freezeWindows: ["Fri 16:00 - Mon 08:00 Mars/Olympus"] } });
        assert.throws(() => parse({}), (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && /preset production \(stacks\/\): freezeWindows\[0\]: 'Mars\/Olympus' is not a known IANA time zone/.test(err.message));
    });
});
