package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// renderOnlyMessage is the error for any configuration that would need a cluster.
const renderOnlyMessage = "this pulumi-resource-kubernetes is pinstack's render-only build " +
	"(toolchain/kubernetes-render): it has no Kubernetes client and cannot reach a cluster; it only " +
	"writes manifests to a directory. Set `renderYamlToDirectory` on the kubernetes Provider " +
	"(or `kubernetes:renderYamlToDirectory` in the stack config for the default provider). " +
	"To deploy to a real cluster, install the official provider plugin instead."

// unknownConfigValue is what the engine sends for provider config that is not known yet.
const unknownConfigValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

type providerOptions struct {
	renderDir        string
	defaultNamespace string
	alwaysRender     bool
	secretMutable    bool
	configMapMutable bool
}

type renderProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	host    *provider.HostClient
	version string
	crds    crdScopes

	mu            sync.Mutex
	opts          providerOptions
	configured    bool
	acceptSecrets bool
}

func newRenderProvider(host *provider.HostClient, version string) *renderProvider {
	return &renderProvider{host: host, version: version}
}

func (p *renderProvider) options() (providerOptions, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opts, p.acceptSecrets
}

func (p *renderProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *renderProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil // every operation is a local file write; nothing to abort
}

func (p *renderProvider) log(ctx context.Context, sev diag.Severity, urn string, msg string) {
	if p.host != nil {
		_ = p.host.Log(ctx, sev, resource.URN(urn), msg)
	}
}

func (p *renderProvider) status(ctx context.Context, sev diag.Severity, urn string, msg string) {
	if p.host != nil {
		_ = p.host.LogStatus(ctx, sev, resource.URN(urn), msg)
	}
}

func unmarshal(s *structpb.Struct, label string) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{
		Label: label, KeepUnknowns: true, KeepSecrets: true, SkipNulls: false,
	})
}

func (p *renderProvider) marshal(props resource.PropertyMap, label string) (*structpb.Struct, error) {
	_, acceptSecrets := p.options()
	return plugin.MarshalProperties(props, plugin.MarshalOptions{
		Label: label, KeepUnknowns: true, KeepSecrets: acceptSecrets, SkipNulls: false,
	})
}

// ---- provider configuration ----

// CheckConfig accepts only the render mode. Like upstream it also rejects cluster settings
// next to renderYamlToDirectory (kubeconfig taken from $KUBECONFIG by the SDK is allowed).
func (p *renderProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews(), "CheckConfig.news")
	if err != nil {
		return nil, fmt.Errorf("CheckConfig: malformed provider inputs: %w", err)
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}

	dir := news["renderYamlToDirectory"]
	switch {
	case dir.IsComputed() || (dir.IsOutput() && !dir.OutputValue().Known):
		// Not known during this preview; Configure checks it again once it is.
	case !truthy(dir):
		fail("renderYamlToDirectory", renderOnlyMessage)
	default:
		tmpl := "%q arg is not compatible with \"renderYamlToDirectory\" arg"
		if truthy(news["cluster"]) {
			fail("cluster", fmt.Sprintf(tmpl, "cluster"))
		}
		if truthy(news["context"]) {
			fail("context", fmt.Sprintf(tmpl, "context"))
		}
		if kc := news["kubeconfig"]; truthy(kc) && !(kc.IsString() && kc.StringValue() == os.Getenv("KUBECONFIG")) {
			fail("kubeconfig", fmt.Sprintf(tmpl, "kubeconfig"))
		}
	}
	if v := news["alwaysRender"]; truthy(v) && !truthy(dir) && !dir.IsComputed() {
		fail("alwaysRender", `"alwaysRender" requires "renderYamlToDirectory" to be set`)
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// truthy is upstream's test for a set option: a non-empty string or true.
func truthy(v resource.PropertyValue) bool {
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	switch {
	case v.IsString():
		return v.StringValue() != "" && v.StringValue() != "false"
	case v.IsBool():
		return v.BoolValue()
	}
	return false
}

// DiffConfig: a changed render directory replaces every resource of the provider (their files
// move); other changed settings update in place.
func (p *renderProvider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOlds(), "DiffConfig.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "DiffConfig.news")
	if err != nil {
		return nil, err
	}
	diff := olds.Diff(news)
	if diff == nil {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	var diffs, replaces []string
	for _, k := range diff.ChangedKeys() {
		diffs = append(diffs, string(k))
		if k == "renderYamlToDirectory" {
			replaces = append(replaces, string(k))
		}
	}
	sort.Strings(diffs)
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: diffs, Replaces: replaces}, nil
}

func (p *renderProvider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	vars := req.GetVariables() //nolint:staticcheck // still sent by the engine; what upstream reads
	get := func(key string) string { return vars["kubernetes:config:"+key] }

	opts := providerOptions{
		renderDir:        get("renderYamlToDirectory"),
		defaultNamespace: get("namespace"),
		alwaysRender:     get("alwaysRender") == "true",
		secretMutable:    envOrConfig(get, "enableSecretMutable", "PULUMI_K8S_ENABLE_SECRET_MUTABLE"),
		configMapMutable: envOrConfig(get, "enableConfigMapMutable", "PULUMI_K8S_ENABLE_CONFIGMAP_MUTABLE"),
	}
	if opts.renderDir == "" {
		return nil, errors.New(renderOnlyMessage)
	}
	if opts.defaultNamespace == unknownConfigValue {
		opts.defaultNamespace = ""
	}

	p.mu.Lock()
	p.opts = opts
	p.configured = true
	p.acceptSecrets = req.GetAcceptSecrets()
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{
		AcceptSecrets:                   true,
		SupportsPreview:                 true,
		SupportsAutonamingConfiguration: true,
	}, nil
}

// envOrConfig reads a boolean provider setting, falling back to its environment variable.
func envOrConfig(get func(string) string, key, envVar string) bool {
	if v := get(key); v != "" {
		return v == "true"
	}
	return os.Getenv(envVar) == "true"
}

// renderDirKnown is false while the directory is an unknown value in a preview.
func (o providerOptions) renderDirKnown() bool { return o.renderDir != unknownConfigValue }

// ---- what this build does not do ----

func notSupported(what string) error {
	return fmt.Errorf("%s is not supported: %s", what, renderOnlyMessage)
}

func (p *renderProvider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, notSupported("function " + req.GetTok())
}

func (p *renderProvider) Construct(_ context.Context, req *pulumirpc.ConstructRequest) (*pulumirpc.ConstructResponse, error) {
	return nil, notSupported("component resource " + req.GetType())
}

func (p *renderProvider) Call(_ context.Context, req *pulumirpc.CallRequest) (*pulumirpc.CallResponse, error) {
	return nil, notSupported("method " + req.GetTok())
}

// resourceKind validates a resource type this build can render.
func resourceKind(urn string) (isPatch bool, err error) {
	typ := string(resource.URN(urn).Type())
	group, _, kind, err := gvkOfType(typ)
	if err != nil {
		return false, err
	}
	switch {
	case group == "helm.sh":
		return false, notSupported("the Helm release " + typ)
	case strings.HasSuffix(kind, "List"):
		return false, fmt.Errorf("list resources (%s) exist for compatibility with YAML manifests and Helm "+
			"charts and cannot be created directly; use the underlying resource type instead", typ)
	}
	return strings.HasSuffix(kind, "Patch"), nil
}
