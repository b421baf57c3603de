/**
 * Test cases transcribed from github.com/distribution/reference (commit 0965666,
 * "Merge pull request #27"): reference_test.go (TestReferenceParse, TestWithNameFailure,
 * TestDomainAndPath) and regexp_test.go (TestDomainRegexp, TestFullNameRegexp,
 * TestReferenceRegexp). Data only; the Go error values are mapped to the kind of reason
 * pinstack gives (see `error` below). Apache-2.0, as the original.
 */

const f64 = "f".repeat(64);
const be = "be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912";

/** Kinds of failure: the Go error each case expects, as a pattern over pinstack's reason. */
export const ERROR_KIND = {
    ErrNameEmpty: /empty/,
    ErrReferenceInvalidFormat: /./,
    ErrNameContainsUppercase: /lowercase/,
    ErrNameTooLong: /limit is 255/,
    ErrDigestInvalidLength: /hex digits/,
    ErrDigestUnsupported: /not supported/,
} as const;

export interface ParseCase {
    readonly input: string;
    readonly err?: keyof typeof ERROR_KIND;
    readonly repository?: string;
    readonly domain?: string;
    readonly tag?: string;
    readonly digest?: string;
    /** Where pinstack deliberately differs from the Go package, and why. */
    readonly deviation?: string;
}

