import { strict as assert } from "assert";
import { PinstackError } from "../../../../lib/errors";
import { parseStackConfig, parseStackFileText } from "../../../../lib/config";
import { pulumiNumber, pulumiTime } from "../../../../lib/config/pulumi-scalars";
import { editConfigText } from "../../../../lib/config/write";

/**
 * What the Pulumi CLI hands a program for each plain scalar nested in a stack file: the answers
 * of the CLI's own reader (gopkg.in/yaml.v3 into config.Value, sdk v3.259.0's
 * resource/config, run on this machine), as JSON. "time" marks Go's time.String() text.
 */
const PULUMI_READS: ReadonlyArray<readonly [string, number | string | "time"]> = [
    ["1.20", 1.2], ["010", 8], ["0x1A", 26], ["1e3", 1000], ["8000", 8000], ["0o17", 15], ["1_000", 1000],
    ["+12", 12], ["1.0", 1], ["0.5e1", 5], ["1.5e-3", 0.0015], ["00", 0], ["08", 8], ["0b101", 5], ["-0x1A", -26],
    ["0777", 511], ["1__0", 10], ["1_", 1], ["0x_1A", 26], ["1.", 1], ["+.5", 0.5], [".5", 0.5], ["-.5", -0.5],
    ["0B11", 3], ["0O17", 15], ["-010", -8], ["1e+3", 1000], ["0.0", 0], ["20230402", 20230402], ["1.20e2", 120],
    ["2023-04-02", "time"], ["2023-4-2", "time"], ["2023-05-03T08:00:00Z", "time"], ["2023-05-03t08:00:00Z", "time"],
    ["2023-05-03T08:00:00+02:00", "time"], ["2023-05-03T08:00:00.500Z", "time"], ["2023-05-03 08:00:00", "time"],
    ["2023-05-03 8:0:0", "time"], ["2024-02-29", "time"],
    ["2023-02-29", "2023-02-29"], ["2023-02-30", "2023-02-30"], ["12:30", "12:30"], ["yes", "yes"], ["1.2.3", "1.2.3"],
    ["v1.2", "v1.2"], ["1e", "1e"], ["12e", "12e"], ["_1", "_1"], ["1,000", "1,000"], ["0x", "0x"], ["2023.05.1", "2023.05.1"],
    ["a1b2c3d", "a1b2c3d"], ["10.8.5rc1", "10.8.5rc1"],
];

describe("lib/config: plain scalars read as the Pulumi CLI reads them", () => {
    for (const [source, expected] of PULUMI_READS) {
        it(`${source} -> ${JSON.stringify(expected)}`, () => {
            if (expected === "time") {
                assert.equal(pulumiTime(source), true, "a time");
                assert.equal(pulumiNumber(source), undefined);
            } else if (typeof expected === "number") {
                assert.equal(pulumiNumber(source), expected);
                assert.equal(pulumiTime(source), false);
            } else {
                assert.equal(pulumiNumber(source), undefined, "text");
                assert.equal(pulumiTime(source), false, "text");
            }
        });
    }
});

describe("lib/config: pinstack check refuses an unquoted value Pulumi would retype", () => {
    const stack = (line: string) => `config:\n  pinstack:environment: staging\n  pinstack:services:\n    backend:\n      image: ghcr.io/example/backend\n${line}`;
    function problem(text: string): PinstackError {
        const file = parseStackFileText("Pulumi.staging.yaml", text, { project: "pinstack" });
        try {
            parseStackConfig("staging", file.file, file.raw, file.locate, { secretKeys: file.secretKeys });
        } catch (err) {
            assert.ok(err instanceof PinstackError);
            return err;
        }
        assert.fail("expected a refusal");
    }

    for (const [written, reads] of [
        ["1.20", "the number 1.2, not text"],
        ["010", "the number 8, not text"],
        ["0x1A", "the number 26, not text"],
        ["1e3", "the number 1000, not text"],
        ["8000", "the number 8000, not text"],
        ["1_000", "the number 1000, not text"],
        ["2023-04-02", "a time, which reaches the program as other text"],
    ] as const) {
        it(`tag: ${written} is refused at its line, with the quoted form`, () => {
            const err = problem(stack(`      tag: ${written}\n`));
            assert.equal(err.exitCode, 2);
            assert.equal(err.message, `Pulumi.staging.yaml:6:7: pinstack:services.backend.tag: unquoted ${written} is not the text "${written}" to Pulumi: YAML makes it ${reads}; write it quoted: tag: "${written}"`);
        });
    }

    it("an unquoted provenance time (the seal would break) is refused; quoted, it is read as written", () => {
        const err = problem(stack(`      tag: 2023.05.1\n      provenance:\n        from: staging\n        at: 2023-05-03T08:00:00Z\n        by: a@b.c\n        reason: r\n        seal: sha256:${"0".repeat(64)}\n`));
        assert.match(err.message, /^Pulumi\.staging\.yaml:9:9: pinstack:services\.backend\.provenance\.at: unquoted 2023-05-03T08:00:00Z .* write it quoted: at: "2023-05-03T08:00:00Z"$/);
    });

    it("quoted, or an explicit !!str, is the written text; a number stays a number where one belongs", () => {
        for (const line of ['      tag: "1.20"\n', "      tag: '010'\n", "      tag: !!str 1e3\n"]) {
            const file = parseStackFileText("Pulumi.staging.yaml", stack(`${line}      port: 010\n`), { project: "pinstack" });
            const config = parseStackConfig("staging", file.file, file.raw, file.locate);
            assert.match(config.services[0].tag!, /^(1\.20|010|1e3)$/);
            assert.equal(config.services[0].port, 8, "port: 010 is 8, as Pulumi reads it");
        }
    });

    it("a top-level string whose text Pulumi keeps passes; one it rewrites is refused", () => {
        const ok = parseStackFileText("Pulumi.staging.yaml", "config:\n  pinstack:environment: staging\n  pinstack:holdReason: 8000\n", { project: "pinstack" });
        assert.equal(parseStackConfig("staging", ok.file, ok.raw, ok.locate).holdReason, "8000");
        const err = problem("config:\n  pinstack:environment: staging\n  pinstack:holdReason: 1.20\n");
        assert.match(err.message, /pinstack:holdReason: unquoted 1\.20 is not the text "1\.20" to Pulumi: YAML makes it the text "1\.2"/);
    });

    it("a package shorthand version (pkg: 1.20) is refused too", () => {
        const err = problem("config:\n  pinstack:environment: staging\n  pinstack:packages:\n    numpy: 1.20\n");
        assert.match(err.message, /pinstack:packages\.numpy\.version: unquoted 1\.20 .* write it quoted/);
    });

    it("pinstack writes such strings quoted, so Pulumi reads the text", () => {
        const text = stack('      tag: "2023.05.1"\n');
        for (const value of ["1_000", "010", "2023-04-02", "1.20"]) {
            const out = editConfigText(text, [{ path: ["pinstack:services", "backend", "tag"], value }]).text;
            assert.match(out, new RegExp(`tag: "${value.replace(/\./g, "\\.")}"`), out);
        }
    });
});
