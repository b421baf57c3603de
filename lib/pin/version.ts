/** What version.json and app.kubernetes.io/version show for a pin: its `version`, else its tag. */
export function pinVersion(pin: { readonly version?: string; readonly tag?: string }): string {
    return pin.version ?? pin.tag ?? "";
}