/** TestReferenceParse. */
export const referenceParseCases: readonly ParseCase[] = [
    { input: "test_com", repository: "test_com" },
    { input: "test.com:tag", repository: "test.com", tag: "tag" },
    { input: "test.com:5000", repository: "test.com", tag: "5000" },
    { input: "test.com/repo:tag", domain: "test.com", repository: "test.com/repo", tag: "tag" },
    { input: "test:5000/repo", domain: "test:5000", repository: "test:5000/repo" },
    { input: "test:5000/repo:tag", domain: "test:5000", repository: "test:5000/repo", tag: "tag" },
    { input: `test:5000/repo@sha256:${f64}`, domain: "test:5000", repository: "test:5000/repo", digest: `sha256:${f64}` },
    { input: `test:5000/repo:tag@sha256:${f64}`, domain: "test:5000", repository: "test:5000/repo", tag: "tag", digest: `sha256:${f64}` },
    { input: "", err: "ErrNameEmpty" },
    { input: ":justtag", err: "ErrReferenceInvalidFormat" },
    { input: `@sha256:${f64}`, err: "ErrReferenceInvalidFormat" },
    { input: "repo@sha256:ffffffffffffffffffffffffffffffffff", err: "ErrDigestInvalidLength" },
    { input: `validname@invaliddigest:${f64}`, err: "ErrDigestUnsupported" },
    {
        input: `validname@sha512:${"f".repeat(128)}`,
        repository: "validname",
        digest: `sha512:${"f".repeat(128)}`,
        deviation: "the Go test expects ErrDigestUnsupported only because it does not link crypto/sha512; pinstack accepts sha512 (128 hex digits)",
    },
    { input: "Uppercase:tag", err: "ErrNameContainsUppercase" },
    { input: "test:5000/Uppercase/lowercase:tag", err: "ErrNameContainsUppercase" },
    { input: "lowercase:Uppercase", repository: "lowercase", tag: "Uppercase" },
    { input: `domain/${"a".repeat(256)}:tag`, err: "ErrNameTooLong" },
    { input: `${"a/".repeat(127)}a:tag-puts-this-over-max`, domain: "a", repository: `${"a/".repeat(127)}a`, tag: "tag-puts-this-over-max" },
    { input: "aa/asdf$$^/aa", err: "ErrReferenceInvalidFormat" },
    { input: "sub-dom1.foo.com/bar/baz/quux", domain: "sub-dom1.foo.com", repository: "sub-dom1.foo.com/bar/baz/quux" },
    { input: "sub-dom1.foo.com/bar/baz/quux:some-long-tag", domain: "sub-dom1.foo.com", repository: "sub-dom1.foo.com/bar/baz/quux", tag: "some-long-tag" },
    { input: "b.gcr.io/test.example.com/my-app:test.example.com", domain: "b.gcr.io", repository: "b.gcr.io/test.example.com/my-app", tag: "test.example.com" },
    { input: "xn--n3h.com/myimage:xn--n3h.com", domain: "xn--n3h.com", repository: "xn--n3h.com/myimage", tag: "xn--n3h.com" },
    { input: `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${f64}`, domain: "xn--7o8h.com", repository: "xn--7o8h.com/myimage", tag: "xn--7o8h.com", digest: `sha256:${f64}` },
    { input: "foo_bar.com:8080", repository: "foo_bar.com", tag: "8080" },
    { input: "foo/foo_bar.com:8080", domain: "foo", repository: "foo/foo_bar.com", tag: "8080" },
    { input: "192.168.1.1", repository: "192.168.1.1" },
    { input: "192.168.1.1:tag", repository: "192.168.1.1", tag: "tag" },
    { input: "192.168.1.1:5000", repository: "192.168.1.1", tag: "5000" },
    { input: "192.168.1.1/repo", domain: "192.168.1.1", repository: "192.168.1.1/repo" },
    { input: "192.168.1.1:5000/repo", domain: "192.168.1.1:5000", repository: "192.168.1.1:5000/repo" },
    { input: "192.168.1.1:5000/repo:5050", domain: "192.168.1.1:5000", repository: "192.168.1.1:5000/repo", tag: "5050" },
    { input: "[2001:db8::1]", err: "ErrReferenceInvalidFormat" },
    { input: "[2001:db8::1]:5000", err: "ErrReferenceInvalidFormat" },
    { input: "[2001:db8::1]:tag", err: "ErrReferenceInvalidFormat" },
    { input: "[2001:db8::1]/repo", domain: "[2001:db8::1]", repository: "[2001:db8::1]/repo" },
    { input: "[2001:db8:1:2:3:4:5:6]/repo:tag", domain: "[2001:db8:1:2:3:4:5:6]", repository: "[2001:db8:1:2:3:4:5:6]/repo", tag: "tag" },
    { input: "[2001:db8::1]:5000/repo", domain: "[2001:db8::1]:5000", repository: "[2001:db8::1]:5000/repo" },
    { input: "[2001:db8::1]:5000/repo:tag", domain: "[2001:db8::1]:5000", repository: "[2001:db8::1]:5000/repo", tag: "tag" },
    { input: `[2001:db8::1]:5000/repo@sha256:${f64}`, domain: "[2001:db8::1]:5000", repository: "[2001:db8::1]:5000/repo", digest: `sha256:${f64}` },
    { input: `[2001:db8::1]:5000/repo:tag@sha256:${f64}`, domain: "[2001:db8::1]:5000", repository: "[2001:db8::1]:5000/repo", tag: "tag", digest: `sha256:${f64}` },
    { input: "[2001:db8::]:5000/repo", domain: "[2001:db8::]:5000", repository: "[2001:db8::]:5000/repo" },
    { input: "[::1]:5000/repo", domain: "[::1]:5000", repository: "[::1]:5000/repo" },
    { input: "[fe80::1%eth0]:5000/repo", err: "ErrReferenceInvalidFormat" },
    { input: "[fe80::1%@invalidzone]:5000/repo", err: "ErrReferenceInvalidFormat" },
    { input: `example.com/${"a".repeat(255)}:tag`, domain: "example.com", repository: `example.com/${"a".repeat(255)}`, tag: "tag" },
];

/** TestWithNameFailure: names (no tag, no digest) that must be refused. */
export const withNameFailureCases: readonly { input: string; err: keyof typeof ERROR_KIND }[] = [
    { input: "", err: "ErrReferenceInvalidFormat" },
    { input: ":justtag", err: "ErrReferenceInvalidFormat" },
    { input: `@sha256:${f64}`, err: "ErrReferenceInvalidFormat" },
    { input: `validname@invaliddigest:${f64}`, err: "ErrReferenceInvalidFormat" },
    { input: "example.com/repo:tag", err: "ErrReferenceInvalidFormat" },
    { input: `example.com/${"a".repeat(256)}`, err: "ErrNameTooLong" },
    { input: "aa/asdf$$^/aa", err: "ErrReferenceInvalidFormat" },
];

