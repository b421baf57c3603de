import { strict as assert } from "assert";
import { anchoredDomainRegexp } from "../../../../lib/reference/grammar";
import { digestProblem, formatReference, parseReference, parseRepositoryName, qualifiedName, registryOf, tagProblem } from "../../../../lib/reference";
import { domainAndPathCases, domainCases, ERROR_KIND, fullNameCases, referenceParseCases, referenceRegexpCases, withNameFailureCases } from "./distribution-cases";

const sha = (c: string, n: number) => c.repeat(n);

describe("lib/reference: distribution/reference published cases", () => {
    describe("TestReferenceParse", () => {
        for (const tc of referenceParseCases) {
            it(`${tc.err ? "refuses" : "parses"} ${JSON.stringify(tc.input.length > 70 ? `${tc.input.slice(0, 67)}...` : tc.input)}`, () => {
                const result = parseReference(tc.input);
                if (tc.err) {
                    assert.equal(result.ok, false, `expected ${tc.err}`);
                    if (!result.ok) assert.match(result.error, ERROR_KIND[tc.err]);
                    return;
                }
                assert.ok(result.ok, result.ok ? "" : result.error);
                if (!result.ok) return;
                assert.equal(result.ref.input, tc.input);
                assert.equal(result.ref.name, tc.repository ?? "");
                assert.equal(result.ref.domain, tc.domain ?? "");
                assert.equal(result.ref.tag, tc.tag ?? "");
                assert.equal(result.ref.digest, tc.digest ?? "");
                assert.equal(formatReference(result.ref), tc.input, "the parts join back to the input");
                assert.equal(result.ref.domain ? `${result.ref.domain}/${result.ref.path}` : result.ref.path, result.ref.name);
            });
        }
    });

    describe("TestWithNameFailure", () => {
        for (const tc of withNameFailureCases) {
            it(`refuses the name ${JSON.stringify(tc.input.slice(0, 40))}`, () => {
                const result = parseRepositoryName(tc.input);
                assert.equal(result.ok, false);
                if (!result.ok) assert.match(result.error, ERROR_KIND[tc.err]);
            });
        }
    });

    describe("TestDomainAndPath", () => {
        for (const tc of domainAndPathCases) {
            it(`splits ${tc.input}`, () => {
                const result = parseRepositoryName(tc.input);
                assert.ok(result.ok);
                if (result.ok) assert.deepEqual([result.value.domain, result.value.path], [tc.domain, tc.path]);
            });
        }
    });

    describe("TestDomainRegexp", () => {
        for (const tc of domainCases) {
            it(`${tc.match ? "accepts" : "refuses"} the domain ${tc.input}`, () => {
                assert.equal(anchoredDomainRegexp.test(tc.input), tc.match);
                // The same verdict through the public parser, with a repository after the domain.
                const viaName = parseRepositoryName(`${tc.input}/repo`);
                if (tc.match) assert.ok(viaName.ok && viaName.value.domain === tc.input);
                else assert.ok(!viaName.ok || viaName.value.domain !== tc.input);
            });
        }
    });

    describe("TestFullNameRegexp", () => {
        for (const tc of fullNameCases) {
            it(`${tc.match ? "accepts" : "refuses"} the name ${JSON.stringify(tc.input.slice(0, 50))}`, () => {
                const result = parseRepositoryName(tc.input);
                assert.equal(result.ok, tc.match, result.ok ? "" : result.error);
                if (result.ok && tc.subs) assert.deepEqual([result.value.domain, result.value.path], [...tc.subs]);
            });
        }
    });

    describe("TestReferenceRegexp", () => {
        for (const tc of referenceRegexpCases) {
            it(`${tc.match ? "accepts" : "refuses"} ${tc.input.slice(0, 60)}`, () => {
                const result = parseReference(tc.input);
                assert.equal(result.ok, tc.match, result.ok ? "" : result.error);
                if (result.ok && tc.subs) assert.deepEqual([result.ref.name, result.ref.tag, result.ref.digest], [...tc.subs]);
            });
        }
    });
});

