import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { packageSubject, sealProvenance, serviceSubject } from "../../../../lib/provenance";
import type { StackUpdate } from "../../../../lib/pulumi-cli";
import { gitIn } from "../../promote/support/git";

/**
 * A release history on two stacks, committed to a real git repository with pinned dates, and
 * the Pulumi updates that ran each version (as `pulumi stack history --json` records them:
 * the config of each update). The story, day by day from 2026-03-02:
 *
 *   day 0  staging and production set up by hand (backend 1.0.0, web 2.0.0, ukrdc-services)
 *   day 1  staging: backend 1.1.0 (CI)
 *   day 2  production: promote backend 1.1.0 from staging — the first update fails, a re-run succeeds
 *   day 3  production: rollback to 1.0.0, on hold (incident 7)
 *   day 4  staging and production: service web renamed frontend (same image)
 *   day 5  production: hold lifted — not deployed yet
 *
 * A reason carries markup (`<script>`), as user-written text can.
 */

export const T0 = Date.parse("2026-03-02T09:00:00Z");
export const BACKEND = "ghcr.io/example/backend";
export const WEB = "ghcr.io/example/web";
export const HOSTILE_REASON = `<script>document.title="pwned"</script> May release <b>bold</b>`;

export function digest(ch: string): string {
    return `sha256:${ch.repeat(64)}`;
}

/** `day` days and `hours` hours after T0, ISO. */
export function at(day: number, hours = 0): string {
    return new Date(T0 + day * 86_400_000 + hours * 3_600_000).toISOString();
}

type Pins = Record<string, Record<string, unknown>>;

interface StackState {
    environment: string;
    services: Pins;
    packages: Pins;
    hold?: boolean;
    holdReason?: string;
    lastChange?: Record<string, unknown>;
}

export interface Scenario {
    readonly dir: string;
    readonly commits: Readonly<Record<string, string>>;
    /** Newest first, per stack. */
    readonly histories: Readonly<Record<string, StackUpdate[]>>;
    remove(): void;
}

function fileText(state: StackState): string {
    const config: Record<string, unknown> = {
        "pinstack:environment": state.environment,
        "pinstack:namespace": state.environment,
        "pinstack:services": state.services,
        "pinstack:packages": state.packages,
    };
    if (state.hold) config["pinstack:hold"] = true;
    if (state.holdReason) config["pinstack:holdReason"] = state.holdReason;
    if (state.lastChange) config["pinstack:lastChange"] = state.lastChange;
    return `# ${state.environment}\n${stringify({ config }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" })}`;
}

function recorded(state: StackState, version: number, start: string, minutes: number, result = "succeeded", kind = "update"): StackUpdate {
    const value = (v: unknown) => ({ value: JSON.stringify(v), objectValue: v, secret: false });
    return {
        version,
        kind,
        result,
        startTime: start,
        endTime: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
        message: `${kind} ${version}`,
        environment: {},
        config: {
            "pinstack:environment": { value: state.environment, secret: false },
            "pinstack:services": value(state.services),
            "pinstack:packages": value(state.packages),
            ...(state.hold ? { "pinstack:hold": { value: "true", secret: false } } : {}),
        },
        resourceChanges: result === "failed" ? { update: 1, same: 3 } : { same: 4 },
    };
}

function promoted(name: string, image: string, tag: string, d: string, reason: string, when: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const provenance = sealProvenance(serviceSubject({ name, image, tag, digest: d }), { from: "staging", at: when, by: "rm@example.org", reason, ...extra });
    return { image, tag, digest: d, scheme: "semver", port: 8000, provenance };
}

