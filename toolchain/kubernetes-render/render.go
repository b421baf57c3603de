package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// manifestPath is where the real provider renders an object:
//
//	<dir>/0-crd/<apiVersion>-<kind>-<namespace>-<name>.yaml       CustomResourceDefinitions
//	<dir>/1-manifest/<apiVersion>-<kind>-<namespace>-<name>.yaml  everything else
//
// with "/" and ":" in the apiVersion replaced by "_", the kind lower-cased and "default" for
// objects without a namespace. The two directories let `kubectl apply -f <dir> -R` create CRDs
// before the resources that use them.
func manifestPath(dir string, o object) string {
	namespace := o.namespace()
	if namespace == "" {
		namespace = "default"
	}
	sanitise := strings.NewReplacer("/", "_", ":", "_")
	file := fmt.Sprintf("%s-%s-%s-%s.yaml",
		sanitise.Replace(o.apiVersion()), strings.ToLower(o.kind()), namespace, o.name())
	sub := "1-manifest"
	if isCRD(o.apiVersion(), o.kind()) {
		sub = "0-crd"
	}
	return filepath.Join(dir, sub, file)
}

// manifestYAML renders the object the way the real provider does: through JSON, so keys come
// out sorted and values in Kubernetes' usual YAML form.
func manifestYAML(o object) ([]byte, error) {
	data, err := json.Marshal(renamedKeys(map[string]any(o), underscoreToDash))
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(data)
}

// renamedKeys copies v, renaming map keys found in rename at any depth.
func renamedKeys(v any, rename map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if r, ok := rename[k]; ok {
				k = r
			}
			out[k] = renamedKeys(e, rename)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = renamedKeys(e, rename)
		}
		return out
	default:
		return v
	}
}

// renderManifest writes the object's YAML to its manifest path. The file is written to a
// temporary file in the same directory and renamed into place, so a reader (or an interrupted
// run) never sees half a manifest. Permissions follow the real provider: the directories are
// 0700 and the files 0600, because manifests may hold secret values in plain text.
func renderManifest(dir string, o object) (string, error) {
	data, err := manifestYAML(o)
	if err != nil {
		return "", fmt.Errorf("failed to render YAML for %s: %w", fullName(o), err)
	}
	for _, sub := range []string{"0-crd", "1-manifest"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", fmt.Errorf("failed to create directory for rendered YAML: %w", err)
		}
	}
	path := manifestPath(dir, o)
	if err := writeFileAtomic(path, data, 0o600); err != nil {
		return "", fmt.Errorf("failed to write YAML file %q: %w", path, err)
	}
	return path, nil
}

func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	cleanup := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return cleanup(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return cleanup(err)
	}
	if err := tmp.Sync(); err != nil {
		return cleanup(err)
	}
	if err := tmp.Close(); err != nil {
		return cleanup(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return cleanup(err)
	}
	return nil
}

// removeManifest deletes a rendered file. A file that is already gone is fine: the goal state
// (no manifest) holds.
func removeManifest(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to delete rendered YAML file %q: %w", path, err)
	}
	return nil
}
