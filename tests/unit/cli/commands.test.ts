import { strict as assert } from "assert";
import { commandNamed, commands } from "../../../cli/commands";
import { buildProgram } from "../../../cli/main";

describe("cli: commands load on demand", () => {
    it("finds the command an argument list names, past the global -C/--dir and its value", () => {
        assert.equal(commandNamed(["check"]), "check");
        assert.equal(commandNamed(["-C", "check", "status"]), "status", "the value of -C is not the command");
        assert.equal(commandNamed(["--dir", "/tmp/x", "verify-image", "a:b"]), "verify-image");
        assert.equal(commandNamed(["--dir=/tmp/x", "--json", "diff", "a", "b"]), "diff");
        assert.equal(commandNamed(["promote", "--to", "check"]), "promote", "the first word wins");
    });

    it("names none for help, version, a typo or nothing, so every command is registered", () => {
        for (const argv of [[], ["--help"], ["--version"], ["help", "check"], ["chekc"], ["--", "check"]]) {
            assert.equal(commandNamed(argv), undefined, argv.join(" "));
        }
    });

    it("registers only the named command, and all of them otherwise, in help order", () => {
        assert.deepEqual(buildProgram(["-C", ".", "check"]).commands.map((c) => c.name()), ["check"]);
        assert.deepEqual(
            buildProgram(["--help"]).commands.map((c) => c.name()),
            commands.map(([name]) => name),
        );
        assert.deepEqual(
            buildProgram().commands.map((c) => c.name()),
            commands.map(([name]) => name),
        );
        assert.deepEqual(buildProgram(["--version"]).commands.map((c) => c.name()), [], "--version loads no command");
    });

    it("every entry loads a module whose command has the entry's name", () => {
        for (const [name, load] of commands) {
            assert.deepEqual(buildProgram([name]).commands.map((c) => c.name()), [name]);
            assert.equal(typeof load(), "function");
        }
    });
});
