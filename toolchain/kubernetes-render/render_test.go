package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const deploymentURN = "urn:pulumi:dev::proj::kubernetes:apps/v1:Deployment::web"

func deployment(image string) map[string]any {
	return map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"labels": map[string]any{"app": "web"}},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec": map[string]any{"containers": []any{
					map[string]any{"name": "web", "image": image},
				}},
			},
		},
	}
}

func toStruct(t *testing.T, props resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fromStruct(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := unmarshal(s, "test")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func configured(t *testing.T, dir, namespace string) *renderProvider {
	t.Helper()
	p := newRenderProvider(nil, "4.34.2")
	_, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{
		Variables: map[string]string{
			"kubernetes:config:renderYamlToDirectory": dir,
			"kubernetes:config:namespace":             namespace,
		},
		AcceptSecrets: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func check(t *testing.T, p *renderProvider, urn string, olds, news map[string]any) resource.PropertyMap {
	t.Helper()
	req := &pulumirpc.CheckRequest{Urn: urn, News: toStruct(t, resource.NewPropertyMapFromMap(news)),
		RandomSeed: []byte("0123456789abcdef0123456789abcdef")}
	if olds != nil {
		req.Olds = toStruct(t, resource.NewPropertyMapFromMap(olds))
	}
	resp, err := p.Check(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) > 0 {
		t.Fatalf("unexpected failures: %v", resp.GetFailures())
	}
	return fromStruct(t, resp.GetInputs())
}

func TestCheckAutonamesAndDefaultsNamespace(t *testing.T) {
	p := configured(t, t.TempDir(), "playground")
	inputs := check(t, p, deploymentURN, nil, deployment("nginx:1"))
	md := inputs["metadata"].ObjectValue()
	name := md["name"].StringValue()
	if !strings.HasPrefix(name, "web-") || len(name) != len("web-")+8 {
		t.Errorf("autoname = %q, want web-<8 chars>", name)
	}
	if got := md["annotations"].ObjectValue()[autonamedAnnotation].StringValue(); got != "true" {
		t.Errorf("autonamed annotation = %q", got)
	}
	if got := md["namespace"].StringValue(); got != "playground" {
		t.Errorf("namespace = %q, want the provider default", got)
	}

	// Same seed, same name: previews and updates agree.
	again := check(t, p, deploymentURN, nil, deployment("nginx:1"))
	if again["metadata"].ObjectValue()["name"].StringValue() != name {
		t.Error("autoname is not stable for the same random seed")
	}

	// An update keeps the earlier autoname.
	olds := inputs.Mappable()
	kept := check(t, p, deploymentURN, olds, deployment("nginx:2"))
	if kept["metadata"].ObjectValue()["name"].StringValue() != name {
		t.Error("update did not adopt the old autoname")
	}
}

func TestCheckLeavesClusterScopedKindsWithoutNamespace(t *testing.T) {
	p := configured(t, t.TempDir(), "playground")
	ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "x"}}
	inputs := check(t, p, "urn:pulumi:dev::proj::kubernetes:core/v1:Namespace::x", nil, ns)
	if _, has := inputs["metadata"].ObjectValue()["namespace"]; has {
		t.Error("a Namespace must not get a namespace")
	}
	if _, has := inputs["metadata"].ObjectValue()["annotations"]; has {
		t.Error("a named object must not be marked autonamed")
	}
}

func TestCheckKeepsSecretsAndUnknowns(t *testing.T) {
	p := configured(t, t.TempDir(), "")
	news := resource.NewPropertyMapFromMap(map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "creds"},
		"stringData": map[string]any{},
	})
	news["stringData"].ObjectValue()["password"] = resource.MakeSecret(resource.NewStringProperty("hunter2"))
	news["metadata"].ObjectValue()["labels"] = resource.MakeComputed(resource.NewStringProperty(""))
	resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: "urn:pulumi:dev::proj::kubernetes:core/v1:Secret::creds", News: toStruct(t, news),
	})
	if err != nil {
		t.Fatal(err)
	}
	inputs := fromStruct(t, resp.GetInputs())
	if !inputs["stringData"].ObjectValue()["password"].IsSecret() {
		t.Error("secret input lost its secretness")
	}
	if !inputs["metadata"].ObjectValue()["labels"].IsComputed() {
		t.Error("unknown input became known")
	}
}

