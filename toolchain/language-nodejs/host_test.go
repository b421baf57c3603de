package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestRunArgumentsFollowCmdRunUsage(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Organization: "org", Project: "proj", Stack: "dev",
		DryRun: true, Parallel: 8, Args: []string{"extra"},
		Info: &pulumirpc.ProgramInfo{RootDirectory: "/p", ProgramDirectory: "/p/src", EntryPoint: "index.ts"},
	}
	got := runArguments(req, "127.0.0.1:2")
	want := []string{"--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--organization", "org",
		"--project", "proj", "--root-directory", "/p", "--stack", "dev", "--pwd", "/p/src", "--dry-run",
		"--parallel", "8", "index.ts", "extra"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("args\n got %q\nwant %q", got, want)
	}

	req.DryRun, req.Organization, req.Info.EntryPoint = false, "", ""
	got = runArguments(req, "")
	for _, a := range got {
		if a == "--dry-run" || a == "--organization" || a == "--engine" {
			t.Errorf("unexpected %s in %q", a, got)
		}
	}
	if got[len(got)-2] != "." {
		t.Errorf("entry point defaults to the program directory: %q", got)
	}
}

func TestConfigIsPassedInTheLegacyKeyFormat(t *testing.T) {
	out, err := legacyConfigJSON(map[string]string{"pinstack:services": `{"a":1}`, "kubernetes:namespace": "x"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pinstack:config:services": `{"a":1}`, "kubernetes:config:namespace": "x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config %v, want %v", got, want)
	}
	if _, err := legacyConfigJSON(map[string]string{"no-namespace": "x"}); err == nil {
		t.Error("a key without a namespace must be refused")
	}
}

func TestRuntimeOptions(t *testing.T) {
	opts, err := parseRuntimeOptions(nil)
	if err != nil || !opts.typescript {
		t.Fatalf("typescript must default to true: %+v %v", opts, err)
	}
	s, _ := structpb.NewStruct(map[string]any{
		"typescript": false, "nodeargs": `--max-old-space-size=4096 --title "a b"`, "tsconfig": "tsconfig.build.json",
	})
	opts, err = parseRuntimeOptions(s)
	if err != nil {
		t.Fatal(err)
	}
	if opts.typescript || !reflect.DeepEqual(opts.nodeArgs, []string{"--max-old-space-size=4096", "--title", "a b"}) {
		t.Errorf("options %+v", opts)
	}
	if env := opts.typescriptEnv(); !reflect.DeepEqual(env, []string{"PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.build.json"}) {
		t.Errorf("env %q", env)
	}
	bad, _ := structpb.NewStruct(map[string]any{"packagemanager": "yarn"})
	if _, err := parseRuntimeOptions(bad); err == nil {
		t.Error("yarn must be refused: only npm is supported")
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(v)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPackagesComeFromNodeModules(t *testing.T) {
	dir := t.TempDir()
	nm := filepath.Join(dir, "node_modules")
	writeJSON(t, filepath.Join(nm, "@pulumi", "kubernetes", "package.json"),
		map[string]any{"name": "@pulumi/kubernetes", "version": "4.34.2", "pulumi": map[string]any{"resource": true}})
	writeJSON(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"),
		map[string]any{"name": "@pulumi/pulumi", "version": "3.259.0"})
	writeJSON(t, filepath.Join(nm, "acme-provider", "package.json"), map[string]any{"name": "acme-provider",
		"version": "1.0.0", "pulumi": map[string]any{"resource": true, "name": "acme", "version": "2.0.0"}})
	// A policy pack's own dependencies are not the program's.
	pack := filepath.Join(dir, "policies")
	if err := os.MkdirAll(pack, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pack, "PulumiPolicy.yaml"), []byte("runtime: nodejs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(pack, "node_modules", "@pulumi", "aws", "package.json"),
		map[string]any{"name": "@pulumi/aws", "version": "7.0.0", "pulumi": map[string]any{"resource": true}})
	// Symlinked node_modules (as in our tests) are followed.
	linked := t.TempDir()
	if err := os.Symlink(nm, filepath.Join(linked, "node_modules")); err != nil {
		t.Fatal(err)
	}

	for _, programDir := range []string{dir, linked} {
		resp, err := newHost("").GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
			Info: &pulumirpc.ProgramInfo{ProgramDirectory: programDir},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range resp.GetPackages() {
			got[p.GetName()] = p.GetVersion()
		}
		want := map[string]string{"kubernetes": "v4.34.2", "acme": "v2.0.0"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: packages %v, want %v", programDir, got, want)
		}
	}
}

func TestPassConfigSmallGoesInTheVariable(t *testing.T) {
	config, err := passConfig(`{"a:config:b":"c"}`)
	if err != nil {
		t.Fatal(err)
	}
	defer config.cleanup()
	if len(config.env) != 1 || config.env[0] != `PULUMI_CONFIG={"a:config:b":"c"}` || len(config.nodeArgs) != 0 {
		t.Fatalf("got env %v, node args %v", config.env, config.nodeArgs)
	}
}

func TestPassConfigLargeGoesThroughAPrivateFileTheNodePreloadReadsAndRemoves(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on the PATH")
	}
	value := strings.Repeat("x", 200<<10) // over Linux's 128 KiB limit for one variable
	configJSON := `{"pinstack:config:big":"` + value + `"}`
	config, err := passConfig(configJSON)
	if err != nil {
		t.Fatal(err)
	}
	defer config.cleanup()
	if len(config.env) != 1 || !strings.HasPrefix(config.env[0], "PULUMI_CONFIG_FILE=") {
		t.Fatalf("got env %v", config.env)
	}
	file := strings.TrimPrefix(config.env[0], "PULUMI_CONFIG_FILE=")
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("the config file (decrypted secrets) has mode %v, want 0600", info.Mode().Perm())
	}
	args := append(append([]string{}, config.nodeArgs...), "-e",
		`process.stdout.write(JSON.stringify([process.env.PULUMI_CONFIG.length, process.env.PULUMI_CONFIG_FILE === undefined]))`)
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), config.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("[%d,true]", len(configJSON)); string(out) != want {
		t.Fatalf("node saw %s, want %s", out, want)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("the preload left the config file behind: %v", err)
	}
}