/** TestDomainAndPath: names split into domain and path. */
export const domainAndPathCases: readonly { input: string; domain: string; path: string }[] = [
    { input: "test.com/foo", domain: "test.com", path: "foo" },
    { input: "test_com/foo", domain: "", path: "test_com/foo" },
    { input: "test:8080/foo", domain: "test:8080", path: "foo" },
    { input: "test.com:8080/foo", domain: "test.com:8080", path: "foo" },
    { input: "test-com:8080/foo", domain: "test-com:8080", path: "foo" },
    { input: "xn--n3h.com:18080/foo", domain: "xn--n3h.com:18080", path: "foo" },
];

/** TestDomainRegexp: whether a string is a domain (host and optional port). */
export const domainCases: readonly { input: string; match: boolean }[] = [
    { input: "test.com", match: true },
    { input: "test.com:10304", match: true },
    { input: "test.com:http", match: false },
    { input: "localhost", match: true },
    { input: "localhost:8080", match: true },
    { input: "a", match: true },
    { input: "a.b", match: true },
    { input: "ab.cd.com", match: true },
    { input: "a-b.com", match: true },
    { input: "-ab.com", match: false },
    { input: "ab-.com", match: false },
    { input: "ab.c-om", match: true },
    { input: "ab.-com", match: false },
    { input: "ab.com-", match: false },
    { input: "0101.com", match: true },
    { input: "001a.com", match: true },
    { input: "b.gbc.io:443", match: true },
    { input: "b.gbc.io", match: true },
    { input: "xn--n3h.com", match: true },
    { input: "Asdf.com", match: true },
    { input: "192.168.1.1:75050", match: true },
    { input: "192.168.1.1:750050", match: true },
    { input: "[fd00:1:2::3]:75050", match: true },
    { input: "[fd00:1:2::3]75050", match: false },
    { input: "[fd00:1:2::3]::75050", match: false },
    { input: "[fd00:1:2::3%eth0]:75050", match: false },
    { input: "[fd00123123123]:75050", match: true },
    { input: "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", match: true },
    { input: "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", match: true },
    { input: "fd00:1:2::3:75050", match: false },
];

