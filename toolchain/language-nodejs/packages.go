package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// GetRequiredPackages tells the CLI which resource plugins the program will need: every
// package under a node_modules directory whose package.json says {"pulumi": {"resource": true}}.
// The CLI uses the answer to install missing plugins (disabled on our machines) and to pick the
// default provider versions.
func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	scan := &packageScan{visited: map[string]bool{}, sdkVersions: map[string]semver.Version{}}
	scan.walk(req.GetInfo().GetProgramDirectory(), false)
	if len(scan.errs) > 0 {
		// Like upstream: a broken package.json somewhere must not stop the deployment.
		logging.V(3).Infof("errors while discovering plugins: %v", errors.Join(scan.errs...))
	}
	scan.warnOnIncompatibleSDKs()
	return &pulumirpc.GetRequiredPackagesResponse{Packages: scan.packages}, nil
}

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource         bool              `json:"resource"`
		Name             string            `json:"name"`
		Version          string            `json:"version"`
		Server           string            `json:"server"`
		Parameterization *parameterization `json:"parameterization"`
	} `json:"pulumi"`
}

type parameterization struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Value   []byte `json:"value"`
}

type packageScan struct {
	visited     map[string]bool
	packages    []*pulumirpc.PackageDependency
	sdkVersions map[string]semver.Version // path of each @pulumi/pulumi package.json -> version
	errs        []error
}

func (s *packageScan) walk(dir string, inNodeModules bool) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	if s.visited[real] {
		return
	}
	s.visited[real] = true

	entries, err := os.ReadDir(dir)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	for _, entry := range entries {
		path := filepath.Join(dir, entry.Name())
		isDir := entry.IsDir()
		if entry.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(path)
			if err != nil {
				s.errs = append(s.errs, err)
				continue
			}
			isDir = info.IsDir()
		}
		switch {
		case isDir:
			// A nested policy pack's plugins are not the program's; .git can be huge and never
			// holds packages.
			if entry.Name() == ".git" || isPolicyPack(path) {
				continue
			}
			s.walk(path, inNodeModules || filepath.Base(dir) == "node_modules")
		case inNodeModules && entry.Name() == "package.json":
			s.readPackage(path)
		}
	}
}

func isPolicyPack(dir string) bool {
	for _, name := range []string{"PulumiPolicy.yaml", "PulumiPolicy.yml", "PulumiPolicy.json"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil && !info.IsDir() {
			return true
		}
	}
	return false
}

func (s *packageScan) readPackage(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	var pkg packageJSON
	if err := json.Unmarshal(data, &pkg); err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s: %w", path, err))
		return
	}
	if pkg.Name == "@pulumi/pulumi" {
		if v, err := semver.Parse(pkg.Version); err == nil {
			s.sdkVersions[path] = v
		}
	}
	if !pkg.Pulumi.Resource {
		return
	}
	dep, err := dependencyOf(pkg)
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s: %w", path, err))
		return
	}
	s.packages = append(s.packages, dep)
}

// dependencyOf maps a package.json to the plugin it needs: the name comes from "pulumi.name",
// or from an @pulumi/<name> package name; the version from "pulumi.version" or the package's.
func dependencyOf(pkg packageJSON) (*pulumirpc.PackageDependency, error) {
	name := pkg.Pulumi.Name
	if name == "" {
		rest, ok := strings.CutPrefix(pkg.Name, "@pulumi/")
		if !ok {
			return nil, fmt.Errorf("third-party package %q must name its plugin in \"pulumi.name\"", pkg.Name)
		}
		name = rest
	}
	ver := pkg.Pulumi.Version
	if ver == "" {
		ver = pkg.Version
	}
	if ver == "" {
		return nil, errors.New("missing \"version\"")
	}
	if !strings.HasPrefix(ver, "v") {
		ver = "v" + ver
	}
	dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: ver, Server: pkg.Pulumi.Server}
	if p := pkg.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep, nil
}

// warnOnIncompatibleSDKs prints a warning when two copies of @pulumi/pulumi with different
// major versions are installed: their runtime state would not be shared.
func (s *packageScan) warnOnIncompatibleSDKs() {
	paths := make([]string, 0, len(s.sdkVersions))
	for p := range s.sdkVersions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths[min(1, len(paths)):] {
		first, other := s.sdkVersions[paths[0]], s.sdkVersions[p]
		if first.Major != other.Major {
			fmt.Fprintf(os.Stderr, "Found incompatible versions of @pulumi/pulumi:\n  %s at %s\n  %s at %s\n",
				first, paths[0], other, p)
			return
		}
	}
}