func TestCheckConfigRefusesClusterMode(t *testing.T) {
	p := newRenderProvider(nil, "4.34.2")
	resp, err := p.CheckConfig(context.Background(), &pulumirpc.CheckRequest{
		Urn:  "urn:pulumi:dev::proj::pulumi:providers:kubernetes::k8s",
		News: toStruct(t, resource.NewPropertyMapFromMap(map[string]any{"namespace": "x"})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) != 1 || !strings.Contains(resp.GetFailures()[0].GetReason(), "render-only") {
		t.Fatalf("failures = %v, want the render-only refusal", resp.GetFailures())
	}
	_, err = p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Variables: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), "render-only") {
		t.Fatalf("Configure without renderYamlToDirectory: err = %v", err)
	}

	resp, err = p.CheckConfig(context.Background(), &pulumirpc.CheckRequest{
		News: toStruct(t, resource.NewPropertyMapFromMap(map[string]any{
			"renderYamlToDirectory": "out", "context": "prod",
		})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "context" {
		t.Fatalf("failures = %v, want context refused next to renderYamlToDirectory", resp.GetFailures())
	}
}

func TestCreateUpdateDeleteRenderFiles(t *testing.T) {
	dir := t.TempDir()
	p := configured(t, dir, "playground")
	ctx := context.Background()
	inputs := check(t, p, deploymentURN, nil, deployment("nginx:1"))

	preview, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: deploymentURN, Properties: toStruct(t, inputs),
		Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	if preview.GetId() != "" {
		t.Error("preview must not assign an ID")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatal("preview wrote files")
	}

	created, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: deploymentURN, Properties: toStruct(t, inputs)})
	if err != nil {
		t.Fatal(err)
	}
	name := inputs["metadata"].ObjectValue()["name"].StringValue()
	if created.GetId() != "playground/"+name {
		t.Errorf("id = %q", created.GetId())
	}
	path := filepath.Join(dir, "1-manifest", "apps_v1-deployment-playground-"+name+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "image: nginx:1") || !strings.HasPrefix(string(data), "apiVersion: apps/v1\n") {
		t.Errorf("rendered YAML:\n%s", data)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
	state := fromStruct(t, created.GetProperties())
	if state[inputsKey].ObjectValue()["kind"].StringValue() != "Deployment" ||
		state[initialAPIVersionKey].StringValue() != "apps/v1" ||
		!strings.HasPrefix(state[fieldManagerKey].StringValue(), "pulumi-kubernetes-") {
		t.Errorf("checkpoint keys missing: %v", state)
	}

	news := check(t, p, deploymentURN, inputs.Mappable(), deployment("nginx:2"))
	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: deploymentURN, Olds: created.GetProperties(),
		News: toStruct(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	imagePath := "spec.template.spec.containers[0].image"
	if diff.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(diff.GetDetailedDiff()) != 1 ||
		diff.GetDetailedDiff()[imagePath].GetKind() != pulumirpc.PropertyDiff_UPDATE || len(diff.GetReplaces()) != 0 {
		t.Fatalf("diff = %v, want only an in-place update of %s", diff, imagePath)
	}

	updated, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: deploymentURN, Olds: created.GetProperties(),
		News: toStruct(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "image: nginx:2") {
		t.Errorf("update did not re-render:\n%s", data)
	}
	if fromStruct(t, updated.GetProperties())[fieldManagerKey].StringValue() != state[fieldManagerKey].StringValue() {
		t.Error("update changed the field manager")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "1-manifest", ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	if _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: deploymentURN, Id: updated.GetProperties().String(),
		Properties: updated.GetProperties()}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("delete left %s (err %v)", path, err)
	}
}

func TestManifestPathLayout(t *testing.T) {
	crd := object{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.example.com"}}
	if got := manifestPath("out", crd); got != filepath.Join("out", "0-crd",
		"apiextensions.k8s.io_v1-customresourcedefinition-default-widgets.example.com.yaml") {
		t.Errorf("CRD path = %s", got)
	}
	svc := object{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "api", "namespace": "ns"}}
	if got := manifestPath("out", svc); got != filepath.Join("out", "1-manifest", "v1-service-ns-api.yaml") {
		t.Errorf("Service path = %s", got)
	}
}

func TestCRDSchemaKeysAreDashedInYAML(t *testing.T) {
	o := object{"spec": map[string]any{"x_kubernetes_preserve_unknown_fields": true}}
	data, err := manifestYAML(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "x-kubernetes-preserve-unknown-fields: true") {
		t.Errorf("YAML:\n%s", data)
	}
}
