# shellcheck shell=bash
# Environment for running Pulumi on pinstack: sourced by scripts/, tests and CI.
#   source scripts/env.sh
#
# - The project's own Pulumi home: PULUMI_HOME=<repo>/.pinstack/pulumi (git-ignored), where
#   scripts/setup installs the CLI, the language host and the kubernetes plugin, so nothing is
#   read from or written to ~/.pulumi (credentials, plugins, workspace settings). Its bin/ and
#   <repo>/.pinstack/bin (the local cluster's binaries, kubectl among them) go first on PATH.
#   With PINSTACK_TOOLCHAIN=skip (an official Pulumi install) neither is touched.
# - Nothing waits on the network: no update check, no automatic plugin downloads (a missing
#   plugin fails at once with a clear error), and plugins are never picked up from other
#   directories on $PATH (PULUMI_IGNORE_AMBIENT_PLUGINS), so the provider used is always the
#   one registered in the plugin cache, at the version the program asks for.
# - The embedded default: a local file backend in <repo>/.pulumi-state (git-ignored) and a
#   passphrase for the passphrase secrets provider.
#
# Every variable the caller already set wins.

_pinstack_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "${PINSTACK_TOOLCHAIN:-auto}" != skip ]]; then
    export PULUMI_HOME="${PULUMI_HOME:-$_pinstack_root/.pinstack/pulumi}"
    for _pinstack_bin in "$_pinstack_root/.pinstack/bin" "$PULUMI_HOME/bin"; do
        _pinstack_path=":$PATH:"
        while [[ "$_pinstack_path" == *":$_pinstack_bin:"* ]]; do
            _pinstack_path="${_pinstack_path//:$_pinstack_bin:/:}"
        done
        _pinstack_path="${_pinstack_path#:}"
        _pinstack_path="${_pinstack_path%:}"
        export PATH="$_pinstack_bin${_pinstack_path:+:$_pinstack_path}"
    done
fi

export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}"
export PULUMI_IGNORE_AMBIENT_PLUGINS="${PULUMI_IGNORE_AMBIENT_PLUGINS:-true}"

if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
    mkdir -p "$_pinstack_root/.pulumi-state"
    export PULUMI_BACKEND_URL="file://$_pinstack_root/.pulumi-state"
fi

# LOCAL-ONLY playground passphrase. It protects nothing: it is written here in the open so that
# `secure:` values in stacks on the local file backend can be read by anyone with this
# repository. Real secrets belong in stacks on a real backend with your own
# PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or another secrets provider.
if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    export PULUMI_CONFIG_PASSPHRASE="pinstack-local-playground-only"
fi

unset _pinstack_root _pinstack_bin _pinstack_path
