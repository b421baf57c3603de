package main

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// unknown stands for a value that is not known yet (a preview of an output of another resource).
type unknown struct{}

// Keys of the checkpoint object the real provider stores as a resource's outputs; kept
// identical so state written here reads the same as state written by the real provider.
const (
	inputsKey            = "__inputs"
	initialAPIVersionKey = "__initialApiVersion"
	fieldManagerKey      = "__fieldManager"

	autonamedAnnotation = "pulumi.com/autonamed"
)

// The Pulumi SDKs spell the JSON-schema keys of CustomResourceDefinitions with underscores
// (x_kubernetes_...), because dashes are not valid in property names; Kubernetes wants dashes.
var underscoreToDash = map[string]string{
	"x_kubernetes_embedded_resource":       "x-kubernetes-embedded-resource",
	"x_kubernetes_int_or_string":           "x-kubernetes-int-or-string",
	"x_kubernetes_list_map_keys":           "x-kubernetes-list-map-keys",
	"x_kubernetes_list_type":               "x-kubernetes-list-type",
	"x_kubernetes_map_type":                "x-kubernetes-map-type",
	"x_kubernetes_preserve_unknown_fields": "x-kubernetes-preserve-unknown-fields",
	"x_kubernetes_validations":             "x-kubernetes-validations",
}

var dashToUnderscore = func() map[string]string {
	m := make(map[string]string, len(underscoreToDash))
	for k, v := range underscoreToDash {
		m[v] = k
	}
	return m
}()

// plainObject turns a property map into plain Go values (map[string]any, []any, string,
// float64, bool, nil); secrets lose their wrapper and unknown values become unknown{}.
// Keys are renamed with rename (nil keeps them).
func plainObject(props resource.PropertyMap, rename map[string]string) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		key := string(k)
		if r, ok := rename[key]; ok {
			key = r
		}
		out[key] = plainValue(v, rename)
	}
	return out
}

func plainValue(v resource.PropertyValue, rename map[string]string) any {
	switch {
	case v.IsSecret():
		return plainValue(v.SecretValue().Element, rename)
	case v.IsComputed():
		return unknown{}
	case v.IsOutput():
		out := v.OutputValue()
		if !out.Known {
			return unknown{}
		}
		return plainValue(out.Element, rename)
	case v.IsObject():
		return plainObject(v.ObjectValue(), rename)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plainValue(e, rename)
		}
		return out
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		if id, ok := ref.IDString(); ok {
			return id
		}
		return string(ref.URN)
	default:
		return v.V // nil, bool, float64, string
	}
}

// propertyMapOf is the inverse of plainObject (without secrets; see copySecretness).
func propertyMapOf(obj map[string]any, rename map[string]string) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range obj {
		key := k
		if r, ok := rename[key]; ok {
			key = r
		}
		out[resource.PropertyKey(key)] = propertyValueOf(v, rename)
	}
	return out
}

func propertyValueOf(v any, rename map[string]string) resource.PropertyValue {
	switch v := v.(type) {
	case map[string]any:
		return resource.NewObjectProperty(propertyMapOf(v, rename))
	case []any:
		arr := make([]resource.PropertyValue, len(v))
		for i, e := range v {
			arr[i] = propertyValueOf(e, rename)
		}
		return resource.NewArrayProperty(arr)
	case unknown:
		return resource.MakeComputed(resource.NewStringProperty(""))
	default:
		return resource.NewPropertyValue(v)
	}
}

// copySecretness marks values of outs secret where the same value in ins was (or contained)
// a secret, recursing where both are objects so one secret field does not hide a whole
// manifest — the rule the real provider applies to its outputs.
func copySecretness(outs, ins resource.PropertyMap) {
	for k, in := range ins {
		out, ok := outs[k]
		if !ok {
			continue
		}
		inElem := in
		if in.IsSecret() {
			inElem = in.SecretValue().Element
		}
		switch {
		case inElem.IsObject() && out.IsObject() && !in.IsSecret():
			copySecretness(out.ObjectValue(), inElem.ObjectValue())
		case in.ContainsSecrets() && !out.IsSecret():
			outs[k] = resource.MakeSecret(out)
		}
	}
}

