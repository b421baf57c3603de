package main

import (
	"strings"
	"sync"
)

// Facts about Kubernetes API kinds that the renderer needs without a cluster to ask.

// builtinGroups are the API groups served by Kubernetes itself ("" is the core group).
// Kinds in any other group are custom resources.
var builtinGroups = setOf(
	"", "core", "apps", "batch", "autoscaling", "policy", "extensions",
	"admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
	"authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io",
	"coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
	"internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "rbac.authorization.k8s.io",
	"resource.k8s.io", "scheduling.k8s.io", "settings.k8s.io", "storage.k8s.io",
	"storagemigration.k8s.io",
)

// clusterScopedKinds are the built-in kinds that live outside namespaces
// (`kubectl api-resources --namespaced=false`). Every other built-in kind is namespaced.
var clusterScopedKinds = setOf(
	"APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding",
	"ClusterTrustBundle", "ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition",
	"DeviceClass", "FlowSchema", "IngressClass", "IPAddress", "MutatingAdmissionPolicy",
	"MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace", "Node",
	"PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
	"ResourceSlice", "RuntimeClass", "ServiceCIDR", "StorageClass", "StorageVersion",
	"StorageVersionMigration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
)

func setOf(items ...string) map[string]bool {
	s := make(map[string]bool, len(items))
	for _, i := range items {
		s[i] = true
	}
	return s
}

// groupOf returns the API group of an apiVersion ("apps/v1" -> "apps", "v1" -> "").
func groupOf(apiVersion string) string {
	if group, _, ok := strings.Cut(apiVersion, "/"); ok {
		return group
	}
	return ""
}

func isBuiltinGroup(group string) bool { return builtinGroups[group] }

func isCRD(apiVersion, kind string) bool {
	return groupOf(apiVersion) == "apiextensions.k8s.io" && kind == "CustomResourceDefinition"
}

// crdScopes remembers the scope of CustomResourceDefinitions seen in this deployment, so that
// their custom resources get the right namespace handling (the real provider keeps the same
// kind of cache; without a cluster it is the only source).
type crdScopes struct {
	mu     sync.Mutex
	scopes map[string]bool // "<group>/<Kind>" -> namespaced
}

func (c *crdScopes) remember(group, kind string, namespaced bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.scopes == nil {
		c.scopes = map[string]bool{}
	}
	c.scopes[group+"/"+kind] = namespaced
}

