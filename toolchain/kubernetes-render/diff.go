package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// pathElem is one step of a property path: a map key (string) or an array index (int).
type pathElem = any

// detailedDiff compares the last rendered object (old) with the new inputs (new) and returns
// one entry per changed property path, in the engine's path syntax
// (`spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`).
// Paths matching replaceFields are reported as *_REPLACE.
//
// The shape of the result follows the upstream provider, which derives it from a JSON merge
// patch: maps are compared key by key, arrays element by element, and a whole new subtree is a
// single ADD.
func detailedDiff(old, new map[string]any, replaceFields []string) map[string]*pulumirpc.PropertyDiff {
	d := differ{replaceFields: replaceFields, out: map[string]*pulumirpc.PropertyDiff{}}
	d.maps(nil, old, new)
	return d.out
}

type differ struct {
	replaceFields []string
	out           map[string]*pulumirpc.PropertyDiff
}

func (d *differ) maps(path []pathElem, old, new map[string]any) {
	for k, nv := range new {
		ov, had := old[k]
		d.value(appendPath(path, k), ov, had, nv, true)
	}
	for k, ov := range old {
		if _, has := new[k]; !has {
			d.value(appendPath(path, k), ov, true, nil, false)
		}
	}
}

func (d *differ) arrays(path []pathElem, old, new []any) {
	for i := 0; i < max(len(old), len(new)); i++ {
		var ov, nv any
		had, has := i < len(old), i < len(new)
		if had {
			ov = old[i]
		}
		if has {
			nv = new[i]
		}
		d.value(appendPath(path, i), ov, had, nv, has)
	}
}

// value records the difference at path between an old value (if had) and a new one (if has).
func (d *differ) value(path []pathElem, old any, had bool, new any, has bool) {
	var kind pulumirpc.PropertyDiff_Kind
	switch {
	case !has && !had:
		return
	case !has:
		kind = pulumirpc.PropertyDiff_DELETE
	case !had:
		kind = pulumirpc.PropertyDiff_ADD
	default:
		if _, isUnknown := new.(unknown); isUnknown {
			kind = pulumirpc.PropertyDiff_UPDATE // not known yet: may change
			break
		}
		om, oldIsMap := old.(map[string]any)
		nm, newIsMap := new.(map[string]any)
		if oldIsMap && newIsMap {
			d.maps(path, om, nm)
			return
		}
		oa, oldIsArr := old.([]any)
		na, newIsArr := new.([]any)
		if oldIsArr && newIsArr {
			d.arrays(path, oa, na)
			return
		}
		if sameScalar(old, new) {
			return
		}
		kind = pulumirpc.PropertyDiff_UPDATE
	}

	if d.forcesReplacement(path, new, has) {
		switch kind {
		case pulumirpc.PropertyDiff_ADD:
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case pulumirpc.PropertyDiff_DELETE:
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		case pulumirpc.PropertyDiff_UPDATE:
			kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
		}
	}
	// InputDiff: the change is between inputs, not against state the provider computed.
	d.out[formatPath(path)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: kind == pulumirpc.PropertyDiff_DELETE ||
		kind == pulumirpc.PropertyDiff_DELETE_REPLACE}
}

// sameScalar compares leaf values; numbers compare by value whatever their Go type.
func sameScalar(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	fa, aNum := toFloat(a)
	fb, bNum := toFloat(b)
	return aNum && bNum && fa == fb
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

// forcesReplacement reports whether a change at path touches an immutable field: the field is
// the changed path or one of its parents, or the change adds/replaces a subtree containing it.
func (d *differ) forcesReplacement(path []pathElem, new any, has bool) bool {
	for _, field := range d.replaceFields {
		pattern := parseFieldPattern(field)
		n := min(len(pattern), len(path))
		if !patternMatches(pattern[:n], path[:n]) {
			continue
		}
		if len(pattern) <= len(path) {
			return true
		}
		if has && containsPath(new, pattern[len(path):]) {
			return true
		}
	}
	return false
}

// parseFieldPattern splits ".spec.containers[*].image" into ["spec", "containers", "*", "image"].
func parseFieldPattern(field string) []string {
	var out []string
	for _, part := range strings.Split(strings.TrimPrefix(field, "."), ".") {
		name, isArray := strings.CutSuffix(part, "[*]")
		out = append(out, name)
		if isArray {
			out = append(out, "*")
		}
	}
	return out
}

func patternMatches(pattern []string, path []pathElem) bool {
	for i, p := range pattern {
		switch e := path[i].(type) {
		case int:
			if p != "*" {
				return false
			}
		case string:
			if p == "*" || p != e {
				return false
			}
		}
	}
	return true
}

// containsPath reports whether value has something at the (pattern) path below it.
func containsPath(value any, pattern []string) bool {
	if len(pattern) == 0 {
		return true
	}
	switch v := value.(type) {
	case map[string]any:
		child, ok := v[pattern[0]]
		return ok && pattern[0] != "*" && containsPath(child, pattern[1:])
	case []any:
		if pattern[0] != "*" {
			return false
		}
		for _, e := range v {
			if containsPath(e, pattern[1:]) {
				return true
			}
		}
	}
	return false
}

func appendPath(path []pathElem, e pathElem) []pathElem {
	out := make([]pathElem, len(path), len(path)+1)
	copy(out, path)
	return append(out, e)
}

// formatPath renders a path the way the engine parses property paths.
func formatPath(path []pathElem) string {
	var b strings.Builder
	for _, e := range path {
		switch e := e.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(e) + "]")
		case string:
			switch {
			case strings.ContainsAny(e, `."[]`):
				fmt.Fprintf(&b, `[%q]`, e)
			case b.Len() > 0:
				b.WriteString("." + e)
			default:
				b.WriteString(e)
			}
		}
	}
	return b.String()
}