// object is a Kubernetes manifest as plain values, with accessors for the fields we use.
type object map[string]any

func (o object) str(key string) string { s, _ := o[key].(string); return s }

func (o object) metadata() map[string]any {
	md, _ := o["metadata"].(map[string]any)
	return md
}

func (o object) apiVersion() string { return o.str("apiVersion") }
func (o object) kind() string       { return o.str("kind") }

func (o object) name() string {
	s, _ := o.metadata()["name"].(string)
	return s
}

func (o object) namespace() string {
	s, _ := o.metadata()["namespace"].(string)
	return s
}

func (o object) setMetadata(key string, value any) {
	md := o.metadata()
	if md == nil {
		md = map[string]any{}
		o["metadata"] = md
	}
	md[key] = value
}

func (o object) annotation(key string) string {
	ann, _ := o.metadata()["annotations"].(map[string]any)
	s, _ := ann[key].(string)
	return s
}

func (o object) isAutonamed() bool { return o.annotation(autonamedAnnotation) == "true" }

// hasUnknowns reports whether any value is not known yet.
func hasUnknowns(v any) bool {
	switch v := v.(type) {
	case unknown:
		return true
	case map[string]any:
		for _, e := range v {
			if hasUnknowns(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasUnknowns(e) {
				return true
			}
		}
	}
	return false
}

// withoutReadOnlyMetadata drops the metadata fields the API server owns; a manifest carrying
// them would be rejected or would diff forever.
func withoutReadOnlyMetadata(o object) object {
	if md := o.metadata(); md != nil {
		for _, k := range []string{"creationTimestamp", "deletionGracePeriodSeconds", "deletionTimestamp",
			"generation", "managedFields", "resourceVersion", "uid"} {
			delete(md, k)
		}
	}
	return o
}

// fullName is the resource ID: "<namespace>/<name>", or "<name>" without a namespace.
func fullName(o object) string {
	if ns := o.namespace(); ns != "" {
		return ns + "/" + o.name()
	}
	return o.name()
}

// gvkOfType splits a resource type token "kubernetes:<group>/<version>:<Kind>".
func gvkOfType(typ string) (group, version, kind string, err error) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return "", "", "", fmt.Errorf("unrecognized resource type %q for the kubernetes provider", typ)
	}
	gv := strings.Split(parts[1], "/")
	if len(gv) != 2 || parts[2] == "" {
		return "", "", "", fmt.Errorf("resource type %q does not have the form kubernetes:<group>/<version>:<Kind>", typ)
	}
	return gv[0], gv[1], parts[2], nil
}

// pruneTo keeps only the parts of live that also appear in shape (the inputs that produced
// it), so that fields a cluster would add never show up as differences.
func pruneTo(live, shape map[string]any) map[string]any {
	if live == nil || shape == nil {
		return nil
	}
	out := map[string]any{}
	for k, lv := range live {
		sv, ok := shape[k]
		if !ok {
			continue
		}
		switch l := lv.(type) {
		case map[string]any:
			if s, isMap := sv.(map[string]any); isMap {
				out[k] = pruneTo(l, s)
				continue
			}
		case []any:
			if s, isArr := sv.([]any); isArr {
				out[k] = pruneSliceTo(l, s)
				continue
			}
		}
		out[k] = lv
	}
	return out
}

func pruneSliceTo(live, shape []any) []any {
	out := make([]any, 0, len(live))
	for i, lv := range live {
		if i >= len(shape) {
			break
		}
		switch l := lv.(type) {
		case map[string]any:
			if s, ok := shape[i].(map[string]any); ok {
				out = append(out, pruneTo(l, s))
				continue
			}
		case []any:
			if s, ok := shape[i].([]any); ok {
				out = append(out, pruneSliceTo(l, s))
				continue
			}
		}
		out = append(out, lv)
	}
	return out
}
