package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// InstallDependencies runs `npm install` in the program (or plugin / policy pack) directory,
// streaming npm's output back to the CLI. `pulumi install` and `pulumi policy` use it.
// Only npm is supported (parseRuntimeOptions rejects other package managers).
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	opts, err := parseRuntimeOptions(req.GetInfo().GetOptions())
	if err != nil {
		return err
	}
	dir := req.GetInfo().GetProgramDirectory()
	args := []string{"install", "--no-fund", "--no-audit"}
	if opts.production {
		args = append(args, "--omit=dev")
	}
	fmt.Fprintf(stdout, "Installing dependencies in %s (npm %s)...\n\n", dir, strings.Join(args, " "))
	cmd := exec.CommandContext(server.Context(), "npm", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	fmt.Fprintf(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// npmTree is the part of `npm ls --json` output we read.
type npmTree struct {
	Version      string             `json:"version"`
	Dependencies map[string]npmTree `json:"dependencies"`
}

// GetProgramDependencies lists the installed npm packages (`pulumi about` shows them).
func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	args := []string{"ls", "--json"}
	if req.GetTransitiveDependencies() {
		args = append(args, "--all")
	}
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = req.GetInfo().GetProgramDirectory()
	var out bytes.Buffer
	cmd.Stdout = &out
	// npm ls exits non-zero for problems such as extraneous packages while still printing the
	// tree, so judge by the output.
	runErr := cmd.Run()
	var tree npmTree
	if err := json.Unmarshal(out.Bytes(), &tree); err != nil {
		return nil, fmt.Errorf("could not list npm dependencies in %s: %v (%w)", cmd.Dir, runErr, err)
	}

	seen := map[string]bool{}
	var deps []*pulumirpc.DependencyInfo
	var collect func(t npmTree)
	collect = func(t npmTree) {
		for name, dep := range t.Dependencies {
			key := name + "@" + dep.Version
			if dep.Version != "" && !seen[key] {
				seen[key] = true
				deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: dep.Version})
			}
			collect(dep)
		}
	}
	collect(tree)
	sort.Slice(deps, func(i, j int) bool {
		if deps[i].Name != deps[j].Name {
			return deps[i].Name < deps[j].Name
		}
		return deps[i].Version < deps[j].Version
	})
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// About describes the runtime; the CLI records it in every update's metadata.
// Versions that cannot be found are left out rather than failing the update.
func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	firstLine := func(name string, args ...string) string {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = req.GetInfo().GetProgramDirectory()
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	metadata := map[string]string{"packagemanager": "npm"}
	if v := firstLine("npm", "--version"); v != "" {
		metadata["packagemanagerVersion"] = v
	}
	// The TypeScript the program would load, resolved the way node resolves it.
	if v := firstLine(node, "-e", "console.log(require('typescript/package.json').version)"); v != "" {
		metadata["typescriptVersion"] = v
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    firstLine(node, "--version"),
		Metadata:   metadata,
	}, nil
}
