package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"

	"github.com/google/shlex"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// nodeHost implements pulumirpc.LanguageRuntimeServer. Methods it does not define come from
// the embedded Unimplemented server and answer codes.Unimplemented, which the CLI understands
// as "this host does not offer that feature".
type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string

	// cancelled is closed by the Cancel RPC; running node processes are interrupted.
	cancelOnce sync.Once
	cancelled  chan struct{}
}

func newHost(engineAddress string) *nodeHost {
	return &nodeHost{engineAddress: engineAddress, cancelled: make(chan struct{})}
}

func (h *nodeHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Handshake is only used when the CLI attaches to an already running host
// (PULUMI_DEBUG_LANGUAGES); a normally started host gets the engine address as an argument.
// An attached host was started by hand, so it does not exit when one engine goes away.
func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelOnce.Do(func() { close(h.cancelled) })
	return &emptypb.Empty{}, nil
}

// RuntimeOptionsPrompts is asked by `pulumi new`; npm is the only package manager we support,
// so there is nothing to ask.
func (h *nodeHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml we honour.
type runtimeOptions struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
	production   bool
}

func parseRuntimeOptions(options *structpb.Struct) (runtimeOptions, error) {
	opts := runtimeOptions{typescript: true}
	values := options.AsMap()

	if v, ok := values["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, errors.New("runtime option typescript must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := values["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, errors.New("runtime option tsconfig must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := values["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, errors.New("runtime option nodeargs must be a string")
		}
		args, err := shlex.Split(s)
		if err != nil {
			return opts, fmt.Errorf("runtime option nodeargs: %w", err)
		}
		opts.nodeArgs = args
	}
	if v, ok := values["production"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, errors.New("runtime option production must be a boolean")
		}
		opts.production = b
	}
	if v, ok := values["packagemanager"]; ok {
		s, _ := v.(string)
		if s != "npm" && s != "auto" {
			return opts, fmt.Errorf("runtime option packagemanager %q is not supported by pinstack's "+
				"language host: only npm is", s)
		}
	}
	return opts, nil
}

// typescriptEnv is what @pulumi/pulumi's entry points read to register ts-node.
func (o runtimeOptions) typescriptEnv() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}

// nodeBinary finds node on the PATH, as the CLI's own language hosts do.
func nodeBinary() (string, error) {
	path, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the PATH: %w", err)
	}
	return path, nil
}

// resolveModule asks node itself where a module is, from dir, so resolution follows the same
// rules (node_modules lookup, symlinks, exports maps) the program will use.
func resolveModule(ctx context.Context, node, dir, module, installHint string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) {`+
		` if (e.code === "MODULE_NOT_FOUND") { console.error(%q); } else { console.error(e.message); }`+
		` process.exit(1); }`,
		module, fmt.Sprintf("Cannot find %s from %s: the Pulumi SDK (@pulumi/pulumi) is not installed. %s",
			module, dir, installHint))
	cmd := exec.CommandContext(ctx, node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
