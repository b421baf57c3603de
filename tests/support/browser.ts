/**
 * A real browser for tests: Debian's chromium (scripts/install-test-deps installs it) driven
 * by playwright-core, which downloads no browser of its own. Missing chromium is a failure,
 * not a skip: the board's tests are what say the page works.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BrowserContext } from "playwright-core";

export const CHROMIUM = process.env.PINSTACK_CHROMIUM || "/usr/bin/chromium";

/** Where tests save screenshots (gitignored; CI uploads it). */
export const ARTIFACTS = path.resolve(__dirname, "..", "..", "test-artifacts");

export interface Browser {
    readonly context: BrowserContext;
    close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`chromium is not installed at ${CHROMIUM}: run scripts/install-test-deps (apt-get install -y chromium), or set PINSTACK_CHROMIUM`);
    }
    const { chromium } = await import("playwright-core");
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    return {
        context,
        close: async () => {
            await context.close();
            fs.rmSync(profile, { recursive: true, force: true });
        },
    };
}

/** WCAG 2 contrast ratio of two `rgb(...)` / `rgba(...)` colours (alpha ignored: callers pass resolved backgrounds). */
export function contrastRatio(foreground: string, background: string): number {
    const luminance = (css: string) => {
        const [r, g, b] = (css.match(/[\d.]+/g) ?? ["0", "0", "0"]).slice(0, 3).map((v) => {
            const c = Number(v) / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [a, b] = [luminance(foreground), luminance(background)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
}