describe("lib/reference: reasons for invalid references", () => {
    const reasons: [string, RegExp][] = [
        ["ghcr.io/example/backend:latest ", /space at the end/],
        [" ghcr.io/example/backend:1.0.0", /space at the start/],
        ["ghcr.io/example/back end:1.0.0", /space at position 21/],
        ["ghcr.io/example/backend:1.0\t", /tab/],
        ["ghcr.io/Example/backend:1.0.0", /lowercase: 'Example'/],
        ["ghcr.io/example/Backend", /lowercase: 'Backend'/],
        ["ghcr.io/example/backend@sha256:abc", /too short: 3 hex digits/],
        [`ghcr.io/example/backend@sha256:${sha("a", 63)}`, /too short|64 hex digits/],
        [`ghcr.io/example/backend@sha256:${sha("a", 65)}`, /sha256 digest has 64 hex digits; .* has 65/],
        [`ghcr.io/example/backend@sha384:${sha("a", 64)}`, /sha384 digest has 96 hex digits/],
        [`ghcr.io/example/backend@sha512:${sha("a", 96)}`, /sha512 digest has 128 hex digits/],
        [`ghcr.io/example/backend@md5:${sha("a", 32)}`, /'md5' is not supported/],
        [`ghcr.io/example/backend@sha256:${sha("A", 64)}`, /lowercase hex/],
        [`ghcr.io/example/backend@sha256:${sha("g", 64)}`, /not hexadecimal/],
        ["ghcr.io/example/backend@", /digest after '@' is empty/],
        ["ghcr.io/example/backend:", /tag is empty/],
        [`ghcr.io/example/backend:${sha("a", 129)}`, /129 characters; the limit is 128/],
        ["ghcr.io/example/backend:.hidden", /must start with a letter, digit or '_'/],
        ["ghcr.io/example/backend:v1~2", /contains '~'/],
        ["ghcr.io/example//backend", /empty path component/],
        ["ghcr.io/example/backend/", /empty path component/],
        ["ghcr.io/example/-backend", /must start and end/],
        ["ghcr.io/example/back..end", /separator run/],
        ["ghcr.io:http/example/backend", /port 'http' .* must be a number/],
        ["bad_host.io:5000/example/backend", /may hold only letters, digits/],
        ["-bad.io:5000/example/backend", /must start and end with a letter or digit/],
        ["-bad.io/example/backend", /must start and end with a letter or digit/],
        ["[fe80::1%eth0]:5000/repo", /zone identifier/],
        ["[2001:db8::1]:5000", /IPv6 registry without a repository/],
        ["", /empty/],
        [":1.0.0", /no repository name/],
        ["ghcr.io/example/backend\u0000", /control character/],
    ];
    for (const [input, reason] of reasons) {
        it(`${JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)}: ${reason.source}`, () => {
            const result = parseReference(input);
            assert.equal(result.ok, false);
            if (!result.ok) assert.match(result.error, reason);
        });
    }

    it("accepts the three digest algorithms at their own length", () => {
        for (const [algorithm, length] of [["sha256", 64], ["sha384", 96], ["sha512", 128]] as const) {
            const result = parseReference(`ghcr.io/example/backend@${algorithm}:${sha("0", length)}`);
            assert.ok(result.ok, `${algorithm}`);
        }
    });

    it("accepts the separators '.', '_', '__' and dash runs inside path components", () => {
        for (const name of ["a.b", "a_b", "a__b", "a-b", "a---b", "a.b_c__d-e"]) {
            assert.ok(parseReference(`example.com/${name}:1`).ok, name);
        }
        for (const name of ["a___b", "a._b", "a.-b", "a-.b"]) {
            assert.equal(parseReference(`example.com/${name}:1`).ok, false, name);
        }
    });

    it("limits the repository path (not the domain) to 255 characters", () => {
        assert.ok(parseReference(`very.long.registry.example.com/${"a".repeat(255)}`).ok);
        assert.equal(parseReference(`example.com/${"a".repeat(256)}`).ok, false);
    });

    it("accepts a tag of exactly 128 characters", () => {
        assert.ok(parseReference(`example.com/app:${"a".repeat(128)}`).ok);
    });
});

describe("lib/reference: helpers", () => {
    it("parseRepositoryName says to move a tag or digest out of image:", () => {
        const tagged = parseRepositoryName("ghcr.io/example/backend:1.2.3");
        assert.ok(!tagged.ok && /includes the tag '1.2.3'/.test(tagged.error));
        const digested = parseRepositoryName(`ghcr.io/example/backend@sha256:${sha("a", 64)}`);
        assert.ok(!digested.ok && /includes a digest/.test(digested.error));
    });

    it("tagProblem and digestProblem accept valid values and explain invalid ones", () => {
        assert.equal(tagProblem("2023.06.1"), undefined);
        assert.equal(tagProblem("_x"), undefined);
        assert.match(tagProblem("latest ") ?? "", /space/);
        assert.equal(digestProblem(`sha256:${sha("a", 64)}`), undefined);
        assert.match(digestProblem("sha256") ?? "", /algorithm:hex/);
    });

    it("registryOf reads Docker's rule: a registry needs a '.', a ':' or localhost", () => {
        const domainOf = (input: string) => {
            const r = parseReference(input);
            assert.ok(r.ok);
            return r.ok ? registryOf(r.ref) : "";
        };
        assert.equal(domainOf("nginx:1.25"), "docker.io");
        assert.equal(domainOf("library/nginx:1.25"), "docker.io");
        assert.equal(domainOf("ghcr.io/example/app:1"), "ghcr.io");
        assert.equal(domainOf("localhost/app:1"), "localhost");
        assert.equal(domainOf("registry:5000/app:1"), "registry:5000");
        assert.equal(domainOf("[::1]:5000/app:1"), "[::1]:5000");
    });

    it("qualifiedName fills in docker.io and library/", () => {
        const q = (input: string) => {
            const r = parseReference(input);
            return r.ok ? qualifiedName(r.ref) : "";
        };
        assert.equal(q("nginx"), "docker.io/library/nginx");
        assert.equal(q("library/nginx"), "docker.io/library/nginx");
        assert.equal(q("bitnami/redis"), "docker.io/bitnami/redis");
        assert.equal(q("docker.io/library/nginx"), "docker.io/library/nginx");
        assert.equal(q("ghcr.io/example/app"), "ghcr.io/example/app");
    });
});
