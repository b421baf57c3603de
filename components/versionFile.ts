import * as pulumi from "@pulumi/pulumi";

/**
 * What a running service reports about itself, served like Merino's `__version__`
 * (the Dockerflow `version.json`). Field order is fixed so the rendered ConfigMap is stable.
 */
export interface VersionInfo {
    readonly service: string;
    /** Tag, or the configured `version`; "" when the pin has neither. */
    readonly version: string;
    /** Source commit; "" when not configured. */
    readonly commit: string;
    /** Image reference the pods run, with its digest when known. */
    readonly image: string;
    /** Stack the pin was promoted from; "" for a typed-in pin. */
    readonly promotedFrom: string;
}

/** Any field may still be resolving (the image digest from the registry). */
export type VersionInfoArgs = { readonly [K in keyof VersionInfo]: pulumi.Input<VersionInfo[K]> };

/**
 * The file's text: two-space JSON with a trailing newline. A plain string when every field is
 * known (the usual case: the pin is in config), so the ConfigMap and its name need no Output;
 * an Output only while a digest is still being looked up.
 */
export function versionJson(info: VersionInfoArgs): pulumi.Input<string> {
    if (Object.values(info).every((value) => typeof value === "string")) return render(info as VersionInfo);
    return pulumi.output(info).apply(render);
}

function render(i: VersionInfo): string {
    const ordered: VersionInfo = {
        service: i.service,
        version: i.version,
        commit: i.commit,
        image: i.image,
        promotedFrom: i.promotedFrom,
    };
    return `${JSON.stringify(ordered, null, 2)}\n`;
}
