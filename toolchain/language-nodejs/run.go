package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	pulumisdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitAfterUserMessage is the exit code @pulumi/pulumi's cmd/run uses after it has already
// reported the program's error to the engine; repeating a message would only add noise.
const exitAfterUserMessage = 32

// Run executes the program: node runs @pulumi/pulumi/cmd/run, which connects to the engine's
// resource monitor and loads the program (through ts-node for TypeScript).
//
// Unlike the upstream host we pass the engine's monitor address straight through instead of
// proxying it: the proxy existed for synchronous invokes over named pipes, which the current
// @pulumi/pulumi no longer uses (runtime/settings tryGetSyncInvokes has no callers).
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, errors.New("RunRequest without program info: this CLI is too old for this language host")
	}
	fail := func(err error) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	opts, err := parseRuntimeOptions(info.GetOptions())
	if err != nil {
		return fail(err)
	}
	node, err := nodeBinary()
	if err != nil {
		return fail(err)
	}
	runPath, err := resolveModule(ctx, node, info.GetProgramDirectory(), "@pulumi/pulumi/cmd/run",
		"Run `npm install` (or `npm ci`) in the project directory.")
	if err != nil {
		return fail(err)
	}

	configJSON, err := legacyConfigJSON(req.GetConfig())
	if err != nil {
		return fail(fmt.Errorf("could not pass the stack configuration to node: %w", err))
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return fail(err)
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+configJSON,
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	env = append(env, opts.typescriptEnv()...)

	preload, err := inspectWorkaround()
	if err != nil {
		return fail(err)
	}
	args := append(append([]string{}, opts.nodeArgs...), "--require", preload, runPath)
	args = append(args, runArguments(req, h.engine())...)
	logging.V(5).Infof("language host: %s %s", node, strings.Join(args, " "))

	cmd := exec.Command(node, args...)
	cmd.Env = env
	// node may switch its stdio to non-blocking mode; wrapping os.Stdout in a plain io.Writer
	// makes exec copy through a pipe instead of handing node our own file descriptor.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	oom := &oomWatcher{}
	stderr, flushStderr := oom.tee(os.Stderr)
	cmd.Stderr = stderr

	err = h.runUntilDone(ctx, cmd)
	flushStderr()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return fail(fmt.Errorf("could not run node (%s): %w", node, err))
	}
	switch code := exitErr.ExitCode(); code {
	case exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case 0:
		return fail(fmt.Errorf("program exited unexpectedly: %w", exitErr))
	default:
		msg := fmt.Sprintf("Program exited with non-zero exit code: %d", code)
		if oom.seen {
			msg += ". Node.js ran out of memory; raise it with the runtime option " +
				"nodeargs: \"--max-old-space-size=<MiB>\" in Pulumi.yaml"
		}
		return fail(errors.New(msg))
	}
}

// runArguments builds cmd/run's command line (see its usage text): flags, then the entry
// point, then the program's own arguments.
func runArguments(req *pulumirpc.RunRequest, engineAddress string) []string {
	var args []string
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))

	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

// legacyConfigJSON renders the configuration in the shape @pulumi/pulumi reads from
// PULUMI_CONFIG. Keys are written as "<namespace>:config:<name>", the format every SDK
// version understands (newer ones accept "<namespace>:<name>" too).
func legacyConfigJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	data, err := json.Marshal(out)
	return string(data), err
}

// runUntilDone runs cmd until it exits; the Cancel RPC or the end of the request interrupts it
// (SIGINT first, so @pulumi/pulumi can flush its last messages, then SIGKILL after 5 s).
func (h *nodeHost) runUntilDone(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	case <-h.cancelled:
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		return <-done
	}
}

// oomWatcher notices Node's out-of-memory message while copying stderr through.
type oomWatcher struct{ seen bool }