/** TestFullNameRegexp: names, and for matches the [domain, path] split. */
export const fullNameCases: readonly { input: string; match: boolean; subs?: readonly [string, string] }[] = [
    { input: "", match: false },
    { input: "short", match: true, subs: ["", "short"] },
    { input: "simple/name", match: true, subs: ["simple", "name"] },
    { input: "library/ubuntu", match: true, subs: ["library", "ubuntu"] },
    { input: "docker/stevvooe/app", match: true, subs: ["docker", "stevvooe/app"] },
    { input: "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb", match: true, subs: ["aa", "aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb"] },
    { input: "aa/aa/bb/bb/bb", match: true, subs: ["aa", "aa/bb/bb/bb"] },
    { input: "a/a/a/a", match: true, subs: ["a", "a/a/a"] },
    { input: "a/a/a/a/", match: false },
    { input: "a//a/a", match: false },
    { input: "a", match: true, subs: ["", "a"] },
    { input: "a/aa", match: true, subs: ["a", "aa"] },
    { input: "a/aa/a", match: true, subs: ["a", "aa/a"] },
    { input: "foo.com", match: true, subs: ["", "foo.com"] },
    { input: "foo.com/", match: false },
    { input: "foo.com:8080/bar", match: true, subs: ["foo.com:8080", "bar"] },
    { input: "foo.com:http/bar", match: false },
    { input: "foo.com/bar", match: true, subs: ["foo.com", "bar"] },
    { input: "foo.com/bar/baz", match: true, subs: ["foo.com", "bar/baz"] },
    { input: "localhost:8080/bar", match: true, subs: ["localhost:8080", "bar"] },
    { input: "sub-dom1.foo.com/bar/baz/quux", match: true, subs: ["sub-dom1.foo.com", "bar/baz/quux"] },
    { input: "blog.foo.com/bar/baz", match: true, subs: ["blog.foo.com", "bar/baz"] },
    { input: "a^a", match: false },
    { input: "aa/asdf$$^/aa", match: false },
    { input: "asdf$$^/aa", match: false },
    { input: "aa-a/a", match: true, subs: ["aa-a", "a"] },
    { input: `${"a/".repeat(128)}a`, match: true, subs: ["a", `${"a/".repeat(127)}a`] },
    { input: "a-/a/a/a", match: false },
    { input: "foo.com/a-/a/a", match: false },
    { input: "-foo/bar", match: false },
    { input: "foo/bar-", match: false },
    { input: "foo-/bar", match: false },
    { input: "foo/-bar", match: false },
    { input: "_foo/bar", match: false },
    { input: "foo_bar", match: true, subs: ["", "foo_bar"] },
    { input: "foo_bar.com", match: true, subs: ["", "foo_bar.com"] },
    { input: "foo_bar.com:8080", match: false },
    { input: "foo_bar.com:8080/app", match: false },
    { input: "foo.com/foo_bar", match: true, subs: ["foo.com", "foo_bar"] },
    { input: "____/____", match: false },
    { input: "_docker/_docker", match: false },
    { input: "docker_/docker_", match: false },
    { input: "b.gcr.io/test.example.com/my-app", match: true, subs: ["b.gcr.io", "test.example.com/my-app"] },
    { input: "xn--n3h.com/myimage", match: true, subs: ["xn--n3h.com", "myimage"] },
    { input: "xn--7o8h.com/myimage", match: true, subs: ["xn--7o8h.com", "myimage"] },
    { input: "example.com/xn--7o8h.com/myimage", match: true, subs: ["example.com", "xn--7o8h.com/myimage"] },
    { input: "example.com/some_separator__underscore/myimage", match: true, subs: ["example.com", "some_separator__underscore/myimage"] },
    { input: "example.com/__underscore/myimage", match: false },
    { input: "example.com/..dots/myimage", match: false },
    { input: "example.com/.dots/myimage", match: false },
    { input: "example.com/nodouble..dots/myimage", match: false },
    { input: "docker./docker", match: false },
    { input: ".docker/docker", match: false },
    { input: "docker-/docker", match: false },
    { input: "-docker/docker", match: false },
    { input: "do..cker/docker", match: false },
    { input: "do__cker:8080/docker", match: false },
    { input: "do__cker/docker", match: true, subs: ["", "do__cker/docker"] },
    { input: "registry.io/foo/project--id.module--name.ver---sion--name", match: true, subs: ["registry.io", "foo/project--id.module--name.ver---sion--name"] },
    { input: "Asdf.com/foo/bar", match: true },
    { input: "Foo/FarB", match: false },
];

/** TestReferenceRegexp: whole references, and for matches [name, tag, digest]. */
export const referenceRegexpCases: readonly { input: string; match: boolean; subs?: readonly [string, string, string] }[] = [
    { input: "registry.com:8080/myapp:tag", match: true, subs: ["registry.com:8080/myapp", "tag", ""] },
    { input: `registry.com:8080/myapp@sha256:${be}`, match: true, subs: ["registry.com:8080/myapp", "", `sha256:${be}`] },
    { input: `registry.com:8080/myapp:tag2@sha256:${be}`, match: true, subs: ["registry.com:8080/myapp", "tag2", `sha256:${be}`] },
    { input: "registry.com:8080/myapp@sha256:badbadbadbad", match: false },
    { input: "registry.com:8080/myapp:invalid~tag", match: false },
    { input: "bad_hostname.com:8080/myapp:tag", match: false },
    { input: `localhost:8080@sha256:${be}`, match: true, subs: ["localhost", "8080", `sha256:${be}`] },
    { input: `localhost:8080/name@sha256:${be}`, match: true, subs: ["localhost:8080/name", "", `sha256:${be}`] },
    { input: `localhost:http/name@sha256:${be}`, match: false },
    { input: `localhost@sha256:${be}`, match: true, subs: ["localhost", "", `sha256:${be}`] },
    { input: "registry.com:8080/myapp@bad", match: false },
    { input: "registry.com:8080/myapp@2bad", match: false },
];
