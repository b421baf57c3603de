package main

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func kinds(d map[string]*pulumirpc.PropertyDiff) map[string]pulumirpc.PropertyDiff_Kind {
	out := map[string]pulumirpc.PropertyDiff_Kind{}
	for k, v := range d {
		out[k] = v.GetKind()
	}
	return out
}

func TestDetailedDiffShapes(t *testing.T) {
	old := map[string]any{
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"app.kubernetes.io/name": "x"}},
		"spec":     map[string]any{"replicas": float64(1), "ports": []any{map[string]any{"port": float64(80)}}},
	}
	new := map[string]any{
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"app.kubernetes.io/name": "y"}},
		"spec": map[string]any{"replicas": int64(1), "paused": true,
			"ports": []any{map[string]any{"port": float64(80)}, map[string]any{"port": float64(443)}}},
	}
	got := kinds(detailedDiff(old, new, []string{".metadata.name", ".metadata.namespace"}))
	want := map[string]pulumirpc.PropertyDiff_Kind{
		`metadata.labels["app.kubernetes.io/name"]`: pulumirpc.PropertyDiff_UPDATE,
		"spec.paused":   pulumirpc.PropertyDiff_ADD,
		"spec.ports[1]": pulumirpc.PropertyDiff_ADD,
	}
	if len(got) != len(want) {
		t.Fatalf("diff = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}

func TestReplacementFollowsImmutableFields(t *testing.T) {
	opts := providerOptions{}
	cases := []struct {
		name       string
		apiVersion string
		kind       string
		old, new   map[string]any
		replace    string
	}{
		{"deployment selector", "apps/v1", "Deployment",
			map[string]any{"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "1"}}}},
			map[string]any{"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "2"}}}},
			"spec.selector.matchLabels.a"},
		{"pod container image", "v1", "Pod",
			map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"image": "a"}}}},
			map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"image": "b"}}}},
			"spec.containers[0].image"},
		{"service clusterIP", "v1", "Service",
			map[string]any{"spec": map[string]any{}},
			map[string]any{"spec": map[string]any{"clusterIP": "10.0.0.1"}},
			"spec.clusterIP"},
		{"configmap data (immutable by default)", "v1", "ConfigMap",
			map[string]any{"data": map[string]any{"k": "1"}},
			map[string]any{"data": map[string]any{"k": "2"}},
			"data.k"},
		{"job template added as a whole", "batch/v1", "Job",
			map[string]any{},
			map[string]any{"spec": map[string]any{"template": map[string]any{}}},
			"spec"},
	}
	for _, c := range cases {
		d := detailedDiff(c.old, c.new, replaceOnChange(c.apiVersion, c.kind, false, c.new, opts))
		k := d[c.replace].GetKind()
		if k != pulumirpc.PropertyDiff_UPDATE_REPLACE && k != pulumirpc.PropertyDiff_ADD_REPLACE {
			t.Errorf("%s: %s is %v, want a replacement (diff %v)", c.name, c.replace, k, kinds(d))
		}
	}

	// Deployment images update in place: the Deployment rolls its pods itself.
	old := deployment("a")
	new := deployment("b")
	d := detailedDiff(old, new, replaceOnChange("apps/v1", "Deployment", false, new, opts))
	if k := d["spec.template.spec.containers[0].image"].GetKind(); k != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("deployment image change: %v, want UPDATE", k)
	}

	// ConfigMaps may be made mutable.
	mutable := providerOptions{configMapMutable: true}
	cm := map[string]any{"data": map[string]any{"k": "2"}}
	d = detailedDiff(map[string]any{"data": map[string]any{"k": "1"}}, cm,
		replaceOnChange("v1", "ConfigMap", false, cm, mutable))
	if k := d["data.k"].GetKind(); k != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("mutable configmap: %v, want UPDATE", k)
	}
}

func TestDiffIgnoresDefaultNamespaceAndHonoursIgnoreChanges(t *testing.T) {
	p := configured(t, t.TempDir(), "")
	ctx := context.Background()
	inputs := check(t, p, deploymentURN, nil, deployment("nginx:1"))
	created, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: deploymentURN, Properties: toStruct(t, inputs)})
	if err != nil {
		t.Fatal(err)
	}

	withNamespace := inputs.Copy()
	md := withNamespace["metadata"].ObjectValue().Copy()
	md["namespace"] = resource.NewStringProperty("default")
	withNamespace["metadata"] = resource.NewObjectProperty(md)
	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: deploymentURN, Olds: created.GetProperties(),
		News: toStruct(t, withNamespace)})
	if err != nil {
		t.Fatal(err)
	}
	if diff.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("explicit default namespace reported as a change: %v", diff.GetDetailedDiff())
	}

	news := check(t, p, deploymentURN, inputs.Mappable(), deployment("nginx:2"))
	diff, err = p.Diff(ctx, &pulumirpc.DiffRequest{Urn: deploymentURN, Olds: created.GetProperties(),
		News: toStruct(t, news), IgnoreChanges: []string{"spec.template"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("ignoreChanges not honoured: %v", diff.GetDetailedDiff())
	}
}

func TestRenamedObjectIsReplacedDeleteFirstOnlyWhenNamesCollide(t *testing.T) {
	p := configured(t, t.TempDir(), "")
	ctx := context.Background()
	svcURN := "urn:pulumi:dev::proj::kubernetes:core/v1:Service::api"
	svc := func(clusterIP string) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"name": "api"},
			"spec":     map[string]any{"clusterIP": clusterIP}}
	}
	inputs := check(t, p, svcURN, nil, svc("10.0.0.1"))
	created, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: svcURN, Properties: toStruct(t, inputs)})
	if err != nil {
		t.Fatal(err)
	}
	news := check(t, p, svcURN, inputs.Mappable(), svc("10.0.0.2"))
	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: svcURN, Olds: created.GetProperties(), News: toStruct(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	if len(diff.GetReplaces()) != 1 || diff.GetReplaces()[0] != "spec.clusterIP" || !diff.GetDeleteBeforeReplace() {
		t.Errorf("replaces %v, deleteBeforeReplace %v; want spec.clusterIP and delete first (same name)",
			diff.GetReplaces(), diff.GetDeleteBeforeReplace())
	}
}
