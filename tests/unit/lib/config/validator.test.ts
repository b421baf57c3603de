import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackConfigSchema } from "../../../../lib/config";
import { validator } from "../../../../lib/config/validate";
import * as compiled from "../../../../lib/config/validator/compiled";
import { generateValidatorSource } from "../../../../lib/config/validator/generate";
import { schemaHash } from "../../../../lib/config/validator/options";

describe("lib/config: the validator compiled ahead of time", () => {
    it("is current with lib/config/schema.ts (else run: node -r ./scripts/register-ts.js lib/config/validator/generate.ts)", () => {
        assert.equal(compiled.schemaHash, schemaHash(stackConfigSchema), "lib/config/validator/compiled.ts is stale: run node -r ./scripts/register-ts.js lib/config/validator/generate.ts");
        const onDisk = fs.readFileSync(path.join(__dirname, "../../../../lib/config/validator/compiled.ts"), "utf8");
        assert.equal(onDisk, generateValidatorSource(), "compiled.ts differs from what generate.ts writes: regenerate it");
    });

    it("is the one lib/config uses when it is current", () => {
        assert.equal(validator(), compiled.validate);
    });

    it("schemaHash changes with the schema", () => {
        assert.notEqual(schemaHash({ ...stackConfigSchema, additionalProperties: true }), schemaHash(stackConfigSchema));
    });
});