func (o *oomWatcher) tee(w io.Writer) (io.Writer, func()) {
	r, pw := io.Pipe()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			line := scanner.Text()
			if strings.Contains(line, "JavaScript heap out of memory") ||
				strings.Contains(line, "Allocation failed - process out of memory") {
				o.seen = true
			}
			fmt.Fprintln(w, line)
		}
		_, _ = io.Copy(w, r) // after an over-long line: pass the rest through unscanned
	}()
	return pw, func() {
		_ = pw.Close()
		<-finished
	}
}

// RunPlugin runs a plugin written in JavaScript/TypeScript. The CLI uses it for policy packs
// (kind "analyzer": a directory with PulumiPolicy.yaml) and for Node.js resource plugins.
func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	info := req.GetInfo()
	opts, err := parseRuntimeOptions(info.GetOptions())
	if err != nil {
		return err
	}
	node, err := nodeBinary()
	if err != nil {
		return err
	}
	isPolicyPack := req.GetKind() == "analyzer"
	module := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		module = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	dir := info.GetProgramDirectory()
	runPath, err := resolveModule(ctx, node, dir, module, "Run `npm install` in "+dir+".")
	if err != nil {
		return err
	}

	env := append(append([]string{}, req.GetEnv()...), opts.typescriptEnv()...)
	// nodeargs are options for node itself, so they go before the script.
	args := append(append([]string{}, opts.nodeArgs...), runPath)
	if isPolicyPack {
		// run-policy-pack takes the engine address first and the pack directory last.
		args = append(append(args, req.GetArgs()...), dir)
	} else {
		args = append(append(args, dir), req.GetArgs()...)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = env
	cmd.Stderr = stderr
	cmd.Stdout = stdout
	cmd.Dir = req.GetPwd()

	var proxy *pulumisdk.PolicyProxy
	if isPolicyPack {
		// @pulumi/policy learns the stack (project, stack, config, dry-run) from environment
		// variables, but the engine only sends them in a ConfigureStack call after the plugin
		// has started. The SDK's PolicyProxy answers that call first, then forwards everything
		// to the real policy pack process we start with the environment filled in.
		var proxyStdout io.Writer
		proxy, proxyStdout, err = pulumisdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start the policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get the stack configuration for the policy pack: %w", err)
		}
		if stack != nil {
			policyEnv, err := policyPackEnv(stack)
			if err != nil {
				return err
			}
			cmd.Env = append(cmd.Env, policyEnv...)
		}
		cmd.Stdout = proxyStdout
		// Policy packs have always run from their own directory (they read package.json there).
		cmd.Dir = dir
	}

	logging.V(5).Infof("language host: plugin %s %s", node, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not run node (%s) for plugin %s: %w", node, dir, err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd)
	} else {
		err = cmd.Wait()
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
				return fmt.Errorf("plugin %s was stopped by signal %v", dir, status.Signal())
			}
			return fmt.Errorf("plugin %s exited with non-zero exit code: %d", dir, exitErr.ExitCode())
		}
		return err
	}
	return closer.Close()
}

// policyPackEnv is the environment @pulumi/policy reads to know which stack it checks.
func policyPackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", stack.GetProject())
	add("PULUMI_NODEJS_STACK", stack.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if cfg := stack.GetConfig(); cfg != nil {
		data, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("could not pass the stack configuration to the policy pack: %w", err)
		}
		add("PULUMI_CONFIG", string(data))
	}
	return env, nil
}

//go:embed inspect-workaround.js
var inspectWorkaroundJS []byte

// inspectWorkaround returns the path of inspect-workaround.js (see the file for the Node.js
// bug it avoids), written once per content to the temporary directory so node can load it.
func inspectWorkaround() (string, error) {
	sum := sha256.Sum256(inspectWorkaroundJS)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("pinstack-language-nodejs-%x.js", sum[:6]))
	if existing, err := os.ReadFile(path); err == nil && string(existing) == string(inspectWorkaroundJS) {
		return path, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pinstack-language-nodejs-*.js")
	if err != nil {
		return "", fmt.Errorf("could not write the node preload script: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(inspectWorkaroundJS); err != nil {
		tmp.Close()
		return "", fmt.Errorf("could not write the node preload script: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("could not write the node preload script: %w", err)
	}
	return path, nil
}
