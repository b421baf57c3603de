// Preloaded (node --require) by pinstack's language host when the stack's configuration is too
// large for one environment variable (Linux refuses to start a process with a variable over
// 128 KiB, and the CLI then waited forever for the program or the policy pack). The host writes
// it to a file only the user can read and names the file in PULUMI_CONFIG_FILE; this puts it
// back into PULUMI_CONFIG, where @pulumi/pulumi and @pulumi/policy read it, before they load,
// and removes the file, which holds decrypted secrets.
"use strict";
const file = process.env.PULUMI_CONFIG_FILE;
if (file) {
    const fs = require("fs");
    process.env.PULUMI_CONFIG = fs.readFileSync(file, "utf8");
    delete process.env.PULUMI_CONFIG_FILE;
    try {
        fs.unlinkSync(file);
    } catch {
        // already gone: the host removes it too when the process ends
    }
}
