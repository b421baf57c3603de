import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { labelValue, pinAnnotations, serviceLabels } from "../../../lib/contract";
import { kubernetesName, shortHash } from "../../../components/naming";
import { pinReference } from "../../../lib/pin";
import { versionJson } from "../../../components/versionFile";
import { digestA, provenance } from "./fixtures";
import { promiseOf } from "./harness";

describe("names, labels and version.json", () => {
    it("writes a reference with only the parts the pin has", () => {
        assert.strictEqual(pinReference({ image: "ghcr.io/a/b" }), "ghcr.io/a/b");
        assert.strictEqual(pinReference({ image: "ghcr.io/a/b", tag: "1.0.0" }), "ghcr.io/a/b:1.0.0");
        assert.strictEqual(pinReference({ image: "ghcr.io/a/b", digest: digestA }), `ghcr.io/a/b@${digestA}`);
        assert.strictEqual(pinReference({ image: "ghcr.io/a/b", tag: "1.0.0", digest: digestA }), `ghcr.io/a/b:1.0.0@${digestA}`);
    });

    it("cuts names to a DNS label and keeps the unique suffix whole", () => {
        const long = "a".repeat(70);
        const name = kubernetesName(long, "migrate-0123abcd");
        assert.strictEqual(name.length, 63);
        assert.ok(name.endsWith("-migrate-0123abcd"));
        assert.strictEqual(kubernetesName(`${"b".repeat(45)}-x`, "migrate-0123abcd"), `${"b".repeat(45)}-migrate-0123abcd`);
    });

    it("hashes deterministically and differently for different values", () => {
        assert.strictEqual(shortHash(["a", 1]), shortHash(["a", 1]));
        assert.notStrictEqual(shortHash(["a", 1]), shortHash(["a", 2]));
        assert.match(shortHash("x", 12), /^[0-9a-f]{12}$/);
    });

    it("makes label values Kubernetes accepts", () => {
        assert.strictEqual(labelValue("2023.05.1"), "2023.05.1");
        assert.strictEqual(labelValue("1.2.3+build.5"), "1.2.3_build.5");
        assert.strictEqual(labelValue("+meta+"), "meta");
        assert.strictEqual(labelValue("x".repeat(80)).length, 63);
        assert.strictEqual(labelValue(""), "");
    });

    it("labels with the recommended app.kubernetes.io keys", () => {
        assert.deepStrictEqual(serviceLabels("backend", "pin stack"), {
            "app.kubernetes.io/name": "backend",
            "app.kubernetes.io/part-of": "pin_stack",
            "app.kubernetes.io/managed-by": "pinstack",
        });
    });

    it("writes rollback and allow-undeployed only when set", () => {
        const plain = pinAnnotations({ reference: "r", scheme: "semver", provenance });
        assert.strictEqual(plain["pinstack.dev/rollback"], undefined);
        assert.strictEqual(plain["pinstack.dev/allow-undeployed"], undefined);
        const flagged = pinAnnotations({ reference: "r", scheme: "semver", provenance: { ...provenance, allowUndeployed: true } });
        assert.strictEqual(flagged["pinstack.dev/allow-undeployed"], "true");
    });

    it("writes version.json with fixed field order and a trailing newline", async () => {
        const text = versionJson({ promotedFrom: "", image: "i", commit: "c", version: "v", service: "s" } as any);
        assert.strictEqual(text, '{\n  "service": "s",\n  "version": "v",\n  "commit": "c",\n  "image": "i",\n  "promotedFrom": ""\n}\n');
        const pending = versionJson({ promotedFrom: "", image: pulumi.output("i"), commit: "c", version: "v", service: "s" });
        assert.ok(pulumi.Output.isInstance(pending), "an Output while a field is still resolving");
        assert.strictEqual(await promiseOf(pending as pulumi.Output<string>), text);
    });
});
