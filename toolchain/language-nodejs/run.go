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

	config, err := passConfig(configJSON)
	if err != nil {
		return fail(err)
	}
	defer config.cleanup()
	env := append(os.Environ(), config.env...)
	env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	env = append(env, opts.typescriptEnv()...)

	preload, err := embeddedScript("inspect-workaround", inspectWorkaroundJS)
	if err != nil {
		return fail(err)
	}
	args := append(append([]string{}, opts.nodeArgs...), config.nodeArgs...)
	args = append(args, "--require", preload, runPath)
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
	args := append([]string{}, opts.nodeArgs...)
	if isPolicyPack && !opts.typescript {
		preload, err := embeddedScript("policy-typescript", policyTypeScriptJS)
		if err != nil {
			return err
		}
		args = append([]string{"--require", preload}, args...)
	}
	args = append(args, runPath)
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

	var proxy *policyProxy
	if isPolicyPack {
		// @pulumi/policy learns the stack (project, stack, config, dry-run) from environment
		// variables, but the engine only sends them in a ConfigureStack call after the plugin
		// has started. policyProxy answers that call first, then forwards everything to the
		// real policy pack process we start with the environment filled in.
		var proxyStdout io.Writer
		proxy, proxyStdout, err = newPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start the policy pack proxy: %w", err)
		}
		stack, err := proxy.awaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get the stack configuration for the policy pack: %w", err)
		}
		if stack != nil {
			policyEnv, configJSON, err := policyPackEnv(stack)
			if err != nil {
				return err
			}
			config, err := passConfig(configJSON)
			if err != nil {
				return err
			}
			defer config.cleanup()
			cmd.Env = append(append(cmd.Env, policyEnv...), config.env...)
			// node's own options go before the script: the config preload first.
			cmd.Args = append(append([]string{cmd.Args[0]}, config.nodeArgs...), cmd.Args[1:]...)
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
		err = proxy.attach(ctx, cmd)
		hostProfile.stop()
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

// policyPackEnv is the environment @pulumi/policy reads to know which stack it checks, and the
// stack's configuration as JSON ("" when there is none), which passConfig hands over.
func policyPackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, string, error) {
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
	configJSON := ""
	if cfg := stack.GetConfig(); cfg != nil {
		data, err := json.Marshal(cfg)
		if err != nil {
			return nil, "", fmt.Errorf("could not pass the stack configuration to the policy pack: %w", err)
		}
		configJSON = string(data)
	}
	return env, configJSON, nil
}

// maxConfigEnv is the largest configuration passed in the PULUMI_CONFIG variable itself. Linux
// refuses to start a process with one variable over 128 KiB (MAX_ARG_STRLEN); larger ones go
// through a file (config-file.js), with room left for the variable's name.
const maxConfigEnv = 96 << 10

//go:embed config-file.js
var configFileJS []byte

// passedConfig is how the configuration reaches node: environment entries, node options (the
// preload that reads the file) and what to remove once node has ended.
type passedConfig struct {
	env      []string
	nodeArgs []string
	cleanup  func()
}

// passConfig passes configJSON in PULUMI_CONFIG, or, when it is too large for a variable, in a
// file only this user can read (it holds decrypted secrets) that the preload reads and removes.
func passConfig(configJSON string) (passedConfig, error) {
	if configJSON == "" {
		return passedConfig{cleanup: func() {}}, nil
	}
	if len(configJSON) <= maxConfigEnv {
		return passedConfig{env: []string{"PULUMI_CONFIG=" + configJSON}, cleanup: func() {}}, nil
	}
	preload, err := embeddedScript("config-file", configFileJS)
	if err != nil {
		return passedConfig{}, err
	}
	file, err := os.CreateTemp("", "pinstack-config-*.json") // mode 0600
	if err != nil {
		return passedConfig{}, fmt.Errorf("could not write the stack configuration for node: %w", err)
	}
	name := file.Name()
	cleanup := func() { _ = os.Remove(name) }
	if _, err := file.WriteString(configJSON); err != nil {
		file.Close()
		cleanup()
		return passedConfig{}, fmt.Errorf("could not write the stack configuration for node: %w", err)
	}
	if err := file.Close(); err != nil {
		cleanup()
		return passedConfig{}, err
	}
	return passedConfig{
		env:      []string{"PULUMI_CONFIG_FILE=" + name},
		nodeArgs: []string{"--require", preload},
		cleanup:  cleanup,
	}, nil
}

//go:embed policy-typescript.js
var policyTypeScriptJS []byte

//go:embed inspect-workaround.js
var inspectWorkaroundJS []byte

// embeddedScript returns the path of an embedded preload script (inspect-workaround.js,
// config-file.js), written once per content to the temporary directory so node can load it.
func embeddedScript(name string, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("pinstack-language-nodejs-%s-%x.js", name, sum[:6]))
	if existing, err := os.ReadFile(path); err == nil && string(existing) == string(content) {
		return path, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pinstack-language-nodejs-*.js")
	if err != nil {
		return "", fmt.Errorf("could not write the node preload script: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
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
