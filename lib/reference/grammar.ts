/**
 * The Docker image reference grammar, as distribution/reference (regexp.go) defines it:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | \[ IPv6address \]
 *   domain-name      := domain-component ['.' domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   path             := path-component ['/' path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex
 *
 * The expressions are built from the same pieces as the Go package so they can be
 * compared line by line. Go's regexp picks submatches the way a backtracking engine
 * would (leftmost-first), so JavaScript's engine captures the same domain / path split.
 */

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const optionalPort = "(?::[0-9]+)?";
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
const ipv6address = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

/** Longest repository path (without the domain) the grammar allows. */
export const REPOSITORY_PATH_MAX = 255;

/** A whole reference: captures name, tag, digest. */
export const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
/** A name: captures domain (may be undefined) and path. */
export const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
/** A tag on its own. */
export const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
/** A digest on its own, before its algorithm and length are checked. */
export const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);
/** A domain (host and optional port) on its own. */
export const anchoredDomainRegexp = new RegExp(`^${domainAndPort}$`);
/** One path component. */
export const anchoredPathComponentRegexp = new RegExp(`^${pathComponent}$`);

/**
 * Digest algorithms pinstack accepts, with the hex length of each. go-digest registers
 * the same three (sha256 by default; sha384 and sha512 when their crypto package is linked).
 */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