export function releaseScenario(): Scenario {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-board-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pinstack\nruntime: nodejs\n");
    gitIn(dir, ["init", "-q", "-b", "main"]);
    const commits: Record<string, string> = {};
    const commit = (key: string, message: string, when: string, author = "Ada") => {
        gitIn(dir, ["add", "-A"]);
        gitIn(dir, ["commit", "-q", "-m", message], { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, GIT_AUTHOR_NAME: author });
        commits[key] = gitIn(dir, ["rev-parse", "HEAD"]).trim();
    };
    const write = (stack: string, state: StackState) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), fileText(state));
    const staging: Record<string, StackUpdate> = {};
    const production: Record<string, StackUpdate> = {};

    const pkgProvenance = sealProvenance(packageSubject({ name: "ukrdc-services", version: "10.8.4" }), { from: "staging", at: at(0), by: "rm@example.org", reason: "10.8.4 tested" });
    let s: StackState = {
        environment: "staging",
        services: { backend: { image: BACKEND, tag: "1.0.0", scheme: "semver", port: 8000 }, web: { image: WEB, tag: "2.0.0", scheme: "semver", port: 8080 } },
        packages: { "ukrdc-services": { version: "10.8.5", channel: "staging" } },
    };
    const webProd = promoted("web", WEB, "2.0.0", digest("e"), "first release", at(0));
    let p: StackState = {
        environment: "production",
        services: { backend: promoted("backend", BACKEND, "1.0.0", digest("a"), "first release", at(0)), web: { ...webProd, port: 8080 } },
        packages: { "ukrdc-services": { version: "10.8.4", channel: "release", provenance: pkgProvenance } },
    };
    write("staging", s);
    write("production", p);
    commit("initial", "Set up staging and production", at(0));
    staging.u1 = recorded(s, 1, at(0, 1), 2);
    production.u1 = recorded(p, 1, at(0, 2), 3);

    s = { ...s, services: { ...s.services, backend: { ...s.services.backend, tag: "1.1.0" } } };
    write("staging", s);
    commit("staging", "staging: backend 1.1.0", at(1), "ci-bot");
    staging.u2 = recorded(s, 2, at(1, 1), 2);
    staging.refresh = recorded(s, 3, at(1, 5), 1, "succeeded", "refresh");

    p = {
        ...p,
        services: { ...p.services, backend: promoted("backend", BACKEND, "1.1.0", digest("b"), HOSTILE_REASON, at(2)) },
        lastChange: { command: "promote", at: at(2), by: "rm@example.org", reason: HOSTILE_REASON, from: "staging" },
    };
    write("production", p);
    commit("promote", "Promote backend 1.1.0 to production", at(2));
    production.failed = recorded(p, 2, at(2, 1), 7, "failed");
    production.rerun = recorded(p, 3, at(2, 3), 4);

    p = {
        ...p,
        services: { ...p.services, backend: promoted("backend", BACKEND, "1.0.0", digest("a"), "500s after 1.1.0 (incident 7)", at(3), { rollback: true }) },
        hold: true,
        holdReason: "incident 7",
        lastChange: { command: "rollback", at: at(3), by: "oncall@example.org", reason: "500s after 1.1.0 (incident 7)", update: 1 },
    };
    write("production", p);
    commit("rollback", "Roll back production backend", at(3));
    production.rollback = recorded(p, 4, at(3, 1), 3);

    const rename = (state: StackState): StackState => {
        const { web, ...rest } = state.services;
        return { ...state, services: { ...rest, frontend: web } };
    };
    s = rename(s);
    p = rename(p);
    write("staging", s);
    write("production", p);
    commit("rename", "Rename service web to frontend", at(4));
    staging.u4 = recorded(s, 4, at(4, 1), 2);
    production.u5 = recorded(p, 5, at(4, 2), 3);

    p = { ...p, hold: false, holdReason: undefined, lastChange: { command: "hold-clear", at: at(5), by: "oncall@example.org", reason: "incident 7 resolved" } };
    delete p.holdReason;
    write("production", p);
    commit("clear", "Lift the production hold", at(5));

    const newestFirst = (updates: Record<string, StackUpdate>) => Object.values(updates).sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
    return {
        dir,
        commits,
        histories: { staging: newestFirst(staging), production: newestFirst(production) },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