// namespaced reports whether objects of this apiVersion/kind live in a namespace. Unknown
// custom resources are assumed namespaced, as the real provider does without a cluster.
func (c *crdScopes) namespaced(apiVersion, kind string) bool {
	group := groupOf(apiVersion)
	base := strings.TrimSuffix(kind, "Patch") // DeploymentPatch scopes like Deployment
	if isBuiltinGroup(group) {
		return !clusterScopedKinds[base]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if namespaced, ok := c.scopes[group+"/"+base]; ok {
		return namespaced
	}
	return true
}

// Fields whose change Kubernetes rejects on an existing object (immutable fields), so the
// provider must replace the object instead of updating it. Patterns are JSONPath-like;
// `[*]` matches any array index. The table follows the upstream provider's, so previews
// propose replacement in exactly the same cases.
var (
	labelSelector = func(prefix string) []string {
		return []string{prefix, prefix + ".matchExpressions", prefix + ".matchExpressions.key",
			prefix + ".matchExpressions.operator", prefix + ".matchExpressions.values", prefix + ".matchLabels"}
	}
	containerFields = func(prefixes ...string) []string {
		var out []string
		for _, p := range prefixes {
			for _, f := range []string{"args", "command", "env", "env.value", "image", "imagePullPolicy",
				"lifecycle", "livenessProbe", "ports", "readinessProbe", "resources", "securityContext",
				"stdin", "stdinOnce", "terminationMessagePath", "terminationMessagePolicy", "tty",
				"volumeDevices", "volumeMounts", "workingDir"} {
				out = append(out, p+"."+f)
			}
		}
		return out
	}
	concat = func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}

	selectorOnly = labelSelector(".spec.selector")
	statefulSet  = concat([]string{".spec.podManagementPolicy", ".spec.revisionHistoryLimit",
		".spec.serviceName", ".spec.volumeClaimTemplates"}, selectorOnly)
	job = concat([]string{".spec.completions", ".spec.parallelism", ".spec.template"}, selectorOnly)

	coreV1 = map[string][]string{
		"PersistentVolume": prefixed(".spec.", "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs",
			"cinder", "csi", "fc", "flexVolume", "flocker", "gcePersistentDisk", "glusterfs", "hostPath",
			"iscsi", "local", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO",
			"storageos", "vsphereVolume"),
		"PersistentVolumeClaim": concat(prefixed(".spec.", "accessModes", "storageClassName", "volumeName"),
			selectorOnly),
		"Pod": concat(prefixed(".spec.", "affinity", "automountServiceAccountToken", "dnsConfig",
			"dnsPolicy", "enableServiceLinks", "hostAliases", "hostIPC", "hostNetwork", "hostPID",
			"hostname", "imagePullSecrets", "nodeName", "nodeSelector", "overhead", "preemptionPolicy",
			"priority", "priorityClassName", "readinessGates", "restartPolicy", "runtimeClassName",
			"schedulerName", "securityContext", "serviceAccount", "serviceAccountName",
			"shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "volumes"),
			containerFields(".spec.containers[*]", ".spec.initContainers[*]")),
		"ResourceQuota": {".spec.scopes"},
		"Secret":        {".type"},
		"Service":       {".spec.clusterIP"},
	}
	roleBinding = []string{".roleRef"}

	// group -> version -> kind -> immutable fields
	immutableFields = map[string]map[string]map[string][]string{
		"apps": {
			// .spec.selector only became immutable for Deployment/DaemonSet after v1beta1.
			"v1beta1": {"StatefulSet": statefulSet},
			"v1beta2": {"DaemonSet": selectorOnly, "Deployment": selectorOnly, "StatefulSet": statefulSet},
			"v1":      {"DaemonSet": selectorOnly, "Deployment": selectorOnly, "StatefulSet": statefulSet},
		},
		"":     {"v1": coreV1},
		"core": {"v1": coreV1},
		"policy": {
			"v1beta1": {"PodDisruptionBudget": {".spec"}},
		},
		"rbac.authorization.k8s.io": {
			"v1alpha1": {"ClusterRoleBinding": roleBinding, "RoleBinding": roleBinding},
			"v1beta1":  {"ClusterRoleBinding": roleBinding, "RoleBinding": roleBinding},
			"v1":       {"ClusterRoleBinding": roleBinding, "RoleBinding": roleBinding},
		},
		"storage.k8s.io": {
			"v1": {"StorageClass": {".parameters", ".provisioner"}},
		},
		"batch": {
			"v1beta1":  {"Job": job},
			"v1":       {"Job": job},
			"v2alpha1": {"Job": job},
		},
	}
)

func prefixed(prefix string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// replaceOnChange lists the fields of obj whose change forces replacement: name and namespace
// always (they are the object's identity), plus the kind's immutable fields. Patch resources
// only update fields in place, so only their identity counts. Secret data and ConfigMap data
// are replaced unless the provider allows mutating them, as upstream.
func replaceOnChange(apiVersion, kind string, isPatch bool, obj map[string]any, opts providerOptions) []string {
	fields := []string{".metadata.name", ".metadata.namespace"}
	if isPatch {
		return fields
	}
	group, ver := groupOf(apiVersion), apiVersion
	if _, v, ok := strings.Cut(apiVersion, "/"); ok {
		ver = v
	}
	immutable, _ := obj["immutable"].(bool)
	coreV1Kind := (group == "" || group == "core") && ver == "v1"
	switch {
	case coreV1Kind && kind == "Secret" && (!opts.secretMutable || immutable):
		return append(fields, ".type", ".stringData", ".data")
	case immutableFields[group][ver][kind] != nil:
		return append(fields, immutableFields[group][ver][kind]...)
	case coreV1Kind && kind == "ConfigMap" && (!opts.configMapMutable || immutable):
		return append(fields, ".binaryData", ".data")
	}
	return fields
}
